"""Replay: every frame in order in fast mode, real-time pacing, loops, image folders, stills."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from camera.base import CameraNotFound, SourceState
from camera.replay import ReplaySource


def _count_frames(path: Path) -> int:
    cap = cv2.VideoCapture(str(path))
    n = 0
    while cap.read()[0]:
        n += 1
    cap.release()
    return n


def test_fast_mode_delivers_every_frame_in_order(media: Path) -> None:
    path = media / "single_face.mp4"
    with ReplaySource(path, realtime=False) as src:
        frames = list(src.iter_frames())
        assert src.state == SourceState.ENDED
        assert src.read_next(timeout=5) is None  # at the end: at once, no wait
    assert len(frames) == _count_frames(path)
    assert [f.index for f in frames] == list(range(len(frames)))
    times = [f.media_time for f in frames]
    assert times == pytest.approx([i / 30 for i in range(72)], abs=1e-6)  # 30 fps file
    assert frames[0].image.dtype == np.uint8 and frames[0].image.shape[2] == 3


def test_frames_are_rgb(media: Path) -> None:
    bgr = cv2.VideoCapture(str(media / "single_face.mp4")).read()[1]
    with ReplaySource(media / "single_face.mp4", realtime=False) as src:
        rgb = src.read_next().image
    assert np.array_equal(rgb, bgr[:, :, ::-1])


def test_fast_mode_latest_frame_advances_one_frame_per_request(media: Path) -> None:
    with ReplaySource(media / "single_face.mp4", realtime=False) as src:
        a = src.latest_frame()
        assert src.latest_frame() is a  # nothing newer asked for: same frame
        b = src.latest_frame(a.index)
        assert b.index == a.index + 1 and src.stats().dropped == 0


def test_realtime_pacing_follows_media_time(media: Path) -> None:
    with ReplaySource(media / "single_face.mp4", realtime=True, speed=4.0) as src:
        t0 = time.monotonic()
        frames = list(src.iter_frames(timeout=0.2))
        elapsed = time.monotonic() - t0
        stats = src.stats()
    assert 71 / 30 / 4 - 0.02 <= elapsed <= 71 / 30 / 4 + 0.5  # paced, never early
    assert stats.frames == 72 and stats.dropped == 72 - len(frames)
    assert stats.fps == pytest.approx(120, rel=0.25)


def test_realtime_slow_consumer_gets_newest_frame_and_drops_are_counted(media: Path) -> None:
    with ReplaySource(media / "single_face.mp4", realtime=True, speed=2.0) as src:
        first = src.wait_frame(-1, 2.0)
        time.sleep(0.3)  # a consumer busy for 0.3 s
        newest = src.latest_frame(first.index)
        assert newest.index - first.index >= 10  # skipped ahead, no backlog
        assert src.stats().dropped >= 9


def test_loop_keeps_media_time_rising(media: Path) -> None:
    with ReplaySource(media / "single_face.mp4", realtime=False, loop=True) as src:
        frames = [src.read_next() for _ in range(160)]
        assert src.state == SourceState.LIVE
    times = [f.media_time for f in frames]
    assert all(b > a for a, b in zip(times, times[1:], strict=False))
    assert times[72] == pytest.approx(72 / 30, abs=0.01)  # loop 2 starts where loop 1 ended
    assert np.array_equal(frames[72].image, frames[0].image)


def test_image_folder_sorted_with_folder_fps(tmp_path: Path, media: Path) -> None:
    folder = tmp_path / "shots"
    folder.mkdir()
    for i, name in enumerate(["single_face.jpg", "multi_face.jpg", "BWPictureHuman.jpg"]):
        shutil.copy(media / name, folder / f"{2 - i:02d}.jpg")  # sorted order = reversed list
    (folder / "notes.txt").write_text("not an image")
    (folder / "01b.png").write_bytes(b"broken")  # unreadable: skipped with a warning
    with ReplaySource(folder, realtime=False, folder_fps=5) as src:
        frames = list(src.iter_frames())
    assert len(frames) == 3
    expected = cv2.imread(str(media / "BWPictureHuman.jpg"))[:, :, ::-1]
    assert np.array_equal(frames[0].image, expected)
    assert [f.media_time for f in frames] == [0.0, 0.2, 0.6]  # index 3 was the broken file


def test_still_is_the_current_frame_full_size_with_jpeg(media: Path) -> None:
    with ReplaySource(media / "single_face.mp4", realtime=False) as src:
        for _ in range(20):
            frame = src.read_next()
        still = src.capture_still()
    assert still.image is frame.image and still.extension == ".jpg"
    assert still.camera == "replay single_face.mp4"
    decoded = cv2.imdecode(np.frombuffer(still.data, np.uint8), cv2.IMREAD_COLOR)[:, :, ::-1]
    assert decoded.shape == (360, 640, 3)
    assert np.abs(decoded.astype(int) - frame.image.astype(int)).mean() < 3  # quality 95


def test_missing_and_empty_paths_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(CameraNotFound, match="replay file not found: .*nope.mp4"):
        ReplaySource(tmp_path / "nope.mp4")
    with pytest.raises(CameraNotFound, match="holds no images"):
        ReplaySource(tmp_path)
    bad = tmp_path / "clip.mp4"
    bad.write_bytes(b"not a video")
    src = ReplaySource(bad)
    with pytest.raises(Exception, match="cannot read video"):
        src.open()
    assert src.state == SourceState.FAILED
