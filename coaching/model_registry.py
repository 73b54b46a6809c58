"""The pinned landmark model files and where copies of them are looked for.

Everything the lookup, the hash check and the download share: the specs (URL, size,
SHA-256), the environment variables, the folders and the "put a good copy ..." advice
every :class:`ModelError` ends with.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from coaching.appdirs import user_cache_dir

#: Environment variable naming a folder of offline model copies (checked first).
ENV_MODELS = "HEADSHOT_KIOSK_MODELS"
#: Environment variable replacing the download location: ``<base>/<file name>``.
ENV_BASE_URL = "HEADSHOT_KIOSK_MODEL_BASE_URL"

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


def where_to_put(spec: ModelSpec, base_url: str | None = None, *, url_said: bool = False
                 ) -> str:
    """The end of every ModelError: what good copy to put where."""
    env = env_dir()
    folders = f"{env} (${ENV_MODELS}) or {cache_dir()}" if env else (
        f"{cache_dir()} (or a folder named by ${ENV_MODELS})")
    source = "that address" if url_said else download_url(spec, base_url)
    return f"put a good copy ({spec.size:,} bytes) from {source} in {folders}"
