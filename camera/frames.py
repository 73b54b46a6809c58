"""The newest-frame mailbox every capture thread writes into, and JPEG helpers.

A camera thread must never queue frames: a consumer that falls behind would see
the past (OpenCV's own buffers are the classic cause of a laggy preview). The
mailbox keeps exactly one frame, counts the ones nobody took, and wakes waiters.
"""

from __future__ import annotations

import threading
import time
from collections import deque

import numpy as np

from camera.base import CameraError, Frame, SourceState, SourceStats


class FrameMailbox:
    """Holds the newest :class:`Frame`; ``dropped`` counts frames replaced unread."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._frame: Frame | None = None
        self._taken = True
        self._closed = False
        self._times: deque[float] = deque(maxlen=30)
        self.frames = 0
        self.dropped = 0

    def put(self, image: np.ndarray, media_time: float | None = None,
            timestamp: float | None = None) -> Frame:
        """Store a new frame (RGB) and wake waiters; returns it."""
        now = time.monotonic() if timestamp is None else timestamp
        with self._cond:
            if self._frame is not None and not self._taken:
                self.dropped += 1
            frame = Frame(image=image, timestamp=now, index=self.frames, media_time=media_time)
            self.frames += 1
            self._frame = frame
            self._taken = False
            self._times.append(now)
            self._cond.notify_all()
            return frame

    def latest(self, after_index: int = -1) -> Frame | None:
        """The newest frame if its index is above ``after_index``."""
        with self._cond:
            frame = self._frame
            if frame is None or frame.index <= after_index:
                return None
            self._taken = True
            return frame

    def peek(self) -> Frame | None:
        """The newest frame without marking it taken (for stills)."""
        with self._cond:
            return self._frame

    def wait(self, after_index: int = -1, timeout: float = 1.0) -> Frame | None:
        """Block up to ``timeout`` s for a frame above ``after_index`` (or until closed)."""
        with self._cond:
            self._cond.wait_for(
                lambda: self._closed
                or (self._frame is not None and self._frame.index > after_index),
                timeout=max(0.0, timeout))
        return self.latest(after_index)

    def close(self) -> None:
        """Wake every waiter (the source ended or stopped)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def reopen(self) -> None:
        with self._cond:
            self._closed = False

    @property
    def fps(self) -> float:
        """Frames per second over the last ~30 frames (0 when fewer than 2)."""
        with self._cond:
            if len(self._times) < 2:
                return 0.0
            span = self._times[-1] - self._times[0]
            return (len(self._times) - 1) / span if span > 0 else 0.0


def encode_jpeg(rgb: np.ndarray, quality: int = 95) -> bytes:
    """RGB array to JPEG bytes (OpenCV; raises ValueError if encoding fails)."""
    import cv2

    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".jpg", bgr, [int(cv2.IMWRITE_JPEG_QUALITY), int(quality)])
    if not ok:
        raise ValueError("could not encode the frame as JPEG")
    return buf.tobytes()


def decode_image(data: bytes) -> np.ndarray | None:
    """Encoded image bytes (JPEG, PNG, ...) to RGB, or None if OpenCV cannot read them."""
    import cv2

    bgr = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if bgr is None:
        return None
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


class MailboxHealth:
    """``state``, ``last_error`` and ``stats()`` for a source built on a FrameMailbox.

    Put it before :class:`~camera.base.CameraSource` in the bases; the source keeps
    ``_state``, ``_error``, ``_mailbox`` and (optionally) ``_errors`` up to date.
    """

    _state: SourceState
    _error: CameraError | None
    _mailbox: FrameMailbox
    _errors: int = 0

    @property
    def state(self) -> SourceState:
        return self._state

    @property
    def last_error(self) -> CameraError | None:
        return self._error

    def stats(self) -> SourceStats:
        return SourceStats(frames=self._mailbox.frames, dropped=self._mailbox.dropped,
                           fps=self._mailbox.fps, errors=self._errors)
