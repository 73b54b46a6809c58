"""Sounds without asset files: a synthesized shutter click, optional spoken prompts.

The shutter is made with numpy (a short filtered noise burst with two clicks, like
a mechanical shutter). Spoken prompts use a local text-to-speech program
(``espeak-ng``, else ``espeak``) in a subprocess: off by default, never the
network, at most one utterance at a time (a new prompt cuts the old one off).
No audio device = silence, never an error.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import time

import numpy as np
import pygame

from coaching.quiet import native_stderr_silenced

log = logging.getLogger(__name__)

RATE = 44100


def shutter_samples(rate: int = RATE, seed: int = 7) -> np.ndarray:
    """A ~0.18 s stereo int16 shutter sound."""
    rng = np.random.default_rng(seed)
    n = int(rate * 0.18)
    t = np.arange(n) / rate
    noise = rng.standard_normal(n)
    # Two clicks (curtain open, curtain close) shaped by fast exponential decays.
    env = np.exp(-t / 0.012) + 0.7 * np.exp(-np.clip(t - 0.085, 0, None) / 0.015) * (t >= 0.085)
    # A crude low-pass (moving average) takes the hiss out.
    kernel = np.ones(6) / 6.0
    body = np.convolve(noise, kernel, mode="same") * env
    thump = np.sin(2 * np.pi * 140 * t) * np.exp(-t / 0.02) * 0.5
    mono = body + thump
    mono = mono / max(1e-9, float(np.max(np.abs(mono)))) * 0.8
    pcm = (mono * 32767).astype(np.int16)
    return np.column_stack([pcm, pcm])


class Sounds:
    """Shutter sound and speech; every method is safe to call without audio."""

    def __init__(self, *, shutter: bool = True, speak: bool = False, voice: str = "en",
                 speech_rate: int = 150, wav_out: str | None = None) -> None:
        """``wav_out``: write speech to this WAV file instead of the speakers."""
        self.wav_out = wav_out
        self.shutter_enabled = shutter
        self.speak_enabled = speak
        self.voice = voice
        self.speech_rate = speech_rate
        self._sound = None
        self._speaker: subprocess.Popen | None = None
        self._last_text = ""
        self._last_said = 0.0
        self.tts = (shutil.which("espeak-ng") or shutil.which("espeak")) if speak else None
        if speak and not self.tts:
            log.warning("spoken prompts are on but neither espeak-ng nor espeak is installed")
        if shutter:
            self._init_mixer()

    def _init_mixer(self) -> None:
        try:
            with native_stderr_silenced():  # ALSA prints to fd 2 when there is no card
                if not pygame.mixer.get_init():
                    pygame.mixer.init(frequency=RATE, size=-16, channels=2)
            freq, _fmt, channels = pygame.mixer.get_init()
            samples = shutter_samples(freq)
            if channels == 1:
                samples = samples[:, :1].copy()
            self._sound = pygame.sndarray.make_sound(np.ascontiguousarray(samples))
        except Exception as exc:  # noqa: BLE001 - no audio device is normal on a PC
            log.info("no shutter sound: %s", exc)
            self._sound = None

    def shutter(self) -> None:
        if self.shutter_enabled and self._sound is not None:
            try:
                self._sound.play()
            except Exception:  # noqa: BLE001
                log.debug("playing the shutter sound failed", exc_info=True)

    def say(self, text: str, *, min_gap_s: float = 1.5) -> None:
        """Speak ``text`` unless it was the last thing said or speech is off."""
        if not (self.speak_enabled and self.tts and text) or text == self._last_text:
            return
        now = time.monotonic()
        if now - self._last_said < min_gap_s:
            return
        self.stop_speaking()
        try:
            cmd = [self.tts, "-v", self.voice, "-s", str(self.speech_rate)]
            if self.wav_out:
                cmd += ["-w", self.wav_out]
            self._speaker = subprocess.Popen(
                [*cmd, text],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL)
            self._last_text = text
            self._last_said = now
        except OSError as exc:
            log.warning("speech failed: %s", exc)
            self.tts = None

    def stop_speaking(self) -> None:
        p = self._speaker
        if p is not None and p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                p.kill()
        self._speaker = None

    def forget(self) -> None:
        """A new sitter: the same prompt may be spoken again."""
        self._last_text = ""

    def close(self) -> None:
        self.stop_speaking()
