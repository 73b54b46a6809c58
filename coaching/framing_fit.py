"""The deliverable-aware framing gate ``fits_outputs``: every output of the preset must
fit inside the camera frame, with enough real pixels.

On each frame the head (:func:`coaching.head_geometry.from_metrics`: mesh crown, the
face as an ellipse) is composed for every photo output of the preset
(:func:`coaching.composition.compose`, the same code that cuts the deliverables). The
sitter is not asked to fill a fixed share of the camera frame: framing the output is
the crop's job. They are coached only when the crop cannot be made:

- the crop would be too small (``rule.min_eye_px`` not met) -> "step closer";
- it would run past the top or bottom (or both sides) -> "step back a little";
- it would run past one side -> "move a little to your left/right" (the unmirrored
  image's left edge = the sitter's own left side: they move to their left);
- any other rule it cannot meet (a head too large for the crop) -> "step back".

When outputs disagree (one would leave the frame, another is too small), leaving the
frame is coached first. The words are the catalogue's framing prompts
(``head_height.*``, ``face_center_x.*``).
The size of the fault (tolerance steps) is the overflow over 5 % of the frame height,
or the missing eye distance over 10 % of the floor.
"""

from __future__ import annotations

from coaching.composition import Composition, compose
from coaching.head_geometry import from_metrics
from coaching.metrics import Metrics
from coaching.presets import Preset

__all__ = ["GATE", "FitFault", "fit_fault", "judge_fit"]

GATE = "fits_outputs"
#: One step of overflow, as a share of the frame height.
STEP = 0.05


class FitFault:
    """What is wrong with the worst output, and the fix: a catalogue key and direction."""

    def __init__(self, output: str, key: str, direction: str, size: float) -> None:
        self.output = output
        self.key = key
        self.direction = direction
        self.size = size

    def __repr__(self) -> str:
        return f"FitFault({self.output!r}, {self.key!r}, {self.size:.2f})"


def compositions(preset: Preset, m: Metrics) -> list[Composition] | None:
    """Each photo output composed on this frame; None when the head is not measured."""
    found = from_metrics(m)
    if found is None:
        return None
    geo, frame = found
    return [compose(geo, frame, o) for o in preset.photo_outputs()]


def fit_fault(preset: Preset, m: Metrics) -> FitFault | None | bool:
    """The biggest fault over the outputs, None when all fit, False when unknown."""
    comps = compositions(preset, m)
    if comps is None:
        return False
    h = float(m.frame_height_px or 1)
    faults = []
    for c in comps:
        if c.ok:
            continue
        over = c.overflow
        vertical = max(over.get("top", 0.0), over.get("bottom", 0.0))
        left, right = over.get("left", 0.0), over.get("right", 0.0)
        if c.fits and c.too_small:
            rule = next(o.rule for o in preset.photo_outputs() if o.name == c.output)
            need = rule.min_eye_px if rule is not None else 1.0
            eye = c.measured.eye_px if c.measured is not None else 0.0
            faults.append(FitFault(c.output, "head_height.closer", "closer",
                                   max(0.5, (need - eye) / (0.1 * need))))
        elif not c.fits and (left > 0.5) != (right > 0.5) and vertical <= 0.5:
            # past the image's left edge: the face must move toward image right, which
            # is the sitter's own left
            side = "left" if left > right else "right"
            faults.append(FitFault(c.output, f"face_center_x.{side}", side,
                                   max(0.5, max(left, right) / (STEP * h))))
        else:  # past the top/bottom or both sides, a head too big, the crown cut off
            faults.append(FitFault(c.output, "head_height.back", "back",
                                   max(0.5, max(vertical, min(left, right)) / (STEP * h))))
    if not faults:
        return None
    # Leaving the frame first (no pixels can be invented), then too few pixels.
    return max(faults, key=lambda f: (f.direction != "closer", f.size))


def judge_fit(preset: Preset, m: Metrics) -> tuple[bool, bool, FitFault | None]:
    """(known, inside, fault) for the ``fits_outputs`` gate."""
    fault = fit_fault(preset, m)
    if fault is False:
        return False, True, None
    if fault is None:
        return True, True, None
    return True, False, fault  # type: ignore[return-value]
