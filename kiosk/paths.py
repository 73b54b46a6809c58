"""Where things live: shipped config, per-user folders.

The one owner is :mod:`coaching.appdirs` (``coaching`` needs it too and must not import
``kiosk``); this module re-exports it for the kiosk side.
"""

from __future__ import annotations

from pathlib import Path

from coaching.appdirs import (
    APP_NAME,
    DEFAULT_CONFIG,
    SHIPPED_CONFIG_DIR,
    SHIPPED_PRESETS,
    user_cache_dir,
    user_config_dir,
    user_data_dir,
    user_presets_dir,
)

#: The folder above the ``kiosk`` package: the repository in a source tree, ``site-packages``
#: in an installed copy. Only for things that exist only beside a checkout (README, ../shared).
PROJECT_ROOT = Path(__file__).resolve().parent.parent

__all__ = [
    "APP_NAME",
    "DEFAULT_CONFIG",
    "PROJECT_ROOT",
    "SHIPPED_CONFIG_DIR",
    "SHIPPED_PRESETS",
    "user_cache_dir",
    "user_config_dir",
    "user_data_dir",
    "user_presets_dir",
]
