"""Newest-value slots, the frame mailbox every capture thread writes into, the
strictly increasing clock VIDEO-mode models need, and JPEG helpers.

A camera thread must never queue frames: a consumer that falls behind would see
the past (OpenCV's own buffers are the classic cause of a laggy preview). A
:class:`LatestSlot` keeps exactly one value, counts the ones nobody took, and wakes
waiters; :class:`FrameMailbox` is that slot for timestamped frames. The coaching
pipeline uses the same slot between its threads, so both floors share one.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

import cv2
import numpy as np

from camera.base import CameraError, Frame, SourceState, SourceStats

T = TypeVar("T")


class LatestSlot(Generic[T]):
    """A lock-guarded mailbox holding only the newest value.

    ``put`` replaces the value (never blocks, never queues); a value replaced
    before any ``get`` took it is counted in :attr:`dropped`. ``get(after)``
    returns ``(version, value)`` for a value newer than ``after``, waiting up to
    ``timeout`` seconds for one; ``peek`` looks without taking. Versions count
    puts from 1.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._value: T | None = None
        self._version = 0
        self._taken = 0
        self._closed = False
        self.dropped = 0

    def put(self, value: T) -> int:
        """Store ``value`` and wake waiters; returns its version."""
        with self._cond:
            if self._version > self._taken:
                self.dropped += 1
            self._value = value
            self._version += 1
            self._cond.notify_all()
            return self._version

    def get(self, after: int = 0, timeout: float | None = 0.0) -> tuple[int, T] | None:
        """The newest value with version > ``after``; None on timeout or close."""
        with self._cond:
            if self._version <= after and timeout != 0.0 and not self._closed:
                self._cond.wait_for(lambda: self._version > after or self._closed, timeout)
            if self._version <= after or self._value is None:
                return None
            self._taken = self._version
            return self._version, self._value

    def peek(self) -> T | None:
        """The newest value without marking it taken."""
        with self._cond:
            return self._value

    def wait_for(self, predicate: Callable[[T], bool], timeout: float | None) -> T | None:
        """Wait until the current value satisfies ``predicate``; it, or None on timeout."""
        with self._cond:
            def ok() -> bool:
                return self._closed or (self._value is not None and predicate(self._value))
            self._cond.wait_for(ok, timeout)
            value = self._value
            return value if value is not None and predicate(value) else None

    @property
    def version(self) -> int:
        """How many values were put so far."""
        with self._cond:
            return self._version

    def close(self) -> None:
        """Wake every waiter (they get None); later puts still work."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def reopen(self) -> None:
        """Let waiters wait again after :meth:`close`."""
        with self._cond:
            self._closed = False


class FrameMailbox:
    """Holds the newest :class:`Frame`; ``dropped`` counts frames replaced unread.

    A :class:`LatestSlot` of frames whose version is the frame's ``index + 1``; it
    adds the frame numbering and the recent frame rate.
    """

    def __init__(self) -> None:
        self._slot: LatestSlot[Frame] = LatestSlot()
        self._lock = threading.Lock()  # numbers a frame and stores it as one step
        self._times: deque[float] = deque(maxlen=30)

    @property
    def frames(self) -> int:
        """Frames put so far."""
        return self._slot.version

    @property
    def dropped(self) -> int:
        """Frames replaced before anyone took them."""
        return self._slot.dropped

    def put(self, image: np.ndarray, media_time: float | None = None,
            timestamp: float | None = None) -> Frame:
        """Store a new frame (RGB) and wake waiters; returns it."""
        now = time.monotonic() if timestamp is None else timestamp
        with self._lock:
            frame = Frame(image=image, timestamp=now, index=self._slot.version,
                          media_time=media_time)
            self._slot.put(frame)
            self._times.append(now)
        return frame

    def latest(self, after_index: int = -1) -> Frame | None:
        """The newest frame if its index is above ``after_index``."""
        got = self._slot.get(after_index + 1)
        return None if got is None else got[1]

    def peek(self) -> Frame | None:
        """The newest frame without marking it taken (for stills)."""
        return self._slot.peek()

    def wait(self, after_index: int = -1, timeout: float = 1.0) -> Frame | None:
        """Block up to ``timeout`` s for a frame above ``after_index`` (or until closed)."""
        got = self._slot.get(after_index + 1, timeout=max(0.0, timeout))
        return None if got is None else got[1]

    def close(self) -> None:
        """Wake every waiter (the source ended or stopped)."""
        self._slot.close()

    def reopen(self) -> None:
        """Let waiters wait again (the source restarted)."""
        self._slot.reopen()

    @property
    def fps(self) -> float:
        """Frames per second over the last ~30 frames (0 when fewer than 2)."""
        with self._lock:
            if len(self._times) < 2:
                return 0.0
            span = self._times[-1] - self._times[0]
            return (len(self._times) - 1) / span if span > 0 else 0.0


class VideoClock:
    """Strictly increasing millisecond timestamps for one VIDEO-mode landmarker.

    MediaPipe rejects a timestamp that is not greater than the previous one, over
    the landmarker's whole life. Times come from the frame (media time for a
    replay, else the monotonic read time); when they go backwards (a looping
    replay) or repeat, an offset shifts them just past the last one, so the
    spacing between later frames is kept.
    """

    __slots__ = ("_last", "_offset")

    def __init__(self) -> None:
        self._last = -1
        self._offset = 0

    def stamp(self, t_s: float) -> int:
        """The timestamp (ms) for a frame at ``t_s`` seconds."""
        return self.stamp_ms(int(t_s * 1000.0))

    def stamp_ms(self, raw_ms: int) -> int:
        """The timestamp (ms) for a frame at ``raw_ms`` milliseconds."""
        ms = raw_ms + self._offset
        if ms <= self._last:
            self._offset = self._last + 1 - raw_ms
            ms = self._last + 1
        self._last = ms
        return ms


def frame_time(frame: Frame) -> float:
    """Seconds on the clock the coach runs on: media time for a replay, else read time."""
    return frame.media_time if frame.media_time is not None else frame.timestamp


def encode_jpeg(rgb: np.ndarray, quality: int = 95) -> bytes:
    """JPEG bytes of an (H, W, 3) RGB or (H, W) gray uint8 array (ValueError if unfit).

    At quality >= 90 chroma is kept at full resolution (4:4:4): skin tones and
    eyelashes in a headshot are worth the extra bytes. OpenCV, not Pillow: the same
    libjpeg output (byte for byte) in about half the time.
    """
    arr = np.asarray(rgb)
    if arr.dtype != np.uint8 or not (arr.ndim == 2 or (arr.ndim == 3 and arr.shape[2] == 3)):
        raise ValueError(f"encode_jpeg needs an (H, W, 3) or (H, W) uint8 array, "
                         f"got {arr.dtype} {arr.shape}")
    if arr.size == 0:
        raise ValueError("encode_jpeg got an empty image")
    if not 1 <= int(quality) <= 100:
        raise ValueError(f"JPEG quality must be 1..100, got {quality}")
    params = [int(cv2.IMWRITE_JPEG_QUALITY), int(quality)]
    if arr.ndim == 3:  # gray has no chroma to subsample
        sampling = (cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444 if quality >= 90
                    else cv2.IMWRITE_JPEG_SAMPLING_FACTOR_420)
        params += [int(cv2.IMWRITE_JPEG_SAMPLING_FACTOR), int(sampling)]
        arr = cv2.cvtColor(arr, cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".jpg", np.ascontiguousarray(arr), params)
    if not ok:
        raise ValueError("could not encode the frame as JPEG")
    return buf.tobytes()


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
