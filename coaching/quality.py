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


class _Checks(list[Check]):
    """The list being built, with the two shapes of limit every check has."""

    def at_most(self, name: str, value: float | None, limit: float | None, fixer: Fixer,
                holds: bool = True) -> None:
        if limit is not None:
            self.append(Check(name, value, f"<= {limit:g}",
                              None if value is None else value <= limit, fixer,
                              f"quality.{name}", holds))

    def at_least(self, name: str, value: float | None, limit: float | None, fixer: Fixer,
                 holds: bool = True) -> None:
        if limit is not None:
            self.append(Check(name, value, f">= {limit:g}",
                              None if value is None else value >= limit, fixer,
                              f"quality.{name}", holds))

    def flag(self, name: str, bad: bool | None, limit: str, fixer: Fixer,
             holds: bool = True, value: object = None) -> None:
        """A yes/no check: ``bad`` None = could not tell."""
        self.append(Check(name, bad if value is None else value, limit,  # type: ignore[arg-type]
                          None if bad is None else not bad, fixer, f"quality.{name}", holds))


def _part(obj: object, name: str) -> float | None:
    """``obj.name``, or None when the part was not measured."""
    return None if obj is None else getattr(obj, name)


def check_quality(rules: QualityRules, q: QualityValues) -> list[Check]:
    """Every check the rules ask for, in the order a fix is worth trying: what the sitter
    can fix, then what only the operator can, then advice that never holds."""
    checks = _Checks()
    _sitter_checks(checks, rules, q)
    _light_checks(checks, rules, q)
    _background_checks(checks, rules, q.background)
    _advice_checks(checks, rules, q)
    return list(checks)


def _sitter_checks(checks: _Checks, rules: QualityRules, q: QualityValues) -> None:
    """Glasses, glare, holding still, their own shadow on the wall."""
    gl = q.glasses
    present = _part(gl, "present")
    if rules.glasses == "not_allowed":
        checks.flag("glasses", present, "none", "sitter")  # type: ignore[arg-type]
    if rules.glasses != "allowed" and present:
        checks.at_most("glare", _part(gl, "glare"), rules.glare_max, "sitter")
        checks.flag("tinted_lenses", _part(gl, "tinted"), "clear", "sitter")  # type: ignore[arg-type]
    if q.steadiness is not None:  # a drop against their own best: they moved
        checks.at_least("steadiness", q.steadiness, rules.steadiness_min, "sitter")
    if q.background is not None and rules.background is not None:
        checks.at_most("background_shadow", q.background.shadow,
                       rules.background.shadow_max, "sitter")


def _light_checks(checks: _Checks, rules: QualityRules, q: QualityValues) -> None:
    """The light and the camera: the operator's to fix."""
    lt = q.light
    balance = _part(lt, "balance_lr")
    top_bottom = _part(lt, "balance_tb")
    checks.at_least("sharpness", q.sharpness, rules.sharpness_min, "operator")  # focus
    checks.at_least("exposure_low", q.exposure, rules.exposure_min, "operator")
    checks.at_most("exposure_high", q.exposure, rules.exposure_max, "operator")
    checks.at_most("clipped", q.clipped_bright, rules.clipped_max, "operator")
    checks.at_most("light_balance", None if balance is None else abs(balance),
                   rules.light_balance_max, "operator")
    checks.at_most("light_top_bottom", None if top_bottom is None else abs(top_bottom),
                   rules.light_tb_max, "operator")
    checks.at_most("hard_shadow", _part(lt, "hard_shadow"), rules.hard_shadow_max, "operator")
    checks.at_most("hot_spots", _part(lt, "hot_spots"), rules.hot_spots_max, "operator")
    checks.at_most("colour_cast", _part(lt, "colour_cast_deg"), rules.colour_cast_max_deg,
                   "operator")
    checks.at_most("noise", _part(lt, "noise"), rules.noise_max, "operator")
    checks.at_most("red_eye", _part(q.glasses, "red_eye"), rules.red_eye_max, "operator")


def _background_checks(checks: _Checks, rules: QualityRules,
                       bg: BackgroundReport | None) -> None:
    """The backdrop (ID presets): the operator's to fix."""
    b = rules.background
    if b is None:
        return
    checks.at_least("background_brightness", _part(bg, "brightness"), b.brightness_min,
                    "operator")
    checks.at_most("background_uniformity", _part(bg, "uniformity"), b.uniformity_max,
                   "operator")
    checks.at_most("background_clutter", _part(bg, "clutter"), b.clutter_max, "operator")
    checks.at_most("background_colour", _part(bg, "chroma"), b.chroma_max, "operator")


def _advice_checks(checks: _Checks, rules: QualityRules, q: QualityValues) -> None:
    """Never holds the shutter: the sitter's top (said once at the start), the set-up."""
    wr = q.wardrobe
    if rules.wardrobe and wr is not None:
        checks.flag("wardrobe_contrast", wr.merges, f">= {MERGES:g} dE", "sitter",
                    holds=False, value=wr.contrast)
        checks.flag("wardrobe_pattern", wr.is_busy, f"< {BUSY:g}", "sitter", holds=False,
                    value=wr.busy)
    if q.distance_m is not None:
        checks.at_least("camera_distance", q.distance_m, MIN_FLATTERING_M, "operator",
                        holds=False)
    if q.hfov_deg is not None:
        checks.at_most("lens_width", q.hfov_deg, WIDE_HFOV_DEG, "operator", holds=False)


def failing(checks: list[Check]) -> list[Check]:
    """The checks that failed and hold the shutter (unmeasured ones are not failures,
    advice never holds)."""
    return [c for c in checks if c.passed is False and c.holds]


def advice(checks: list[Check]) -> list[Check]:
    """Failed advice-only checks (the camera's distance, the lens)."""
    return [c for c in checks if c.passed is False and not c.holds]
