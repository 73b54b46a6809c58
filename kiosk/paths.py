"""Where things live: shipped config, per-user folders (platformdirs)."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP = "headshot-kiosk"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "config"
DEFAULT_CONFIG = CONFIG_DIR / "default.yaml"
SHIPPED_PRESETS = CONFIG_DIR / "presets"


def user_config_dir() -> Path:
    """Per-user config folder; ``presets/`` below it holds user presets."""
    return Path(platformdirs.user_config_dir(APP))


def user_data_dir() -> Path:
    """Default output folder for sessions and logs."""
    return Path(platformdirs.user_data_dir(APP))


def user_cache_dir() -> Path:
    """Model cache."""
    return Path(platformdirs.user_cache_dir(APP))
