"""Cases run against libgphoto2's virtual camera, one subprocess each.

libgphoto2 finds its virtual camera only if ``VCAMERADIR`` is set before
``gphoto2`` is imported, so the tests in ``test_camera_gphoto.py`` run
``python tests/gphoto_cases.py CASE ...`` with that variable and read one JSON
object from stdout. Fakes here cover what the virtual camera cannot do: live
view (``FakeLiveViewCamera`` wraps the real virtual camera and adds
``capture_preview``) and a camera that vanishes from USB (``FakeUnpluggableFactory``
fails the connect while "unplugged").
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from camera.base import CameraError, CameraNotFound, CameraSource  # noqa: E402
from camera.settings import CameraSettings  # noqa: E402
from camera.sources import build_source, open_source, parse_source  # noqa: E402

VDIR = Path(os.environ.get("VCAMERADIR", "/nonexistent"))


def _md5(data: bytes | None) -> str:
    return hashlib.md5(data or b"").hexdigest()


def _folder_md5() -> str:
    files = sorted(p for p in VDIR.iterdir() if p.is_file())
    return _md5(files[0].read_bytes())


def _fast_settings(**watchdog: Any) -> CameraSettings:
    s = CameraSettings()
    s.replay.realtime = False
    s.watchdog.backoff_initial_s = watchdog.get("backoff", 0.05)
    s.watchdog.backoff_max_s = watchdog.get("backoff_max", 0.2)
    s.watchdog.wait_for_camera = watchdog.get("wait", False)
    return s


def case_still() -> dict[str, Any]:
    """The stills side of a source string: bytes straight from the camera."""
    src = build_source(parse_source("gphoto2"), _fast_settings(), live_view=False)
    with src:
        t0 = time.monotonic()
        still = src.capture_still()
        took = time.monotonic() - t0
        image = still.decoded()
        return {"md5": _md5(still.data), "folder_md5": _folder_md5(), "camera": still.camera,
                "extension": still.extension, "extra": len(still.extra_files),
                "shape": list(image.shape) if image is not None else None,
                "state": src.state.value, "seconds": round(took, 3), "live_view": src.has_live_view}


def case_no_live_view(spec: str) -> dict[str, Any]:
    """A camera without live view used alone: the error names hybrid mode."""
    src = open_source(spec, _fast_settings())
    try:
        src.open()
    except CameraError as exc:
        return {"error": type(exc).__name__, "message": str(exc), "state": src.state.value}
    src.close()
    return {"error": None}


def case_hybrid(video: str) -> dict[str, Any]:
    """Preview from a replayed video, the still from the virtual DSLR."""
    src = open_source(f"hybrid:replay:{video}+gphoto2", _fast_settings())
    with src:
        frames = []
        still = None
        for frame in src.iter_frames():
            frames.append(frame)
            if len(frames) == 30:
                still = src.capture_still()
        assert still is not None
        return {"frames": len(frames), "shape": list(frames[0].image.shape),
                "media_last": frames[-1].media_time, "md5": _md5(still.data),
                "folder_md5": _folder_md5(), "camera": still.camera, "name": src.name,
                "state": src.state.value}


def case_disappear(video: str) -> dict[str, Any]:
    """The camera's pictures vanish (folder moved away) mid-session, then come back."""
    src = open_source(f"hybrid:replay:{video}+gphoto2", _fast_settings())
    out: dict[str, Any] = {"folder_md5": _folder_md5()}
    with src:
        out["first"] = _md5(src.capture_still().data)
        away = VDIR.with_name(VDIR.name + ".away")
        shutil.move(VDIR, away)
        t0 = time.monotonic()
        try:
            src.capture_still()
            out["while_gone"] = "no error"
        except CameraError as exc:
            out["while_gone"] = type(exc).__name__
            out["while_gone_message"] = str(exc)
        out["fail_seconds"] = round(time.monotonic() - t0, 3)
        out["preview_during"] = src.latest_frame() is not None
        shutil.move(away, VDIR)
        out["back"] = _md5(src.capture_still().data)
        out["reconnects"] = src.stats().reconnects
        out["state"] = src.state.value
    return out


