"""The camera interface every source implements, its data types and exceptions.

A source delivers timestamped preview frames (RGB, unmirrored, newest only) and
takes stills at full resolution. It never draws and never runs an event loop.

Exception tree (messages are written for a booth operator)::

    CameraError
    ├── CameraNotFound       no such camera / nothing attached
    ├── CameraBusy           claimed by another program, "PTP device busy"
    ├── CameraDisconnected   it was there and is gone (unplug, power)
    ├── CaptureTimeout       a still did not arrive in time
    ├── LiveViewUnsupported  the camera cannot stream a preview
    └── SourceUnreadable     a replayed file or folder that yields no picture (retrying
                             cannot help: the operator must replace it)
"""

from __future__ import annotations

import enum
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import TracebackType

import cv2
import numpy as np


class CameraError(Exception):
    """Base of every camera fault; ``str()`` is one plain sentence."""


class CameraNotFound(CameraError):
    """No camera matches what was asked for."""


class CameraBusy(CameraError):
    """The camera is claimed by another program or reports it is busy."""


class CameraDisconnected(CameraError):
    """The camera was working and went away."""


class CaptureTimeout(CameraError):
    """A still was requested but no picture arrived in time."""


class LiveViewUnsupported(CameraError):
    """The camera cannot stream a preview (use hybrid mode)."""


class SourceUnreadable(CameraError):
    """A source that is there but yields no picture (a corrupt, empty or unreadable
    replay file or folder). Permanent: trying again cannot help."""


class SourceState(str, enum.Enum):
    """Health of a source, for the UI and the log."""

    CLOSED = "closed"
    OPENING = "opening"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    ENDED = "ended"  # a replay reached its end (no loop)
    FAILED = "failed"  # gave up; needs an operator


@dataclass(frozen=True)
class Frame:
    """One preview frame: RGB uint8 (H, W, 3), unmirrored.

    ``timestamp`` is ``time.monotonic()`` seconds when the frame was read;
    ``media_time`` is the position in a replayed video (seconds) or ``None`` live;
    ``index`` counts frames delivered by the source since it opened.
    """

    image: np.ndarray
    timestamp: float
    index: int
    media_time: float | None = None

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


@dataclass(frozen=True)
class Still:
    """A full-resolution picture.

    ``data`` holds the camera's own file bytes when it has them (a DSLR JPEG,
    untouched) and ``extension`` their type (".jpg", ".cr2", ...). ``image`` is the
    decoded RGB array when the source has one (webcam, replay) else ``None``.
    """

    data: bytes | None
    extension: str
    image: np.ndarray | None
    camera: str
    timestamp: float = field(default_factory=time.time)
    extra_files: tuple[tuple[str, bytes], ...] = ()  # e.g. (".cr2", raw bytes)

    def decoded(self) -> np.ndarray | None:
        """The picture as RGB: ``image`` if present, else ``data`` decoded (None for RAW only).

        A DSLR still is not decoded at capture (a 24 MP JPEG takes ~0.5 s); callers that
        want pixels (analysis of the still, a review screen) decode it here, once.
        """
        if self.image is not None:
            return self.image
        if not self.data:
            return None
        return decode_image(self.data)



def decode_image(data: bytes) -> np.ndarray | None:
    """Encoded image bytes (JPEG, PNG, ...) to RGB, or None if OpenCV cannot read them."""
    bgr = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if bgr is None:
        return None
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


@dataclass(frozen=True)
class SourceStats:
    """Counters for the operator overlay and the health log line."""

    frames: int = 0
    dropped: int = 0
    fps: float = 0.0
    errors: int = 0
    reconnects: int = 0


class CameraSource(ABC):
    """A camera. Use as a context manager; all methods are thread-safe."""

    #: A human-readable name, e.g. "Nikon DSC D750" or "webcam 0".
    name: str = "camera"

    def __enter__(self) -> CameraSource:
        self.open()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @abstractmethod
    def open(self) -> None:
        """Connect and start delivering preview frames; raises CameraError."""

    @abstractmethod
    def close(self) -> None:
        """Stop threads and release the device. Idempotent."""

    @abstractmethod
    def latest_frame(self, after_index: int = -1) -> Frame | None:
        """The newest preview frame with ``index > after_index``, or None if none yet."""

    def wait_frame(self, after_index: int = -1, timeout: float = 1.0) -> Frame | None:
        """Block up to ``timeout`` s for a frame newer than ``after_index``."""
        deadline = time.monotonic() + timeout
        while True:
            frame = self.latest_frame(after_index)
            if frame is not None or time.monotonic() >= deadline:
                return frame
            time.sleep(0.002)

    @abstractmethod
    def capture_still(self) -> Still:
        """Take a full-resolution picture; raises CaptureTimeout / CameraError."""

    def read_next(self, timeout: float = 1.0) -> Frame | None:
        """The next frame after the one this method last returned, or None after ``timeout``.

        A replay in fast mode (``realtime=False``) returns every frame in order, so a
        benchmark or a headless test sees each frame exactly once; live sources return
        the newest frame (frames in between are dropped, as a live camera must).
        """
        last = getattr(self, "_read_next_index", -1)
        frame = self.wait_frame(last, timeout)
        if frame is not None:
            self._read_next_index = frame.index
        return frame

    def iter_frames(self, timeout: float = 0.5) -> Iterator[Frame]:
        """Yield frames from :meth:`read_next` until the source ends, fails or closes.

        While the source is reconnecting this keeps waiting (the watchdog bounds that).
        """
        while True:
            frame = self.read_next(timeout)
            if frame is not None:
                yield frame
            elif self.state in (SourceState.ENDED, SourceState.FAILED, SourceState.CLOSED):
                return

    @property
    @abstractmethod
    def state(self) -> SourceState:
        """Current health."""

    @property
    def last_error(self) -> CameraError | None:
        """Why the source is FAILED (or last went wrong); None when healthy."""
        return None

    def stats(self) -> SourceStats:
        """Counters; sources override with real figures."""
        return SourceStats()

    @property
    def has_live_view(self) -> bool:
        return True
