"""The camera ``headshot-kiosk bench`` times the pipeline against: frames decoded into
memory beforehand, so decoding never counts, served unpaced or at a camera's rate."""

from __future__ import annotations

import threading
import time

import numpy as np

from camera.base import CameraSource, Frame, SourceState, SourceStats, Still


class PreloadedSource(CameraSource):
    """Frames held in memory, served like a camera (cycling over the images).

    ``fps=0``: unpaced: a request for a frame newer than the current one "reads" the
    next image at once (stamped with the monotonic clock then), so the consumer never
    waits for the camera. ``fps>0``: a thread publishes a new frame every 1/fps s and
    the consumer gets the newest (frames it could not take are skipped).
    Frames are delivered without limit until :meth:`limit` sets how many more.
    """

    name = "preloaded frames"

    def __init__(self, images: list[np.ndarray], fps: float = 0.0) -> None:
        if not images:
            raise ValueError("no frames to serve")
        self.images = images
        self.fps = fps
        self._cond = threading.Condition()
        self._current: Frame | None = None
        self._next = 0
        self._remaining: int | None = None
        self._state = SourceState.CLOSED
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def open(self) -> None:
        with self._cond:
            if self._state != SourceState.CLOSED:
                return
            self._state = SourceState.LIVE
        self._stop.clear()
        if self.fps > 0:
            self._thread = threading.Thread(target=self._run, name="bench-camera", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
            self._thread = None
        with self._cond:
            self._state = SourceState.CLOSED
            self._cond.notify_all()

    def limit(self, more: int) -> int:
        """Deliver exactly ``more`` further frames, then end; returns the last index."""
        with self._cond:
            self._remaining = more
            return self._next + more - 1

    def _deliver(self) -> Frame | None:
        """Read the next image as a frame (lock held)."""
        if self._state != SourceState.LIVE:
            return None
        if self._remaining is not None:
            if self._remaining <= 0:
                self._state = SourceState.ENDED
                self._cond.notify_all()
                return None
            self._remaining -= 1
        image = self.images[self._next % len(self.images)]
        self._current = Frame(image=image, timestamp=time.monotonic(), index=self._next)
        self._next += 1
        self._cond.notify_all()
        return self._current

    def _run(self) -> None:
        period = 1.0 / self.fps
        due = time.monotonic()
        while not self._stop.is_set():
            with self._cond:
                if self._deliver() is None and self._state != SourceState.LIVE:
                    return
            due += period
            delay = due - time.monotonic()
            if delay > 0:
                self._stop.wait(delay)
            else:
                due = time.monotonic()

    def latest_frame(self, after_index: int = -1) -> Frame | None:
        with self._cond:
            cur = self._current
            if cur is not None and cur.index > after_index:
                return cur
            if self.fps > 0:
                return None
            return self._deliver()

    def wait_frame(self, after_index: int = -1, timeout: float = 1.0) -> Frame | None:
        if self.fps <= 0:
            return self.latest_frame(after_index)
        with self._cond:
            self._cond.wait_for(
                lambda: self._state != SourceState.LIVE or (
                    self._current is not None and self._current.index > after_index),
                timeout)
            cur = self._current
            return cur if cur is not None and cur.index > after_index else None

    def capture_still(self) -> Still:
        with self._cond:
            cur = self._current
        if cur is None:
            raise RuntimeError("no frame yet")
        return Still(data=None, extension=".png", image=cur.image, camera=self.name)

    @property
    def state(self) -> SourceState:
        return self._state

    @property
    def delivered(self) -> int:
        with self._cond:
            return self._next

    def stats(self) -> SourceStats:
        return SourceStats(frames=self.delivered)
