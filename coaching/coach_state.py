"""What the coach hands the UI and the shutter for one frame: :class:`CoachState`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from coaching.calibration import Baseline
from coaching.judging import Prompt
from coaching.metrics import Metrics

__all__ = ["CoachState", "Status"]

Status = str  # "no_face" | "multiple_faces" | "calibrating" | "adjusting" | "hold" | "captured"


@dataclass
class CoachState:
    """What the UI shows and the shutter reads, for one frame."""

    status: Status
    message: str
    prompt: Prompt | None = None
    readiness: float = 0.0
    in_range: dict[str, bool] = field(default_factory=dict)
    hold_progress: float = 0.0
    t: float = 0.0
    #: Filtered metrics (smile still absolute; see ``baseline``), None without a face.
    metrics: Metrics | None = None
    baseline: Baseline | None = None
    calibration_progress: float = 1.0
    #: Mean distance from the preset's ideal, in tolerance steps (for the best frame).
    centre_distance: float | None = None
    faults: dict[str, float] = field(default_factory=dict)  # gate -> size, bad gates only
    #: The sitter cannot reach the eye line (asked once): move the camera by this many
    #: cm (+ up, - down), for the operator (coaching.height_request).
    camera_move_cm: float | None = None
    #: The shutter calls this with the fire time, so the coach shows "captured" and
    #: starts the hold over (set by the coach that made this state).
    mark_captured: Callable[[float], None] | None = field(default=None, repr=False,
                                                          compare=False)
