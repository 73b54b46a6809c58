"""Native libraries' lines (MediaPipe, FFmpeg, libjpeg, SDL, ALSA) go to the log, not the terminal.

C code writes straight to file descriptor 2: MediaPipe's ``W0000 ...
landmark_projection_calculator.cc`` on any frame, FFmpeg's ``moov atom not found``,
libjpeg's ``Premature end of JPEG file``, SDL's ``XDG_RUNTIME_DIR`` complaint.
No environment variable silences all of them, and Python's ``sys.stderr`` cannot
catch them. So a real command run (:func:`kiosk.cli.main` from the console) moves fd 2
itself: Python's own stderr (one-line errors, warnings, argparse) keeps the terminal
through a duplicate of the old fd 2, while fd 2 becomes a pipe whose lines a reader
thread logs under the ``native`` logger at INFO: into ``kiosk.log`` where a command
writes one, never onto the console (whose level is WARNING). ``--verbose`` leaves fd 2
alone, so the lines show as before.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import threading

log = logging.getLogger("native")

_routed = False


def route_native_stderr() -> bool:
    """Send fd 2 to the log from now on (once per process); False when not possible."""
    global _routed
    if _routed:
        return True
    try:
        sys.stderr.flush()
        terminal = os.dup(2)
        read_fd, write_fd = os.pipe()
    except (OSError, ValueError, AttributeError):
        return False
    sys.stderr = io.TextIOWrapper(os.fdopen(terminal, "wb", buffering=0), encoding="utf-8",
                                  errors="backslashreplace", line_buffering=True,
                                  write_through=True)
    os.dup2(write_fd, 2)
    os.close(write_fd)
    threading.Thread(target=_pump, args=(read_fd,), name="native-stderr", daemon=True).start()
    _routed = True
    return True


def _pump(read_fd: int) -> None:
    """Log every line written to fd 2 (until the process ends)."""
    with contextlib.suppress(OSError), os.fdopen(read_fd, "rb", buffering=0) as pipe:
        pending = b""
        while True:
            chunk = pipe.read(65536)
            if not chunk:
                break
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                _log_line(line)
        if pending:
            _log_line(pending)


def _log_line(raw: bytes) -> None:
    text = raw.decode("utf-8", "backslashreplace").rstrip()
    if text:
        log.info("%s", text)
