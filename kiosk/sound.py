"""Sounds without asset files: a synthesized shutter click.

The shutter is made with numpy (a short filtered noise burst with two clicks, like
a mechanical shutter); its visual counterpart is the capture screen's white flash.
No audio device = silence, never an error. Spoken prompts: :mod:`kiosk.speaker`.
"""

from __future__ import annotations

import logging

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
    """The shutter sound; every method is safe to call without audio (spoken prompts:
    :mod:`kiosk.speaker`)."""

    def __init__(self, *, shutter: bool = True) -> None:
        self.shutter_enabled = shutter
        self._sound = None
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

    def close(self) -> None:
        """Nothing to release (pygame's mixer closes with pygame)."""
