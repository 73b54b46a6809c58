"""Judging one frame's metrics against a preset: one gate at a time, no time.

:func:`judge` says, for one gate, whether the value is in range, within the
hysteresis margin, how far out (in tolerance steps) and which message fixes it;
:func:`evaluate` judges every gate of a preset at once (``analyze --preset``). The
stateful :class:`~coaching.coach.Coach` adds time, hysteresis and calibration.
"""

from __future__ import annotations

from dataclasses import dataclass

from coaching.calibration import Baseline, eye_open
from coaching.framing_fit import GATE as FITS_OUTPUTS
from coaching.framing_fit import judge_fit
from coaching.messages import Catalogue, load_catalogue
from coaching.metrics import Metrics
from coaching.presets import Preset, Range

__all__ = ["EXPRESSION_GATES", "FAR_YAW_DEG", "MINOR_FAULT", "SIDE_DEADBAND", "WAITS_FOR",
           "Evaluation", "Judgement", "Prompt", "best_fault", "blocked", "evaluate", "judge",
           "judge_light", "make_prompt"]

#: Faults smaller than this (tolerance steps) wait behind every bigger one.
MINOR_FAULT = 0.5
#: Below this many tolerance steps from zero, an "either side" turn has no side yet.
SIDE_DEADBAND = 0.5

# Which way raising the raw value moves the sitter, per metric: (raise, lower).
_RAW_DIRECTIONS: dict[str, tuple[str, str]] = {
    "yaw_deg": ("left", "right"),
    "shoulder_turn_deg": ("left", "right"),
    "roll_deg": ("left", "right"),
    "shoulder_tilt_deg": ("left", "right"),
    "pitch_deg": ("up", "down"),
    "smile": ("up", "down"),
    "head_height": ("closer", "back"),
    "eye_line": ("down", "up"),  # eyes lower in the frame = the sitter lower
    "face_center_x": ("left", "right"),  # image right = the sitter's own left
}
_ARROWS = {"left", "right", "up", "down", "closer", "back"}

#: A head turned this many degrees beyond the preset's yaw range is not facing the
#: camera: "Turn to face the camera" goes before framing, and no expression prompt
#: is given meanwhile (a smile asked of a profile is wasted words).
FAR_YAW_DEG = 15.0
#: Gates that wait while the head is turned far from the target.
EXPRESSION_GATES = ("smile", "mouth_closed", "teeth_visible")

#: A face darker than this (mean luminance 0..1) hears "Step into the light" first; it
#: is good again from DARK_FACE + DARK_MARGIN (no flicker at the edge).
DARK_FACE = 0.12
DARK_MARGIN = 0.03

#: Gates whose fix toward zero is worded "straighten" when it does not cross zero.
_STRAIGHTEN_GATES = ("roll_deg", "shoulder_tilt_deg", "shoulder_turn_deg")


@dataclass(frozen=True)
class Prompt:
    """One instruction for the sitter."""

    key: str  # catalogue key, e.g. "pitch_deg.down"
    text: str
    metric: str  # the gate it is about (Metrics field name or eyes_open / mouth_closed ...)
    direction: str | None  # left/right/up/down/closer/back or None
    size: float = 0.0  # the fault in tolerance steps (the kiosk words it in the guest's language)


@dataclass(frozen=True)
class Judgement:
    """One gate on one frame."""

    gate: str
    known: bool
    inside: bool  # inside the range itself
    within_margin: bool  # inside range + hysteresis margin
    size: float = 0.0  # how far outside, in tolerance steps (0 inside)
    key: str | None = None  # message key for the fix
    direction: str | None = None
    closeness: float = 1.0  # 0..1 for readiness
    centre_offset: float | None = None  # |value - centre of range| in tolerance steps
    wait_when_unknown: bool = False
    urgent: bool = False  # goes before the preset's order (not facing, eyes long shut)


@dataclass(frozen=True)
class Evaluation:
    """A single judgement of one set of metrics (no time): for ``analyze --preset``."""

    in_range: dict[str, bool]
    ready: bool
    prompt: Prompt | None
    readiness: float
    faults: dict[str, float]
    judgements: dict[str, Judgement]


def judge(preset: Preset, gate: str, m: Metrics, baseline: Baseline | None = None,
          hysteresis: float = 1.5, side_hint: str | None = None) -> Judgement:
    """Judge one gate of ``preset`` on metrics ``m`` (smile minus the baseline's)."""
    rng = getattr(preset.ranges, gate, None) if gate in _RAW_DIRECTIONS else None
    if rng is not None:
        return _judge_range(preset, gate, rng, m, baseline, hysteresis, side_hint)
    if gate == FITS_OUTPUTS:
        return _judge_outputs(preset, m)
    if gate == "eyes_open":
        return _judge_eyes(preset, m, baseline)
    if gate == "looking_at_camera":
        return _judge_bool(gate, m.looking_at_camera, True, "looking_at_camera.look")
    if gate == "mouth_closed":
        want = preset.mouth_closed
        value = None if m.mouth_open is None else not m.mouth_open
        return _judge_bool(gate, value, want, "mouth_closed.close" if want else
                           "mouth_closed.open")
    if gate == "teeth_visible":
        want = preset.teeth_visible
        return _judge_bool(gate, m.teeth_visible, want, "teeth_visible.show" if want else
                           "teeth_visible.hide")
    return Judgement(gate, known=False, inside=True, within_margin=True)


