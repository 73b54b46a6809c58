"""Speaking the coach's prompts aloud (``voice:``): what to say, in the guest's language.

The coach already paces its prompts (a fault must last before it shows, and a prompt
stays up long enough to read); the voice follows what is on screen, in the language the
guest picked, and between the shots of a set it says the "Photo 1 of 3 saved" line.
How it is said (once, repeats, tones, never in review) is :class:`kiosk.speaker.Speaker`.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from coaching.appdirs import user_cache_dir
from coaching.messages import load_catalogue
from kiosk.booth import Booth
from kiosk.config import VoiceSettings
from kiosk.screens.shots import saved_text
from kiosk.speaker import Speaker
from kiosk.states import State, StateMachine
from kiosk.view_model import coach_words, set_progress
from kiosk.voice import Engine, choose_engine, spoken_texts

#: SDL audio drivers that are no audio device (voice off unless ``voice.enabled``).
SILENT_DRIVERS = ("dummy", "disk")


def voice_wanted(settings: VoiceSettings) -> bool:
    """``voice.enabled``, or when it is null: is there an audio device at all?"""
    if settings.enabled is not None:
        return settings.enabled
    return os.environ.get("SDL_AUDIODRIVER", "").lower() not in SILENT_DRIVERS


class PromptVoice:
    """Says the coaching screen's line when it changes; quiet everywhere else."""

    def __init__(self, booth: Booth, settings: VoiceSettings | None = None,
                 cache_dir: Path | None = None) -> None:
        self.booth = booth
        s = settings or VoiceSettings(enabled=False)
        self.settings = s
        self.speaker = Speaker(self._engine, (cache_dir or user_cache_dir()) / "voice",
                               enabled=voice_wanted(s), volume=s.volume, repeat_s=s.repeat_s,
                               hold_tone=s.hold_tone)
        self._language = ""

    def _engine(self, language: str) -> Engine | None:
        s = self.settings
        return choose_engine(language, s.piper_model, s.rate, s.espeak_voice)

    def start(self, languages: list[str]) -> None:
        """Make every offered language's samples in the background (the default first)."""
        for lang in languages:
            self.speaker.prepare(lang, spoken_texts(load_catalogue(lang)))

    def tick(self, machine: StateMachine, now: float) -> None:
        language = machine.ctx.language or self.booth.cfg.coach.language
        if language != self._language:  # a guest picked another language: ready it
            self._language = language
            self.speaker.prepare(language, spoken_texts(load_catalogue(language)))
        coaching = machine.state is State.COACHING
        text, count = "", None
        res = self.booth.last_result
        if coaching and res is not None and res.state is not None:
            words = load_catalogue(language)
            text = coach_words(words, res.state)
            if res.state.status == "hold":
                count = max(1, math.ceil(3 * (1.0 - float(res.state.hold_progress))))
            progress = set_progress(self.booth, machine, now, words)
            if progress is not None and progress.saved:
                text, count = saved_text(words, progress), None
        self.speaker.tick(now, language, text, coaching=coaching, count=count)
