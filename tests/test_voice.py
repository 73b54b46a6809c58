"""Spoken prompts: every shipped language's samples are made by espeak-ng ahead of time
and cached by voice and text; each is real speech of a plausible length; the speaker
says a line once, repeats it no more often than ``repeat_s``, never cuts it off by
itself, is quiet outside coaching and gives the hold count soft tones. The mixer is
pygame's own on SDL's dummy audio driver (a real mixer without a sound card)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pygame
import pytest

from coaching.messages import load_catalogue, shipped_languages
from kiosk.speaker import Speaker, tone_samples
from kiosk.voice import ESPEAK_VOICES, Espeak, VoiceCache, choose_engine, read_wav, spoken_texts

SPOKEN = [lang for lang in shipped_languages() if ESPEAK_VOICES.get(lang)]
#: Seconds of speech per character of text: espeak-ng at 150 words a minute says
#: 0.06-0.17 s a character in these languages (measured); far outside = not the text.
PER_CHAR = (0.03, 0.35)


def _sample_texts(language: str) -> list[str]:
    """The states, the longest and the shortest prompt: a spread of lengths, quickly."""
    texts = spoken_texts(load_catalogue(language))
    prompts = texts[6:-10]
    return [*texts[:6], min(prompts, key=len), max(prompts, key=len)]


@pytest.mark.parametrize("language", SPOKEN)
def test_each_languages_cache_builds_with_real_speech_of_plausible_length(
        language: str, tmp_path: Path) -> None:
    engine = choose_engine(language)
    assert isinstance(engine, Espeak) and engine.voice == ESPEAK_VOICES[language]
    cache = VoiceCache(engine, tmp_path)
    texts = _sample_texts(language)
    cache.build(texts, background=False)
    assert cache.failed == []
    for text in texts:
        pcm, rate = read_wav(cache.get(text))
        seconds = len(pcm) / rate
        assert PER_CHAR[0] * len(text) < seconds < PER_CHAR[1] * len(text) + 0.5, (text, seconds)
        loud = np.abs(pcm.astype(np.int32))
        assert loud.max() > 3000 and (loud > 500).mean() > 0.2, text  # speech, not silence


@pytest.mark.slow
@pytest.mark.parametrize("language", SPOKEN)
def test_the_whole_cache_of_each_language_builds(language: str, tmp_path: Path) -> None:
    cache = VoiceCache(choose_engine(language), tmp_path)
    texts = spoken_texts(load_catalogue(language))
    cache.build(texts)
    assert cache.wait(600) and cache.failed == []
    assert all(cache.get(t) is not None for t in texts)


def test_samples_are_keyed_by_voice_and_text_and_reused(tmp_path: Path) -> None:
    text = load_catalogue("en").state("hold")
    a, b = VoiceCache(Espeak("en-gb"), tmp_path), VoiceCache(Espeak("en-gb", rate=180), tmp_path)
    assert a.path(text) != b.path(text) and a.path(text) != a.path(text + "!")
    made = a.make(text)
    stamp = made.stat().st_mtime_ns
    assert VoiceCache(Espeak("en-gb"), tmp_path).make(text) == made
    assert made.stat().st_mtime_ns == stamp  # the second booth start synthesises nothing


def test_a_language_espeak_cannot_speak_stays_on_screen_only(tmp_path: Path) -> None:
    assert choose_engine("ja") is None  # its Japanese reads kanji out as "Chinese letter"
    sp = Speaker(choose_engine, tmp_path)
    sp.tick(0.0, "ja", "レンズを見てください", coaching=True)
    assert sp.cache("ja") is None and not sp.playing


def test_pacing_once_repeat_never_self_cut_quiet_outside_coaching_tones_for_the_count(
        tmp_path: Path) -> None:
    en = load_catalogue("en")
    first, second = en.prompt("pitch_deg.up", 1.5), en.state("adjusting")
    sp = Speaker(choose_engine, tmp_path, repeat_s=6.0)
    assert sp.audio  # the dummy driver's mixer
    sp.cache("en").build([first, second], background=False)
    sp.tick(0.0, "en", first, coaching=True)
    assert sp.playing == first and sp._voice.get_busy() and sp.said_at == 0.0
    sound = sp._voice.get_sound()
    sp.tick(1.0, "en", first, coaching=True)  # still current: not again yet
    assert sp.said_at == 0.0 and sp._voice.get_sound() is sound
    sp.tick(7.0, "en", first, coaching=True)  # due for a repeat, but never over itself
    if sp._voice.get_busy():
        assert sp.said_at == 0.0
    sp.tick(7.5, "en", second, coaching=True)  # a new line follows the screen at once
    assert sp.playing == second and sp.said_at == 7.5
    sp.tick(8.0, "en", second, coaching=False)  # review / done: quiet
    assert not sp._voice.get_busy() and sp.playing == ""
    sp.tick(9.0, "en", en.state("hold"), coaching=True, count=3)
    assert pygame.mixer.get_busy() and not sp.playing  # a tone, not words
    assert sp.change_volume(+1) == pytest.approx(0.9) and sp.change_volume(-5) == pytest.approx(0.4)
    assert sp.toggle() is False and not sp._voice.get_busy()
    sp.tick(10.0, "en", first, coaching=True)
    assert not sp.playing  # the operator turned it off


def test_the_hold_tone_is_soft_and_smooth() -> None:
    t = tone_samples()
    assert t.dtype == np.int16 and 0.05 < len(t) / 44100 < 0.2
    assert np.abs(t).max() < 0.3 * 32767 and abs(int(t[0])) < 200 and abs(int(t[-1])) < 200
