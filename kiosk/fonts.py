"""Which font draws which language, so that every glyph of the guest's language exists.

Latin languages draw with DejaVu Sans or Debian's Noto Sans (``fonts-noto-core``),
Japanese with Noto Sans CJK JP (``fonts-noto-cjk``), found through fontconfig by
``pygame.font.SysFont``; pygame's own font is the last fallback (it has Latin-1 only).
:func:`missing_glyphs` reads the chosen font file's character map (fontTools) so a test
or ``messages --check`` can tell a box on the screen before a guest sees one.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pygame
from fontTools.ttLib import TTFont

#: Latin, Greek and Cyrillic: the families tried in turn.
LATIN = "dejavusans,notosans,liberationsans,freesans,arial,helvetica,nimbussans"
#: Per language, where the Latin list will not do.
BY_LANGUAGE: dict[str, str] = {
    "ja": "notosanscjkjp,notosanscjk,notosansjp,droidsansfallback",
}

#: Characters of CJK scripts: a line may break between any two of them.
CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
#: Characters a Japanese line must not start with (kinsoku): they stay with the one before.
NO_LINE_START = frozenset("、。，．！？）」』〕】ー…・：；ぁぃぅぇぉっゃゅょァィゥェォッャュョ")


def families(language: str) -> str:
    """The SysFont family list for ``language`` (language tags like ``pt-BR`` too)."""
    return BY_LANGUAGE.get(language.split("-")[0].lower(), LATIN)


@lru_cache(maxsize=32)
def font_file(language: str, bold: bool = True) -> Path | None:
    """The font file pygame will draw ``language`` with (None: pygame's own font)."""
    for name in families(language).split(","):
        path = pygame.font.match_font(name, bold=bold)
        if path:
            return Path(path)
    return None


@lru_cache(maxsize=32)
def _charmap(path: Path | None) -> frozenset[int]:
    if path is None:  # pygame's freesansbold: Latin-1 and a little more
        return frozenset(range(0x20, 0x7F)) | frozenset(range(0xA0, 0x100))
    font = TTFont(str(path), fontNumber=0, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


def missing_glyphs(text: str, language: str, bold: bool = True) -> str:
    """The characters of ``text`` that ``language``'s font cannot draw (spaces aside)."""
    cmap = _charmap(font_file(language, bold))
    return "".join(sorted({c for c in text if not c.isspace() and ord(c) not in cmap}))


def tokens(paragraph: str) -> list[tuple[str, bool]]:
    """``paragraph`` cut where a line may break: (piece, space before it). Latin text
    breaks at spaces; CJK text between any two characters, except before the
    punctuation that may not start a line."""
    out: list[tuple[str, bool]] = []
    for word in paragraph.split():
        if not CJK.search(word):
            out.append((word, True))
            continue
        for i, piece in enumerate(re.findall(r"[^\s\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]+|.",
                                             word)):
            if i and piece[0] in NO_LINE_START:
                out[-1] = (out[-1][0] + piece, out[-1][1])
            else:
                out.append((piece, i == 0))
    return out
