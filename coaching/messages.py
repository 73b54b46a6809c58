"""The message catalogue: every word the sitter reads, keyed by metric and direction.

Catalogues live in ``coaching/messages/<language>.yaml`` (a data folder beside this
module); English is complete and is the fallback for keys another language lacks.
A prompt key is ``<metric>.<variant>``, e.g. ``pitch_deg.down`` or
``roll_deg.straighten``; the amount word ("slightly", "a little", "a bit more")
follows the size of the fault in tolerance steps (:func:`amount_for`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from coaching.yamlconfig import ConfigError, load_model

CATALOGUE_DIR = Path(__file__).resolve().parent / "messages"

Size = Literal["small", "medium", "large"]
STATES = ("no_face", "multiple_faces", "calibrating", "adjusting", "hold", "captured")

#: Every prompt key the coach can ask for (English must have them all).
PROMPT_KEYS: dict[str, tuple[str, ...]] = {
    "head_height": ("closer", "back"),
    "face_center_x": ("left", "right"),
    "eye_line": ("up", "down"),
    "shoulder_turn_deg": ("left", "right", "straighten"),
    "shoulder_tilt_deg": ("left", "right", "straighten"),
    "yaw_deg": ("left", "right"),
    "pitch_deg": ("up", "down"),
    "roll_deg": ("left", "right", "straighten"),
    "smile": ("up", "down"),
    "mouth_closed": ("close", "open"),
    "teeth_visible": ("show", "hide"),
    "eyes_open": ("open",),
    "looking_at_camera": ("look",),
}

#: Fault size (in tolerance steps) at or above which the amount is medium / large.
MEDIUM_AT = 1.0
LARGE_AT = 2.5


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sized(_Strict):
    small: str = Field(..., min_length=1, max_length=120)
    medium: str = Field(..., min_length=1, max_length=120)
    large: str = Field(..., min_length=1, max_length=120)


class Amounts(_Strict):
    small: str = Field("slightly", max_length=40)
    medium: str = Field("a little", max_length=40)
    large: str = Field("a bit more", max_length=40)


class CatalogueFile(_Strict):
    """One ``<language>.yaml``."""

    language: str = Field(..., min_length=2, max_length=10)
    amounts: Amounts | None = None
    states: dict[str, str] = Field(default_factory=dict)
    prompts: dict[str, dict[str, str | Sized]] = Field(default_factory=dict)
    #: Said between the shots of a multi-shot preset, in turn (a gentle nudge to vary).
    next_shot: list[str] = Field(default_factory=list, max_length=20)


def amount_for(size: float) -> Size:
    """Fault size in tolerance steps -> small / medium / large."""
    if size >= LARGE_AT:
        return "large"
    if size >= MEDIUM_AT:
        return "medium"
    return "small"


class Catalogue:
    """Texts for states and prompts in one language (English fills any gap)."""

    def __init__(self, data: CatalogueFile, fallback: Catalogue | None = None) -> None:
        self.language = data.language
        self._amounts = data.amounts or (fallback._amounts if fallback else Amounts())
        self._states = {**(fallback._states if fallback else {}), **data.states}
        self._prompts: dict[str, str | Sized] = dict(fallback._prompts) if fallback else {}
        for metric, variants in data.prompts.items():
            for variant, text in variants.items():
                self._prompts[f"{metric}.{variant}"] = text
        self._next_shot = list(data.next_shot or (fallback._next_shot if fallback else []))

    def state(self, status: str) -> str:
        return self._states.get(status, status)

    def next_shot(self, taken: int) -> str:
        """The nudge after ``taken`` photos of a set (in turn; "" when there is none)."""
        if not self._next_shot:
            return ""
        return self._next_shot[(max(1, taken) - 1) % len(self._next_shot)]

    def has(self, key: str) -> bool:
        return key in self._prompts

    def prompt(self, key: str, size: float) -> str:
        """The text for ``metric.variant`` at this fault size (steps of tolerance)."""
        entry = self._prompts.get(key)
        if entry is None:
            return key
        band = amount_for(size)
        if isinstance(entry, Sized):
            return getattr(entry, band)
        return " ".join(entry.replace("{amount}", getattr(self._amounts, band)).split())

    def missing(self) -> list[str]:
        """Keys the coach may need that this catalogue (with its fallback) lacks."""
        out = [f"states.{s}" for s in STATES if s not in self._states]
        out += [f"prompts.{m}.{v}" for m, vs in PROMPT_KEYS.items() for v in vs
                if f"{m}.{v}" not in self._prompts]
        return out


#: More folders of catalogues (plugins' ``message_catalogues``); searched first.
_EXTRA_DIRS: list[Path] = []


def register_catalogue_dir(folder: Path) -> None:
    """Add a folder of ``<language>.yaml`` catalogues (a plugin's); it wins over the
    shipped folder for the languages it has."""
    if folder not in _EXTRA_DIRS:
        _EXTRA_DIRS.insert(0, folder)
        load_catalogue.cache_clear()


def _find(language: str) -> Path:
    for folder in (*_EXTRA_DIRS, CATALOGUE_DIR):
        path = folder / f"{language}.yaml"
        if path.exists():
            return path
    return CATALOGUE_DIR / f"{language}.yaml"


def _read(language: str) -> CatalogueFile:
    path = _find(language)
    if not path.exists():
        have = ", ".join(sorted({p.stem for d in (*_EXTRA_DIRS, CATALOGUE_DIR)
                                 for p in d.glob("*.yaml")}))
        raise ConfigError(path, f"no message catalogue for language '{language}' "
                                f"(have: {have})")
    return load_model(path, CatalogueFile, empty_ok=False)


@lru_cache(maxsize=8)
def load_catalogue(language: str = "en") -> Catalogue:
    """The catalogue for ``language``; raises ConfigError (one line) if it is broken."""
    english = Catalogue(_read("en"))
    if language == "en":
        return english
    return Catalogue(_read(language), fallback=english)
