"""USB webcams through OpenCV, read in a dedicated thread that keeps only the newest frame.

OpenCV buffers a few frames inside the driver; reading them in the consumer's
rhythm shows the sitter the past. A thread reads as fast as the camera delivers
and overwrites one slot; frames nobody took are counted as dropped.

``device`` is an index (``0``), a device path (``/dev/video2``) or, for tests
and demos, a video file: the same ``cv2.VideoCapture`` path opens all three, so
the file case exercises the real code. A file is read at its own frame rate and
its end looks like an unplugged camera (reads fail), which the watchdog handles. A file
is read at ``fps`` if given (else its own rate), as a camera would deliver it.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from camera.base import (
    CameraDisconnected,
    CameraError,
    CameraNotFound,
    CameraSource,
    CaptureTimeout,
    Frame,
    SourceState,
    Still,
)
from camera.frames import FrameMailbox, MailboxHealth, encode_jpeg
from camera.webcam_exposure import ExposureKnob

log = logging.getLogger(__name__)


def parse_device(text: str | int) -> int | str:
    """``"0"`` -> 0; anything else (``/dev/video2``, a file) stays a string."""
    if isinstance(text, int):
        return text
    t = text.strip()
    return int(t) if t.isdigit() else t


def _quiet_opencv() -> None:
    """OpenCV's V4L/FFmpeg warnings for absent devices are noise for an operator."""
    try:
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
    except Exception:  # noqa: BLE001 - older builds without cv2.utils.logging
        pass


