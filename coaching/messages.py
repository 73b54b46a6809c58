"""The message catalogue: every word a guest reads, keyed by metric and direction or
by screen.

Catalogues live in ``coaching/messages/<language>.yaml`` (a data folder beside this
module); English is complete and is the reference every other language is checked
against (a plugin's partial catalogue falls back to English; the shipped ones are
complete, which tests check). A prompt key is ``<metric>.<variant>``, e.g.
``pitch_deg.down`` or ``roll_deg.straighten``; the amount word ("slightly", "a little",
"a bit more") follows the size of the fault in tolerance steps (:func:`amount_for`).
The screens' words are ``ui.<screen>.<name>`` with ``{placeholders}``; the review's
phrases are ``summary.<name>``; the use cards ``cards.<preset>.title|line``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from coaching.yamlconfig import ConfigError, load_model

CATALOGUE_DIR = Path(__file__).resolve().parent / "messages"

Size = Literal["small", "medium", "large"]
STATES = ("no_face", "multiple_faces", "calibrating", "adjusting", "hold", "captured",
          "quality_wait")

#: Every prompt key the coach can ask for (English must have them all).
PROMPT_KEYS: dict[str, tuple[str, ...]] = {
    "head_height": ("closer", "back"),
    "face_center_x": ("left", "right"),
    "eye_line": ("up", "down"),
    "shoulder_turn_deg": ("left", "right", "straighten"),
    "shoulder_tilt_deg": ("left", "right", "straighten"),
    "yaw_deg": ("left", "right", "face"),
    "pitch_deg": ("up", "down"),
    "roll_deg": ("left", "right", "straighten"),
    "smile": ("up", "down"),
    "mouth_closed": ("close", "open"),
    "teeth_visible": ("show", "hide"),
    "eyes_open": ("open", "closed"),
    "looking_at_camera": ("look",),
    "presence": ("turn", "closer", "light"),  # someone there, no face measured
    # light and quality checks the sitter can fix (coaching/quality_gate.py)
    "quality": ("glasses", "glare", "tinted_lenses", "sharpness", "steadiness",
                "background_shadow", "wardrobe_contrast", "wardrobe_pattern"),
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


class Card(_Strict):
    """A use card on the choose screen."""

    title: str = Field(..., min_length=1, max_length=60)
    line: str = Field(..., min_length=1, max_length=160)


class CatalogueFile(_Strict):
    """One ``<language>.yaml``."""

    language: str = Field(..., min_length=2, max_length=10)
    #: The language's own name ("Deutsch", "日本語"): its button in the language picker.
    name: str = Field("", max_length=40)
    amounts: Amounts | None = None
    states: dict[str, str] = Field(default_factory=dict)
    prompts: dict[str, dict[str, str | Sized]] = Field(default_factory=dict)
    #: Said between the shots of a multi-shot preset, in turn (a gentle nudge to vary).
    next_shot: list[str] = Field(default_factory=list, max_length=20)
    #: The screens' words: ``ui.<screen>.<name>``.
    ui: dict[str, dict[str, str]] = Field(default_factory=dict)
    #: The review's "what went well" phrases.
    summary: dict[str, str] = Field(default_factory=dict)
    #: The use cards, by preset name.
    cards: dict[str, Card] = Field(default_factory=dict)


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def placeholders(text: str) -> set[str]:
    """The ``{name}`` placeholders in ``text``."""
    return set(_PLACEHOLDER.findall(text))


def fill(text: str, values: dict[str, object]) -> str:
    """``text`` with each known ``{name}`` replaced (unknown ones are left as they are)."""
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


def flat_texts(data: CatalogueFile) -> dict[str, str]:
    """Every text of one file by its full key (``prompts.pitch_deg.up.small``,
    ``ui.done.title``, ``next_shot.0`` ...): what translators and tests compare."""
    out: dict[str, str] = {"name": data.name} if data.name else {}
    if data.amounts is not None:
        out.update({f"amounts.{k}": v for k, v in data.amounts.model_dump().items()})
    out.update({f"states.{k}": v for k, v in data.states.items()})
    for metric, variants in data.prompts.items():
        for variant, text in variants.items():
            if isinstance(text, Sized):
                out.update({f"prompts.{metric}.{variant}.{k}": v
                            for k, v in text.model_dump().items()})
            else:
                out[f"prompts.{metric}.{variant}"] = text
    out.update({f"next_shot.{i}": t for i, t in enumerate(data.next_shot)})
    for group, texts in data.ui.items():
        out.update({f"ui.{group}.{k}": v for k, v in texts.items()})
    out.update({f"summary.{k}": v for k, v in data.summary.items()})
    for name, card in data.cards.items():
        out.update({f"cards.{name}.title": card.title, f"cards.{name}.line": card.line})
    return out


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
        self.name = data.name or data.language
        self._amounts = data.amounts or (fallback._amounts if fallback else Amounts())
        self._states = {**(fallback._states if fallback else {}), **data.states}
        self._prompts: dict[str, str | Sized] = dict(fallback._prompts) if fallback else {}
        for metric, variants in data.prompts.items():
            for variant, text in variants.items():
                self._prompts[f"{metric}.{variant}"] = text
        self._next_shot = list(data.next_shot or (fallback._next_shot if fallback else []))
        self._ui = dict(fallback._ui) if fallback else {}
        for group, texts in data.ui.items():
            self._ui.update({f"{group}.{k}": v for k, v in texts.items()})
        self._summary = {**(fallback._summary if fallback else {}), **data.summary}
        self._cards = {**(fallback._cards if fallback else {}), **data.cards}

    def ui(self, key: str, **values: object) -> str:
        """The screen text ``<screen>.<name>`` with its placeholders filled. A text that
        is not a key (a plugin's own words) comes back as it is."""
        text = self._ui.get(key)
        return key if text is None else fill(text, values)

    def has_ui(self, key: str) -> bool:
        return key in self._ui

    def summary(self, key: str) -> str:
        return self._summary.get(key, key)

    def card(self, preset: str) -> Card | None:
        """The use card for ``preset`` (None: the preset's own title and description)."""
        return self._cards.get(preset)

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


def shipped_languages() -> list[str]:
    """The languages shipped with the kiosk (a catalogue file each, English first)."""
    names = sorted(p.stem for p in CATALOGUE_DIR.glob("*.yaml"))
    return sorted(names, key=lambda n: n != "en")


def catalogue_path(language: str) -> Path:
    """Where ``language``'s catalogue is read from (a plugin's folder wins)."""
    return _find(language)


def _find(language: str) -> Path:
    for folder in (*_EXTRA_DIRS, CATALOGUE_DIR):
        path = folder / f"{language}.yaml"
        if path.exists():
            return path
    return CATALOGUE_DIR / f"{language}.yaml"


def read_catalogue_file(language: str) -> CatalogueFile:
    """One language's file as written (no fallback), e.g. for checking it is complete."""
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
    english = Catalogue(read_catalogue_file("en"))
    if language == "en":
        return english
    return Catalogue(read_catalogue_file(language), fallback=english)
