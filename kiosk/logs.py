"""Logging setup: plain console lines for commands, a rotating file for the kiosk."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_console_logging(verbose: bool = False) -> None:
    """Warnings (or everything with --verbose) to stderr, one line each."""
    from coaching import quiet

    quiet.set_verbose(verbose)
    root = logging.getLogger()
    if any(getattr(h, "_headshot_console", False) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler._headshot_console = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)


def setup_file_logging(folder: Path, max_bytes: int = 2_000_000, backups: int = 5) -> Path:
    """Rotate ``kiosk.log`` in ``folder`` (kept small: logs hold no images or names)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kiosk.log"
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=max_bytes,
                                                   backupCount=backups, encoding="utf-8")
    handler.setFormatter(logging.Formatter(_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    return path