class WebcamSource(MailboxHealth, CameraSource):
    """A webcam (or a video file opened the same way)."""

    def __init__(self, device: int | str = 0, width: int | None = 1280,
                 height: int | None = 720, fps: float | None = 30, fourcc: str | None = "MJPG",
                 *, open_timeout: float = 5.0, read_failures: int = 10,
                 jpeg_quality: int = 95, pace: bool | None = None) -> None:
        self.device = parse_device(device)
        self.width = width
        self.height = height
        self.fps = fps
        self.fourcc = fourcc
        self.open_timeout = open_timeout
        self.read_failures = read_failures
        self.jpeg_quality = jpeg_quality
        self._is_file = isinstance(self.device, str) and Path(self.device).is_file()
        self.pace = self._is_file if pace is None else pace
        self.name = (f"webcam {self.device}" if not self._is_file
                     else f"webcam file {Path(str(self.device)).name}")
        self._lock = threading.Lock()
        self._state = SourceState.CLOSED
        self._error: CameraError | None = None
        self._mailbox = FrameMailbox()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._errors = 0
        self.actual: tuple[int, int, float] = (0, 0, 0.0)  # width, height, fps the driver gave
        self._exposure = ExposureKnob(self.name, self._is_file)

    # -- exposure (the face meter, coaching/metering.py) ------------------------------------
    def set_exposure_ev(self, ev: float) -> float:
        """Exposure ``ev`` stops from the driver's own choice; applied on the reading
        thread before the next read. Returns the value that will be set (0: unsupported)."""
        return self._exposure.request(ev)

    @property
    def exposure_unsupported(self) -> str | None:
        """Why this webcam's exposure cannot be steered (one line), or None."""
        return self._exposure.unsupported

    # -- lifecycle ---------------------------------------------------------------------------
    def open(self) -> None:
        with self._lock:
            if self._state not in (SourceState.CLOSED, SourceState.FAILED):
                return
            self._state = SourceState.OPENING
            self._error = None
        _quiet_opencv()
        if isinstance(self.device, int) and sys.platform.startswith("linux"):
            cap = cv2.VideoCapture(self.device, cv2.CAP_V4L2)
        else:
            cap = cv2.VideoCapture(self.device)
        if not cap.isOpened():
            cap.release()
            self._state = SourceState.FAILED
            self._error = CameraNotFound(
                f"no webcam at {self.device} (is it plugged in? `headshot-kiosk cameras` "
                "lists what is attached)")
            raise self._error
        if not self._is_file:
            self._configure(cap)
        w = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        h = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        f = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self.actual = (w, h, f)
        if (self.width and self.height and not self._is_file
                and (w, h) != (self.width, self.height)):
            log.warning("%s: asked for %dx%d, the driver gives %dx%d",
                        self.name, self.width, self.height, w, h)
        self._mailbox = FrameMailbox()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(cap,), daemon=True,
                                         name=f"webcam-{self.device}")
        self._thread.start()
        if self._mailbox.wait(-1, self.open_timeout) is None:
            self.close()
            self._state = SourceState.FAILED
            self._error = CameraNotFound(
                f"{self.name} opened but sent no picture within {self.open_timeout:.0f} s "
                "(in use by another program? try another USB port)")
            raise self._error
        with self._lock:
            if self._state == SourceState.OPENING:
                self._state = SourceState.LIVE

    def _configure(self, cap: object) -> None:
        """Explicit format, size and rate (the driver defaults are often 640x480 YUYV)."""
        if self.fourcc:
            cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*self.fourcc.upper()))
        if self.width:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        if self.height:
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        if self.fps:
            cap.set(cv2.CAP_PROP_FPS, self.fps)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)

    def close(self) -> None:
        self._stop.set()
        self._mailbox.close()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2.0)
            if thread.is_alive():
                log.warning("%s: the reading thread is stuck in the driver; left behind",
                            self.name)
        self._thread = None
        with self._lock:
            if self._state != SourceState.FAILED:
                self._state = SourceState.CLOSED

    # -- reading thread ----------------------------------------------------------------------
    def _run(self, cap: object) -> None:
        failures = 0
        interval = 0.0
        if self.pace:  # a file: at the asked rate if any, else its own
            rate = float(self.fps or cap.get(cv2.CAP_PROP_FPS) or 0.0)
            interval = 1.0 / rate if 0 < rate < 1000 else 1.0 / 30
        next_due = time.monotonic()
        try:
            while not self._stop.is_set():
                self._exposure.apply(cap)
                ok, bgr = cap.read()
                if not ok or bgr is None:
                    failures += 1
                    self._errors += 1
                    if failures >= self.read_failures:
                        self._fail(CameraDisconnected(
                            f"{self.name} stopped sending pictures (unplugged?)"))
                        return
                    self._stop.wait(0.05)
                    continue
                failures = 0
                if interval:
                    next_due += interval
                    delay = next_due - time.monotonic()
                    if delay > 0 and self._stop.wait(delay):
                        return
                    if delay < -1.0:
                        next_due = time.monotonic()
                rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
                self._mailbox.put(rgb)
        except Exception as exc:  # noqa: BLE001 - a driver fault must not kill silently
            self._fail(CameraDisconnected(f"{self.name} failed: {exc}".splitlines()[0]))
        finally:
            cap.release()

    def _fail(self, error: CameraError) -> None:
        log.warning("%s", error)
        with self._lock:
            self._error = error
            self._state = SourceState.FAILED
        self._mailbox.close()

    # -- frames and stills -------------------------------------------------------------------
    def latest_frame(self, after_index: int = -1) -> Frame | None:
        return self._mailbox.latest(after_index)

    def wait_frame(self, after_index: int = -1, timeout: float = 1.0) -> Frame | None:
        return self._mailbox.wait(after_index, timeout)

    def capture_still(self) -> Still:
        """The newest frame at the capture resolution, as an image and JPEG bytes."""
        if self._state == SourceState.FAILED:
            raise self._error or CameraDisconnected(f"{self.name} is not working")
        frame = self._mailbox.peek()
        if frame is None or time.monotonic() - frame.timestamp > 1.0:
            frame = self._mailbox.wait(frame.index if frame else -1, 1.0)
        if frame is None:
            raise CaptureTimeout(f"{self.name} sent no fresh picture for a still")
        image: np.ndarray = frame.image
        return Still(data=encode_jpeg(image, self.jpeg_quality), extension=".jpg", image=image,
                     camera=self.name)
