"""Keep MediaPipe's native log lines (written straight to fd 2) off the terminal.

GLOG/TF environment variables do not silence them (tried); redirecting file
descriptor 2 to /dev/null around model creation and the first inference does.
``--verbose`` turns the redirection off.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator

_verbose = False
_lock = threading.RLock()


def set_verbose(verbose: bool) -> None:
    global _verbose
    _verbose = verbose


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Point fd 2 at /dev/null for the duration (process-wide; keep it short)."""
    if _verbose:
        yield
        return
    with _lock:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError):
            yield
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
            yield
        finally:
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)
