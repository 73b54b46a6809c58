"""Shared test setup: real models and media from ../shared, no display, no network."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("HEADSHOT_KIOSK_SHARED", ROOT.parent / "shared")).resolve()
MODELS = SHARED / "models"
MEDIA = SHARED / "media"
EVAL = SHARED / "eval"

# Before anything imports pygame or mediapipe: headless, silent, models from ../shared.
os.environ.setdefault("HEADSHOT_KIOSK_MODELS", str(MODELS))
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


@pytest.fixture(scope="session")
def shared() -> Path:
    return SHARED


@pytest.fixture(scope="session")
def media() -> Path:
    return MEDIA


@pytest.fixture(scope="session")
def eval_dir() -> Path:
    return EVAL


@pytest.fixture(scope="session", autouse=True)
def _matplotlib_font_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Build matplotlib's font cache once, before any test runs.

    MediaPipe imports matplotlib, which keeps its cache under $XDG_CACHE_HOME, and that
    points into an empty temp dir (below). Unwarmed, whichever CLI subprocess comes first
    prints "Matplotlib is building the font cache" on stderr, which breaks that test's
    "exactly one line" check, so the failing test depends on the order the tests run in.
    """
    os.environ.setdefault("MPLCONFIGDIR", str(tmp_path_factory.getbasetemp() / "matplotlib"))
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"],
                   capture_output=True, check=False, timeout=300)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Per-user config/data/cache folders point into a temp dir: tests never touch $HOME."""
    base = tmp_path_factory.getbasetemp() / "home"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "cache"))
