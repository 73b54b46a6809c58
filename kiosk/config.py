"""The app config: one typed model per YAML section, unknown keys rejected.

``load_config(path)`` reads ``config/default.yaml`` when no path is given and
raises :class:`coaching.yamlconfig.ConfigError` (one line: file, line, key,
reason) for anything wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from camera.settings import CameraSettings
from coaching.settings import AnalysisSettings, CoachSettings, PipelineSettings
from coaching.yamlconfig import ConfigError, load_model
from delivery.handoff_settings import HandoffSettings, MirrorSettings, PrintSettings
from kiosk.operator import PinError, parse_hash
from kiosk.paths import DEFAULT_CONFIG

__all__ = ["AppConfig", "ConfigError", "load_config"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class UISettings(_Section):
    """The screen (``ui:``)."""

    fullscreen: bool = Field(True, description="fullscreen; --windowed overrides")
    idle_timeout_s: float = Field(60, ge=5, le=3600, description="back to welcome when idle")
    window_size: tuple[Annotated[int, Field(ge=320, le=8192)],
                       Annotated[int, Field(ge=240, le=8192)]] = Field(
        (1280, 720), description="width, height of the --windowed window (pixels)")
    fps: int = Field(30, ge=10, le=120, description="screen refresh cap while running")
    mirror_preview: bool = Field(True, description="show the live preview like a mirror")
    still_aspect: float | None = Field(
        None, gt=0.2, le=5, description="crop the preview to this width/height (the still's "
                                        "shape); null = the camera frame's own shape")
    show_cursor: bool = Field(False, description="show the mouse pointer in fullscreen")
    done_s: float = Field(12, ge=2, le=300, description="the done screen returns to welcome")
    failsafe_s: float = Field(4, ge=1, le=120, description="failsafe screen shows this long")
    capture_timeout_s: float = Field(
        20, ge=2, le=120, description="give up on a still that has not arrived (sitter retries)")
    long_press_s: float = Field(
        3.0, ge=1, le=15, description="long press in the top-right corner opens operator mode")
    shutter_sound: bool = Field(True, description="play a synthesized shutter sound")
    button: bool = Field(
        False, description="the booth has a physical button (a USB button or presenter "
                           "sending Space/Enter/B/PageDown): the welcome screen then says "
                           "'or press the button'")
    staffed: bool = Field(
        True, description="someone looks after the booth: the done screen asks the guest to "
                          "show their code to a member of staff; false = self-service, no "
                          "such line")
    theme: Literal["standard", "large_contrast"] = Field(
        "standard", description="large_contrast: larger text, black and white, opaque panels "
                                "(the operator overlay's Large text button switches it)")
    languages: list[Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]] = Field(
        default_factory=list, max_length=12,
        description="languages the welcome screen offers (catalogue codes, e.g. [de, fr, ja]); "
                    "coach.language comes first; [] = no picker")


class VoiceSettings(_Section):
    """Spoken prompts (``voice:``), made ahead of time and played through the mixer."""

    enabled: bool | None = Field(
        None, description="speak the prompts; null = on when there is an audio device (not "
                          "SDL's dummy driver) and a voice for the language")
    piper_model: Path | None = Field(
        None, description="a Piper voice (.onnx, its .onnx.json beside it) for a natural "
                          "voice; needs the 'piper' program (pip install piper-tts); "
                          "null = espeak-ng")
    espeak_voice: str | None = Field(
        None, min_length=1, max_length=40,
        description="espeak-ng voice; null = the guest's language's (en-gb, de, fr-fr ...)")
    rate: int = Field(150, ge=80, le=400, description="espeak-ng speed, words a minute")
    volume: float = Field(0.8, ge=0, le=1, description="start volume (the +/- keys change it)")
    repeat_s: float = Field(
        6.0, ge=2, le=120, description="a prompt still on screen is said again at most this often")
    hold_tone: bool = Field(True, description="a soft tone for each number of the hold count")


class StorageSettings(_Section):
    """Where photos go (``storage:``)."""

    out_dir: Path | None = Field(None, description="output folder; default: per-user data dir")
    delete_unkept: bool = Field(
        False, description="privacy: when a session ends, delete the photos the sitter did not "
                           "keep (kept photos are never touched by this)")
    delete_after_hours: float | None = Field(
        None, gt=0, le=24 * 365, description="privacy: delete photos older than this many hours "
                                             "(which ones: delete_after_scope); null = never")
    delete_after_scope: Literal["all", "unkept"] = Field(
        "all", description="what delete_after_hours deletes: all photos, kept ones included, "
                           "or only those not kept")
    retention_sweep_min: float = Field(
        10, ge=1, le=1440, description="how often (minutes) the deletion rules are applied "
                                       "while running; also once at start")
    log_dir: Path | None = Field(None, description="folder of kiosk.log; null = OUT/logs")
    log_max_mb: float = Field(2, ge=0.1, le=1000, description="rotate kiosk.log at this size")
    log_backups: int = Field(5, ge=1, le=100, description="rotated log files kept")


class OperatorSettings(_Section):
    """Operator mode (``operator:``)."""

    pin_hash: str | None = Field(
        None, description="operator PIN as a salted hash from 'headshot-kiosk set-pin' "
                          "(never the PIN itself); null = operator mode only when windowed")

    @field_validator("pin_hash")
    @classmethod
    def _is_hash(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            parse_hash(v)
        except PinError as exc:
            raise ValueError(str(exc)) from None
        return v.strip()


class PluginsSettings(BaseModel):
    """Plugins (``plugins:``): which run, and each one's settings under its name."""

    model_config = ConfigDict(extra="allow", validate_assignment=True)

    load: list[Annotated[str, Field(pattern=r"^[A-Za-z_][\w.]*(:[A-Za-z_][\w.]*)?$")]] = Field(
        default_factory=list, description="more plugins by import path, 'module:Class' "
                                          "(installed plugins are found by themselves)")
    disable: list[str] = Field(default_factory=list,
                               description="plugin names not to run (built-in or installed)")
    hook_timeout_s: float = Field(
        20, ge=0.5, le=600, description="a plugin hook running longer than this is taken as "
                                        "hung: the plugin is switched off for the day")

    def sections(self) -> dict[str, dict]:
        """``plugins.<name>`` sections: each plugin's own settings (validated by it)."""
        return dict(self.model_extra or {})

    @field_validator("disable")
    @classmethod
    def _names(cls, v: list[str]) -> list[str]:
        return [n.strip() for n in v]

    @model_validator(mode="after")
    def _sections_are_mappings(self) -> PluginsSettings:
        for name, section in (self.model_extra or {}).items():
            if not isinstance(section, dict):
                raise ValueError(f"plugins.{name} must be a mapping of the plugin's settings")
        return self


