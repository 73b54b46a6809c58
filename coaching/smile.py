"""Is the sitter smiling? A small logistic model over the face model's outputs.

One threshold on the mouthSmile blendshapes gets 93.3 % of GENKI-4K's labels right
(cross-validated); the blendshape alone misses grins the face model scores low and
counts some neutral mouths as smiles. Adding what else a smile changes (the other
mouth blendshapes, the mouth-corner lift and width from the landmarks, teeth between
parted lips) raises that to 94.7 % (10-fold, 5 repeats; README "Accuracy").

The weights live in ``smile_model.yaml`` next to this file, written by
``benchmarks/accuracy.py --write-smile-model`` (fitted on the GENKI development set);
``smile`` itself stays the plain blendshape mean, the intensity the coach's preset
ranges are written in.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from coaching import geometry as g
from coaching.yamlconfig import load_model

if TYPE_CHECKING:
    from coaching.landmarks import FaceObservation

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
FEATURES = BLENDSHAPES + EXTRA


class SmileModel(BaseModel):
    """``p(smiling) = 1 / (1 + exp(-(bias + sum(weights[i] * feature[i]))))``."""

    model_config = ConfigDict(extra="forbid")

    features: list[str] = Field(description="feature names, in the order of weights")
    weights: list[float]
    bias: float
    fitted: str = Field("", description="how and on what the weights were fitted")

    @model_validator(mode="after")
    def _matches(self) -> SmileModel:
        if list(self.features) != list(FEATURES):
            raise ValueError(f"features must be {list(FEATURES)}")
        if len(self.weights) != len(self.features):
            raise ValueError(f"{len(self.weights)} weights for {len(self.features)} features")
        return self

    def probability(self, x: np.ndarray) -> float:
        z = self.bias + float(np.dot(self.weights, x))
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
    """The model's inputs in :data:`FEATURES` order; ``None`` when the face model gave
    no blendshapes. ``lip_gap`` = inner-lip gap / mouth width."""
    bs = face.blendshapes
    if any(k not in bs for k in BLENDSHAPES):
        return None
    lift, width = mouth_geometry(px)
    return np.array([bs[k] for k in BLENDSHAPES] + [lift, width, teeth_fraction, lip_gap],
                    dtype=float)
