"""The headshot kiosk: pygame app, state machine, storage and command line."""

import os
from importlib.metadata import PackageNotFoundError, version

# pygame prints a banner on import unless told not to; a kiosk terminal stays clean.
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from coaching.appdirs import APP_NAME  # noqa: E402  (after the pygame switch above)

try:
    __version__ = version(APP_NAME)
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
