"""Saying the coach's line the way a photographer does, from the pre-made samples of
:mod:`kiosk.voice`, through pygame's mixer.

Pacing: a line is said once when it becomes current; while it stays current it is said
again no more often than ``voice.repeat_s``; a line is never cut off by itself (a new
line may cut the old one, so the voice follows the screen); nothing is said outside
coaching (review and done are the guest's own time); the hold count gets a soft tone
per number instead of words. Every method is safe without an audio device.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pygame

from coaching.quiet import native_stderr_silenced
from kiosk.voice import Engine, VoiceCache

log = logging.getLogger(__name__)

RATE = 44100
VOLUME_STEP = 0.1


def tone_samples(rate: int = RATE, freq: float = 660.0, seconds: float = 0.09,
                 level: float = 0.25) -> np.ndarray:
    """A soft sine blip with a smooth rise and fall (the hold count), mono int16."""
    t = np.arange(int(rate * seconds)) / rate
    env = np.sin(np.pi * t / seconds) ** 2
    return (np.sin(2 * np.pi * freq * t) * env * level * 32767).astype(np.int16)


def init_mixer() -> bool:
    """Open pygame's mixer if it is not open; False when there is no audio device."""
    try:
        with native_stderr_silenced():  # ALSA prints to fd 2 when there is no card
            if not pygame.mixer.get_init():
                pygame.mixer.init(frequency=RATE, size=-16, channels=2)
        return True
    except Exception as exc:  # noqa: BLE001 - no audio device is normal on a PC
        log.info("no audio: %s", exc)
        return False


def _sound(pcm: np.ndarray, rate: int) -> pygame.mixer.Sound:
    """A mono int16 sample as a Sound in the mixer's own rate and channel count."""
    freq, _fmt, channels = pygame.mixer.get_init()
    if rate != freq:  # linear resampling: speech does not need better
        n = max(1, int(len(pcm) * freq / rate))
        pcm = np.interp(np.linspace(0, len(pcm) - 1, n), np.arange(len(pcm)),
                        pcm).astype(np.int16)
    arr = pcm if channels == 1 else np.repeat(pcm[:, None], channels, axis=1)
    return pygame.sndarray.make_sound(np.ascontiguousarray(arr))


class Speaker:
    """One voice channel and one tone channel; :meth:`tick` once a frame."""

    def __init__(self, engine_for: Callable[[str], Engine | None], cache_dir: Path, *,
                 enabled: bool = True, volume: float = 0.8, repeat_s: float = 6.0,
                 hold_tone: bool = True) -> None:
        self.engine_for = engine_for
        self.cache_dir = cache_dir
        self.enabled = enabled
        self.volume = volume
        self.repeat_s = repeat_s
        self.hold_tone = hold_tone
        self.audio = init_mixer() if enabled else False
        self._caches: dict[str, VoiceCache | None] = {}
        self._sounds: dict[Path, pygame.mixer.Sound] = {}
        self._voice: pygame.mixer.Channel | None = None
        self._tone: pygame.mixer.Sound | None = None
        self.current = ""  # the line the screen shows
        self.playing = ""  # the line last started
        self.said_at = -1e9
        self.started_at: float | None = None  # when the current line's sample started
        self._count: int | None = None
        if self.audio:
            self._voice = pygame.mixer.Channel(0)
            pygame.mixer.set_reserved(2)
            self._tone = _sound(tone_samples(), RATE)

    # -- the operator and the guest --------------------------------------------------
    def toggle(self) -> bool:
        self.enabled = not self.enabled
        if self.enabled and not self.audio:
            self.audio = init_mixer()
            if self.audio:
                self._voice = pygame.mixer.Channel(0)
                self._tone = _sound(tone_samples(), RATE)
        if not self.enabled:
            self.stop()
        return self.enabled

    def change_volume(self, step: int) -> float:
        """``step`` +1 / -1: a tenth louder or softer (0 is silent, 1 the loudest)."""
        self.volume = float(min(1.0, max(0.0, self.volume + step * VOLUME_STEP)))
        if self._voice is not None:
            self._voice.set_volume(self.volume)
        return self.volume

    # -- samples ---------------------------------------------------------------------
    def cache(self, language: str) -> VoiceCache | None:
        """The sample cache of ``language`` (None: no engine speaks it)."""
        if language not in self._caches:
            engine = self.engine_for(language)
            self._caches[language] = (VoiceCache(engine, self.cache_dir)
                                      if engine is not None else None)
            if engine is None:
                log.warning("voice: no engine speaks '%s'; prompts stay on screen only",
                            language)
        return self._caches[language]

    def prepare(self, language: str, texts: list[str]) -> None:
        """Make ``language``'s samples in the background (at start, and when a guest
        picks another language)."""
        if self.enabled:
            c = self.cache(language)
            if c is not None:
                c.build(texts)

    # -- once a frame ------------------------------------------------------------------
    def tick(self, now: float, language: str, text: str, *, coaching: bool,
             count: int | None = None) -> None:
        """``text``: the line on screen; ``coaching`` False (review, done, ...) = quiet;
        ``count``: the hold countdown's number (a tone when it changes)."""
        if not (self.enabled and self.audio):
            return
        if not coaching:
            self.stop()
            return
        if count is not None and count != self._count and self.hold_tone and self._tone:
            self._tone.play()
        self._count = count
        if count is not None:  # holding still: the tones speak, not the voice
            return
        if text != self.current:
            self.current, self.said_at = text, -1e9
        if not text or now - self.said_at < self.repeat_s:
            return
        busy = self._voice is not None and self._voice.get_busy()
        if busy and self.playing == text:
            return  # never cut a line off by itself
        if self._play(language, text):
            self.said_at = now

    def _play(self, language: str, text: str) -> bool:
        c = self.cache(language)
        if c is None or self._voice is None:
            return False
        path = c.get(text)
        if path is None:
            c.build([text])  # not made yet (a new number): ready next time
            return False
        snd = self._sounds.get(path)
        if snd is None:  # SDL_mixer reads and converts it to the mixer's rate (C speed)
            snd = self._sounds[path] = pygame.mixer.Sound(str(path))
            if len(self._sounds) > 400:
                self._sounds.pop(next(iter(self._sounds)))
        self._voice.set_volume(self.volume)
        self._voice.play(snd)
        self.playing = text
        return True

    def stop(self) -> None:
        """Quiet now, and the next line is new (a new guest hears it)."""
        if self._voice is not None:
            self._voice.stop()
        self.current = self.playing = ""
        self.said_at = -1e9
        self._count = None