class AppConfig(_Section):
    """The whole file."""

    camera: CameraSettings = Field(default_factory=CameraSettings)
    analysis: AnalysisSettings = Field(default_factory=AnalysisSettings)
    coach: CoachSettings = Field(default_factory=CoachSettings)
    pipeline: PipelineSettings = Field(default_factory=PipelineSettings)
    ui: UISettings = Field(default_factory=UISettings)
    voice: VoiceSettings = Field(default_factory=VoiceSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    operator: OperatorSettings = Field(default_factory=OperatorSettings)
    plugins: PluginsSettings = Field(default_factory=PluginsSettings)
    handoff: HandoffSettings = Field(default_factory=HandoffSettings)
    printing: PrintSettings = Field(default_factory=PrintSettings)
    mirror: MirrorSettings = Field(default_factory=MirrorSettings)
    #: the file this config was read from (plugin settings errors point into it)
    _source: Path | None = PrivateAttr(default=None)

    @property
    def source_path(self) -> Path | None:
        return self._source


def load_config(path: str | Path | None = None) -> AppConfig:
    """Validate ``path`` (default: the shipped ``config/default.yaml``)."""
    source = Path(path) if path else DEFAULT_CONFIG
    cfg = load_model(source, AppConfig)
    cfg._source = source
    return cfg
