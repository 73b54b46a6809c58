"""Is the sitter smiling? A small logistic model over the face model's outputs.

One threshold on the mouthSmile blendshapes gets 93.1 % of GENKI-4K's labels right
(cross-validated); the blendshape alone misses grins the face model scores low and
counts some neutral mouths as smiles. Adding what else a smile changes (the other
mouth blendshapes, the mouth-corner lift and width from the landmarks, teeth between
parted lips) raises that to 94.7 %; adding what the pixels of the mouth and of the
eyes show (a HOG of each, scored by its own logistic model: the shape of the lips and
cheeks, the squeeze of a real smile around the eyes) to 95.1 % (10-fold, 5 repeats;
README "Accuracy").

The weights live in ``smile_model.yaml`` next to this file, written by
``benchmarks/accuracy.py --write-smile-model`` (fitted on the GENKI development set);
``smile`` itself stays the plain blendshape mean, the intensity the coach's preset
ranges are written in.
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from pathlib import Path

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from coaching import eyes
from coaching import geometry as g
from coaching.observations import FaceObservation
from coaching.yamlconfig import load_model

MODEL_FILE = Path(__file__).with_name("smile_model.yaml")

# Blendshapes that move with a smile (or with the faces mistaken for one).
BLENDSHAPES = (
    "mouthSmileLeft", "mouthSmileRight", "mouthStretchLeft", "mouthStretchRight",
    "mouthPressLeft", "mouthPressRight", "mouthDimpleLeft", "mouthDimpleRight",
    "mouthUpperUpLeft", "mouthUpperUpRight", "mouthLowerDownLeft", "mouthLowerDownRight",
    "jawOpen", "mouthRollLower", "mouthRollUpper", "mouthShrugLower", "mouthShrugUpper",
    "mouthClose", "mouthFrownLeft", "mouthFrownRight", "eyeSquintLeft", "eyeSquintRight",
)
# Geometry, in inter-iris distances, and pixels between the lips.
EXTRA = ("corner_lift", "mouth_width", "teeth_fraction", "lip_gap")
# Scores of the two patch models (:class:`PatchModel`), stacked onto the others.
PATCHES = ("mouth_patch", "eye_patch")
FEATURES = BLENDSHAPES + EXTRA + PATCHES

# The mouth patch: MOUTH_PATCH_SIZE pixels covering MOUTH_PATCH_SPAN inter-eye distances
# (between the middles of the eye corners) around the middle of the mouth corners, x
# along the eye line. Bigger faces are blurred down to this detail.
MOUTH_PATCH_SIZE = (32, 24)
MOUTH_PATCH_SPAN = (1.6, 1.2)
PATCH_FEATURES = {
    "mouth_patch": (f"hog-{MOUTH_PATCH_SIZE[0]}x{MOUTH_PATCH_SIZE[1]}-span"
                    f"{MOUTH_PATCH_SPAN[0]}x{MOUTH_PATCH_SPAN[1]}-cell8-block16-stride8-bins9",
                    216),  # 3 x 2 blocks of 2 x 2 cells x 9 bins
    "eye_patch": (f"both-eyes-{eyes.FEATURES}", 2 * eyes.N_FEATURES),
}


class PatchModel(BaseModel):
    """A logistic model's score ``bias + weights . hog`` of one patch; ``missing`` is
    used when the patch cannot be cut (its mean score on the fitting photos)."""

    model_config = ConfigDict(extra="forbid")

    features: str
    bias: float
    weights: list[float]
    missing: float = 0.0

    @cached_property
    def _weights(self) -> np.ndarray:  # once, not per frame
        return np.asarray(self.weights, dtype=float)

    def score(self, feats: np.ndarray | None) -> float:
        if feats is None:
            return self.missing
        return self.bias + float(feats @ self._weights)


class SmileModel(BaseModel):
    """``p(smiling) = 1 / (1 + exp(-(bias + sum(weights[i] * feature[i]))))``."""

    model_config = ConfigDict(extra="forbid")

    features: list[str] = Field(description="feature names, in the order of weights")
    weights: list[float]
    bias: float
    patches: dict[str, PatchModel] = Field(description="the patch models, by feature name")
    fitted: str = Field("", description="how and on what the weights were fitted")

    @model_validator(mode="after")
    def _matches(self) -> SmileModel:
        if list(self.features) != list(FEATURES):
            raise ValueError(f"features must be {list(FEATURES)}")
        if len(self.weights) != len(self.features):
            raise ValueError(f"{len(self.weights)} weights for {len(self.features)} features")
        if sorted(self.patches) != sorted(PATCHES):
            raise ValueError(f"patches must be {list(PATCHES)}")
        for name, pm in self.patches.items():
            spec, n = PATCH_FEATURES[name]
            if pm.features != spec or len(pm.weights) != n:
                raise ValueError(f"patches.{name} must be {spec!r} with {n} weights "
                                 "(refit with benchmarks/accuracy.py --write-smile-model)")
        return self

    def probability(self, x: np.ndarray, patches: dict[str, np.ndarray | None]) -> float:
        """``x``: :func:`smile_features`; ``patches``: HOG rows by patch name (``None``
        where a patch could not be cut)."""
        full = np.r_[x, [self.patches[k].score(patches.get(k)) for k in PATCHES]]
        z = self.bias + float(np.dot(self.weights, full))
        return float(1.0 / (1.0 + np.exp(-np.clip(z, -50, 50))))


@lru_cache(maxsize=4)
def load_smile_model(path: Path = MODEL_FILE) -> SmileModel:
    """The shipped model (cached); a broken file raises ConfigError with file:line."""
    return load_model(path, SmileModel)


def mouth_geometry(px: np.ndarray) -> tuple[float, float]:
    """Corner lift (how far the mouth corners sit above the inner-lip centre) and mouth
    width, both in inter-iris distances and measured along the eye line, so head roll
    and photo size do not change them. ``px``: landmarks in pixels."""
    d = px[g.LEFT_IRIS, :2] - px[g.RIGHT_IRIS, :2]
    ied = float(np.linalg.norm(d))
    if ied < 1e-6:
        return 0.0, 0.0
    down = np.array([-d[1], d[0]]) / ied
    centre = (px[g.UPPER_LIP_INNER, :2] + px[g.LOWER_LIP_INNER, :2]) / 2
    corners = (px[g.MOUTH_RIGHT, :2] @ down + px[g.MOUTH_LEFT, :2] @ down) / 2
    lift = float(centre @ down - corners) / ied
    width = float(np.linalg.norm(px[g.MOUTH_LEFT, :2] - px[g.MOUTH_RIGHT, :2])) / ied
    return lift, width


def smile_features(face: FaceObservation, px: np.ndarray, teeth_fraction: float,
                   lip_gap: float) -> np.ndarray | None:
    """The model's inputs in :data:`FEATURES` order but the patch scores; ``None`` when
    the face model gave no blendshapes. ``lip_gap`` = inner-lip gap / mouth width."""
    bs = face.blendshapes
    if any(k not in bs for k in BLENDSHAPES):
        return None
    lift, width = mouth_geometry(px)
    return np.array([bs[k] for k in BLENDSHAPES] + [lift, width, teeth_fraction, lip_gap],
                    dtype=float)


@lru_cache(maxsize=1)
def _mouth_hog() -> cv2.HOGDescriptor:
    return cv2.HOGDescriptor(MOUTH_PATCH_SIZE, (16, 16), (8, 8), (8, 8), 9)


def mouth_patch_features(rgb: np.ndarray, px: np.ndarray) -> np.ndarray | None:
    """The HOG of the mouth patch, or ``None`` when the face is too small or outside the
    image. ``px``: landmarks in image pixels."""
    e, v, iod = eyes.eye_line(px)
    if iod < 2 * eyes.MIN_EYE_PX:
        return None
    centre = (px[g.MOUTH_LEFT, :2] + px[g.MOUTH_RIGHT, :2]) / 2
    patch = eyes.rectified_patches(rgb, [(centre, e * MOUTH_PATCH_SPAN[0] * iod,
                                          v * MOUTH_PATCH_SPAN[1] * iod)], MOUTH_PATCH_SIZE)
    return None if patch is None else _mouth_hog().compute(patch[0]).ravel().astype(float)
