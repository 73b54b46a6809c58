"""Typed camera settings (the ``camera:`` section of the app config)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CameraSettings(BaseModel):
    """Which camera and how to drive it (``camera:``)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    source: str = Field(
        "webcam:0", description="webcam:N, gphoto2[:MODEL], hybrid:A+B, replay:PATH")
