"""Shared test setup: real models and media from ../shared, no display, no network."""

from __future__ import annotations

import os
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


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Per-user config/data/cache folders point into a temp dir: tests never touch $HOME."""
    base = tmp_path_factory.getbasetemp() / "home"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(base / "cache"))
