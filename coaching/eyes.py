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
from about 90 % to 96 % on photos held out of the fit. The weights live in
``eye_model.yaml`` next to this file, written by
``benchmarks/accuracy.py --write-eye-model``.
"""

from __future__ import annotations

from functools import cached_property, lru_cache
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
        return float(np.mean(feats @ self._weights + self.bias))

    @cached_property
    def _weights(self) -> np.ndarray:  # once, not per frame
        return np.asarray(self.weights, dtype=float)

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


def eye_line(px: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Unit vectors along the eye line (image right for an upright face) and down, and
    the distance between the middles of the two eyes' corners (image pixels)."""
    d = ((px[g.LEFT_EYE[0], :2] + px[g.LEFT_EYE[3], :2])
         - (px[g.RIGHT_EYE[0], :2] + px[g.RIGHT_EYE[3], :2])) / 2
    dist = float(np.linalg.norm(d))
    e = d / (dist + 1e-9)
    return e, np.array([-e[1], e[0]]), dist


def eye_patches(rgb: np.ndarray, px: np.ndarray) -> list[np.ndarray] | None:
    """Both eyes as grey PATCH_SIZE patches (the sitter's right eye, then the mirrored
    left one); ``None`` when the eyes are too small or outside the image. ``px``:
    landmarks in image pixels."""
    e, v, _ = eye_line(px)
    specs = []
    for eye, sign in ((g.RIGHT_EYE, 1.0), (g.LEFT_EYE, -1.0)):
        outer, inner = px[eye[0], :2], px[eye[3], :2]
        width = float(np.linalg.norm(outer - inner))
        if width < MIN_EYE_PX:
            return None
        specs.append(((outer + inner) / 2, sign * e * PATCH_SPAN[0] * width,
                      v * PATCH_SPAN[1] * width))
    return rectified_patches(rgb, specs, PATCH_SIZE)


def rectified_patches(rgb: np.ndarray, specs: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
                      size: tuple[int, int]) -> list[np.ndarray] | None:
    """Grey ``size`` (w, h) patches of ``rgb``, one per ``(centre, across, down)``: the
    patch's x axis spans the vector ``across`` and its y axis ``down`` (image pixels),
    centred on ``centre``. ``None`` when one falls outside the image."""
    pw, ph = size
    h, w = rgb.shape[:2]
    out = []
    for centre, across, down in specs:
        ex, vy = across / pw, down / ph
        scale = float(np.linalg.norm(ex))
        origin = centre - across / 2 - down / 2
        # Only the patch's own surroundings are converted and blurred (cheap on a 4K
        # still); the margin covers the blur's reach.
        corners = origin + np.array([[0, 0], across, down, across + down])
        pad = 3 + int(np.ceil(1.5 * scale))
        x0, y0 = np.floor(corners.min(axis=0)).astype(int) - pad
        x1, y1 = np.ceil(corners.max(axis=0)).astype(int) + pad + 1
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
        if x1 - x0 < 4 or y1 - y0 < 4:
            return None
        grey = cv2.cvtColor(np.ascontiguousarray(rgb[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY)
        o = origin - (x0, y0)
        out.append(_shrink_warp(grey, ex, vy, o, scale, pw, ph))
    return out


def _shrink_warp(grey: np.ndarray, ex: np.ndarray, vy: np.ndarray, o: np.ndarray,
                 scale: float, pw: int, ph: int) -> np.ndarray:
    """Patch pixel (i, j) = ``grey`` at ``o + i * ex + j * vy``, blurred by a Gaussian of
    sigma ``scale / 2`` source pixels first (about the area a patch pixel covers) so no
    detail aliases. A big shrink goes in two steps, both laid out along the patch's own
    axes (so the left and right eyes stay mirror images whatever the pixel grid): a
    light blur and a warp to ``f`` times the patch size, then the rest of the blur and
    an ``f`` x ``f`` average there. On a 4K close-up that takes about a quarter of the
    time of one wide blur."""
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    f = min(int(scale), 8)
    if f < 2:
        if scale > 1.2:
            grey = cv2.GaussianBlur(grey, (0, 0), 0.5 * scale)
        m = np.array([[ex[0], vy[0], o[0]], [ex[1], vy[1], o[1]]], np.float32)
        return cv2.warpAffine(grey, m, (pw, ph), flags=flags, borderMode=cv2.BORDER_REPLICATE)
    step = scale / f  # source pixels per intermediate pixel
    if step > 1.2:
        grey = cv2.GaussianBlur(grey, (0, 0), 0.5 * step)
    # Intermediate pixel u sits at patch coordinate (u - (f - 1) / 2) / f, so the f x f
    # average below is centred where the one-step warp samples.
    o1 = o - (f - 1) / (2 * f) * (ex + vy)
    m = np.array([[ex[0] / f, vy[0] / f, o1[0]], [ex[1] / f, vy[1] / f, o1[1]]], np.float32)
    big = cv2.warpAffine(grey, m, (pw * f, ph * f), flags=flags, borderMode=cv2.BORDER_REPLICATE)
    # Sigma in intermediate pixels: f / 2 in all = the first blur (1/2, if any), the
    # f x f box ((f^2 - 1) / 12 variance) and this one.
    rest = (0.5 * f) ** 2 - (0.25 if step > 1.2 else 0.0) - (f * f - 1) / 12
    if rest > 0.01:
        big = cv2.GaussianBlur(big, (0, 0), float(np.sqrt(rest)))
    return cv2.resize(big, (pw, ph), interpolation=cv2.INTER_AREA)


def patch_features(patches: list[np.ndarray]) -> np.ndarray:
    """One HOG row per eye patch."""
    return np.stack([_hog().compute(p).ravel() for p in patches]).astype(float)


def eye_patch_features(rgb: np.ndarray, px: np.ndarray) -> np.ndarray | None:
    """:func:`patch_features` of :func:`eye_patches`, or ``None``."""
    patches = eye_patches(rgb, px)
    return None if patches is None else patch_features(patches)
