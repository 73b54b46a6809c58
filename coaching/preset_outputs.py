"""A preset's deliverables: the ``outputs:`` list (what the client takes home).

Each output says its shape, its pixel size and the composition rule it follows, with the
standard or practice it comes from cited in the preset YAML. Validated here (pydantic,
unknown keys forbidden) so a broken output reads ``file:line: outputs.0.key: reason``
like the rest of a preset; :mod:`coaching.composition` turns an output plus the
photo's landmarks into a crop.

Shape: exactly one of ``size_mm`` / ``size_in`` (a physical print size, needs ``dpi``
unless ``pixels`` gives a range) or ``aspect`` (width:height, a screen photo).
Pixels: exact from the physical size and dpi, or ``pixels.width`` (exact, the height
follows the shape), or ``pixels.min``/``pixels.max`` (the crop's own width, clamped to
that range; the dpi tag then follows from the physical size).

Composition (fractions of the OUTPUT's height, or width for ``centre``/``circle``):
``head`` = chin to crown (the crown is the top of the head including hair: see
:mod:`delivery.head_top`); ``eye_line`` = eye midpoint from the top; ``headroom`` =
crown to the top edge; ``centre`` = the largest allowed offset of the face centre from
the middle; ``circle`` = the diameter (share of the width) of a centred circle the whole
head must sit inside (profile photos shown round). ``target`` values default to the
middle of each range.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

MM_PER_IN = 25.4


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Share(_Strict):
    """A range of a share (0..1) of the output's height."""

    min: float | None = Field(None, ge=0, le=1, description="lowest allowed share")
    max: float | None = Field(None, ge=0, le=1, description="highest allowed share")
    target: float | None = Field(None, ge=0, le=1,
                                 description="what the crop aims at (default: the middle)")

    @model_validator(mode="after")
    def _check(self) -> Share:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        lo = 0.0 if self.min is None else self.min
        hi = 1.0 if self.max is None else self.max
        if lo > hi:
            raise ValueError(f"min ({lo:g}) is above max ({hi:g})")
        if self.target is not None and not lo <= self.target <= hi:
            raise ValueError(f"target ({self.target:g}) is outside min..max")
        return self

    @property
    def lo(self) -> float:
        return 0.0 if self.min is None else self.min

    @property
    def hi(self) -> float:
        return 1.0 if self.max is None else self.max

    def aim(self) -> float:
        if self.target is not None:
            return self.target
        if self.min is not None and self.max is not None:
            return (self.min + self.max) / 2
        return self.lo if self.min is not None else self.hi

    def holds(self, value: float, slack: float = 0.0) -> bool:
        return self.lo - slack <= value <= self.hi + slack

    def miss(self, value: float) -> float:
        """How far ``value`` is outside the range (0 inside)."""
        return max(self.lo - value, value - self.hi, 0.0)

    def describe(self) -> str:
        if self.min is not None and self.max is not None:
            return f"{self.min:g}-{self.max:g}"
        return f">= {self.min:g}" if self.min is not None else f"<= {self.max:g}"


class Rule(_Strict):
    """Where the head sits in the output."""

    head: Share = Field(..., description="chin to crown / output height")
    eye_line: Share | None = Field(None, description="eye midpoint from the top / height")
    headroom: Share | None = Field(None, description="crown to the top edge / height")
    centre: float = Field(0.05, ge=0, le=0.5,
                          description="largest face-centre offset from the middle / width")
    circle: float | None = Field(None, gt=0, le=1.5,
                                 description="the head inside a centred circle this share "
                                             "of the width across (round profile crops)")
    min_eye_px: float = Field(0, ge=0, le=2000,
                              description="eye distance in the output from real pixels "
                                          "(not upscaled), e.g. 90 for ID photos")


class Pixels(_Strict):
    """The output's pixel width: exact, or a range the crop's own width is clamped to."""

    width: int | None = Field(None, ge=16, le=20000, description="exact width in pixels")
    min: int | None = Field(None, ge=16, le=20000, description="smallest width in pixels")
    max: int | None = Field(None, ge=16, le=20000, description="largest width in pixels")

    @model_validator(mode="after")
    def _check(self) -> Pixels:
        if self.width is not None and (self.min is not None or self.max is not None):
            raise ValueError("give either width or min/max, not both")
        if self.width is None and self.min is None and self.max is None:
            raise ValueError("give width, or min and max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is above max ({self.max})")
        return self


class Sheet(_Strict):
    """A print sheet holding copies of another output, with cut marks."""

    of: str = Field(..., min_length=1, max_length=40, description="the output it repeats")
    size_in: tuple[float, float] | None = Field(None, description="sheet width, height (in)")
    size_mm: tuple[float, float] | None = Field(None, description="sheet width, height (mm)")
    dpi: int = Field(300, ge=72, le=2400, description="print resolution")
    copies: int | None = Field(None, ge=1, le=100,
                               description="how many photos (default: as many as fit)")
    gap_mm: float = Field(4.0, ge=0, le=50, description="space between photos (cut marks)")
    margin_mm: float = Field(3.0, ge=0, le=50, description="unprinted border of the sheet")

    @model_validator(mode="after")
    def _check(self) -> Sheet:
        if (self.size_in is None) == (self.size_mm is None):
            raise ValueError("give exactly one of size_in, size_mm")
        if min(self.size_in or self.size_mm or (1, 1)) <= 0:
            raise ValueError("sizes must be more than 0")
        return self

    def size_px(self) -> tuple[int, int]:
        w_mm, h_mm = self.mm()
        return round(w_mm / MM_PER_IN * self.dpi), round(h_mm / MM_PER_IN * self.dpi)

    def mm(self) -> tuple[float, float]:
        if self.size_mm is not None:
            return self.size_mm
        w, h = self.size_in  # type: ignore[misc]
        return w * MM_PER_IN, h * MM_PER_IN