class FakeUnpluggableFactory:
    """Builds real GPhotoSources, except while ``unplugged``: then the connect fails as
    it does when the camera is off the bus (the virtual camera cannot leave the bus)."""

    def __init__(self) -> None:
        self.unplugged = False
        self.builds = 0
        self.failed = 0

    def __call__(self) -> CameraSource:
        from camera.gphoto import GPhotoSource

        self.builds += 1
        if self.unplugged:
            self.failed += 1
            raise CameraNotFound("no gphoto2 camera found: is it switched on, set to "
                                 "PTP/tethering and connected by USB?")
        return GPhotoSource(None, live_view=False, still_retries=0)


def case_unplug() -> dict[str, Any]:
    """Unplugged: stills fail fast, the watchdog keeps trying with backoff, then recovers."""
    from camera.watchdog import WatchdogSource

    factory = FakeUnpluggableFactory()
    src = WatchdogSource(factory, name="gphoto2", backoff_initial=0.1, backoff_max=0.4)
    out: dict[str, Any] = {"folder_md5": _folder_md5()}
    with src:
        out["first"] = _md5(src.capture_still().data)
        ids = {id(src._inner)}
        factory.unplugged = True
        shutil.move(VDIR, VDIR.with_name(VDIR.name + ".away"))  # its pictures go too
        t0 = time.monotonic()
        try:
            src.capture_still()
            out["while_gone"] = "no error"
        except CameraError as exc:
            out["while_gone"] = type(exc).__name__
        out["fail_seconds"] = round(time.monotonic() - t0, 3)
        out["state_gone"] = src.state.value
        out["frame_gone"] = src.latest_frame() is None
        time.sleep(1.0)  # backoff 0.1 -> 0.2 -> 0.4 -> 0.4: about 4 attempts
        out["failed_connects"] = factory.failed
        shutil.move(VDIR.with_name(VDIR.name + ".away"), VDIR)
        factory.unplugged = False
        deadline = time.monotonic() + 5
        while src.state.value != "live" and time.monotonic() < deadline:
            time.sleep(0.02)
        out["state_back"] = src.state.value
        ids.add(id(src._inner))
        out["new_camera_object"] = len(ids) == 2
        out["back"] = _md5(src.capture_still().data)
        out["reconnects"] = src.stats().reconnects
    return out


def _frames_for(src: CameraSource, seconds: float) -> tuple[int, set[str]]:
    """New preview frames seen over ``seconds``, and every hybrid state seen meanwhile."""
    last = src.latest_frame(-1)
    after = last.index if last is not None else -1
    n, states = 0, set()
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        states.add(src.state.value)
        f = src.wait_frame(after, 0.2)
        if f is not None:
            after, n = f.index, n + 1
    return n, states


def case_hybrid_dslr_reconnecting(video: str) -> dict[str, Any]:
    """Replayed preview + real virtual DSLR that is unplugged mid-session (the fake factory:
    the virtual camera cannot leave the bus). Coaching must not see the DSLR's reconnect."""
    from camera.hybrid import HybridSource
    from camera.watchdog import WatchdogSource

    s = _fast_settings()
    s.replay.realtime, s.replay.loop = True, True  # a live-like preview that never ends
    factory = FakeUnpluggableFactory()
    stills = WatchdogSource(factory, name="gphoto2", backoff_initial=0.3, backoff_max=0.6)
    src = HybridSource(build_source(parse_source(f"replay:{video}"), s), stills)
    out: dict[str, Any] = {"folder_md5": _folder_md5()}
    with src:
        out["first"] = _md5(src.capture_still().data)
        factory.unplugged = True
        away = VDIR.with_name(VDIR.name + ".away")
        shutil.move(VDIR, away)
        try:
            src.capture_still()
            out["while_gone"] = "no error"
        except CameraError as exc:
            out["while_gone"] = type(exc).__name__
        out["stills_state_gone"] = src.stills_state.value
        out["stills_error_gone"] = str(src.stills_error or "")
        out["frames_gone"], states = _frames_for(src, 1.0)
        out["states_gone"] = sorted(states)
        out["stills_state_after"] = src.stills_state.value  # still away after that second
        shutil.move(away, VDIR)
        factory.unplugged = False
        deadline = time.monotonic() + 5
        while src.stills_state.value != "live" and time.monotonic() < deadline:
            time.sleep(0.02)
        out["stills_state_back"] = src.stills_state.value
        out["stills_error_back"] = src.stills_error
        out["back"] = _md5(src.capture_still().data)
        out["state_back"] = src.state.value
    return out