def _judge_outputs(preset: Preset, m: Metrics) -> Judgement:
    """Every deliverable of the preset fits the frame (:mod:`coaching.framing_fit`)."""
    known, inside, fault = judge_fit(preset, m)
    if not known or fault is None:
        return Judgement(FITS_OUTPUTS, known=known, inside=True, within_margin=True)
    return Judgement(FITS_OUTPUTS, known=True, inside=False, within_margin=False,
                     size=fault.size, key=fault.key, direction=fault.direction,
                     closeness=max(0.0, 1.0 - fault.size / 3.0) * 0.75)


def judge_light(exposure: float, was_lit: bool = True) -> Judgement:
    """The face's light: too dark to judge or photograph is fixed before anything else."""
    lit = exposure >= DARK_FACE + (0.0 if was_lit else DARK_MARGIN)
    return Judgement("light", known=True, inside=lit, within_margin=lit,
                     size=0.0 if lit else 1.0, key=None if lit else "presence.light",
                     closeness=1.0 if lit else 0.0, urgent=not lit)


def _judge_bool(gate: str, value: bool | None, want: bool | None, key: str) -> Judgement:
    if value is None:
        return Judgement(gate, known=False, inside=True, within_margin=True)
    ok = value == want
    return Judgement(gate, known=True, inside=ok, within_margin=ok, size=0.0 if ok else 1.0,
                     key=None if ok else key, closeness=1.0 if ok else 0.0)


def _judge_eyes(preset: Preset, m: Metrics, baseline: Baseline | None) -> Judgement:
    opening = eye_open(m)
    if m.blink is None and m.eyes_closed is None and opening is None:
        return Judgement("eyes_open", known=False, inside=True, within_margin=True)
    blinking = bool(m.eyes_closed) or (m.blink is not None and m.blink >= preset.eyes.max_blink)
    narrow = False
    size = 1.0
    if baseline is not None and baseline.eye_open and opening is not None:
        ratio = opening / baseline.eye_open
        narrow = ratio < preset.eyes.open_ratio
        if narrow:
            size = max(0.5, (preset.eyes.open_ratio - ratio) / 0.15)
    ok = not (blinking or narrow)
    return Judgement("eyes_open", known=True, inside=ok, within_margin=ok,
                     size=0.0 if ok else size, key=None if ok else "eyes_open.open",
                     closeness=1.0 if ok else 0.0)


def _judge_range(preset: Preset, gate: str, rng: Range, m: Metrics,
                 baseline: Baseline | None, hysteresis: float,
                 side_hint: str | None) -> Judgement:
    raw = getattr(m, gate)
    if raw is None:
        return Judgement(gate, known=False, inside=rng.when_unknown == "ignore",
                         within_margin=rng.when_unknown == "ignore",
                         wait_when_unknown=rng.when_unknown == "wait", closeness=0.0)
    value = float(raw)
    if gate == "smile" and baseline is not None:
        value -= baseline.smile
    tol = preset.tolerance(gate)
    judged = rng.judge(value)
    lo, hi = rng.min, rng.max
    below = lo is not None and judged < lo
    above = hi is not None and judged > hi
    centre_offset = abs(judged - rng.centre(tol)) / tol
    if not (below or above):
        return Judgement(gate, known=True, inside=True, within_margin=True,
                         centre_offset=centre_offset)
    size = ((lo - judged) if below else (judged - hi)) / tol  # type: ignore[operator]
    raise_raw = _raise_raw(rng.side, below, value, tol, side_hint or preset.prefer_side)
    up, down = _RAW_DIRECTIONS[gate]
    direction = up if raise_raw else down
    key = _fix_key(gate, rng, value, raise_raw, direction)
    far = gate == "yaw_deg" and _turned_away(rng, value, raise_raw)
    return Judgement(gate, known=True, inside=False,
                     within_margin=_within_margin(judged, lo, hi, (hysteresis - 1.0) * tol),
                     size=size, key="yaw_deg.face" if far else key,
                     direction=direction if direction in _ARROWS else None,
                     closeness=max(0.0, 1.0 - size / 3.0) * 0.75, centre_offset=centre_offset,
                     urgent=far)


def _within_margin(judged: float, lo: float | None, hi: float | None, margin: float) -> bool:
    """Inside the range widened by the hysteresis margin on both ends."""
    return not ((lo is not None and judged < lo - margin)
                or (hi is not None and judged > hi + margin))


def _raise_raw(side: str | None, below: bool, value: float, tol: float,
               preferred_side: str) -> bool:
    """Whether the RAW value must rise to fix a fault (``below``: the judged value is
    under the range)."""
    if side == "either":
        if not below:
            return value < 0
        # Turn further: keep the side the sitter leans to (or the hint/preference).
        if abs(value) >= SIDE_DEADBAND * tol:
            return value > 0
        return preferred_side == "left"
    if side == "right":
        return not below
    return below


