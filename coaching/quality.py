"""The light and image-quality report of one frame or photo, and a preset's limits for it.

:func:`measure_quality` gathers every quality measure (face exposure and sharpness from
:mod:`coaching.metrics`, light from :mod:`coaching.light`, glasses and red-eye from
:mod:`coaching.glasses`, the background from :mod:`coaching.background`) into a flat
``values`` dict; :func:`check_quality` holds them against a preset's
:class:`QualityRules` and says, per check, the value, the limit, pass or fail, and who
can fix a failure: the ``sitter`` (glare, glasses, their shadow on the wall, moving) or
the ``operator`` (the lights, the background, the camera). A sidecar carries the whole
list, so an operator can show an ID office why a photo complies.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import cv2
import numpy as np

from coaching.background import BackgroundReport, measure_background
from coaching.face_patch import face_patch
from coaching.glasses import GlassesReport, measure_glasses
from coaching.lens import MIN_FLATTERING_M, WIDE_HFOV_DEG, camera_distance_m
from coaching.light import LightReport, measure_light
from coaching.metrics import Metrics
from coaching.observations import FaceObservation
from coaching.quality_rules import BackgroundRules, QualityRules
from coaching.wardrobe import BUSY, MERGES, WardrobeReport, measure_wardrobe

__all__ = ["BackgroundRules", "Check", "QualityRules", "advice", "check_quality", "failing",
           "measure_quality"]

Fixer = Literal["sitter", "operator"]


@dataclass(frozen=True)
class Check:
    """One quality check: its value, its limit, pass/fail, and who can fix a failure."""

    name: str
    value: float | bool | None
    limit: str
    passed: bool | None  # None: could not be measured
    fixer: Fixer
    message: str  # catalogue key (quality.<name>) of the words for whoever fixes it
    holds: bool = True  # False: advice only (camera distance, lens), never holds the shutter

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class QualityValues:
    """Every measure of one frame: what the checks read (None where not measured)."""

    light: LightReport | None
    glasses: GlassesReport | None
    background: BackgroundReport | None
    exposure: float | None
    clipped_bright: float | None
    sharpness: float | None
    #: live only: sharpness over the sitter's best of the last seconds (1 = as sharp)
    steadiness: float | None = None
    wardrobe: WardrobeReport | None = None  # the sitter's top (coaching/wardrobe.py)
    distance_m: float | None = None  # camera to face (coaching/lens.py)
    hfov_deg: float | None = None  # the camera's horizontal field of view

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"exposure": self.exposure,
                                  "clipped_bright": self.clipped_bright,
                                  "sharpness": self.sharpness,
                                  "steadiness": self.steadiness,
                                  "distance_m": self.distance_m, "hfov_deg": self.hfov_deg}
        for name, part in (("light", self.light), ("glasses", self.glasses),
                           ("background", self.background), ("wardrobe", self.wardrobe)):
            out[name] = None if part is None else asdict(part)
        if self.light is not None:
            out["light"]["light_from"] = self.light.light_from  # type: ignore[index]
        if self.glasses is not None:
            out["glasses"]["tinted"] = self.glasses.tinted  # type: ignore[index]
        return out


def measure_quality(rgb: np.ndarray, face: FaceObservation | None, metrics: Metrics,
                    background: BackgroundReport | None = None,
                    hfov_deg: float | None = None) -> QualityValues:
    """Every quality measure of ``rgb`` for its sitter ``face`` (None: no face found);
    ``hfov_deg``: the camera's field of view, for the distance estimate."""
    light = glasses = None
    if face is not None:
        patch = face_patch(rgb, face)
        if patch is not None:
            h, w = rgb.shape[:2]
            light = measure_light(patch, cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY),
                                  face.bbox(w, h))
            glasses = measure_glasses(patch)
    distance = camera_distance_m(metrics.eye_distance_px, rgb.shape[1], hfov_deg,
                                 metrics.yaw_deg)
    return QualityValues(light, glasses, background, metrics.exposure, metrics.clipped_bright,
                         metrics.sharpness, distance_m=distance, hfov_deg=hfov_deg)


def background_of(segmenter: object, rgb: np.ndarray) -> BackgroundReport:
    """The background report of ``rgb`` with a :class:`coaching.segmentation.PersonSegmenter`."""
    return scene_of(segmenter, rgb, None)[0]


def scene_of(segmenter: object, rgb: np.ndarray, face: FaceObservation | None
             ) -> tuple[BackgroundReport, WardrobeReport | None]:
    """Background and (with a face) the sitter's top, from one run of the segmenter."""
    small, mask = segmenter.person_mask(rgb)  # type: ignore[attr-defined]
    wardrobe = None if face is None else measure_wardrobe(rgb, small, mask, face)
    return measure_background(small, mask), wardrobe


