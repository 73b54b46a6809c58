"""The landmark model files: pinned by URL, size and SHA-256, found or fetched once.

Lookup order for a model (see :func:`ensure_model`):

1. the folder named by ``$HEADSHOT_KIOSK_MODELS`` (an offline copy; CI points it at
   ``../shared/models``);
2. the per-user cache (``platformdirs.user_cache_dir("headshot-kiosk")/models``);
3. a download from the official URL (or ``$HEADSHOT_KIOSK_MODEL_BASE_URL`` + file name,
   for a local mirror), with a progress bar on stderr, a size and SHA-256 check and an
   atomic move into the cache.

A file that is found is checked by size every time (cheap) and by SHA-256 once: the
result is remembered in a stamp file under the cache keyed by path, size and mtime, so
a 9 MB model is not hashed on every start. Anything wrong ends in :class:`ModelError`,
whose message is one line naming the file, what is wrong and where a good copy goes.

The specs and folders live in :mod:`coaching.model_registry`, the hash check in
:mod:`coaching.model_verify`, the download in :mod:`coaching.model_download`; this
module is the lookup and re-exports their public names.

This module must not import ``kiosk`` (``coaching`` is usable on its own).
"""

from __future__ import annotations

from pathlib import Path

from coaching.model_download import download
from coaching.model_registry import (
    ENV_BASE_URL,
    ENV_MODELS,
    MODELS,
    UNPINNED,
    ModelCheck,
    ModelError,
    ModelSpec,
    Where,
    cache_dir,
    download_url,
    env_dir,
    spec_for,
    where_to_put,
)
from coaching.model_verify import problem

__all__ = [
    "ENV_BASE_URL",
    "ENV_MODELS",
    "MODELS",
    "UNPINNED",
    "ModelCheck",
    "ModelError",
    "ModelSpec",
    "cache_dir",
    "check_model",
    "download_url",
    "ensure_model",
    "env_dir",
    "model_status",
    "set_offline",
    "spec_for",
]


def check_model(name: str) -> ModelCheck:
    """Find ``name`` without downloading: env folder first, then the cache.

    A bad file in the env folder is reported (it hides nothing: the user put it there);
    a bad file in the cache is reported too, and :func:`ensure_model` replaces it.
    """
    spec = spec_for(name)
    env = env_dir()
    if env is not None:
        p = env / spec.filename
        if p.exists():
            return ModelCheck(spec, p, "env", problem(spec, p))
    p = cache_dir() / spec.filename
    if p.exists():
        return ModelCheck(spec, p, "cache", problem(spec, p))
    return ModelCheck(spec, None, "missing")


def model_status(name: str) -> tuple[Path | None, Where]:
    """``(path, where)`` of a good copy of ``name``, or ``(None, "missing")``."""
    found = check_model(name)
    return (found.path, found.where) if found.ok else (None, "missing")


#: Process-wide "never download", set by the command line's ``--offline``.
_offline_forced = False


def set_offline(flag: bool = True) -> None:
    """Forbid (or allow again) model downloads for the whole process.

    ``headshot-kiosk --offline`` sets it before any command runs, so no code path (a
    worker thread building a tracker, a command that forgot to pass ``offline``) can
    reach the network.
    """
    global _offline_forced
    _offline_forced = bool(flag)


def ensure_model(name: str, *, offline: bool = False, base_url: str | None = None,
                 progress: bool | None = None) -> Path:
    """Path of a verified copy of model ``name``, downloading it into the cache if needed.

    ``offline`` (or :func:`set_offline`) forbids the download; ``base_url`` (or
    ``$HEADSHOT_KIOSK_MODEL_BASE_URL``) replaces the download location; ``progress``
    forces the stderr progress bar on or off (default: on when stderr is a terminal,
    else one line at start and end).
    """
    offline = offline or _offline_forced
    found = check_model(name)
    spec = found.spec
    where = where_to_put(spec, base_url)
    if found.ok:
        assert found.path is not None
        return found.path
    if found.where == "env":
        raise ModelError(f"{spec.filename} in {found.path.parent} "  # type: ignore[union-attr]
                         f"{found.problem}; {where}")
    stale = found.problem if found.where == "cache" else None
    if offline:
        what = (f"{spec.filename} in {cache_dir()} {stale}" if stale
                else f"{spec.filename} is not present")
        raise ModelError(f"{what} and downloads are off (--offline); "
                         f"{where}")
    return download(spec, download_url(spec, base_url), progress, base_url)