def _fix_key(gate: str, rng: Range, value: float, raise_raw: bool, direction: str) -> str:
    """The message key for the fix. Only a move that brings the value nearer zero and
    stops short of it reads "straighten"; a square sitter asked for a turn gets the side
    (the direction comes from where the range lies, never from the value's sign)."""
    if gate in _STRAIGHTEN_GATES and value != 0:
        target = _raw_target(rng, value, raise_raw)
        if target is not None and abs(target) < abs(value) and (
                target == 0 or (target > 0) == (value > 0)):
            return f"{gate}.straighten"
    return f"{gate}.{direction}"


def _turned_away(rng: Range, value: float, raise_raw: bool) -> bool:
    """The head is turned more than :data:`FAR_YAW_DEG` past the range, away from the
    lens (too little turn is no reason to face the camera)."""
    target = _raw_target(rng, value, raise_raw)
    return target is not None and abs(target) < abs(value) and abs(value - target) > FAR_YAW_DEG


def _good_intervals(rng: Range) -> list[tuple[float, float]]:
    """The good raw values as closed intervals (magnitudes unfolded to both sides)."""
    inf = float("inf")
    lo = rng.min if rng.min is not None else (0.0 if rng.side else -inf)
    hi = rng.max if rng.max is not None else inf
    if rng.side == "either":
        return [(lo, hi), (-hi, -lo)]
    if rng.side == "right":
        return [(-hi, -lo)]
    return [(lo, hi)]


def _raw_target(rng: Range, value: float, raise_raw: bool) -> float | None:
    """The nearest good raw value reached by moving the way the fix says."""
    if raise_raw:
        ahead = [max(a, value) for a, b in _good_intervals(rng) if b >= value]
        return min(ahead) if ahead else None
    ahead = [min(b, value) for a, b in _good_intervals(rng) if a <= value]
    return max(ahead) if ahead else None


#: A gate waits while any of these is at fault, however small: stepping back or closer
#: moves the eyes in the frame, so "Stand up taller" never comes before "Step back".
WAITS_FOR: dict[str, tuple[str, ...]] = {"eye_line": ("head_height",)}


def best_fault(preset: Preset, judgements: list[Judgement],
               current: list[Judgement] | None = None) -> Judgement | None:
    """The fault to prompt among ``judgements``: big before minor, then the preset's
    coaching order. ``current`` (default: the same) are all of this frame's faults, for
    :data:`WAITS_FOR`."""
    ranks = preset.ranks()
    now = judgements if current is None else current
    faults = [j for j in judgements if j.key is not None and not blocked(j, now)]
    if not faults:
        return None
    return min(faults, key=lambda j: (not j.urgent, j.size < MINOR_FAULT,
                                      ranks.get(j.gate, 99), -j.size))


def blocked(j: Judgement, current: list[Judgement]) -> bool:
    """Whether fault ``j`` must wait for another of this frame's faults: the eye line
    for the head size (:data:`WAITS_FOR`), an expression for a head turned far away."""
    at_fault = {c.gate: c for c in current if c.key is not None}
    if any(g in at_fault for g in WAITS_FOR.get(j.gate, ())):
        return True
    turned = at_fault.get("yaw_deg")
    return j.gate in EXPRESSION_GATES and turned is not None and turned.key == "yaw_deg.face"


def make_prompt(cat: Catalogue, j: Judgement) -> Prompt:
    """The words for fault ``j`` (a plain direction when there is no "straighten" text)."""
    key = j.key or ""
    if not cat.has(key) and key.endswith(".straighten") and j.direction:
        key = f"{j.gate}.{j.direction}"
    return Prompt(key=key, text=cat.prompt(key, j.size), metric=j.gate, direction=j.direction,
                  size=j.size)


def evaluate(preset: Preset, metrics: Metrics, *, baseline: Baseline | None = None,
             catalogue: Catalogue | None = None, hysteresis: float = 1.5) -> Evaluation:
    """Judge one frame or photo against ``preset``: no time, no hysteresis, no baseline
    unless given. ``ready`` needs exactly one face (bystanders aside, unless the preset's
    ``bystanders_block`` and one is near) and every known gate in range."""
    cat = catalogue or load_catalogue("en")
    if metrics.faces != 1 or (preset.bystanders_block and metrics.bystanders_near):
        return Evaluation({}, False, None, 0.0, {}, {})
    js = {g: judge(preset, g, metrics, baseline, hysteresis) for g in preset.gates()}
    counted = {g: j for g, j in js.items() if j.known or j.wait_when_unknown}
    in_range = {g: j.inside for g, j in js.items() if j.known}
    ready = all(j.inside and j.known for j in counted.values())
    best = best_fault(preset, list(js.values()))
    readiness = (sum(j.closeness if not j.inside else 1.0 for j in counted.values())
                 / len(counted)) if counted else 1.0
    faults = {g: round(j.size, 3) for g, j in js.items() if j.known and not j.inside}
    return Evaluation(in_range, ready, make_prompt(cat, best) if best else None,
                      round(readiness, 3), faults, js)
