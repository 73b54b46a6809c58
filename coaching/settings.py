"""Typed settings for the analysis, the coach and the real-time pipeline (the
``analysis:``, ``coach:`` and ``pipeline:`` sections of the app config). Defaults here
equal ``config/default.yaml``; thresholds chosen from data say how in the YAML comments.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from coaching.messages import load_catalogue
from coaching.yamlconfig import ConfigError


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class AnalysisSettings(_Section):
    """How frames are measured (``analysis:``)."""

    # heavy is not offered: no verified SHA-256 is pinned for it (coaching/model_registry),
    # so a config choosing it would pass check-config and then fail to load.
    pose_model: Literal["lite", "full"] = Field(
        "full", description="pose landmarker variant (lite or full)")
    max_faces: int = Field(6, ge=1, le=20, description="faces the face landmarker looks for")
    camera_hfov_deg: float | None = Field(
        65.0, gt=1, lt=180, description="the camera's horizontal field of view, degrees, for "
                                        "the camera-distance advice (a USB webcam ~65; a lens "
                                        "of f mm full-frame equivalent: 2 atan(18/f); null = "
                                        "unknown; a photo's own EXIF wins in analyze)")
    pitch_offset_deg: float = Field(
        0.0, ge=-20, le=20, description="added to the fitted pitch so a level face reads 0")
    yaw_offset_deg: float = Field(0.2, ge=-20, le=20, description="added to the fitted yaw")
    roll_offset_deg: float = Field(0.0, ge=-20, le=20, description="added to the eye-line roll")
    smile_threshold: float = Field(
        0.3, ge=0, le=1, description="smile blendshape mean at or above which 'smiling' "
                                     "when the smile model is off or has no pixels")
    smile_model: bool = Field(
        True, description="decide 'smiling' with the logistic smile model "
                          "(coaching/smile_model.yaml) instead of smile_threshold")
    smile_probability_threshold: float = Field(
        0.5, ge=0, le=1, description="smile model probability at or above which 'smiling'")
    eyes_closed_threshold: float = Field(
        0.49, ge=0, le=1, description="eye-closure score (1 - mean eye openness) above which "
                                     "'eyes_closed'")
    eye_model: bool = Field(
        True, description="decide 'eyes_closed' with the eye model (coaching/eye_model.yaml: "
                          "each eye's pixels plus the closure margin) instead of the "
                          "closure threshold alone")
    eyes_small_px: float = Field(
        20.0, ge=0, le=500, description="eyes narrower than this (mean corner-to-corner width, "
                                        "image px) need more evidence to read closed: a tiny "
                                        "eye's landmark fit drifts toward 'closed'")
    eyes_closed_threshold_small: float = Field(
        0.65, ge=0, le=1, description="closure threshold for eyes half eyes_small_px wide or "
                                      "less; linear from eyes_closed_threshold in between")
    shoulder_min_visibility: float = Field(
        0.6, ge=0, le=1, description="pose visibility below which shoulders are unknown")
    shoulder_turn_offset_deg: float = Field(
        -6.9, ge=-20, le=20, description="added to the pose shoulder turn so square reads 0")
    eye_ear_open: float = Field(
        0.30, ge=0.05, le=0.6, description="eye aspect ratio of a normally open eye")
    eye_ear_closed: float = Field(
        0.05, ge=0, le=0.4, description="eye aspect ratio of a shut eye")
    eye_ear_weight: float = Field(
        0.5, ge=0, le=1, description="share of the eye aspect ratio (vs the eyeBlink "
                                     "blendshape) in eye openness")
    mouth_open_threshold: float = Field(
        0.10, ge=0, le=1, description="inner-lip gap / mouth width above which 'mouth_open'")
    teeth_threshold: float = Field(
        0.20, ge=0, le=1, description="share of bright, grey pixels between the inner lips "
                                      "above which 'teeth_visible'")
    gaze_y_offset: float = Field(
        0.065, ge=-0.3, le=0.3, description="height of a straight-ahead iris above the line "
                                            "through the eye corners, in eye widths")
    gaze_tolerance_deg: float = Field(
        10.0, ge=1, le=45, description="head turn plus eye turn within this = looking at the "
                                       "camera")
    face_rescue: bool = Field(
        True, description="while the live tracker finds no face, search again in still mode "
                          "at a low rate (around the body's head, else the whole frame): far, "
                          "turned or dimly lit sitters (coaching/face_rescue.py)")
    photo_min_side: int = Field(
        480, ge=64, le=4096, description="last try for a still without a face found: "
                                         "upscale to this short side (tiny photos)")
    photo_pad: float = Field(
        0.25, ge=0, le=2, description="grey border (fraction of the size, per side; then "
                                      "twice that) tried when no face is found at first "
                                      "(tight face crops)")
    photo_tiles: bool = Field(
        True, description="search overlapping tiles of large stills for small faces")


class CoachSettings(_Section):
    """How the coach talks (``coach:``)."""

    language: str = Field("en", min_length=2, max_length=10,
                          description="message catalogue (coaching/messages/<language>.yaml)")
    persist_s: float = Field(0.8, ge=0, le=5, description="a fault shows after lasting this long")
    min_display_s: float = Field(2.0, ge=0, le=10, description="a prompt stays up at least this")
    hysteresis: float = Field(
        1.5, ge=1, le=5, description="a good metric turns bad only past range + (this-1)*tolerance")
    calibration_s: float = Field(1.0, ge=0, le=10,
                                 description="steady-face time used for the neutral baseline "
                                             "(0 = no calibration: absolute smile/eye values)")
    calibration_max_s: float = Field(
        4.0, ge=0, le=30, description="give up waiting for a steady face after this long with a "
                                      "face present and use what was seen")
    steady_deg: float = Field(
        4.0, ge=0.5, le=30, description="head angles varying less than this (max-min, degrees) "
                                        "over the calibration window count as steady")
    max_neutral_smile: float = Field(
        0.25, ge=0, le=1, description="cap on the neutral smile baseline, so a sitter who "
                                      "arrives smiling is not asked to smile 'more' forever")
    new_sitter_s: float = Field(
        2.0, ge=0.1, le=60, description="face gone this long = a new sitter: recalibrate, "
                                        "forget faults")
    face_lost_grace_s: float = Field(
        0.3, ge=0, le=5, description="a face missing (or a second face) for less than this "
                                     "does not change what the sitter sees")
    captured_show_s: float = Field(1.5, ge=0, le=10,
                                   description="how long the 'captured' message stays")
    filter_min_cutoff_hz: float = Field(
        1.5, gt=0, le=30, description="One Euro filter cutoff for face metrics when still "
                                      "(lower = steadier, more lag)")
    filter_beta: float = Field(
        0.5, ge=0, le=10, description="One Euro speed coefficient (higher = less lag when "
                                      "moving), in tolerances per second")
    shoulder_min_cutoff_hz: float = Field(
        0.5, gt=0, le=30, description="One Euro cutoff for the noisier pose (shoulder) metrics")
    buffer_s: float = Field(1.5, ge=0.2, le=10,
                            description="ring buffer of recent frames the shutter picks from")
    blink_guard_s: float = Field(
        0.15, ge=0, le=1, description="frames this close to a blink are never chosen")
    manual_window_s: float = Field(
        0.3, ge=0, le=2, description="a manual press picks the best frame of this last stretch")

    @field_validator("language")
    @classmethod
    def _catalogue_exists(cls, v: str) -> str:
        """Only a language whose catalogue is there (and reads) passes: a config that
        validates must run, not crash at the first prompt."""
        try:
            load_catalogue(v)
        except ConfigError as exc:
            raise PydanticCustomError("catalogue", exc.reason) from None
        return v


class PipelineSettings(_Section):
    """How the real-time pipeline shares the CPU (``pipeline:`` in the app config)."""

    pose_min_hz: float = Field(
        15.0, ge=1, le=60, description="pose model rate when the face model is saturated")
    pose_max_hz: float = Field(
        20.0, ge=1, le=60, description="pose model rate when the CPU has room to spare")
    pose_max_age_s: float = Field(
        0.5, gt=0, le=5, description="a pose older than this is not used (shoulders unknown)")
    pose_max_width: int = Field(
        0, ge=0, le=8192, description="downscale frames wider than this before the pose model "
                                      "(0 = never; measured: no gain at 720p, its cost does "
                                      "not depend on the input size)")
    latency_target_ms: float = Field(
        35.0, gt=0, le=1000, description="the pose rate rises above pose_min_hz only while the "
                                         "p95 latency (frame read to coach decision) stays "
                                         "under 3/4 of this, and falls when it is exceeded")
    restart_backoff_s: float = Field(
        0.5, gt=0, le=60, description="first wait before a crashed worker restarts (doubles, "
                                      "up to 10 s)")

