"""The shipped catalogues are complete, idiomatic where a test can tell, and self-standing:
every key of English in every language, no English fallback, placeholders as English's,
the sitter's own left and right, the amount placed by each language's grammar, and a
header that states the form of address. ``messages --check`` finds each fault with its
file and line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from coaching.message_check import check_language, header
from coaching.messages import (
    CATALOGUE_DIR,
    PROMPT_KEYS,
    flat_texts,
    load_catalogue,
    read_catalogue_file,
    register_catalogue_dir,
    shipped_languages,
)
from coaching.presets import load_presets
from kiosk.text_fit import fit_findings

SHIPPED = ("en", "de", "fr", "es", "it", "pt", "nl", "ja")
#: Each language's words for (left, right) as in "your left", and its form of address.
SIDES = {"en": ("left", "right"), "de": ("link", "recht"), "fr": ("gauche", "droit"),
         "es": ("izquierd", "derech"), "it": ("sinistr", "destr"), "pt": ("esquerd", "direit"),
         "nl": ("link", "recht"), "ja": ("左", "右")}
ADDRESS = {"en": "you", "de": "Sie", "fr": "vous", "es": "usted", "it": "Lei", "pt": "você",
           "nl": "u", "ja": "丁寧語"}


def test_the_shipped_languages_are_the_catalogue_files() -> None:
    assert sorted(shipped_languages()) == sorted(SHIPPED) and shipped_languages()[0] == "en"


@pytest.mark.parametrize("language", SHIPPED)
def test_every_key_in_every_language_without_english_fallback(language: str) -> None:
    """The file alone (no fallback) has exactly English's keys and placeholders."""
    assert check_language(language) == []
    own = load_catalogue(language)
    assert own.missing() == []
    texts = flat_texts(read_catalogue_file(language))
    english = flat_texts(read_catalogue_file("en"))
    if language != "en":  # translated, not copied: brand names may stay
        same = [k for k, t in texts.items() if english.get(k) == t]
        assert len(same) <= 2, same


def test_every_shipped_preset_has_a_use_card_in_every_language() -> None:
    names = set(load_presets())
    for language in SHIPPED:
        assert names <= set(read_catalogue_file(language).cards), language


@pytest.mark.parametrize("language", SHIPPED)
def test_the_header_states_the_form_of_address(language: str) -> None:
    lines = header(CATALOGUE_DIR / f"{language}.yaml")
    assert any(re.search(rf"(?<!\w){re.escape(ADDRESS[language])}(?!\w)", t) for t in lines), \
        lines


@pytest.mark.parametrize("language", SHIPPED)
def test_left_and_right_are_the_sitters_own(language: str) -> None:
    """"left" prompts say the language's left, "right" ones its right; the shoulder to
    lower for a tilt to the left is the right one (as in English)."""
    words = load_catalogue(language)
    left, right = SIDES[language]
    for metric in ("face_center_x", "yaw_deg", "shoulder_turn_deg", "roll_deg"):
        lt, rt = words.prompt(f"{metric}.left", 1.5), words.prompt(f"{metric}.right", 1.5)
        assert left in lt.lower() and right not in lt.lower(), lt
        assert right in rt.lower() and left not in rt.lower(), rt
    tilt = words.prompt("shoulder_tilt_deg.left", 1.5).lower()
    assert right in tilt and left not in tilt, tilt


@pytest.mark.parametrize("language", SHIPPED)
def test_the_amount_grows_with_the_fault(language: str) -> None:
    """Every prompt reads differently for a small, medium and large fault (where English
    does), with no placeholder left over."""
    words, english = load_catalogue(language), load_catalogue("en")
    for metric, variants in PROMPT_KEYS.items():
        for v in variants:
            key = f"{metric}.{v}"
            texts = [words.prompt(key, s) for s in (0.5, 1.5, 3.0)]
            en = [english.prompt(key, s) for s in (0.5, 1.5, 3.0)]
            assert len(set(texts)) == len(set(en)), (key, texts)
            assert not any("{" in t or "  " in t for t in texts), texts


def test_check_names_missing_extra_and_placeholder_faults_with_file_and_line(
        tmp_path: Path) -> None:
    text = (CATALOGUE_DIR / "de.yaml").read_text(encoding="utf-8")
    text = text.replace("    finish: Fertig\n", "    finsh: Fertig\n")
    text = text.replace("Foto {number} von {total}\n", "Foto {nummer} von {total}\n")
    (tmp_path / "de.yaml").write_text(text, encoding="utf-8")
    register_catalogue_dir(tmp_path)
    try:
        found = [str(f) for f in check_language("de")]
    finally:
        from coaching import messages

        messages._EXTRA_DIRS.remove(tmp_path)
        messages.load_catalogue.cache_clear()
    lines = text.splitlines()
    by_key = {f.split(": ")[1]: f for f in found}
    assert set(by_key) == {"ui.done.finish", "ui.done.finsh", "ui.set.counter"}, found
    for key, needle in (("ui.done.finsh", "finsh:"), ("ui.set.counter", "{nummer}")):
        line = next(i for i, t in enumerate(lines, 1) if needle in t)
        assert by_key[key].startswith(f"{tmp_path / 'de.yaml'}:{line}: "), by_key[key]
    assert "missing" in by_key["ui.done.finish"] and "{number}" in by_key["ui.set.counter"]


def test_a_plugin_catalogue_without_a_header_is_told_so(tmp_path: Path) -> None:
    shutil.copy(CATALOGUE_DIR / "fr.yaml", tmp_path / "xx.yaml")
    body = (tmp_path / "xx.yaml").read_text(encoding="utf-8").split("language: fr", 1)[1]
    (tmp_path / "xx.yaml").write_text("language: xx" + body, encoding="utf-8")
    register_catalogue_dir(tmp_path)
    try:
        found = [str(f) for f in check_language("xx")]
    finally:
        from coaching import messages

        messages._EXTRA_DIRS.remove(tmp_path)
        messages.load_catalogue.cache_clear()
    assert [f.split(": ")[1] for f in found] == ["header"], found


@pytest.mark.parametrize("language", SHIPPED)
def test_every_text_fits_its_box_with_every_glyph_at_720p_and_1080p(language: str) -> None:
    """Every screen drawn for real in each language at 1280x720 and 1920x1080: no text
    off the screen, wider than its box, shrunk past legibility or missing a glyph."""
    assert [str(f) for f in fit_findings(language)] == []


def test_the_fit_check_finds_a_long_text_and_a_missing_glyph(tmp_path: Path) -> None:
    text = (CATALOGUE_DIR / "en.yaml").read_text(encoding="utf-8").replace("language: en",
                                                                          "language: xx")
    text = text.replace("    finish: Finish\n",
                        "    finish: Finish this session and go back to the very beginning\n")
    text = text.replace("    keep: Keep it\n", "    keep: 保存\n")
    (tmp_path / "xx.yaml").write_text(text, encoding="utf-8")
    register_catalogue_dir(tmp_path)
    try:
        found = {f.key: f for f in fit_findings("xx")}
    finally:
        from coaching import messages

        messages._EXTRA_DIRS.remove(tmp_path)
        messages.load_catalogue.cache_clear()
    assert set(found) == {"ui.done.finish", "ui.review.keep"}, found
    assert "say it shorter" in found["ui.done.finish"].problem
    assert "no glyph for '保存'" in found["ui.review.keep"].problem
    line = text.splitlines().index("    keep: 保存") + 1
    assert found["ui.review.keep"].line == line
