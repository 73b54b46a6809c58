"""Ask once: a sitter who cannot stand taller (seated, a child, a wheelchair user).

"Stand up taller" (or "Lower yourself") is asked; if after ``ASK_S`` the eye line
has not moved at least half a tolerance step toward the range, the sitter cannot
meet it: :class:`HeightRequest` waives the eye line for the rest of the session
(never repeat a request the sitter cannot meet) and works out how far the camera
should move instead, for the operator: the frame's height at the sitter's distance
from their head height (eye to chin about :data:`EYE_TO_CHIN_CM`), times how far the
eyes are from the range. Positive = raise the camera, negative = lower it.
"""

from __future__ import annotations

from coaching.judging import Judgement
from coaching.metrics import Metrics
from coaching.presets import Preset

__all__ = ["ASK_S", "EYE_TO_CHIN_CM", "HeightRequest"]

#: How long "Stand up taller" is given before the coach concludes the sitter cannot.
ASK_S = 3.0
#: Eye line to chin of an adult, cm: half the head height metric.
EYE_TO_CHIN_CM = 11.5


class HeightRequest:
    """Tracks the eye-line request of one sitter (see the module docstring)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.waived = False
        self.camera_move_cm: float | None = None
        self._since: float | None = None
        self._start: float | None = None

    def update(self, preset: Preset, j: Judgement | None, shown_key: str | None,
               m: Metrics, t: float) -> None:
        """One frame: ``j`` the eye-line judgement, ``shown_key`` the prompt on screen."""
        if self.waived or j is None or m.eye_line is None:
            return
        if j.key is None or j.inside:
            self._since = self._start = None
            return
        if shown_key is None or not shown_key.startswith("eye_line."):
            return
        if self._since is None:
            self._since, self._start = t, m.eye_line
            return
        tol = preset.tolerance("eye_line")
        moved = (self._start - m.eye_line) if j.direction == "up" else (m.eye_line - self._start)
        if t - self._since >= ASK_S and moved < 0.5 * tol:
            self.waived = True
            self.camera_move_cm = _camera_move_cm(preset, m)

    def apply(self, j: Judgement) -> Judgement:
        """The eye-line judgement as the coach should count it."""
        if not self.waived:
            return j
        return Judgement(j.gate, known=j.known, inside=True, within_margin=True,
                         centre_offset=None)


def _camera_move_cm(preset: Preset, m: Metrics) -> float | None:
    rng = preset.ranges.eye_line
    if rng is None or m.eye_line is None or not m.head_height:
        return None
    target = min(max(m.eye_line, rng.min if rng.min is not None else m.eye_line),
                 rng.max if rng.max is not None else m.eye_line)
    frame_cm = 2 * EYE_TO_CHIN_CM / m.head_height
    # Eyes too low in the frame (eye_line above the range): lower the camera.
    return round(-(m.eye_line - target) * frame_cm, 1)
