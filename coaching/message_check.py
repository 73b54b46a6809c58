"""Checks a message catalogue against English, for translators (``headshot-kiosk
messages --check``): missing and extra keys, placeholders that differ, a missing header.

Each finding names the file and line (the key's own line, or the section a missing key
belongs in), so an editor can jump to it. How long a text may be is the kiosk's
business (fonts and boxes): :mod:`kiosk.text_fit` adds those findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coaching.messages import (
    catalogue_path,
    flat_texts,
    placeholders,
    read_catalogue_file,
)
from coaching.yamlconfig import line_of, read_yaml

#: Keys whose count may differ between languages (a list of nudges).
_LISTS = ("next_shot.",)


@dataclass(frozen=True)
class Finding:
    """One problem in one catalogue, printed as ``file:line: key: problem``."""

    path: Path
    line: int | None
    key: str
    problem: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.key}: {self.problem}"


def header(path: Path) -> list[str]:
    """The comment lines at the top of a catalogue (where its form of address is)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        out.append(line.lstrip("# ").rstrip())
    return [t for t in out if t]


def check_language(language: str) -> list[Finding]:
    """Everything wrong with ``language``'s catalogue compared with English."""
    texts = flat_texts(read_catalogue_file(language))  # a missing or broken file: one line
    path = catalogue_path(language)
    data = read_yaml(path)
    english = flat_texts(read_catalogue_file("en"))
    out: list[Finding] = []

    def add(key: str, problem: str) -> None:
        out.append(Finding(path, line_of(data, tuple(_loc(key))), key, problem))

    if getattr(data, "get", lambda _k: None)("language") != language:
        add("language", f"should be '{language}' (the file's name)")
    if language != "en" and not header(path):
        add("header", "no header comment: say which form of address the texts use")
    for key, text in english.items():
        if key.startswith(_LISTS):
            continue
        if key not in texts:
            add(key, f"missing (English: {text!r})")
        elif placeholders(texts[key]) != placeholders(text):
            want = ", ".join(f"{{{p}}}" for p in sorted(placeholders(text))) or "none"
            add(key, f"placeholders differ from English (want {want})")
    for key in texts:
        if key not in english and not key.startswith(_LISTS):
            add(key, "not in English (a typo, or a key the kiosk no longer uses)")
    if not any(k.startswith("next_shot.") for k in texts):
        add("next_shot", "missing (English has a list of nudges between shots)")
    return out


def _loc(key: str) -> list[object]:
    """``prompts.pitch_deg.up.small`` / ``next_shot.1`` -> the YAML path."""
    return [int(p) if p.isdigit() else p for p in key.split(".")]
