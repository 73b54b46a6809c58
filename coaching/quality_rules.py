"""A preset's ``quality:`` section: which light, glasses and background checks gate the
shutter, their limits, and how hard they hold (the measures: :mod:`coaching.quality`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["BackgroundRules", "QualityRules"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BackgroundRules(_Strict):
    """Limits for the background (ID presets); a limit left out is not checked."""

    brightness_min: float | None = Field(None, ge=0, le=1, description="background L*, 0..1")
    uniformity_max: float | None = Field(None, ge=0, le=1, description="block spread, 0..1")
    shadow_max: float | None = Field(None, ge=0, le=1, description="sitter's shadow, 0..1")
    clutter_max: float | None = Field(None, ge=0, le=1, description="edge share, 0..1")
    chroma_max: float | None = Field(None, ge=0, le=1, description="colour, CIELAB C*/128")


class QualityRules(_Strict):
    """A preset's ``quality:`` section: which measures gate the shutter, and how hard."""

    gate: Literal["block", "soft", "off"] = Field(
        "soft", description="block: a failing check holds the shutter; soft: it holds it at "
                            "most soft_wait_s, then lets it fire (the sidecar says so); off: "
                            "report only")
    soft_wait_s: float = Field(4.0, ge=0, le=60, description="soft gate: longest hold, s")
    glasses: Literal["allowed", "no_glare", "not_allowed"] = Field(
        "no_glare", description="glasses on the sitter: fine, fine without glare, or not at all")
    exposure_min: float | None = Field(0.2, ge=0, le=1, description="face mean luminance")
    exposure_max: float | None = Field(0.9, ge=0, le=1, description="face mean luminance")
    clipped_max: float | None = Field(0.05, ge=0, le=1, description="face share at 250+")
    sharpness_min: float | None = Field(
        15.0, ge=0, description="Laplacian variance on the 128 px face (motion blur, focus)")
    steadiness_min: float | None = Field(
        0.5, ge=0, le=1, description="live: sharpness over the sitter's own best of the "
                                     "last seconds (motion blur: 'Hold still')")
    light_balance_max: float | None = Field(None, ge=0, le=1,
                                            description="|left-right| light on the face")
    light_tb_max: float | None = Field(None, ge=0, le=1,
                                       description="|forehead-cheeks| light on the face")
    hard_shadow_max: float | None = Field(None, ge=0, le=1, description="skin share in shadow")
    hot_spots_max: float | None = Field(None, ge=0, le=1, description="skin share at 245+")
    colour_cast_max_deg: float | None = Field(None, ge=0, le=180,
                                              description="skin hue outside its range, deg")
    noise_max: float | None = Field(None, ge=0, le=100, description="noise sigma, grey levels")
    glare_max: float = Field(0.01, ge=0, le=1, description="lens area share of glare")
    red_eye_max: float | None = Field(0.2, ge=0, le=1, description="pupil share that is red")
    background: BackgroundRules | None = Field(None, description="ID background limits")
    wardrobe: bool = Field(
        True, description="measure the sitter's top (merging with the background, fine "
                           "patterns) and say gently at the start that a plain top works best")

    @property
    def needs_background(self) -> bool:
        """The checks need the segmenter's person mask."""
        return self.background is not None or self.wardrobe
