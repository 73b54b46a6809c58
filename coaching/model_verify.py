"""Is a model file the pinned one? Size every time, SHA-256 once per file version.

A verified hash is remembered in memory and in a stamp file under the cache, keyed by
path, size, mtime and inode, so a 9 MB model is not hashed on every start.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from coaching.files import write_atomic_text
from coaching.model_registry import ModelSpec, cache_dir


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _stamp_path(path: Path) -> Path:
    key = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    return cache_dir() / ".verified" / f"{path.name}.{key}.sha256-ok"


def _stamp_text(st: os.stat_result, sha: str) -> str:
    return f"{st.st_size} {st.st_mtime_ns} {st.st_ino} {sha}\n"


#: In-process memo of verified files: (path, size, mtime_ns, ino) -> sha256.
_verified: dict[tuple[str, int, int, int], str] = {}


def problem(spec: ModelSpec, path: Path) -> str | None:
    """Why ``path`` is not the pinned file, or None when it is (hash checked once)."""
    try:
        st = path.stat()
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if st.st_size < spec.size:
        return f"is truncated ({st.st_size:,} of {spec.size:,} bytes)"
    if st.st_size > spec.size:
        return f"has the wrong size ({st.st_size:,} bytes, expected {spec.size:,})"
    memo_key = (str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)
    if _verified.get(memo_key) == spec.sha256:
        return None
    stamp = _stamp_path(path)
    try:
        if stamp.read_text() == _stamp_text(st, spec.sha256):
            _verified[memo_key] = spec.sha256
            return None
    except OSError:
        pass
    try:
        sha = _sha256(path)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if sha != spec.sha256:
        return f"has the wrong SHA-256 ({sha[:12]}..., expected {spec.sha256[:12]}...)"
    _verified[memo_key] = sha
    try:  # best effort: a read-only cache only costs a re-hash next time
        stamp.parent.mkdir(parents=True, exist_ok=True)
        write_atomic_text(stamp, _stamp_text(st, sha))
    except OSError:
        pass
    return None


def remember_verified(path: Path, sha: str) -> None:
    """Record that ``path`` (as it is now) has SHA-256 ``sha``: a fresh download."""
    st = path.stat()
    _verified[(str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)] = sha
    try:  # best effort: a read-only cache only costs a re-hash next time
        stamp = _stamp_path(path)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        write_atomic_text(stamp, _stamp_text(st, sha))
    except OSError:
        pass
