"""The app's name and folders, defined once (``kiosk.paths`` re-exports all of this).

It lives in ``coaching`` because ``coaching`` is the lowest package that needs it
(presets, the model cache) and must not import ``kiosk``.

Shipped config: the repository keeps one copy, the top-level ``config/`` folder. A wheel
ships that folder as package data of ``coaching.defaults`` (``pyproject.toml`` maps
``coaching.defaults`` onto ``config/``), so an installed copy finds it at
``coaching/defaults/``; a source tree (an editable install, or ``PYTHONPATH=.``) has no
such folder and uses ``config/`` beside the packages.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

#: The distribution, command and per-user folder name.
APP_NAME = "headshot-kiosk"

_HERE = Path(__file__).resolve().parent


def _shipped_config_dir() -> Path:
    installed = _HERE / "defaults"  # wheel: config/ shipped as coaching/defaults/
    if (installed / "default.yaml").is_file():
        return installed
    return _HERE.parent / "config"  # source tree


#: The shipped config folder: ``default.yaml`` and ``presets/``.
SHIPPED_CONFIG_DIR = _shipped_config_dir()
#: The shipped app config (``headshot-kiosk run`` without ``--config``).
DEFAULT_CONFIG = SHIPPED_CONFIG_DIR / "default.yaml"
#: The shipped use-case presets.
SHIPPED_PRESETS = SHIPPED_CONFIG_DIR / "presets"


def user_config_dir() -> Path:
    """Per-user config folder; ``presets/`` below it holds user presets."""
    return Path(platformdirs.user_config_dir(APP_NAME))


def user_presets_dir() -> Path:
    """Per-user presets: ``<user config>/presets``."""
    return user_config_dir() / "presets"


def user_data_dir() -> Path:
    """Default output folder for sessions and logs."""
    return Path(platformdirs.user_data_dir(APP_NAME))


def user_cache_dir() -> Path:
    """Per-user cache; ``models/`` below it holds fetched landmark models."""
    return Path(platformdirs.user_cache_dir(APP_NAME))
