"""A crop for one output from the head's geometry: :func:`compose`, :func:`measure`.

The crop is found in the photo's own pixels (full resolution) from :class:`HeadGeometry`:
its height makes the head (chin to crown) the rule's target share, its top puts the eye
line on target (else the headroom), and it is centred on the face. When that crop would
leave the photo, the head share, eye line and centring are moved inside their ranges
(nearest to the targets first) until it fits; if nothing fits, no pixels are invented:
the result says which rule cannot be met and by how much, and how far the ideal crop
runs past each edge (what the coach turns into "step back" / "move to your left").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from coaching.head_geometry import HeadGeometry
from coaching.preset_outputs import Output, Rule, Share

__all__ = ["Composition", "Crop", "Measured", "compose", "measure"]

#: Head shares tried, as steps across the rule's range (nearest the target first).
_STEPS = 40


@dataclass(frozen=True)
class Crop:
    """A rectangle of the photo in pixels (floats: rounded only when cut)."""

    x: float
    y: float
    w: float
    h: float

    def overflow(self, width: int, height: int) -> dict[str, float]:
        """How many photo pixels the crop runs past each edge (0 = inside)."""
        return {"left": max(0.0, -self.x), "top": max(0.0, -self.y),
                "right": max(0.0, self.x + self.w - width),
                "bottom": max(0.0, self.y + self.h - height)}

    def inside(self, width: int, height: int, slack: float = 0.5) -> bool:
        return all(v <= slack for v in self.overflow(width, height).values())

    def box(self) -> tuple[int, int, int, int]:
        """Integer x0, y0, x1, y1."""
        return (round(self.x), round(self.y), round(self.x + self.w), round(self.y + self.h))


@dataclass(frozen=True)
class Measured:
    """Where the head sits in a crop, as the rule measures it."""

    head: float  # chin to crown / crop height
    eye_line: float  # from the top / height
    headroom: float  # crown to the top edge / height
    centre: float  # face centre offset from the middle / width (signed, + = image right)
    circle: float  # smallest centred circle holding the head / width (diameter)
    eye_px: float  # eye distance in the output from real pixels

    def to_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class Composition:
    """The crop for one output, or why there is none."""

    output: str
    crop: Crop | None  # None: the photo cannot give this output
    size: tuple[int, int]  # output pixels
    measured: Measured | None
    problems: tuple[str, ...] = ()  # each rule not met, with by how much
    overflow: dict[str, float] = field(default_factory=dict)  # the ideal crop past each edge, px
    too_small: bool = False  # not enough real pixels (min_eye_px)
    fits: bool = False  # a crop meeting the composition exists inside the photo
    ideal: Crop | None = None  # the crop at the rule's targets, wherever it falls

    @property
    def ok(self) -> bool:
        return self.crop is not None and not self.problems


def measure(geo: HeadGeometry, crop: Crop, out_w: int) -> Measured:
    """Where ``geo``'s head sits in ``crop`` (an output ``out_w`` pixels wide)."""
    ccx, ccy = crop.x + crop.w / 2, crop.y + crop.h / 2
    d = np.hypot(geo.outline[:, 0] - ccx, geo.outline[:, 1] - ccy).max()
    return Measured(
        head=geo.head_px / crop.h, eye_line=(geo.eye_y - crop.y) / crop.h,
        headroom=(geo.crown_y - crop.y) / crop.h, centre=(geo.centre_x - ccx) / crop.w,
        circle=2 * float(d) / crop.w, eye_px=geo.eye_px * min(1.0, out_w / crop.w))


def problems(rule: Rule, m: Measured, slack: float = 1e-3) -> list[str]:
    """Each part of ``rule`` that ``m`` misses, with by how much (empty = meets it)."""
    out = []
    shares: list[tuple[str, Share | None, float]] = [
        ("head (chin to crown)", rule.head, m.head), ("eye line", rule.eye_line, m.eye_line),
        ("headroom", rule.headroom, m.headroom)]
    for label, share, value in shares:
        if share is not None and not share.holds(value, slack):
            out.append(f"{label} {value:.3f} of the height, rule {share.describe()} "
                       f"(off by {share.miss(value):.3f})")
    if abs(m.centre) > rule.centre + slack:
        out.append(f"face centre {m.centre:+.3f} of the width from the middle, rule "
                   f"within {rule.centre:g} (off by {abs(m.centre) - rule.centre:.3f})")
    if rule.circle is not None and m.circle > rule.circle + slack:
        out.append(f"head needs a circle {m.circle:.3f} of the width across, rule "
                   f"{rule.circle:g} (off by {m.circle - rule.circle:.3f})")
    if m.eye_px + 1e-6 < rule.min_eye_px:
        out.append(f"eye distance {m.eye_px:.0f} px from real pixels, rule at least "
                   f"{rule.min_eye_px:g} px (short by {rule.min_eye_px - m.eye_px:.0f} px)")
    return out


