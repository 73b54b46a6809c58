"""Take the photo and save it: the one capture path of the kiosk, headless runs and the soak.

"Take" means: with a camera that takes real stills (gphoto2, hybrid), or when there is
no preview frame to fall back to, trigger the camera's own picture and record the
metrics of the moment the shutter fired beside the best preview frame's; otherwise,
or when the still fails, keep the best frame of the shutter's ring buffer. "Save"
goes through :class:`kiosk.storage.Session` (atomic image + sidecar). What happened
comes back as a :class:`CaptureOutcome`; each caller tells its own audience (the
sitter, a terminal, a soak report), so the logic lives here once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from camera.base import CameraError, CameraSource, Still
from coaching.shutter import Shot as ShutterShot
from kiosk.storage import SavedShot, Session, StorageError

log = logging.getLogger(__name__)

#: Source kinds whose stills are the camera's own pictures, not a preview frame.
STILL_KINDS = frozenset({"gphoto2", "hybrid"})


@dataclass(frozen=True)
class CaptureRequest:
    """What to take: the shutter's shot (None = a manual press with no coach running)."""

    shot: ShutterShot | None
    reason: str  # "auto" | "manual"
    source_kind: str  # "webcam", "gphoto2", "hybrid", "replay"
    preset_title: str = ""
    baseline: Any = None  # coaching calibration baseline (smile, eye_open), for the record
    jpeg_quality: int = 95
    #: the light/quality report of the moment (:meth:`QualityVerdict.report`), if measured
    quality: dict[str, Any] | None = None


@dataclass
class CaptureOutcome:
    """What was taken and where it went. ``saved`` is None when it could not be saved."""

    image: np.ndarray | None
    metrics: Any
    frame_time_s: float | None
    in_range: dict[str, bool] = field(default_factory=dict)
    saved: SavedShot | None = None
    still: bool = False  # the camera's own picture (else a preview frame)
    still_error: str = ""  # the still failed and the preview frame was kept instead
    storage_error: str = ""  # the photo (or its record) could not be saved


def take_photo(source: CameraSource | None, session: Session | None,
               req: CaptureRequest) -> CaptureOutcome:
    """Take and save one photo. Raises :class:`CameraError` only when there is nothing
    at all to keep (no camera picture and no preview frame)."""
    best = req.shot.best if req.shot is not None else None
    moment = req.shot.moment if req.shot is not None else None
    has_frame = best is not None and best.frame is not None
    out = CaptureOutcome(image=None, metrics=best.metrics if best else None,
                         frame_time_s=best.t if best else None,
                         in_range=dict(best.in_range or {}) if best else {})
    extra = _record(req, out.in_range)
    still: Still | None = None
    if req.source_kind in STILL_KINDS or not has_frame:
        still = _still(source, has_frame, out)
    extra["camera_still"] = still is not None
    if still is not None:
        out.still = True
        if moment is not None:
            out.metrics, out.frame_time_s = moment.metrics, moment.t
            out.in_range = dict(moment.in_range or {})
            extra["in_range"] = out.in_range
        if best is not None:
            extra["best_preview_metrics"] = best.metrics.to_dict()
            extra["best_preview_time_s"] = round(best.t, 4)
        out.image = still.decoded()
    else:
        assert best is not None and best.frame is not None  # _still raised otherwise
        out.image = best.frame.image
    if session is None:
        out.storage_error = "no session to save into"
        return out
    try:
        out.saved = _save(session, source, still, out, req, extra)
    except StorageError as exc:
        out.storage_error = str(exc)
    return out


def _still(source: CameraSource | None, has_frame: bool, out: CaptureOutcome) -> Still | None:
    """The camera's own picture; None (with ``still_error``) if it failed and a preview
    frame can stand in."""
    if source is None:
        if not has_frame:
            raise CameraError("no camera")
        out.still_error = "no camera"
        return None
    try:
        return source.capture_still()
    except CameraError as exc:
        if not has_frame:
            raise
        out.still_error = str(exc)
        log.warning("still failed (%s); keeping the best preview frame", exc)
        return None


def _record(req: CaptureRequest, in_range: dict[str, bool]) -> dict[str, Any]:
    """Sidecar fields beyond storage's own: when it fired, which frame, the baseline."""
    extra: dict[str, Any] = {"preset_title": req.preset_title, "in_range": in_range}
    if req.shot is not None:
        extra["fired_at_s"] = round(req.shot.t, 4)
        extra["frame_index"] = getattr(req.shot.best.frame, "index", None)
        if getattr(req.shot, "eyes_shut", False):
            extra["eyes_shut"] = True  # a manual press in a long eye closure, kept as it is
    if req.quality is not None:
        extra["quality"] = req.quality
    b = req.baseline
    if b is not None:
        extra["baseline"] = {"smile": round(b.smile, 4),
                             "eye_open": None if b.eye_open is None else round(b.eye_open, 4)}
    return extra


def _save(session: Session, source: CameraSource | None, still: Still | None,
          out: CaptureOutcome, req: CaptureRequest, extra: dict[str, Any]) -> SavedShot:
    if still is not None:
        return session.save(still=still, metrics=out.metrics, frame_time_s=out.frame_time_s,
                            reason=req.reason, extra=extra)
    # A hybrid's fallback frame came from its preview camera, not the DSLR.
    cam = getattr(getattr(source, "preview", source), "name", None)
    return session.save(image=out.image, metrics=out.metrics, frame_time_s=out.frame_time_s,
                        reason=req.reason, camera=cam, extra=extra,
                        jpeg_quality=req.jpeg_quality)


def quality_report(result: Any, gate: str) -> dict[str, Any] | None:
    """The sidecar's quality record from a coaching step's result (None: not measured)."""
    verdict = getattr(result, "quality", None)
    return None if verdict is None or verdict.values is None else verdict.report(gate)


def display_copy(image: np.ndarray | None, max_side: int = 2400) -> np.ndarray | None:
    """A contiguous RGB copy small enough to scale quickly on the review screen."""
    if image is None:
        return None
    h, w = image.shape[:2]
    if max(h, w) > max_side:
        s = max_side / max(h, w)
        image = cv2.resize(image, (int(w * s), int(h * s)), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(image)
