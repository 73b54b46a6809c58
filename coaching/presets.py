"""Use-case presets: what a good photo looks like for LinkedIn, a passport, a stage bio ...

A preset is a YAML file (``config/presets/*.yaml``; per-user ones in
``<user config>/headshot-kiosk/presets/``; or any path) validated into
:class:`Preset` with :func:`coaching.yamlconfig.load_model`, so a broken file
reads as one line ``file:line: key: reason``. Numbers are targets with
tolerance built in (GUIDE section 4); every one is tunable in YAML.

Range semantics (signs as in :mod:`coaching.metrics`):

- ``min``/``max`` bound the metric; either may be omitted (one-sided), except that
  a framing rule always gets both (:data:`FRAMING_LIMITS` fills the missing one).
  A metric that is not listed is not judged at all.
- ``side`` (head turn, head tilt, shoulder turn/tilt only): ``either`` judges the
  magnitude (a 5-15 degree turn to either side), ``left``/``right`` require that side
  (the sitter's own left/right) and ``min``/``max`` are magnitudes then too.
  Without ``side`` the range is signed (``{min: -5, max: 5}``).
- ``tolerance`` is one "step" of that metric: the hysteresis margin and the size
  scale for "slightly" / "a little" / "a bit more". Defaults per metric below.
- ``when_unknown``: ``ignore`` (default) skips a metric the analysis could not
  measure (shoulders out of view), ``wait`` blocks the shutter until it is known.

Which fault is coached: the first in the preset's ``order`` among the faults of at
least half a tolerance step; a fault smaller than that ("slightly") waits until no
bigger one is left, so a hair of chin never holds up a missing smile.

Smile is judged relative to the sitter's neutral baseline (see
:mod:`coaching.calibration`); eyes must be open at least ``eyes.open_ratio`` of the
sitter's own neutral opening and not blinking.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from coaching.appdirs import SHIPPED_PRESETS, user_presets_dir
from coaching.preset_outputs import Output, check_outputs
from coaching.quality_rules import QualityRules
from coaching.yamlconfig import ConfigError, load_model

#: Metrics a preset may give a range for, with the default tolerance (one "step").
TOLERANCES: dict[str, float] = {
    "head_height": 0.05,
    "eye_line": 0.04,
    "face_center_x": 0.05,
    "shoulder_turn_deg": 8.0,
    "shoulder_tilt_deg": 4.0,
    "yaw_deg": 4.0,
    "pitch_deg": 3.0,
    "roll_deg": 3.0,
    "smile": 0.1,
}
#: Framing rules always have both limits (a head filling the frame is a fault even for a
#: preset that only asks for a big head): a missing limit is this one, or two steps
#: beyond the given one when that is further out.
FRAMING_LIMITS: dict[str, tuple[float, float]] = {
    "head_height": (0.15, 0.80),
    "eye_line": (0.15, 0.55),
    "face_center_x": (-0.15, 0.15),
}
#: Metrics whose sign is a side, so ``side:`` applies.
SIDED = ("yaw_deg", "roll_deg", "shoulder_turn_deg", "shoulder_tilt_deg")

#: Coaching groups (GUIDE section 5) and the gates in each. Gates that are not ranges:
#: ``fits_outputs`` (every deliverable fits the frame: coaching/framing_fit.py, on when
#: the preset has photo outputs), ``mouth_closed``, ``teeth_visible``, ``eyes_open``,
#: ``looking_at_camera``.
GROUPS: dict[str, tuple[str, ...]] = {
    "framing": ("fits_outputs", "head_height", "face_center_x", "eye_line"),
    "shoulders": ("shoulder_turn_deg", "shoulder_tilt_deg"),
    "head_turn": ("yaw_deg",),
    "chin": ("pitch_deg",),
    "tilt": ("roll_deg",),
    "expression": ("smile", "mouth_closed", "teeth_visible"),
    "eyes": ("eyes_open",),
    "gaze": ("looking_at_camera",),
}
DEFAULT_ORDER: tuple[str, ...] = tuple(GROUPS)
ALL_GATES: tuple[str, ...] = tuple(g for gates in GROUPS.values() for g in gates)

OrderItem = Literal[
    "framing", "shoulders", "head_turn", "chin", "tilt", "expression", "eyes", "gaze",
    "fits_outputs", "head_height", "face_center_x", "eye_line", "shoulder_turn_deg",
    "shoulder_tilt_deg", "yaw_deg", "pitch_deg", "roll_deg", "smile", "mouth_closed",
    "teeth_visible", "eyes_open", "looking_at_camera",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(_Strict):
    """A target range for one metric."""

    min: float | None = Field(None, ge=-1000, le=1000, description="lowest good value")
    max: float | None = Field(None, ge=-1000, le=1000, description="highest good value")
    side: Literal["either", "left", "right"] | None = Field(
        None, description="turns/tilts: judge the magnitude (either) or require a side")
    tolerance: float | None = Field(
        None, gt=0, le=100, description="one step of this metric (hysteresis margin, amounts)")
    when_unknown: Literal["ignore", "wait"] = Field(
        "ignore", description="what to do when the metric cannot be measured")

    @model_validator(mode="after")
    def _check(self) -> Range:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is above max ({self.max:g})")
        if self.side is not None and any(v is not None and v < 0 for v in (self.min, self.max)):
            raise ValueError("with 'side', min and max are magnitudes (0 or more)")
        return self

    def judge(self, value: float) -> float:
        """The value as compared with min/max (signed, or a magnitude with ``side``)."""
        if self.side == "either":
            return abs(value)
        if self.side == "right":
            return -value
        return value

    def centre(self, tol: float) -> float:
        """The middle of the range in judged units (one-sided: a step inside the bound)."""
        if self.min is not None and self.max is not None:
            return (self.min + self.max) / 2
        if self.min is not None:
            return self.min + tol
        return self.max - tol  # type: ignore[operator]


class Ranges(_Strict):
    """Per-metric ranges; a metric left out is not judged."""

    head_height: Range | None = Field(None, description="head height / frame height")
    eye_line: Range | None = Field(None, description="eye line from the top / frame height")
    face_center_x: Range | None = Field(
        None, description="face centre from the frame centre / frame width (-0.5..0.5)")
    shoulder_turn_deg: Range | None = Field(None, description="> 0 body turned to sitter's left")
    shoulder_tilt_deg: Range | None = Field(None, description="> 0 sitter's left shoulder higher")
    yaw_deg: Range | None = Field(None, description="> 0 head turned to the sitter's left")
    pitch_deg: Range | None = Field(None, description="> 0 chin up")
    roll_deg: Range | None = Field(None, description="> 0 head tilted to the left shoulder")
    smile: Range | None = Field(None, description="smile above the sitter's neutral, 0..1")

    @model_validator(mode="before")
    @classmethod
    def _both_framing_limits(cls, data: object) -> object:
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for name, (lo, hi) in FRAMING_LIMITS.items():
            rng = out.get(name)
            if not isinstance(rng, dict) or not all(
                    isinstance(rng.get(k), (int, float, type(None))) for k in ("min", "max")):
                continue  # absent, or broken: the field's own validation says why
            step = 2 * float(rng.get("tolerance") or TOLERANCES[name])
            filled = dict(rng)
            if filled.get("max") is None and filled.get("min") is not None:
                filled["max"] = max(hi, filled["min"] + step)
            if filled.get("min") is None and filled.get("max") is not None:
                filled["min"] = min(lo, filled["max"] - step)
            out[name] = filled
        return out

    @model_validator(mode="after")
    def _sides(self) -> Ranges:
        for name in type(self).model_fields:
            rng = getattr(self, name)
            if rng is not None and rng.side is not None and name not in SIDED:
                raise ValueError(f"{name}: 'side' applies only to {', '.join(SIDED)}")
        return self

    def items(self) -> list[tuple[str, Range]]:
        return [(n, r) for n in type(self).model_fields if (r := getattr(self, n)) is not None]


class Eyes(_Strict):
    """Eyes open and not blinking."""

    required: bool = Field(True, description="judge the eyes at all")
    open_ratio: float = Field(
        0.7, ge=0, le=1.5, description="openness at least this fraction of the sitter's neutral")
    max_blink: float = Field(
        0.4, ge=0.05, le=1, description="blink score (blendshape mean) above which = blinking")


class Preset(_Strict):
    """One use case: targets, coaching order and shutter behaviour."""

    name: str | None = Field(
        None, min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9_-]*$",
        description="identifier used on the command line (default: the file name)")
    title: str = Field(..., min_length=1, max_length=60, description="shown on the chooser")
    description: str = Field(..., min_length=1, max_length=200,
                             description="one line a sitter understands")
    ranges: Ranges = Field(default_factory=Ranges, description="per-metric target ranges")
    mouth_closed: bool | None = Field(
        None, description="true = lips together, false = open; null = don't care")
    teeth_visible: bool | None = Field(
        None, description="true = a smile showing teeth, false = none; null = don't care")
    eyes: Eyes = Field(default_factory=Eyes)
    look_at_camera: bool = Field(True, description="gaze into the lens")
    bystanders_block: bool = Field(
        False, description="a face near the sitter's head blocks the shutter however small "
                           "(ID photos); otherwise much smaller faces are ignored")
    order: tuple[OrderItem, ...] = Field(
        DEFAULT_ORDER, min_length=1, max_length=30,
        description="coaching order: groups or gate names; the first fault in it is coached")
    prefer_side: Literal["left", "right"] = Field(
        "left", description="the side to ask for when either side would do and the sitter is "
                            "square")
    hold_s: float = Field(0.5, ge=0.05, le=10, description="every gate held this long = shoot")
    shots: int = Field(1, ge=1, le=20, description="automatic shots per session")
    cooldown_s: float = Field(2.0, ge=0, le=60, description="pause between automatic shots")
    outputs: tuple[Output, ...] = Field(
        (), max_length=20, description="deliverables: crops and print sheets made from each "
                                       "kept photo (coaching/preset_outputs.py)")
    quality: QualityRules = Field(default_factory=QualityRules,
                                  description="light, glasses and background checks")

    @field_validator("title", "description")
    @classmethod
    def _one_line(cls, v: str) -> str:
        if "\n" in v or "\r" in v:
            raise ValueError("must be one line")
        if not v.strip():
            raise ValueError("must not be blank")
        return v.strip()

    @field_validator("outputs")
    @classmethod
    def _outputs(cls, v: tuple[Output, ...]) -> tuple[Output, ...]:
        return check_outputs(v)

    @field_validator("order")
    @classmethod
    def _unique(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        seen: set[str] = set()
        for item in v:
            for gate in GROUPS.get(item, (item,)):
                if gate in seen:
                    raise ValueError(f"'{gate}' appears twice")
                seen.add(gate)
        return v

    # -- derived ---------------------------------------------------------------
    def gates(self) -> list[str]:
        """The gates this preset judges, in coaching order (unordered ones last)."""
        active = {n for n, _ in self.ranges.items()}
        if self.mouth_closed is not None:
            active.add("mouth_closed")
        if self.teeth_visible is not None:
            active.add("teeth_visible")
        if self.eyes.required:
            active.add("eyes_open")
        if self.look_at_camera:
            active.add("looking_at_camera")
        if self.photo_outputs():  # every output must fit the camera frame
            active.add("fits_outputs")
        ranked = [g for g, _ in sorted(self.ranks().items(), key=lambda kv: kv[1])]
        return [g for g in ranked if g in active]

    def ranks(self) -> dict[str, float]:
        """Gate -> rank (lower = coached first). Inside a group the gates keep the group's
        own order (distance before centring before eye line: stepping back moves the eyes)."""
        out: dict[str, float] = {}
        for i, item in enumerate(self.order):
            for j, gate in enumerate(GROUPS.get(item, (item,))):
                out[gate] = i + j / 10
        rest = len(self.order)
        for gate in ALL_GATES:
            if gate not in out:
                group = _group_of(gate)
                out[gate] = (rest + DEFAULT_ORDER.index(group)
                             + GROUPS[group].index(gate) / 10)
        return out

    def photo_outputs(self) -> list[Output]:
        """The crops (not the print sheets), in the preset's order."""
        return [o for o in self.outputs if o.kind == "photo"]

    def tolerance(self, metric: str) -> float:
        rng = getattr(self.ranges, metric, None)
        if rng is not None and rng.tolerance is not None:
            return rng.tolerance
        return TOLERANCES.get(metric, 1.0)