class Output(_Strict):
    """One deliverable of a preset."""

    name: str = Field(..., min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9_-]*$",
                      description="file name part: shot-001.<name>.jpg")
    title: str = Field(..., min_length=1, max_length=60, description="what the client reads")
    kind: Literal["photo", "sheet"] = Field("photo", description="a crop or a print sheet")
    aspect: tuple[float, float] | None = Field(None, description="width, height ratio")
    size_mm: tuple[float, float] | None = Field(None, description="print width, height (mm)")
    size_in: tuple[float, float] | None = Field(None, description="print width, height (in)")
    dpi: int | None = Field(None, ge=72, le=2400, description="print resolution (dpi tag)")
    pixels: Pixels | None = Field(None, description="pixel width: exact or a range")
    rule: Rule | None = Field(None, description="where the head sits (photos)")
    id_photo: bool = Field(False, description="an identity photo: never padded, strict")
    sheet: Sheet | None = Field(None, description="print-sheet layout (kind: sheet)")

    @model_validator(mode="after")
    def _check(self) -> Output:
        if self.kind == "sheet":
            self._check_sheet()
        else:
            self._check_photo()
        return self

    def _check_sheet(self) -> None:
        if self.sheet is None:
            raise ValueError("a sheet output needs 'sheet:'")
        if any(v is not None for v in (self.aspect, self.size_mm, self.size_in,
                                       self.pixels, self.rule)):
            raise ValueError("a sheet output takes only name, title, kind and sheet")

    def _check_photo(self) -> None:
        if self.sheet is not None:
            raise ValueError("'sheet:' needs kind: sheet")
        shapes = [s for s in (self.aspect, self.size_mm, self.size_in) if s is not None]
        if len(shapes) != 1:
            raise ValueError("give exactly one of aspect, size_mm, size_in")
        if min(shapes[0]) <= 0:
            raise ValueError("shape sides must be more than 0")
        if self.rule is None:
            raise ValueError("a photo output needs a composition 'rule:'")
        self._check_resolution(self.size_mm is not None or self.size_in is not None)

    def _check_resolution(self, physical: bool) -> None:
        """A physical size takes dpi or a pixel range; an aspect takes pixels."""
        ranged = self.pixels is not None and self.pixels.width is None
        if physical and self.dpi is None and not ranged:
            raise ValueError("a physical size needs 'dpi' (or a pixels min/max range)")
        if physical and self.dpi is not None and self.pixels is not None:
            raise ValueError("give dpi or pixels for a physical size, not both")
        if not physical and self.pixels is None:
            raise ValueError("an aspect output needs 'pixels'")

    # -- derived ---------------------------------------------------------------
    def ratio(self) -> float:
        """Width / height."""
        w, h = self.aspect or self.physical_mm() or (1.0, 1.0)
        return w / h

    def physical_mm(self) -> tuple[float, float] | None:
        if self.size_mm is not None:
            return self.size_mm
        if self.size_in is not None:
            return self.size_in[0] * MM_PER_IN, self.size_in[1] * MM_PER_IN
        return None

    def pixel_size(self, crop_width: float | None = None) -> tuple[int, int]:
        """The output's (width, height) in pixels; a ranged width clamps ``crop_width``."""
        mm = self.physical_mm()
        if mm is not None and self.dpi is not None:
            return round(mm[0] / MM_PER_IN * self.dpi), round(mm[1] / MM_PER_IN * self.dpi)
        px = self.pixels
        assert px is not None
        if px.width is not None:
            w = px.width
        else:
            lo, hi = px.min or 16, px.max or 20000
            w = int(min(max(round(crop_width or lo), lo), hi))
        return w, max(1, round(w / self.ratio()))

    def dpi_for(self, width_px: int) -> int:
        """The dpi tag: the preset's, else what makes the physical size come out right,
        else 300 (screen photos: a print at 300 dpi)."""
        if self.dpi is not None:
            return self.dpi
        mm = self.physical_mm()
        if mm is not None:
            return max(1, round(width_px / (mm[0] / MM_PER_IN)))
        return 300


def check_outputs(outputs: tuple[Output, ...]) -> tuple[Output, ...]:
    """Names unique; a sheet repeats an earlier photo output of the same preset."""
    seen: dict[str, Output] = {}
    for i, out in enumerate(outputs):
        if out.name in seen:
            raise ValueError(f"outputs.{i}: the name '{out.name}' is used twice")
        if out.sheet is not None:
            src = seen.get(out.sheet.of)
            if src is None or src.kind != "photo" or src.physical_mm() is None:
                raise ValueError(f"outputs.{i}: sheet.of '{out.sheet.of}' is not an earlier "
                                 "photo output with a physical size")
        seen[out.name] = out
    return outputs
