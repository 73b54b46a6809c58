"""Replay a video file or a folder of images as a camera (demos, tests, benchmarks).

Two pacings:

- ``realtime=True``: a thread delivers frames at the media's own rate (times
  ``speed``) into a newest-frame mailbox, like a live camera; a slow consumer
  skips frames (counted as dropped).
- ``realtime=False``: nothing runs ahead. Each request for a frame newer than
  the current one decodes the next frame, so ``read_next()`` / ``iter_frames()``
  see every frame exactly once, in order: benchmarks and headless tests are
  deterministic whatever the machine's speed.

``Frame.media_time`` is the position in the media in seconds (video timestamps
from the container; for folders ``index / folder_fps``). With ``loop=True`` it
keeps rising across loops (``loops * duration + position``) so it stays a clock.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from camera.base import (
    CameraError,
    CameraNotFound,
    CameraSource,
    Frame,
    SourceState,
    SourceStats,
    SourceUnreadable,
    Still,
)
from camera.frames import FrameMailbox, MailboxHealth, encode_jpeg

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")


class _Reader:
    """Sequential BGR frames with their media time; ``None`` at the end."""

    def __init__(self, path: Path, folder_fps: float) -> None:
        self.path = path
        self.index = 0
        self._cap = None
        self._files: list[Path] = []
        if path.is_dir():
            self._files = image_files(path)
            self.fps = folder_fps
        else:
            cap = cv2.VideoCapture(str(path))
            if not cap.isOpened():
                cap.release()
                raise SourceUnreadable(f"cannot read video {path} "
                                       "(empty, corrupt or not a video OpenCV can open)")
            self._cap = cap
            fps = cap.get(cv2.CAP_PROP_FPS)
            self.fps = fps if fps and 0 < fps < 1000 else 30.0

    def probe(self) -> None:
        """Decode the first frame now (kept for the first :meth:`read`): a source that
        yields no picture at all is :class:`SourceUnreadable` at open, not an endless
        wait for a first frame."""
        self._peeked = self.read()
        if self._peeked is not None:
            return
        self.close()
        if self._files:
            raise SourceUnreadable(
                f"replay folder {self.path}: none of its {len(self._files)} image file(s) "
                "could be read (corrupt or not images)")
        raise SourceUnreadable(f"replay video {self.path}: no frame could be decoded "
                               "(empty or corrupt file)")

    def read(self) -> tuple[np.ndarray, float] | None:
        peeked = getattr(self, "_peeked", None)
        if peeked is not None:
            self._peeked = None
            return peeked
        if self._cap is not None:
            ok, bgr = self._cap.read()
            if not ok or bgr is None:
                return None
            msec = self._cap.get(cv2.CAP_PROP_POS_MSEC)
            pos = msec / 1000.0 if msec > 0 or self.index == 0 else self.index / self.fps
            self.index += 1
            return bgr, pos
        while self.index < len(self._files):
            file = self._files[self.index]
            pos = self.index / self.fps
            self.index += 1
            bgr = cv2.imread(str(file), cv2.IMREAD_COLOR)
            if bgr is not None:
                return bgr, pos
            log.info("replay: skipping %s (not an image OpenCV can read)", file)
        return None

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


def image_files(folder: Path) -> list[Path]:
    """Images in ``folder`` sorted by name (the replay order)."""
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def check_replay_path(path: str | Path) -> Path:
    """The path if it can be replayed; else CameraNotFound naming what is wrong."""
    p = Path(path).expanduser()
    if not p.exists():
        raise CameraNotFound(f"replay file not found: {p}")
    if p.is_dir() and not image_files(p):
        raise CameraNotFound(
            f"replay folder {p} holds no images ({', '.join(IMAGE_SUFFIXES)})")
    return p


class ReplaySource(MailboxHealth, CameraSource):
    """A video file or image folder delivered as camera frames (RGB)."""

    def __init__(self, path: str | Path, realtime: bool = True, loop: bool = False, *,
                 folder_fps: float = 10.0, speed: float = 1.0, jpeg_quality: int = 95) -> None:
        self.path = check_replay_path(path)
        self.realtime = realtime
        self.loop = loop
        self.folder_fps = folder_fps
        self.speed = speed
        self.jpeg_quality = jpeg_quality
        self.name = f"replay {self.path.name}"
        self._lock = threading.RLock()
        self._state = SourceState.CLOSED
        self._error: CameraError | None = None
        self._reader: _Reader | None = None
        self._mailbox = FrameMailbox()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._current: Frame | None = None  # fast mode: the last decoded frame
        self._frames = 0
        self._loop_offset = 0.0
        self._last_pos = 0.0
        self._started = 0.0

    # -- lifecycle ---------------------------------------------------------------------------
    def open(self) -> None:
        with self._lock:
            if self._state not in (SourceState.CLOSED,):
                return
            self._state = SourceState.OPENING
            try:
                self._reader = _Reader(self.path, self.folder_fps)
                self._reader.probe()
            except CameraError:
                self._state = SourceState.FAILED
                raise
            self._stop.clear()
            self._mailbox = FrameMailbox()
            self._current = None
            self._frames = 0
            self._loop_offset = 0.0
            self._started = time.monotonic()
            self._state = SourceState.LIVE
            if self.realtime:
                self._thread = threading.Thread(target=self._run, name=f"replay-{self.path.name}",
                                                daemon=True)
                self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._mailbox.close()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2.0)
        with self._lock:
            self._thread = None
            if self._reader is not None:
                self._reader.close()
                self._reader = None
            self._state = SourceState.CLOSED

    # -- decoding ----------------------------------------------------------------------------
    def _next_image(self) -> tuple[np.ndarray, float] | None:
        """Decode the next frame as (RGB, media time); handles looping. Lock held."""
        reader = self._reader
        if reader is None:
            return None
        item = reader.read()
        if item is None and self.loop and reader.index > 0:
            self._loop_offset += self._last_pos + 1.0 / reader.fps
            reader.close()
            self._reader = reader = _Reader(self.path, self.folder_fps)
            item = reader.read()
        if item is None:
            return None
        bgr, pos = item
        self._last_pos = pos
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), self._loop_offset + pos

    def _run(self) -> None:
        """Real-time pacing thread."""
        t0: float | None = None
        m0 = 0.0
        while not self._stop.is_set():
            with self._lock:
                item = self._next_image()
            if item is None:
                with self._lock:
                    if self._state == SourceState.LIVE:
                        self._state = SourceState.ENDED
                self._mailbox.close()
                return
            rgb, media_time = item
            if t0 is None:
                t0, m0 = time.monotonic(), media_time
            due = t0 + (media_time - m0) / self.speed
            delay = due - time.monotonic()
            if delay > 0 and self._stop.wait(delay):
                return
            self._mailbox.put(rgb, media_time)

    # -- frames ------------------------------------------------------------------------------
    def latest_frame(self, after_index: int = -1) -> Frame | None:
        if self.realtime:
            return self._mailbox.latest(after_index)
        with self._lock:
            cur = self._current
            if (cur is None or cur.index <= after_index) and self._state == SourceState.LIVE:
                item = self._next_image()
                if item is None:
                    self._state = SourceState.ENDED
                else:
                    rgb, media_time = item
                    cur = Frame(image=rgb, timestamp=time.monotonic(), index=self._frames,
                                media_time=media_time)
                    self._frames += 1
                    self._current = cur
            if cur is None or cur.index <= after_index:
                return None
            return cur

    def wait_frame(self, after_index: int = -1, timeout: float = 1.0) -> Frame | None:
        if self.realtime:
            return self._mailbox.wait(after_index, timeout)
        return self.latest_frame(after_index)

    def read_next(self, timeout: float = 1.0) -> Frame | None:
        frame = self.wait_frame(getattr(self, "_read_next_index", -1), timeout)
        if frame is not None:
            self._read_next_index = frame.index
        return frame

    # -- stills ------------------------------------------------------------------------------
    def capture_still(self) -> Still:
        """The current frame at full resolution, with JPEG bytes."""
        if self.realtime:
            frame = self._mailbox.peek() or self._mailbox.wait(-1, 1.0)
        else:
            with self._lock:
                frame = self._current
            if frame is None:
                frame = self.latest_frame(-1)
        if frame is None:
            raise CameraError(f"{self.name} has no picture yet")
        return Still(data=encode_jpeg(frame.image, self.jpeg_quality), extension=".jpg",
                     image=frame.image, camera=self.name)

    # -- health ------------------------------------------------------------------------------
    def stats(self) -> SourceStats:
        if self.realtime:
            return super().stats()
        elapsed = time.monotonic() - self._started
        return SourceStats(frames=self._frames,
                           fps=self._frames / elapsed if elapsed > 0 else 0.0)

    @property
    def fps(self) -> float:
        """The media's nominal frame rate (folder_fps for folders)."""
        with self._lock:
            if self._reader is not None:
                return self._reader.fps
        reader = _Reader(self.path, self.folder_fps)
        try:
            return reader.fps
        finally:
            reader.close()
