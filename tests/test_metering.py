"""Exposure metered on the face: the control loop against a simulated camera, and the
webcam's control path (which this machine, without a webcam, can only report on).

The simulation (:class:`FakeExposureCamera`) is a replayed real video whose brightness
answers the exposure control as a camera's does: linear light scaled by 2^EV, clipped at
white, applied one frame after it is asked for (a camera's pipeline delay). It starts
1.7 stops dark, as a face before a bright window under the camera's frame-average
metering looks.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from camera.base import Frame
from camera.replay import ReplaySource
from camera.webcam import WebcamSource
from coaching.metering import FaceMeter, meter_for, meter_results
from coaching.presets import resolve_preset
from coaching.step import CoachingStep

START_EV = -1.7


class FakeExposureCamera:
    """Frames of a replayed video, brightened or darkened by the exposure asked for."""

    def __init__(self, video: Path) -> None:
        self.frames = []
        src = ReplaySource(video, loop=False, realtime=False)
        with src:
            last = -1
            while (f := src.latest_frame(last)) is not None:
                self.frames.append(f)
                last = f.index
        self.asked = 0.0
        self.applied = 0.0
        self.ev_range = (-2.0, 3.0)

    def set_exposure_ev(self, ev: float) -> float:
        self.asked = float(np.clip(ev, *self.ev_range))
        return self.asked

    def frame(self, i: int) -> Frame:
        f = self.frames[i % len(self.frames)]
        gain = 2.0 ** (START_EV + self.applied)
        # sRGB -> linear, scale, back: exposure acts on light, not on gamma-coded values
        lin = (f.image.astype(np.float32) / 255.0) ** 2.2 * gain
        img = (np.clip(lin, 0, 1) ** (1 / 2.2) * 255).astype(np.uint8)
        self.applied = self.asked  # the camera shows the change on the next frame
        return Frame(image=img, timestamp=f.timestamp, index=i, media_time=i / 30.0)


@pytest.mark.slow  # 150 frames through the real face model (~10 s)
def test_face_exposure_converges_in_under_two_seconds_without_oscillating(
        media: Path) -> None:
    cam = FakeExposureCamera(media / "single_face.mp4")
    meter = FaceMeter(cam)
    feed = meter_results(meter)  # as the kiosk's pipeline calls it, per result
    step = CoachingStep(resolve_preset("linkedin"))
    try:
        errors, settled_at = [], None
        for i in range(150):  # 5 s of video time at 30 fps
            res = step.process(cam.frame(i))
            feed(res)
            t = i / 30.0
            if res.metrics.exposure is not None:
                errors.append((t, np.log2(0.5 / res.metrics.exposure)))
            if meter.state.settled and settled_at is None:
                settled_at = t
    finally:
        step.close()
    assert errors[0][1] > 0.6  # it did start dark (1.7 stops of light)
    assert settled_at is not None and settled_at < 2.0, settled_at
    late = [e for t, e in errors if t >= 2.0]
    assert max(abs(e) for e in late) <= 0.3  # held on target
    signs = np.sign([e for _, e in errors if abs(e) > meter.tolerance_ev])
    assert int(np.count_nonzero(np.diff(signs))) <= 1  # no hunting back and forth


def test_a_settled_meter_holds_steady_and_meters_again_when_the_light_changes() -> None:
    class Control:
        def __init__(self) -> None:
            self.calls = []

        def set_exposure_ev(self, ev: float) -> float:
            self.calls.append(ev)
            return ev

    c = Control()
    meter = FaceMeter(c, period_s=0.1)
    t = 0.0
    for _ in range(10):
        meter.update(t, 0.5)
        t += 0.1
    assert meter.state.settled and c.calls == []
    meter.update(t, 0.45)  # a small drift is ignored: the picture does not breathe
    assert c.calls == []
    for _ in range(15):  # a light switched off: well off for over a second
        t += 0.1
        meter.update(t, 0.2)
    assert c.calls and c.calls[-1] > 0  # opened up again


def test_webcam_exposure_control_says_in_one_line_when_there_is_no_device(
        tmp_path: Path, media: Path) -> None:
    """These machines have no webcam: a video file opened as a webcam has no controls,
    and the source says so once instead of pretending."""
    clip = tmp_path / "clip.avi"
    cap = cv2.VideoCapture(str(media / "single_face.mp4"))
    ok, bgr = cap.read()
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"MJPG"), 30,
                             (bgr.shape[1], bgr.shape[0]))
    for _ in range(10):
        writer.write(bgr)
    writer.release()
    src = WebcamSource(str(clip), width=None, height=None, fps=None, fourcc=None)
    with src:
        assert src.set_exposure_ev(1.0) == 0.0
        reason = src.exposure_unsupported
    assert reason is not None and "\n" not in reason and "exposure" in reason
    assert pytest.approx(src.set_exposure_ev(0.5)) == 0.0


def test_the_kiosk_meters_webcams_only_when_asked() -> None:
    class Cam:
        def set_exposure_ev(self, ev: float) -> float:
            return ev

    assert meter_for(Cam(), "face") is not None
    assert meter_for(Cam(), "auto") is None
    assert meter_for(object(), "face") is None  # a replay has no exposure to steer
