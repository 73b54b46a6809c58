"""What several commands share: the one-line usage error, loading the config and a
preset as usage errors, and argparse value checkers.

``UsageError`` lives here rather than in :mod:`kiosk.cli` because the CLI imports the
commands; :mod:`kiosk.cli` re-exports it, so ``from kiosk.cli import UsageError`` keeps
working.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from coaching.presets import Preset, UnknownPreset, resolve_preset
from coaching.yamlconfig import ConfigError
from kiosk.config import AppConfig, load_config

__all__ = ["UsageError", "load_app_config", "output_folder", "non_negative_float", "positive_float",
           "positive_int", "preset_or_usage", "replay_size"]


class UsageError(Exception):
    """A bad command line value; printed as one line, exit 2."""


def load_app_config(path: str | Path | None) -> AppConfig:
    """The app config at ``path`` (None: the shipped default); a broken file is a
    :class:`UsageError` whose message is the ConfigError's one line."""
    try:
        return load_config(path)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def preset_or_usage(name: str) -> Preset:
    """The preset named ``name`` (or at that YAML path); an unknown name or a broken file
    is a :class:`UsageError` with the one-line reason (unknown names list the known)."""
    try:
        return resolve_preset(name)
    except (ConfigError, UnknownPreset) as exc:
        raise UsageError(str(exc)) from None


def output_folder(path: Path, flag: str) -> Path:
    """``path`` as a folder to write into, created if needed; a file in its way or a
    folder that cannot be made is a :class:`UsageError` naming ``flag``."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"{flag} {path}: exists and is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{flag} {path}: cannot create it ({exc.strerror or exc})") from None
    return path


# --------------------------------------------------------------------------- argparse types
# Raising ArgumentTypeError lets argparse name the flag in its own one-line error.


def positive_int(text: str) -> int:
    """A whole number of at least 1 (a count of frames, runs, ...)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def positive_float(text: str) -> float:
    """A finite number above 0 (a duration or a period)."""
    v = _number(text)
    if not math.isfinite(v) or v <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, got {text}")
    return v


def non_negative_float(text: str) -> float:
    """A finite number of 0 or more (0 usually meaning "off")."""
    v = _number(text)
    if not math.isfinite(v) or v < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return v


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def replay_size(text: str) -> tuple[int, int]:
    """``1280x720`` -> (1280, 720), each side 16..8192: the size frames are resized to."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--size wants WIDTHxHEIGHT, e.g. 1280x720; got "
                                         f"{text!r}") from None
    if not (16 <= w <= 8192 and 16 <= h <= 8192):
        raise argparse.ArgumentTypeError(f"--size {text}: width and height must be 16..8192")
    return w, h