def _group_of(gate: str) -> str:
    for group, gates in GROUPS.items():
        if gate in gates:
            return group
    raise KeyError(gate)


class PresetSet(dict):
    """``name -> Preset`` plus where each came from and the files that were skipped."""

    def __init__(self) -> None:
        super().__init__()
        self.sources: dict[str, Path] = {}
        self.errors: list[ConfigError] = []


class UnknownPreset(LookupError):
    """A preset name that matches nothing; ``str()`` is one line listing the names."""


def load_preset(path: str | Path) -> Preset:
    """Read one preset file; its name defaults to the file name. Raises ConfigError."""
    p = Path(path)
    preset = load_model(p, Preset, empty_ok=False)
    if preset.name is None:
        stem = p.stem.lower()
        if not _valid_name(stem):
            raise ConfigError(p, f"the file name '{p.stem}' is not a valid preset name; "
                                 "add a 'name:' (lower-case letters, digits, - and _)",
                              key="name")
        preset = preset.model_copy(update={"name": stem})
    return preset


def _valid_name(name: str) -> bool:
    return bool(re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,39}", name))


def _yaml_files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir()
                      if p.suffix.lower() in (".yaml", ".yml") and not p.name.startswith("."))
    except FileNotFoundError:
        return []


def load_presets(extra_dirs: Iterable[str | Path] = (), *, user: bool = True) -> PresetSet:
    """Shipped presets, then the per-user folder, then ``extra_dirs`` (folders or files).

    Later ones override earlier ones of the same name. A broken file is skipped and
    its one-line error kept in ``.errors``, so one bad user preset never stops the kiosk.
    """
    found = PresetSet()
    sources: list[Path] = _yaml_files(SHIPPED_PRESETS)
    if user:
        sources += _yaml_files(user_presets_dir())
    for extra in extra_dirs:
        e = Path(extra)
        if e.is_dir():
            sources += _yaml_files(e)
        elif e.exists():
            sources.append(e)
        else:
            found.errors.append(ConfigError(e, "no such file or folder"))
    for path in sources:
        try:
            preset = load_preset(path)
        except ConfigError as exc:
            found.errors.append(exc)
            continue
        found[preset.name] = preset
        found.sources[preset.name] = path
    return found


def _looks_like_path(text: str) -> bool:
    return (text.lower().endswith((".yaml", ".yml")) or os.sep in text or "/" in text
            or Path(text).is_file())


def resolve_preset(name_or_path: str, extra_dirs: Iterable[str | Path] = ()) -> Preset:
    """A preset by name (from :func:`load_presets`) or by YAML file path.

    Raises ConfigError for a broken file and :class:`UnknownPreset` for a name that
    matches nothing (the message lists the names there are).
    """
    if _looks_like_path(name_or_path):
        return load_preset(name_or_path)
    presets = load_presets(extra_dirs)
    key = name_or_path.strip().lower()
    if key in presets:
        return presets[key]
    names = ", ".join(sorted(presets)) or "(none)"
    raise UnknownPreset(f"unknown preset '{name_or_path}'; known presets: {names}")
