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

This module must not import ``kiosk`` (``coaching`` is usable on its own).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from coaching.appdirs import APP_NAME, user_cache_dir

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
    "ensure_model",
    "model_status",
    "set_offline",
]

#: Environment variable naming a folder of offline model copies (checked first).
ENV_MODELS = "HEADSHOT_KIOSK_MODELS"
#: Environment variable replacing the download location: ``<base>/<file name>``.
ENV_BASE_URL = "HEADSHOT_KIOSK_MODEL_BASE_URL"

_CHUNK = 1 << 16


class ModelError(Exception):
    """A model file that cannot be had; ``str()`` is one line saying what to do."""


@dataclass(frozen=True)
class ModelSpec:
    """One pinned model file."""

    name: str
    filename: str
    url: str
    size: int
    sha256: str
    description: str
    #: not needed by the default config (``models fetch`` without names skips it)
    optional: bool = False


_GCS = "https://storage.googleapis.com/mediapipe-models"

#: The pinned models (values from Google's published files; see ../shared/models/README.md).
MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            "face", "face_landmarker.task",
            f"{_GCS}/face_landmarker/face_landmarker/float16/1/face_landmarker.task",
            3_758_596, "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff",
            "MediaPipe FaceLandmarker (478 points, blendshapes, head matrix)"),
        ModelSpec(
            "pose_full", "pose_landmarker_full.task",
            f"{_GCS}/pose_landmarker/pose_landmarker_full/float16/1/pose_landmarker_full.task",
            9_398_198, "4eaa5eb7a98365221087693fcc286334cf0858e2eb6e15b506aa4a7ecdcec4ad",
            "MediaPipe PoseLandmarker, full (default)"),
        ModelSpec(
            "pose_lite", "pose_landmarker_lite.task",
            f"{_GCS}/pose_landmarker/pose_landmarker_lite/float16/1/pose_landmarker_lite.task",
            5_777_746, "59929e1d1ee95287735ddd833b19cf4ac46d29bc7afddbbf6753c459690d574a",
            "MediaPipe PoseLandmarker, lite (faster, less steady)", optional=True),
        ModelSpec(
            "segmenter", "selfie_segmenter.tflite",
            f"{_GCS}/image_segmenter/selfie_segmenter/float16/1/selfie_segmenter.tflite",
            249_537, "191ac9529ae506ee0beefa6b2c945a172dab9d07d1e802a290a4e4038226658b",
            "MediaPipe selfie segmenter (optional: background checks)", optional=True),
    )
}

#: Known variants that are deliberately not pinned: no verified size and SHA-256 are
#: known for them, and an unverified download is never used.
UNPINNED: dict[str, str] = {"pose_heavy": "pose_landmarker_heavy.task"}

Where = Literal["env", "cache", "missing"]


@dataclass(frozen=True)
class ModelCheck:
    """What :func:`check_model` found: the file, where, and what is wrong with it if anything."""

    spec: ModelSpec
    path: Path | None
    where: Where
    problem: str | None = None  # set when a file was found but is not the pinned one

    @property
    def ok(self) -> bool:
        return self.path is not None and self.problem is None


def cache_dir() -> Path:
    """The per-user model cache (not created here)."""
    return user_cache_dir() / "models"


def env_dir() -> Path | None:
    """The folder named by ``$HEADSHOT_KIOSK_MODELS``, if the variable is set.

    Made absolute (symlinks resolved), so a relative ``../shared/models`` means the
    same folder in messages, listings and worker threads whatever happens later.
    """
    value = os.environ.get(ENV_MODELS, "").strip()
    return Path(value).expanduser().resolve() if value else None


def spec_for(name: str) -> ModelSpec:
    """The pinned spec for ``name``; ModelError listing the choices otherwise."""
    spec = MODELS.get(name)
    if spec is not None:
        return spec
    choices = ", ".join(MODELS)
    if name in UNPINNED:
        raise ModelError(
            f"model {name!r} ({UNPINNED[name]}) is not available: no verified size and "
            f"SHA-256 are pinned for it; choose one of {choices}")
    raise ModelError(f"unknown model {name!r}; choose one of {choices}")


def download_url(spec: ModelSpec, base_url: str | None = None) -> str:
    """Where ``spec`` is downloaded from: the official URL or ``<base>/<file name>``."""
    base = base_url if base_url is not None else os.environ.get(ENV_BASE_URL, "").strip()
    return f"{base.rstrip('/')}/{spec.filename}" if base else spec.url


# ---------------------------------------------------------------- verification

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


def _problem(spec: ModelSpec, path: Path) -> str | None:
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
        _atomic_write_text(stamp, _stamp_text(st, sha))
    except OSError:
        pass
    return None


