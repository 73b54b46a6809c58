"""The watchdog: reconnect with backoff, never raise into the UI, bounded stills.

Faults a real device cannot be made to produce on demand are played by fakes
(``Fake*``) built on real media: a camera that dies after N frames, one that
freezes, stills that time out or hang in the driver.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from camera.base import (
    CameraDisconnected,
    CameraError,
    CameraNotFound,
    CameraSource,
    CaptureTimeout,
    Frame,
    LiveViewUnsupported,
    SourceState,
    SourceStats,
    Still,
)
from camera.replay import ReplaySource
from camera.watchdog import WatchdogSource


class FakeFlakySource(CameraSource):
    """Frames from a real video (real-time, looping); reports an unplug after
    ``fail_after`` frames, or freezes (state stays LIVE, no frames) if ``freeze``."""

    def __init__(self, video: Path, fail_after: int | None = None, freeze: bool = False) -> None:
        self._replay = ReplaySource(video, realtime=True, loop=True, speed=2.0)
        self.fail_after = fail_after
        self.freeze = freeze
        self.name = "fake webcam"
        self.closed = False

    def open(self) -> None:
        self._replay.open()

    def close(self) -> None:
        self.closed = True
        self._replay.close()

    def _dead(self) -> bool:
        return self.fail_after is not None and self._replay.stats().frames >= self.fail_after

    def latest_frame(self, after_index: int = -1) -> Frame | None:
        if self._dead():
            if self.freeze:
                return None
            raise CameraDisconnected("fake unplug: the read failed")
        return self._replay.latest_frame(after_index)

    def capture_still(self) -> Still:
        return self._replay.capture_still()

    @property
    def state(self) -> SourceState:
        return SourceState.FAILED if self._dead() and not self.freeze else SourceState.LIVE

    @property
    def last_error(self) -> CameraError | None:
        return CameraDisconnected("fake unplug: 5 reads failed") if self._dead() else None

    def stats(self) -> SourceStats:
        frames = self._replay.stats().frames
        return SourceStats(frames=min(frames, self.fail_after or frames))


class FakeStillCamera(CameraSource):
    """A stills-only camera whose stills follow a script: "ok", an exception, or "hang"."""

    def __init__(self, script: list, image: np.ndarray, calls: list) -> None:
        self.script = script
        self.image = image
        self.calls = calls
        self.name = "fake dslr"
        self._state = SourceState.CLOSED

    def open(self) -> None:
        self._state = SourceState.LIVE

    def close(self) -> None:
        self._state = SourceState.CLOSED

    def latest_frame(self, after_index: int = -1) -> Frame | None:
        return None

    def capture_still(self) -> Still:
        step = self.script.pop(0) if self.script else "ok"
        self.calls.append((id(self), step if isinstance(step, str) else type(step).__name__))
        if step == "hang":
            threading.Event().wait(5)
        elif isinstance(step, BaseException):
            raise step
        return Still(data=b"jpeg", extension=".jpg", image=self.image, camera=self.name)

    @property
    def state(self) -> SourceState:
        return self._state

    @property
    def has_live_view(self) -> bool:
        return False


@pytest.fixture(scope="module")
def video(media: Path) -> Path:
    return media / "single_face.mp4"


def _watchdog(factory, **kw) -> WatchdogSource:  # noqa: ANN001
    opts = dict(backoff_initial=0.05, backoff_max=0.2, stall_timeout=0.5, poll_interval=0.01,
                still_call_timeout=1.0, still_retry_pause=0.01, close_timeout=1.0)
    opts.update(kw)
    return WatchdogSource(factory, name="test camera", **opts)


def test_source_failing_after_n_frames_is_reconnected(video: Path,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    built: list[FakeFlakySource] = []

    def factory() -> CameraSource:
        built.append(FakeFlakySource(video, fail_after=10 if not built else None))
        return built[-1]

    caplog.set_level(logging.WARNING, logger="camera.watchdog")
    wd = _watchdog(factory)
    states, indices, nones_while_reconnecting = [], [], 0
    with wd:
        last = -1
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(indices) < 25:
            state = wd.state
            states.append(state)
            frame = wd.latest_frame(last)  # the UI's call: must never raise
            if frame is not None:
                indices.append(frame.index)
                last = frame.index
            elif state == SourceState.RECONNECTING:
                nones_while_reconnecting += 1
            time.sleep(0.005)
        stats = wd.stats()
    assert len(built) == 2 and built[0].closed
    assert SourceState.RECONNECTING in states and states[-1] == SourceState.LIVE
    assert nones_while_reconnecting > 0
    assert len(indices) >= 25 and indices == sorted(set(indices))  # rising across reconnects
    assert stats.reconnects == 1
    assert "fake unplug" in caplog.text and "reconnected" in caplog.text


def test_backoff_doubles_up_to_the_cap(video: Path) -> None:
    calls: list[float] = []

    def factory() -> CameraSource:
        calls.append(time.monotonic())
        if 2 <= len(calls) <= 6:
            raise CameraNotFound("no webcam at 0 (fake: unplugged)")
        return FakeFlakySource(video, fail_after=3 if len(calls) == 1 else None)

    wd = _watchdog(factory, backoff_initial=0.05, backoff_max=0.2)
    with wd:
        deadline = time.monotonic() + 5
        while (len(calls) < 7 or wd.state != SourceState.LIVE) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert wd.state == SourceState.LIVE
        assert wd.stats().reconnects == 1
        assert wd.wait_frame(-1, 2.0) is not None
    gaps = np.diff(calls[1:7])  # between failed attempts 1..5 and the success
    expected = np.array([0.1, 0.2, 0.2, 0.2, 0.2])
    assert np.all(gaps >= expected - 0.005)  # never early
    assert np.all(gaps <= expected + 0.1)  # late only by scheduling (busy CI machines)


def test_gives_up_after_max_attempts(video: Path) -> None:
    n = {"builds": 0}

    def factory() -> CameraSource:
        n["builds"] += 1
        if n["builds"] > 1:
            raise CameraNotFound("no webcam at 0 (fake: unplugged for good)")
        return FakeFlakySource(video, fail_after=3)

    wd = _watchdog(factory, max_attempts=3)
    with wd:
        frames = list(wd.iter_frames(timeout=0.1))  # ends when the watchdog gives up
        assert wd.state == SourceState.FAILED
        assert "unplugged for good" in str(wd.last_error)
        assert wd.latest_frame() is None
    assert n["builds"] == 4 and 1 <= len(frames) <= 3


def test_frozen_source_is_detected_as_a_stall(video: Path) -> None:
    built: list[FakeFlakySource] = []

    def factory() -> CameraSource:
        built.append(FakeFlakySource(video, fail_after=5 if not built else None,
                                     freeze=not built))
        return built[-1]

    wd = _watchdog(factory, stall_timeout=0.3)
    with wd:
        deadline = time.monotonic() + 4
        while wd.stats().reconnects < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert "sent no picture for 0.3 s" in wd.reconnect_reason
        assert wd.wait_frame(-1, 2.0) is not None


def _still_watchdog(script: list, image: np.ndarray, calls: list, **kw) -> WatchdogSource:
    return _watchdog(lambda: FakeStillCamera(script, image, calls), **kw)


@pytest.fixture(scope="module")
def image(media: Path) -> np.ndarray:
    import cv2

    return cv2.imread(str(media / "single_face.jpg"))[:, :, ::-1].copy()


def test_still_timeout_is_retried_once(image: np.ndarray) -> None:
    calls: list = []
    with _still_watchdog([CaptureTimeout("autofocus could not lock"), "ok"], image, calls) as wd:
        assert wd.capture_still().data == b"jpeg"
    assert [c[1] for c in calls] == ["CaptureTimeout", "ok"]
    assert calls[0][0] == calls[1][0]  # same connection: a timeout is no disconnect


def test_still_timing_out_twice_is_reported(image: np.ndarray) -> None:
    calls: list = []
    script = [CaptureTimeout("took no picture within 10 s"), CaptureTimeout("again"), "ok"]
    with _still_watchdog(script, image, calls) as wd:
        with pytest.raises(CaptureTimeout, match="again"):
            wd.capture_still()
        assert wd.state == SourceState.LIVE
        assert wd.capture_still().data == b"jpeg"  # the next sitter is fine
    assert len(calls) == 3


def test_hung_still_is_abandoned_and_retried_on_a_new_connection(image: np.ndarray) -> None:
    calls: list = []
    with _still_watchdog(["hang", "ok"], image, calls, still_call_timeout=0.3) as wd:
        t0 = time.monotonic()
        assert wd.capture_still().data == b"jpeg"
        assert time.monotonic() - t0 < 1.5
        assert wd.state == SourceState.LIVE and wd.stats().reconnects == 1
    assert len({c[0] for c in calls}) == 2  # a hung camera object is replaced, not reused


def test_still_hanging_twice_never_hangs_the_caller(image: np.ndarray) -> None:
    calls: list = []
    with _still_watchdog(["hang", "hang"], image, calls, still_call_timeout=0.3) as wd:
        t0 = time.monotonic()
        with pytest.raises(CaptureTimeout, match="did not deliver the picture"):
            wd.capture_still()
        assert time.monotonic() - t0 < 1.5
        deadline = time.monotonic() + 3
        while wd.state != SourceState.LIVE and time.monotonic() < deadline:
            time.sleep(0.01)
        assert wd.capture_still().data == b"jpeg"  # and the booth carries on


def test_disconnect_during_still_reconnects_then_retries(image: np.ndarray) -> None:
    calls: list = []
    with _still_watchdog([CameraDisconnected("unplugged"), "ok"], image, calls) as wd:
        assert wd.capture_still().data == b"jpeg"
        assert wd.stats().reconnects == 1
    assert len({c[0] for c in calls}) == 2


def test_waits_for_a_camera_absent_at_launch(video: Path) -> None:
    n = {"builds": 0}

    def factory() -> CameraSource:
        n["builds"] += 1
        if n["builds"] <= 2:
            raise CameraNotFound("no webcam at 0")
        return FakeFlakySource(video)

    wd = _watchdog(factory, wait_for_camera=True)
    with wd:
        assert wd.state == SourceState.RECONNECTING and wd.latest_frame() is None
        assert wd.wait_frame(-1, 3.0) is not None
        assert wd.state == SourceState.LIVE


def test_absent_camera_at_launch_is_one_line_error() -> None:
    def factory() -> CameraSource:
        raise CameraNotFound("no webcam at 3 (is it plugged in?)")

    wd = _watchdog(factory)
    with pytest.raises(CameraNotFound, match="no webcam at 3"):
        wd.open()
    assert wd.state == SourceState.FAILED


def test_live_view_unsupported_is_not_retried() -> None:
    n = {"builds": 0}

    def factory() -> CameraSource:
        n["builds"] += 1
        raise LiveViewUnsupported("cannot stream a preview; use hybrid:webcam:0+gphoto2")

    wd = _watchdog(factory, wait_for_camera=True)
    with pytest.raises(LiveViewUnsupported):
        wd.open()
    time.sleep(0.2)
    assert n["builds"] == 1 and wd.state == SourceState.FAILED


def test_live_view_that_slows_to_a_crawl_is_reconnected(video: Path) -> None:
    """A real replay at a twentieth of its speed (1.5 fps) plays the crawling live view."""
    built: list[ReplaySource] = []

    def factory() -> CameraSource:
        built.append(ReplaySource(video, realtime=True, loop=True,
                                  speed=0.05 if not built else 2.0))
        return built[-1]

    wd = _watchdog(factory, stall_timeout=3.0, min_fps=5.0, slow_window=0.6)
    with wd:
        deadline = time.monotonic() + 5
        while wd.stats().reconnects < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert "live view slowed to" in wd.reconnect_reason
        assert len(built) >= 2
        first = wd.wait_frame(-1, 2.0)
        assert first is not None
        assert wd.wait_frame(first.index, 1.0) is not None  # the new connection runs at speed


def test_normal_live_view_is_not_taken_for_a_crawl(video: Path) -> None:
    wd = _watchdog(lambda: ReplaySource(video, realtime=True, loop=True, speed=1.0),
                   min_fps=5.0, slow_window=0.5)
    with wd:
        time.sleep(1.6)
        assert wd.stats().reconnects == 0
