"""Install model files from a folder (a USB stick, a shared drive): offline, verified.

``headshot-kiosk models fetch --from DIR`` uses it on a booth without internet. A file
is taken only when its size and SHA-256 match the pinned ones (:mod:`coaching.model_verify`);
it is copied into the per-user cache all-or-nothing (a temporary file, fsync, rename),
so a stick pulled out half-way leaves no half-written model behind.
"""

from __future__ import annotations

from pathlib import Path

from coaching.files import write_atomic
from coaching.model_registry import ModelError, ModelSpec, cache_dir
from coaching.model_verify import problem, remember_verified


def find_in(folder: Path, spec: ModelSpec) -> Path | None:
    """``spec``'s file in ``folder`` or one folder below it (a stick's ``models/``)."""
    direct = folder / spec.filename
    if direct.is_file():
        return direct
    return next((p for p in sorted(folder.glob(f"*/{spec.filename}")) if p.is_file()), None)


def install_from(folder: Path, spec: ModelSpec) -> Path:
    """Copy a verified ``spec`` file from ``folder`` into the cache; its new path.
    ModelError (one line) when it is not there or not the pinned file."""
    if not folder.is_dir():
        raise ModelError(f"--from {folder}: not a folder")
    src = find_in(folder, spec)
    if src is None:
        raise ModelError(f"{spec.filename} is not in {folder}; copy it there from a machine "
                         f"that has it (headshot-kiosk models lists where), or from {spec.url}")
    bad = problem(spec, src)
    if bad:
        raise ModelError(f"{src} {bad}; not installed (get a good copy, {spec.size:,} bytes, "
                         f"from {spec.url})")
    dest = cache_dir() / spec.filename
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(dest, src.read_bytes(), overwrite=True)
    except OSError as exc:
        raise ModelError(f"cannot write {dest}: {exc.strerror or exc}") from None
    copied = problem(spec, dest)
    if copied:  # the copy itself went wrong (a failing disk)
        dest.unlink(missing_ok=True)
        raise ModelError(f"the copy {dest} {copied}; not installed")
    remember_verified(dest, spec.sha256)
    return dest
