"""All-or-nothing file writes: a power cut leaves the whole file or the old one.

Data goes to a hidden temporary file in the same folder (``.NAME.tmp-PID-RANDOM``,
matched by :data:`TEMP_NAME_RE` so leftovers of a killed process can be found),
is fsync-ed, then linked or renamed into place, and the folder is fsync-ed so the
new name survives too. The session store and the model cache both write this way.
"""

from __future__ import annotations

import errno
import json
import os
import re
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["TEMP_NAME_RE", "fsync_dir", "update_json", "write_all", "write_atomic",
           "write_atomic_text"]

#: Held across every read-change-write of a JSON file (:func:`update_json`): the kiosk
#: marks a sidecar kept while a plugin adds its deliverables on its own thread, and
#: neither may write back a copy read before the other's change.
_JSON_LOCK = threading.RLock()

#: The names :func:`write_atomic` gives its temporary files.
TEMP_NAME_RE = re.compile(r"^\..+\.tmp-[0-9a-f-]+$")

# A file system without hard links (FAT, some NAS) answers os.link with one of these.
_NO_HARD_LINKS = (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK,
                  errno.ENOSYS)


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: not every platform can open a
    folder; the rename itself is still atomic)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd`` (``os.write`` may write fewer)."""
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _link_new(tmp: Path, final: Path) -> None:
    """Give ``tmp`` the name ``final`` only if that name is free (FileExistsError if not)."""
    try:
        os.link(tmp, final)  # fails if ``final`` exists: never overwrites
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
        if final.exists():
            raise FileExistsError(errno.EEXIST, "exists", str(final)) from None
        os.replace(tmp, final)
    else:
        os.unlink(tmp)


def write_atomic(final: Path, data: bytes, *, overwrite: bool = False) -> None:
    """Write ``data`` to ``final`` all-or-nothing; raises FileExistsError when
    ``overwrite`` is false and the name is taken, OSError for anything else."""
    tmp = final.with_name(f".{final.name}.tmp-{os.getpid():x}-{uuid.uuid4().hex[:8]}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        if overwrite:
            os.replace(tmp, final)
        else:
            _link_new(tmp, final)
        fsync_dir(final.parent)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_atomic_text(final: Path, text: str, *, overwrite: bool = True) -> None:
    """:func:`write_atomic` for UTF-8 text; replaces an existing file by default."""
    write_atomic(final, text.encode("utf-8"), overwrite=overwrite)


def update_json(path: Path, change: Callable[[dict[str, Any]], bool | None]) -> dict[str, Any]:
    """Read the JSON object at ``path``, let ``change`` edit it in place, write it back
    atomically; all under one process-wide lock. ``change`` returning False skips the
    write. OSError / ValueError (not JSON, not an object) for the caller to word."""
    with _JSON_LOCK:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{path} does not hold a JSON object")
        if change(data) is not False:
            text = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
            write_atomic(Path(path), text.encode("utf-8"), overwrite=True)
        return data