def case_hybrid_preview_lost(video: str) -> dict[str, Any]:
    """A real webcam preview (a video file read by OpenCV: its end reads like an unplug)
    + the virtual DSLR: losing the preview makes the whole hybrid RECONNECTING."""
    s = _fast_settings(backoff=3.0, backoff_max=3.0)  # slow enough to watch it reconnect
    src = open_source(f"hybrid:webcam:{video}+gphoto2", s)
    out: dict[str, Any] = {}
    with src:
        out["state_start"] = src.state.value
        deadline = time.monotonic() + 10
        while src.state.value != "reconnecting" and time.monotonic() < deadline:
            time.sleep(0.02)
        out["state_lost"] = src.state.value
        out["stills_state_lost"] = src.stills_state.value
        out["frame_lost"] = src.latest_frame() is not None
        out["error_lost"] = str(src.last_error or "")
    return out


class FakeLiveViewCamera:
    """The real virtual camera plus live view: ``capture_preview`` returns JPEG frames of
    a video (libgphoto2's virtual camera has no live view; real DSLRs do)."""

    def __init__(self, video: str) -> None:
        import cv2
        import gphoto2 as gp

        self._real = gp.Camera()
        self.previews = 0
        cap = cv2.VideoCapture(video)
        self._jpegs = []
        while len(self._jpegs) < 10:
            ok, bgr = cap.read()
            if not ok:
                break
            self._jpegs.append(cv2.imencode(".jpg", bgr)[1].tobytes())
        cap.release()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def get_abilities(self) -> Any:
        return _PreviewAbilities(self._real.get_abilities())

    def capture_preview(self) -> Any:
        data = self._jpegs[self.previews % len(self._jpegs)]
        self.previews += 1
        return _Bytes(data)


class _Bytes:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def get_data_and_size(self) -> bytes:
        return self._data


class _PreviewAbilities:
    def __init__(self, real: Any) -> None:
        import gphoto2 as gp

        self.model = real.model
        self.operations = real.operations | gp.GP_OPERATION_CAPTURE_PREVIEW


def case_live_view(video: str) -> dict[str, Any]:
    """Live view thread with a rate cap; a still pauses it and it resumes afterwards."""
    from camera.gphoto import GPhotoSource

    cams: list[FakeLiveViewCamera] = []

    def make() -> FakeLiveViewCamera:
        cams.append(FakeLiveViewCamera(video))
        return cams[-1]

    src = GPhotoSource(None, live_view=True, preview_max_fps=20, camera_factory=make)
    with src:
        t0 = time.monotonic()
        last, n = -1, 0
        while time.monotonic() - t0 < 1.0:
            f = src.wait_frame(last, 0.5)
            if f is not None:
                last, n = f.index, n + 1
        rate = n / (time.monotonic() - t0)
        shape = list(src.latest_frame(-1).image.shape)
        still = src.capture_still()
        after = src.wait_frame(last, 1.0)
        return {"rate": round(rate, 1), "shape": shape, "md5": _md5(still.data),
                "folder_md5": _folder_md5(), "resumed": after is not None,
                "camera": still.camera, "previews": cams[0].previews}


def case_errors() -> dict[str, Any]:
    """libgphoto2's real error objects through the mapping to the camera exception tree."""
    import gphoto2 as gp

    from camera.gphoto_errors import map_error

    out = {}
    for code in (-53, -60, -110, -10, -52, -7, -1):
        err = map_error(gp.GPhoto2Error(code), "taking a still", "Nikon D750")
        out[str(code)] = [type(err).__name__, str(err)]
    return out


CASES = {"errors": case_errors, "still": case_still, "no_live_view": case_no_live_view,
         "hybrid": case_hybrid, "disappear": case_disappear, "unplug": case_unplug,
         "live_view": case_live_view, "hybrid_dslr_reconnecting": case_hybrid_dslr_reconnecting,
         "hybrid_preview_lost": case_hybrid_preview_lost}

if __name__ == "__main__":
    result = CASES[sys.argv[1]](*sys.argv[2:])
    print(json.dumps(result))