def check_quality(rules: QualityRules, q: QualityValues) -> list[Check]:
    """Every check the rules ask for, in the order a fix is worth trying."""
    checks: list[Check] = []
    lt, gl, bg = q.light, q.glasses, q.background

    def at_most(name: str, value: float | None, limit: float | None, fixer: Fixer) -> None:
        if limit is not None:
            checks.append(Check(name, value, f"<= {limit:g}",
                                None if value is None else value <= limit, fixer,
                                f"quality.{name}"))

    def at_least(name: str, value: float | None, limit: float | None, fixer: Fixer) -> None:
        if limit is not None:
            checks.append(Check(name, value, f">= {limit:g}",
                                None if value is None else value >= limit, fixer,
                                f"quality.{name}"))

    # what the sitter can fix first: glasses, glare, holding still, their own shadow
    present = None if gl is None else gl.present
    if rules.glasses == "not_allowed":
        checks.append(Check("glasses", present, "none", None if present is None else not present,
                            "sitter", "quality.glasses"))
    if rules.glasses != "allowed" and present:
        at_most("glare", gl.glare, rules.glare_max, "sitter")  # type: ignore[union-attr]
        tinted = gl.tinted  # type: ignore[union-attr]
        checks.append(Check("tinted_lenses", tinted, "clear",
                            None if tinted is None else not tinted, "sitter",
                            "quality.tinted_lenses"))
    if q.steadiness is not None:  # a drop against their own best: they moved
        at_least("steadiness", q.steadiness, rules.steadiness_min, "sitter")
    if bg is not None and rules.background is not None:
        at_most("background_shadow", bg.shadow, rules.background.shadow_max, "sitter")
    # what only the operator can fix: the light, the camera, the background
    at_least("sharpness", q.sharpness, rules.sharpness_min, "operator")  # focus
    at_least("exposure_low", q.exposure, rules.exposure_min, "operator")
    at_most("exposure_high", q.exposure, rules.exposure_max, "operator")
    at_most("clipped", q.clipped_bright, rules.clipped_max, "operator")
    at_most("light_balance", None if lt is None or lt.balance_lr is None else abs(lt.balance_lr),
            rules.light_balance_max, "operator")
    at_most("light_top_bottom", None if lt is None else abs(lt.balance_tb),
            rules.light_tb_max, "operator")
    at_most("hard_shadow", None if lt is None else lt.hard_shadow, rules.hard_shadow_max,
            "operator")
    at_most("hot_spots", None if lt is None else lt.hot_spots, rules.hot_spots_max, "operator")
    at_most("colour_cast", None if lt is None else lt.colour_cast_deg,
            rules.colour_cast_max_deg, "operator")
    at_most("noise", None if lt is None else lt.noise, rules.noise_max, "operator")
    at_most("red_eye", None if gl is None else gl.red_eye, rules.red_eye_max, "operator")
    if rules.background is not None:
        b = rules.background
        at_least("background_brightness", None if bg is None else bg.brightness,
                 b.brightness_min, "operator")
        at_most("background_uniformity", None if bg is None else bg.uniformity,
                b.uniformity_max, "operator")
        at_most("background_clutter", None if bg is None else bg.clutter, b.clutter_max,
                "operator")
        at_most("background_colour", None if bg is None else bg.chroma, b.chroma_max,
                "operator")
    wr = q.wardrobe
    if rules.wardrobe and wr is not None:  # said once at the start, never holds
        checks.append(Check("wardrobe_contrast", wr.contrast, f">= {MERGES:g} dE",
                            None if wr.merges is None else not wr.merges, "sitter",
                            "quality.wardrobe_contrast", holds=False))
        checks.append(Check("wardrobe_pattern", wr.busy, f"< {BUSY:g}",
                            None if wr.is_busy is None else not wr.is_busy, "sitter",
                            "quality.wardrobe_pattern", holds=False))
    # advice that never holds the shutter: the set-up, not this sitter
    if q.distance_m is not None:
        checks.append(Check("camera_distance", q.distance_m, f">= {MIN_FLATTERING_M:g} m",
                            q.distance_m >= MIN_FLATTERING_M, "operator",
                            "quality.camera_distance", holds=False))
    if q.hfov_deg is not None:
        checks.append(Check("lens_width", q.hfov_deg, f"<= {WIDE_HFOV_DEG:g} deg",
                            q.hfov_deg <= WIDE_HFOV_DEG, "operator", "quality.lens_width",
                            holds=False))
    return checks


def failing(checks: list[Check]) -> list[Check]:
    """The checks that failed and hold the shutter (unmeasured ones are not failures,
    advice never holds)."""
    return [c for c in checks if c.passed is False and c.holds]


def advice(checks: list[Check]) -> list[Check]:
    """Failed advice-only checks (the camera's distance, the lens)."""
    return [c for c in checks if c.passed is False and not c.holds]