def compose(geo: HeadGeometry, frame: tuple[int, int], output: Output) -> Composition:
    """The crop of a ``frame`` = (width, height) photo for ``output``."""
    rule = output.rule
    if rule is None or output.kind != "photo":
        raise ValueError(f"output {output.name!r} is not a photo output")
    width, height = frame
    ratio = output.ratio()
    ideal = _crop_at(geo, rule, rule.head.aim(), ratio)
    over = ideal.overflow(width, height)
    if geo.head_px <= 0:
        return Composition(output.name, None, output.pixel_size(), None,
                           ("no head height could be measured",), over)
    best: Crop | None = None
    for share in _shares(rule.head):
        crop = _fit(geo, rule, share, ratio, frame)
        if crop is not None and not _circle_miss(geo, rule, crop):
            best = crop
            break
    if best is None:  # report the nearest crop that stays inside the photo
        near = _clamped(ideal, width, height)
        size = output.pixel_size(near.w)
        m = measure(geo, near, size[0])
        probs = problems(rule, m) or ["the crop does not fit inside the photo"]
        edges = ", ".join(f"{k} {v:.0f} px" for k, v in over.items() if v > 0.5)
        if edges:
            probs.append(f"the crop would leave the photo ({edges})")
        if geo.crown_cut:
            probs.append("the top of the head is cut off by the photo's top edge")
        return Composition(output.name, None, size, m, tuple(probs), over,
                           too_small=m.eye_px < rule.min_eye_px, ideal=ideal)
    size = output.pixel_size(best.w)
    m = measure(geo, best, size[0])
    probs = problems(rule, m)
    if geo.crown_cut and output.id_photo:
        probs.append("the top of the head is cut off by the photo's top edge")
    return Composition(output.name, best if not probs else None, size, m, tuple(probs), over,
                       too_small=m.eye_px < rule.min_eye_px, fits=True, ideal=ideal)


def _shares(head: Share) -> list[float]:
    """Head shares to try: the target, then outward to both ends of the range."""
    aim, lo, hi = head.aim(), max(head.lo, 0.05), head.hi
    vals = {aim}
    for i in range(1, _STEPS + 1):
        for v in (aim - (aim - lo) * i / _STEPS, aim + (hi - aim) * i / _STEPS):
            vals.add(min(max(v, lo), hi))
    return sorted(vals, key=lambda v: (abs(v - aim), v))


def _crop_at(geo: HeadGeometry, rule: Rule, share: float, ratio: float) -> Crop:
    """The ideal crop for one head share: eye line (else headroom, else the head
    centred) on target, the face centred."""
    h = geo.head_px / share
    w = h * ratio
    if rule.eye_line is not None:
        y = geo.eye_y - rule.eye_line.aim() * h
    elif rule.headroom is not None:
        y = geo.crown_y - rule.headroom.aim() * h
    else:
        y = (geo.crown_y + geo.chin_y) / 2 - h / 2
    return Crop(geo.centre_x - w / 2, y, w, h)


def _fit(geo: HeadGeometry, rule: Rule, share: float, ratio: float,
         frame: tuple[int, int]) -> Crop | None:
    """The crop for ``share`` moved as little as the rules allow to stay in the frame."""
    width, height = frame
    ideal = _crop_at(geo, rule, share, ratio)
    h, w = ideal.h, ideal.w
    if h > height + 0.5 or w > width + 0.5:
        return None
    lo_y, hi_y = 0.0, height - h
    for share_rule, ref in ((rule.eye_line, geo.eye_y), (rule.headroom, geo.crown_y)):
        if share_rule is not None:
            lo_y = max(lo_y, ref - share_rule.hi * h)
            hi_y = min(hi_y, ref - share_rule.lo * h)
    lo_x = max(0.0, geo.centre_x - w / 2 - rule.centre * w)
    hi_x = min(width - w, geo.centre_x - w / 2 + rule.centre * w)
    if lo_y > hi_y + 1e-6 or lo_x > hi_x + 1e-6:
        return None
    return Crop(min(max(ideal.x, lo_x), hi_x), min(max(ideal.y, lo_y), hi_y), w, h)


def _circle_miss(geo: HeadGeometry, rule: Rule, crop: Crop) -> bool:
    if rule.circle is None:
        return False
    return measure(geo, crop, 1).circle > rule.circle


def _clamped(c: Crop, width: int, height: int) -> Crop:
    """``c`` shrunk (keeping its shape) and moved to lie inside the photo."""
    s = min(1.0, width / c.w, height / c.h)
    w, h = c.w * s, c.h * s
    x = c.x + (c.w - w) / 2
    y = c.y + (c.h - h) / 2
    return Crop(min(max(x, 0.0), width - w), min(max(y, 0.0), height - h), w, h)