def _atomic_write_text(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _where_to_put(spec: ModelSpec, base_url: str | None = None, *, url_said: bool = False) -> str:
    env = env_dir()
    folders = f"{env} (${ENV_MODELS}) or {cache_dir()}" if env else (
        f"{cache_dir()} (or a folder named by ${ENV_MODELS})")
    source = "that address" if url_said else download_url(spec, base_url)
    return f"put a good copy ({spec.size:,} bytes) from {source} in {folders}"


# ---------------------------------------------------------------- lookup

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
            return ModelCheck(spec, p, "env", _problem(spec, p))
    p = cache_dir() / spec.filename
    if p.exists():
        return ModelCheck(spec, p, "cache", _problem(spec, p))
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
    where = _where_to_put(spec, base_url)
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
    return _download(spec, download_url(spec, base_url), progress, base_url)


# ---------------------------------------------------------------- download

def _download(spec: ModelSpec, url: str, progress: bool | None,
              base_url: str | None) -> Path:
    """Fetch ``url`` into the cache: streamed, size- and hash-checked, atomically moved."""
    folder = cache_dir()
    dest = folder / spec.filename
    where = _where_to_put(spec, base_url, url_said=True)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(f"cannot create the model cache {folder}: {exc.strerror or exc}; "
                         f"{_where_to_put(spec, base_url)}") from None
    bar = _Progress(spec.filename, spec.size, progress)
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{spec.filename}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        h = hashlib.sha256()
        got = 0
        ok = False
        try:
            req = urllib.request.Request(url, headers={"User-Agent": f"{APP_NAME} model fetch"})
            with urllib.request.urlopen(req, timeout=30) as resp, os.fdopen(fd, "wb") as out:
                fd = -1
                while True:
                    block = resp.read(_CHUNK)
                    if not block:
                        break
                    got += len(block)
                    if got > spec.size:
                        raise ModelError(
                            f"download of {spec.filename} from {url} is larger than the "
                            f"pinned {spec.size:,} bytes; {where}")
                    h.update(block)
                    out.write(block)
                    bar.update(got)
                out.flush()
                os.fsync(out.fileno())
            ok = True
        except urllib.error.HTTPError as exc:
            raise ModelError(f"cannot download {spec.filename} from {url}: HTTP {exc.code} "
                             f"{exc.reason}; {where}") from None
        except http.client.HTTPException as exc:
            raise ModelError(f"download of {spec.filename} from {url} broke off after "
                             f"{got:,} of {spec.size:,} bytes ({type(exc).__name__}); "
                             f"{where}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc
            raise ModelError(f"cannot download {spec.filename} from {url} ({reason}); "
                             f"no network? {where}") from None
        finally:
            if fd >= 0:
                os.close(fd)
            bar.done(got, ok)
        if got != spec.size:
            raise ModelError(f"download of {spec.filename} from {url} is truncated "
                             f"({got:,} of {spec.size:,} bytes); {where}")
        sha = h.hexdigest()
        if sha != spec.sha256:
            raise ModelError(f"download of {spec.filename} from {url} has the wrong SHA-256 "
                             f"({sha[:12]}..., expected {spec.sha256[:12]}...); "
                             f"{where}")
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(folder)
    st = dest.stat()
    _verified[(str(dest.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)] = spec.sha256
    try:
        stamp = _stamp_path(dest)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write_text(stamp, _stamp_text(st, spec.sha256))
    except OSError:
        pass
    return dest


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable (best effort: not every platform can open a folder)."""
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


class _Progress:
    """A one-line progress bar on stderr (redrawn at most 10 times a second).

    Without a terminal (logs, CI) it prints one line at the start and one at the end
    instead of a stream of carriage returns.
    """

    def __init__(self, label: str, total: int, enabled: bool | None) -> None:
        self.stream = sys.stderr
        self.label = label
        self.total = total
        isatty = getattr(self.stream, "isatty", lambda: False)
        self.live = isatty() if enabled is None else enabled
        self.last = 0.0
        print(f"downloading {label} ({total / 1e6:.1f} MB)" + ("" if self.live else " ..."),
              file=self.stream, end="" if self.live else "\n", flush=True)

    def update(self, done: int) -> None:
        now = time.monotonic()
        if not self.live or now - self.last < 0.1:
            return
        self.last = now
        frac = min(done / self.total, 1.0) if self.total else 1.0
        width = 30
        fill = int(frac * width)
        print(f"\rdownloading {self.label} [{'#' * fill}{'.' * (width - fill)}] "
              f"{frac:4.0%} {done / 1e6:.1f}/{self.total / 1e6:.1f} MB",
              file=self.stream, end="", flush=True)

    def done(self, got: int, ok: bool) -> None:
        if self.live:
            self.last = 0.0
            self.update(got)
            print(file=self.stream, flush=True)
        elif ok:
            print(f"downloaded {self.label}: {got / 1e6:.1f} MB", file=self.stream, flush=True)
