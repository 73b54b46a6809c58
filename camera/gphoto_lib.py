"""The process's one door to libgphoto2: its late import and its process-wide lock.

libgphoto2 is not thread-safe, so every call goes through one lock, taken with a
timeout so that a hung USB call elsewhere turns into CameraBusy instead of a
frozen kiosk.

``gphoto2`` is imported on first use, never when ``camera`` code is imported:
the virtual camera reads ``VCAMERADIR`` when the module is first imported, so a
process that imports camera code before setting it (pytest, the CLI's probes)
would otherwise hide the virtual camera from every later user.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from types import ModuleType

from camera.base import CameraBusy

#: One lock for every libgphoto2 call in the process (the library is not thread-safe).
GPHOTO_LOCK = threading.RLock()
LOCK_TIMEOUT_S = 15.0


def load_gphoto2() -> ModuleType:
    """The ``gphoto2`` module, imported now (not at camera import; see the docstring)."""
    import gphoto2  # late on purpose: VCAMERADIR must be set before the first import

    return gphoto2


@contextlib.contextmanager
def gphoto_lock(timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the process-wide libgphoto2 lock, or raise CameraBusy after ``timeout``."""
    if not GPHOTO_LOCK.acquire(timeout=timeout):
        raise CameraBusy("the camera is still busy with a previous command")
    try:
        yield
    finally:
        GPHOTO_LOCK.release()
