"""Spoken prompts made ahead of time: every text of the guest's language is synthesised
once (in the background at start) and kept in the user cache, so a prompt change
reaches the speaker as fast as the mixer can start a sample.

Engines: Piper (a neural voice, local; ``voice.piper_model`` points at an ``.onnx``
voice and the ``piper`` program from ``piper-tts`` must be on the PATH) and espeak-ng
(``apt-get install espeak-ng``), the fallback that always works. A cached sample is
``<cache>/voice/<engine id>/<sha256 of the text>.wav``, the engine id naming the engine,
voice and rate, so a new voice or rate never plays a stale sample. Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import shutil
import subprocess
import threading
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from coaching.files import write_atomic
from coaching.messages import PROMPT_KEYS, STATES, Catalogue

log = logging.getLogger(__name__)

#: The espeak-ng voice for each catalogue language. None: espeak-ng cannot speak it
#: (its Japanese reads every kanji out as "Chinese letter"); such a language needs Piper.
ESPEAK_VOICES: dict[str, str | None] = {
    "en": "en-gb", "de": "de", "fr": "fr-fr", "es": "es", "it": "it", "pt": "pt-br",
    "nl": "nl", "ja": None,
}
#: A fault size in each amount band (small, medium, large).
BANDS = (0.5, 1.5, 3.0)
SYNTH_TIMEOUT_S = 20.0


class VoiceError(Exception):
    """A voice could not be made (no engine, or the engine failed)."""


class Engine(Protocol):
    """Text in, mono 16-bit samples out."""

    id: str  # engine, voice and rate: names the cache folder

    def synth(self, text: str) -> tuple[np.ndarray, int]: ...


@dataclass(frozen=True)
class Espeak:
    """espeak-ng (or espeak) in a subprocess, writing a WAV to stdout."""

    voice: str
    rate: int = 150
    program: str = "espeak-ng"

    @property
    def id(self) -> str:
        return f"espeak-{self.voice}-{self.rate}"

    def synth(self, text: str) -> tuple[np.ndarray, int]:
        try:
            out = subprocess.run([self.program, "-v", self.voice, "-s", str(self.rate),
                                  "--stdout", text], capture_output=True, check=True,
                                 timeout=SYNTH_TIMEOUT_S, stdin=subprocess.DEVNULL).stdout
        except (OSError, subprocess.SubprocessError) as exc:
            raise VoiceError(f"espeak-ng failed on {text!r}: {exc}") from None
        return _wav_samples(out)


@dataclass(frozen=True)
class Piper:
    """Piper's command line with one ``.onnx`` voice (its ``.onnx.json`` beside it)."""

    model: Path
    program: str = "piper"

    @property
    def id(self) -> str:
        return "piper-" + re.sub(r"[^A-Za-z0-9_.-]", "_", self.model.stem)

    def synth(self, text: str) -> tuple[np.ndarray, int]:
        try:
            out = subprocess.run([self.program, "--model", str(self.model), "--output_file",
                                  "-"], input=text.encode("utf-8"), capture_output=True,
                                 check=True, timeout=SYNTH_TIMEOUT_S).stdout
        except (OSError, subprocess.SubprocessError) as exc:
            raise VoiceError(f"piper failed on {text!r}: {exc}") from None
        return _wav_samples(out)


def _wav_samples(data: bytes) -> tuple[np.ndarray, int]:
    """Mono int16 samples and the rate of a WAV stream (espeak-ng's --stdout header says
    "unknown length", so the data chunk is taken as the rest of the stream)."""
    if data[:4] != b"RIFF" or b"data" not in data[:200]:
        raise VoiceError("the engine gave no WAV audio")
    rate = int.from_bytes(data[24:28], "little")
    channels = int.from_bytes(data[22:24], "little")
    start = data.index(b"data") + 8
    body = data[start:]
    pcm = np.frombuffer(body[:len(body) // 2 * 2], np.int16)
    if channels > 1:
        pcm = pcm[: len(pcm) // channels * channels].reshape(-1, channels).mean(1).astype(np.int16)
    return pcm, rate


def choose_engine(language: str, piper_model: Path | None = None, rate: int = 150,
                  espeak_voice: str | None = None) -> Engine | None:
    """Piper when a model is configured and the program exists, else espeak-ng in the
    language's voice; None when neither can speak ``language``."""
    if piper_model is not None:
        if shutil.which("piper") and piper_model.is_file():
            return Piper(piper_model)
        log.warning("voice.piper_model %s: %s; using espeak-ng", piper_model,
                    "not found" if not piper_model.is_file() else "no 'piper' program")
    program = shutil.which("espeak-ng") or shutil.which("espeak")
    voice = espeak_voice or ESPEAK_VOICES.get(language.split("-")[0], language)
    if program is None or voice is None:
        return None
    return Espeak(voice, rate, program)


def spoken_texts(words: Catalogue, max_shots: int = 5) -> list[str]:
    """Every line the kiosk may say in ``words``' language: states, each prompt in each
    amount band, and the "Photo k of n saved" lines of sets up to ``max_shots``."""
    out = [words.state(s) for s in STATES]
    out += [words.prompt(f"{m}.{v}", size) for m, vs in PROMPT_KEYS.items() for v in vs
            for size in BANDS]
    for total in range(2, max_shots + 1):
        for k in range(1, total):
            hint = words.next_shot(k)
            key = "set.saved_hint" if hint else "set.saved"
            out.append(words.ui(key, number=k, total=total, hint=hint))
    return list(dict.fromkeys(t for t in out if t))


class VoiceCache:
    """Samples for one engine on disk; builds what is missing on a background thread."""

    def __init__(self, engine: Engine, folder: Path) -> None:
        self.engine = engine
        self.folder = folder / engine.id
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.failed: list[str] = []

    def path(self, text: str) -> Path:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
        return self.folder / f"{digest}.wav"

    def get(self, text: str) -> Path | None:
        """The cached sample of ``text`` (None: not made yet)."""
        p = self.path(text)
        return p if p.is_file() else None

    def make(self, text: str) -> Path:
        """Synthesise ``text`` now (unless cached); written atomically."""
        p = self.path(text)
        if p.is_file():
            return p
        pcm, rate = self.engine.synth(text)
        if not len(pcm):
            raise VoiceError(f"{self.engine.id} said nothing for {text!r}")
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomic(p, _wav_bytes(pcm, rate), overwrite=True)
        return p

    def build(self, texts: list[str], *, background: bool = True) -> None:
        """Make every missing sample (on a daemon thread unless ``background`` is False)."""
        def run() -> None:
            for t in texts:
                try:
                    with self._lock:
                        self.make(t)
                except (VoiceError, OSError) as exc:
                    self.failed.append(t)
                    log.warning("voice: %s", exc)

        if not background:
            run()
            return
        self._thread = threading.Thread(target=run, name="voice-cache", daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until a background build ends (True) or ``timeout`` passes."""
        t = self._thread
        if t is not None:
            t.join(timeout)
            return not t.is_alive()
        return True


def _wav_bytes(pcm: np.ndarray, rate: int) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.ascontiguousarray(pcm, np.int16).tobytes())
    return buf.getvalue()


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Mono int16 samples and rate of a cached sample."""
    with wave.open(str(path), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), np.int16), w.getframerate()
