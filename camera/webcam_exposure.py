"""A webcam's exposure, steered in stops by the face meter (:mod:`coaching.metering`).

OpenCV's VideoCapture is not thread-safe, so a request (:meth:`ExposureKnob.request`,
any thread) is only stored; the webcam's reading thread applies it between two reads
(:meth:`ExposureKnob.apply`). On the first request the driver's auto exposure is switched
off (V4L2 through OpenCV: ``CAP_PROP_AUTO_EXPOSURE`` 1 = manual, 0.25 on older backends)
and the exposure it had chosen becomes 0 EV; a stop is a doubling of
``CAP_PROP_EXPOSURE`` (V4L2's exposure time, in 100 us units). A driver that refuses,
or a video file opened as a webcam, is reported once in one line
(:attr:`ExposureKnob.unsupported`) and the camera keeps metering itself.
"""

from __future__ import annotations

import logging
import threading

import cv2

__all__ = ["EV_RANGE", "ExposureKnob"]

log = logging.getLogger("camera.webcam")

#: Stops either way of the driver's own choice the meter may go.
EV_RANGE = (-3.0, 3.0)


class ExposureKnob:
    """The pending exposure request of one webcam and what the driver made of it."""

    def __init__(self, name: str, is_file: bool) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._pending: float | None = None
        self._base: float | None = None  # the driver's exposure at 0 EV
        self.unsupported: str | None = (
            f"{name}: exposure control needs a camera device (a video file has none); "
            "the picture keeps its own exposure" if is_file else None)
        self.ev = 0.0

    def request(self, ev: float) -> float:
        """Ask for ``ev`` stops (clamped); returns what will be set (0 when unsupported)."""
        if self.unsupported is not None:
            return 0.0
        ev = min(max(ev, EV_RANGE[0]), EV_RANGE[1])
        with self._lock:
            self._pending = ev
        return ev

    def apply(self, cap: cv2.VideoCapture) -> None:
        """On the reading thread: set the pending request, if any."""
        with self._lock:
            ev, self._pending = self._pending, None
        if ev is None or self.unsupported is not None:
            return
        if self._base is None and not self._manual(cap):
            return
        assert self._base is not None
        if not cap.set(cv2.CAP_PROP_EXPOSURE, self._base * 2.0 ** ev):
            self._refuse("the driver refused an exposure value")
            return
        self.ev = ev

    def _manual(self, cap: cv2.VideoCapture) -> bool:
        base = float(cap.get(cv2.CAP_PROP_EXPOSURE) or 0.0)
        if not (cap.set(cv2.CAP_PROP_AUTO_EXPOSURE, 1) or
                cap.set(cv2.CAP_PROP_AUTO_EXPOSURE, 0.25)):
            self._refuse("the driver has no manual exposure")
            return False
        if base <= 0:
            self._refuse("the driver reports no exposure value")
            return False
        self._base = base
        return True

    def _refuse(self, why: str) -> None:
        self.unsupported = (f"{self.name}: exposure control not available ({why}); "
                            "the camera keeps its own auto exposure")
        log.warning("%s", self.unsupported)
