"""Reading MediaPipe's C result structs straight into numpy.

The public Python conversion builds ~500 objects per face and costs ~2.5 ms a frame;
these views cost almost nothing. They depend on MediaPipe internals, so the trackers
check :func:`has_fast_path` and fall back to the public API when they are missing.
"""

from __future__ import annotations

import ctypes
from typing import Any

import mediapipe as mp
import numpy as np
from mediapipe.tasks.python.components.containers import category_c, landmark_c

__all__ = ["NORM_DTYPE", "WORLD_DTYPE", "as_mp_image", "blendshapes_c", "has_fast_path",
           "landmark_xyz", "struct_array"]


def as_mp_image(rgb: np.ndarray) -> mp.Image:
    """numpy RGB uint8 (H, W, 3) -> mp.Image (MediaPipe copies once; we don't)."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"expected an RGB uint8 image (H, W, 3), got {rgb.dtype} {rgb.shape}")
    return mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))


def _landmark_dtype(struct: type[ctypes.Structure]) -> np.dtype:
    """A numpy view of MediaPipe's landmark struct (x, y, z, visibility, presence)."""
    names = ["x", "y", "z", "visibility", "presence"]
    return np.dtype({
        "names": names,
        "formats": [np.float32] * len(names),
        "offsets": [getattr(struct, n).offset for n in names],
        "itemsize": ctypes.sizeof(struct),
    })


NORM_DTYPE = _landmark_dtype(landmark_c.MpNormalizedLandmarkC)
WORLD_DTYPE = _landmark_dtype(landmark_c.MpLandmarkC)


def struct_array(ptr: Any, count: int, dtype: np.dtype) -> np.ndarray:
    """``count`` C structs at ``ptr`` as a numpy structured array (no copy)."""
    if count == 0:
        return np.zeros(0, dtype=dtype)
    addr = ctypes.addressof(ptr.contents)
    buf = (ctypes.c_char * (count * dtype.itemsize)).from_address(addr)
    return np.frombuffer(buf, dtype=dtype, count=count)


def landmark_xyz(arr: np.ndarray, extra: tuple[str, ...] = ()) -> np.ndarray:
    """x, y, z (and the ``extra`` fields) of a landmark struct array as (N, 3+) floats."""
    cols = [arr["x"], arr["y"], arr["z"], *(arr[n] for n in extra)]
    return np.stack(cols, axis=1).astype(np.float64)


_CATEGORY_SIZE = ctypes.sizeof(category_c.MpCategoryC)


def blendshapes_c(cats: Any, names_cache: list[str]) -> dict[str, float]:
    """Blendshape scores by name; ``names_cache`` keeps the names decoded once."""
    n = int(cats.categories_count)
    if len(names_cache) != n:
        names_cache[:] = [cats.categories[i].category_name.decode() for i in range(n)]
    dtype = np.dtype({"names": ["score"], "formats": [np.float32],
                      "offsets": [category_c.MpCategoryC.score.offset],
                      "itemsize": _CATEGORY_SIZE})
    scores = struct_array(cats.categories, n, dtype)["score"]
    return dict(zip(names_cache, scores.tolist(), strict=True))


def has_fast_path(task: Any, prefix: str) -> bool:
    """Whether this mediapipe build exposes the C calls the fast readers use."""
    lib = getattr(task, "_lib", None)
    try:
        return (lib is not None and getattr(task, "_handle", None) is not None
                and all(hasattr(lib, f"{prefix}{s}") for s in
                        ("DetectImage", "DetectForVideo", "CloseResult")))
    except Exception:  # noqa: BLE001 - any oddity: use the public API
        return False
