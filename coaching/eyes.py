"""Are the sitter's eyes shut? The pixels of each eye, added to the landmarks.

The landmark model's lids and eyeBlink blendshapes are good on eyes 20 px wide or
more, but on small eyes (a group photo, a booth camera far away, GENKI's ~15 px eyes)
an open eye drifts toward "closed" and a laughing squint reads like a shut eye. What
the pixels still show there is the dark iris between the lids, or the one line of an
eyelash: a linear model over a HOG descriptor of each eye (rectified along the eye line,
at a fixed low resolution so a sharp big eye and a blurred small one look alike) tells
them apart better. Its score is combined with the landmark closure margin
(closure - :func:`coaching.metrics.eyes_closed_threshold`) by a second logistic model.

Measured (README "Accuracy"): at the same false-closed rate on GENKI, CEW recall rises
from about 91 % to 96 % on photos held out of the fit. The weights live in
``eye_model.yaml`` next to this file, written by
``benchmarks/accuracy.py --write-eye-model``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from coaching import geometry as g
from coaching.yamlconfig import load_model

MODEL_FILE = Path(__file__).with_name("eye_model.yaml")

# The patch: PATCH_SIZE pixels covering PATCH_SPAN eye widths around the middle of the
# eye corners, x along the eye line from the outer corner (the left eye's patch is thus
# mirrored onto the right eye's), y down the face. 20 px across 1.6 eye widths caps the
# detail at a 12 px eye: bigger eyes are blurred down to it.
PATCH_SIZE = (20, 12)
PATCH_SPAN = (1.6, 0.96)
_HOG = {"win": PATCH_SIZE, "block": (8, 8), "stride": (4, 4), "cell": (4, 4), "bins": 9}
FEATURES = (f"hog-{PATCH_SIZE[0]}x{PATCH_SIZE[1]}-span{PATCH_SPAN[0]}x{PATCH_SPAN[1]}"
            "-cell4-block8-stride4-bins9")
N_FEATURES = 288  # 4 x 2 blocks of 2 x 2 cells x 9 bins
MIN_EYE_PX = 4.0  # below this there is nothing to look at


class EyeModel(BaseModel):
    """``closed = combine[0] + combine[1] * patch + combine[2] * margin > 0``, where
    ``patch`` = the mean over both eyes of ``bias + weights . hog(eye)`` and ``margin`` =
    landmark closure minus its size-aware threshold."""

    model_config = ConfigDict(extra="forbid")

    features: str = Field(description="the patch and descriptor these weights are for")
    bias: float
    weights: list[float]
    combine: list[float] = Field(description="bias, patch weight, closure-margin weight")
    fitted: str = Field("", description="how and on what the weights were fitted")

    @model_validator(mode="after")
    def _matches(self) -> EyeModel:
        if self.features != FEATURES:
            raise ValueError(f"features must be {FEATURES!r} (refit with benchmarks/accuracy.py "
                             "--write-eye-model)")
        if len(self.weights) != N_FEATURES:
            raise ValueError(f"{len(self.weights)} weights, expected {N_FEATURES}")
        if len(self.combine) != 3:
            raise ValueError("combine needs 3 numbers: bias, patch weight, closure-margin weight")
        return self

    def patch_score(self, feats: np.ndarray) -> float:
        """Mean patch logit over the eyes in ``feats`` (one row per eye)."""
        return float(np.mean(feats @ np.asarray(self.weights) + self.bias))

    def closed_score(self, patch: float, margin: float) -> float:
        """> 0: eyes closed."""
        c0, c1, c2 = self.combine
        return c0 + c1 * patch + c2 * margin


@lru_cache(maxsize=4)
def load_eye_model(path: Path = MODEL_FILE) -> EyeModel:
    """The shipped model (cached); a broken file raises ConfigError with file:line."""
    return load_model(path, EyeModel)


@lru_cache(maxsize=1)
def _hog() -> cv2.HOGDescriptor:
    return cv2.HOGDescriptor(_HOG["win"], _HOG["block"], _HOG["stride"], _HOG["cell"],
                             _HOG["bins"])


def _eye_frame(px: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors along the eye line (image right for an upright face) and down."""
    e = ((px[g.LEFT_EYE[0], :2] + px[g.LEFT_EYE[3], :2])
         - (px[g.RIGHT_EYE[0], :2] + px[g.RIGHT_EYE[3], :2]))
    e = e / (np.linalg.norm(e) + 1e-9)
    return e, np.array([-e[1], e[0]])


def eye_patches(rgb: np.ndarray, px: np.ndarray) -> list[np.ndarray] | None:
    """Both eyes as grey PATCH_SIZE patches (the sitter's right eye, then the mirrored
    left one); ``None`` when the eyes are too small or outside the image. ``px``:
    landmarks in image pixels."""
    pw, ph = PATCH_SIZE
    e, v = _eye_frame(px)
    specs = []
    for eye, sign in ((g.RIGHT_EYE, 1.0), (g.LEFT_EYE, -1.0)):
        outer, inner = px[eye[0], :2], px[eye[3], :2]
        width = float(np.linalg.norm(outer - inner))
        if width < MIN_EYE_PX:
            return None
        ex = sign * e * (PATCH_SPAN[0] * width / pw)
        vy = v * (PATCH_SPAN[1] * width / ph)
        origin = (outer + inner) / 2 - ex * pw / 2 - vy * ph / 2
        specs.append((ex, vy, origin, PATCH_SPAN[0] * width / pw))
    # Only the region around the eyes is converted and blurred: cheap on a 4K still.
    corners = np.array([o + a * ex + b * vy for ex, vy, o, _ in specs
                        for a in (0, pw) for b in (0, ph)])
    h, w = rgb.shape[:2]
    x0, y0 = np.floor(corners.min(axis=0)).astype(int) - 3
    x1, y1 = np.ceil(corners.max(axis=0)).astype(int) + 4
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    grey = cv2.cvtColor(np.ascontiguousarray(rgb[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY)
    out = []
    for ex, vy, origin, scale in specs:
        # Shrinking: blur first (about the area a patch pixel covers) so no detail aliases.
        src = cv2.GaussianBlur(grey, (0, 0), 0.5 * scale) if scale > 1.2 else grey
        o = origin - (x0, y0)
        m = np.array([[ex[0], vy[0], o[0]], [ex[1], vy[1], o[1]]], np.float32)
        out.append(cv2.warpAffine(src, m, (pw, ph), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                  borderMode=cv2.BORDER_REPLICATE))
    return out


def patch_features(patches: list[np.ndarray]) -> np.ndarray:
    """One HOG row per eye patch."""
    return np.stack([_hog().compute(p).ravel() for p in patches]).astype(float)


def eye_patch_features(rgb: np.ndarray, px: np.ndarray) -> np.ndarray | None:
    """:func:`patch_features` of :func:`eye_patches`, or ``None``."""
    patches = eye_patches(rgb, px)
    return None if patches is None else patch_features(patches)
