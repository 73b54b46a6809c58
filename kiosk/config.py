"""The app config: one typed model per YAML section, unknown keys rejected.

``load_config(path)`` reads ``config/default.yaml`` when no path is given and
raises :class:`coaching.yamlconfig.ConfigError` (one line: file, line, key,
reason) for anything wrong.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from camera.settings import CameraSettings
from coaching.pipeline import PipelineSettings
from coaching.settings import AnalysisSettings, CoachSettings
from coaching.yamlconfig import ConfigError, load_model
from kiosk.paths import DEFAULT_CONFIG

__all__ = ["AppConfig", "ConfigError", "load_config"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class UISettings(_Section):
    """The screen (``ui:``)."""

    fullscreen: bool = Field(True, description="fullscreen; --windowed overrides")
    idle_timeout_s: float = Field(60, ge=5, le=3600, description="back to welcome when idle")


class StorageSettings(_Section):
    """Where photos go (``storage:``)."""

    out_dir: Path | None = Field(None, description="output folder; default: per-user data dir")


class OperatorSettings(_Section):
    """Operator mode (``operator:``)."""

    pin_hash: str | None = Field(None, description="hashed operator PIN; see README")


class AppConfig(_Section):
    """The whole file."""

    camera: CameraSettings = Field(default_factory=CameraSettings)
    analysis: AnalysisSettings = Field(default_factory=AnalysisSettings)
    coach: CoachSettings = Field(default_factory=CoachSettings)
    pipeline: PipelineSettings = Field(default_factory=PipelineSettings)
    ui: UISettings = Field(default_factory=UISettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    operator: OperatorSettings = Field(default_factory=OperatorSettings)


def load_config(path: str | Path | None = None) -> AppConfig:
    """Validate ``path`` (default: the shipped ``config/default.yaml``)."""
    return load_model(Path(path) if path else DEFAULT_CONFIG, AppConfig)
