"""Webcam code, exercised by opening a video file through the same cv2.VideoCapture path.

A file is read at its own rate like a live camera; its end makes reads fail the
way an unplugged webcam does, so the watchdog's real recovery path runs too.
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from camera.base import CameraDisconnected, CameraNotFound, SourceState
from camera.settings import CameraSettings
from camera.sources import open_source
from camera.watchdog import WatchdogSource
from camera.webcam import WebcamSource, parse_device


def test_reading_thread_keeps_newest_frame_and_counts_drops(media: Path) -> None:
    with WebcamSource(str(media / "single_face.mp4"), read_failures=3) as cam:
        assert cam.state == SourceState.LIVE and cam.actual[:2] == (640, 360)
        first = cam.wait_frame(-1, 2.0)
        time.sleep(0.4)  # a slow consumer
        newest = cam.latest_frame(first.index)
        assert newest.index - first.index >= 8  # no backlog: straight to the newest
        assert newest.image.shape == (360, 640, 3)
        stats = cam.stats()
        assert stats.dropped >= newest.index - first.index - 1
        assert stats.fps == pytest.approx(30, rel=0.25)  # paced like a camera


def test_still_is_a_full_resolution_frame_with_jpeg(media: Path) -> None:
    with WebcamSource(str(media / "single_face.mp4")) as cam:
        cam.wait_frame(5, 2.0)
        still = cam.capture_still()
    assert still.image.shape == (360, 640, 3) and still.extension == ".jpg"
    decoded = cv2.imdecode(np.frombuffer(still.data, np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == (360, 640, 3)
    assert still.camera == "webcam file single_face.mp4"


def test_end_of_stream_reads_as_a_disconnect(media: Path) -> None:
    with WebcamSource(str(media / "single_face.mp4"), fps=120, read_failures=3) as cam:
        deadline = time.monotonic() + 6
        while cam.state == SourceState.LIVE and time.monotonic() < deadline:
            time.sleep(0.05)
        assert cam.state == SourceState.FAILED
        assert isinstance(cam.last_error, CameraDisconnected)
        assert "stopped sending pictures" in str(cam.last_error)
        with pytest.raises(CameraDisconnected):
            cam.capture_still()


def test_watchdog_reopens_a_webcam_that_stopped(media: Path) -> None:
    path = str(media / "single_face.mp4")
    builds = []

    def factory() -> WebcamSource:
        builds.append(WebcamSource(path, fps=120, read_failures=2))
        return builds[-1]

    wd = WatchdogSource(factory, name="webcam", backoff_initial=0.05, poll_interval=0.01)
    with wd:
        last, before, seen_reconnecting = -1, -1, False
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            seen_reconnecting |= wd.state == SourceState.RECONNECTING
            frame = wd.wait_frame(last, 0.1)
            if frame is None:
                continue
            if wd.stats().reconnects == 0 or len(builds) < 2:
                before = frame.index
            elif frame.index > before + 5:
                break  # frames from the new connection, numbering continued
            last = frame.index
        assert wd.stats().reconnects >= 1 and wd.stats().frames > 72
    assert len(builds) >= 2 and seen_reconnecting
    assert before >= 0 and frame is not None and frame.index > before + 5


def test_absent_webcam_fails_fast_with_a_plain_message() -> None:
    t0 = time.monotonic()
    with pytest.raises(CameraNotFound, match="no webcam at 57"):
        WebcamSource(57).open()
    assert time.monotonic() - t0 < 3
    src = open_source("webcam:57", CameraSettings())
    with pytest.raises(CameraNotFound, match="no webcam at 57"):
        src.open()
    assert src.state == SourceState.FAILED


def test_parse_device() -> None:
    assert parse_device("0") == 0 and parse_device(" 2 ") == 2
    assert parse_device("/dev/video4") == "/dev/video4"
