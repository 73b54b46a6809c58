"""Logging setup: plain console lines for commands, a rotating file for the kiosk.

The kiosk's log (``kiosk.log``, rotated by size) holds states, counts and one-line
errors: never images, file contents, the operator PIN or anything about a sitter.
As a safety net the file formatter caps each message at :data:`MAX_MESSAGE` characters
and keeps it on one line (an accidental array or bytes repr cannot flood the log), and
a log folder that vanishes (an unplugged USB stick) never prints a logging traceback.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from coaching import quiet

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: Longest message written to the log file (longer ones are cut, with a note).
MAX_MESSAGE = 1000


def setup_console_logging(verbose: bool = False) -> None:
    """Warnings (or everything with --verbose) to stderr, one line each."""
    quiet.set_verbose(verbose)
    root = logging.getLogger()
    if any(getattr(h, "_headshot_console", False) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    # Its own level: the file log lowering the root level must not fill the terminal.
    handler.setLevel(logging.DEBUG if verbose else logging.WARNING)
    handler._headshot_console = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    # matplotlib comes with mediapipe and is never used here; its one-off "building the
    # font cache" notice on a fresh install is noise that would break a one-line error.
    logging.getLogger("matplotlib").setLevel(logging.ERROR)


class _OneLineFormatter(logging.Formatter):
    """The message on one line, at most MAX_MESSAGE characters; tracebacks follow as usual."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        msg = record.message
        if "\n" in msg or "\r" in msg:
            msg = msg.replace("\r", "\\r").replace("\n", "\\n")
        if len(msg) > MAX_MESSAGE:
            msg = f"{msg[:MAX_MESSAGE]}... [{len(msg) - MAX_MESSAGE} more characters cut]"
        record.message = msg
        return super().formatMessage(record)


def setup_file_logging(folder: Path, max_bytes: int = 2_000_000, backups: int = 5) -> Path:
    """Rotate ``kiosk.log`` in ``folder`` at ``max_bytes``, keeping ``backups`` old files.

    Calling it again replaces the previous file handler (no line is written twice).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kiosk.log"
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=max_bytes,
                                                   backupCount=backups, encoding="utf-8")
    handler.setFormatter(_OneLineFormatter(_FORMAT))
    handler._headshot_file = True  # type: ignore[attr-defined]
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_headshot_file", False)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    # A log file that cannot be written (disk full, folder gone) must not print a
    # "--- Logging error ---" traceback: the kiosk carries on without that line.
    logging.raiseExceptions = False
    return path


def remove_file_logging() -> None:
    """Detach and close the kiosk's file handler (tests, shutdown)."""
    root = logging.getLogger()
    for h in [h for h in root.handlers if getattr(h, "_headshot_file", False)]:
        root.removeHandler(h)
        h.close()
