"""Cutting a crop out of the full-resolution photo and writing it as a print-ready JPEG.

- resampled with an area filter (``cv2.INTER_AREA``: each output pixel the mean of the
  photo pixels under it, no ringing or aliasing) when shrinking, Lanczos when a
  portrait has to be enlarged;
- sRGB: the pixels are the camera's sRGB values and the file carries the sRGB ICC
  profile (Pillow's built-in one), so colour-managed printers do not guess;
- the JFIF density is the output's dpi, so a 827 x 1063 px passport photo prints at
  35 x 45 mm;
- nothing of the original's metadata is copied (no EXIF, GPS, maker notes, thumbnails):
  the photo is already upright (:func:`coaching.imageio.read_photo` applied its
  orientation), so no orientation tag is needed;
- written to a hidden temporary name and renamed, so a half-written file is never seen.
"""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageCms

from coaching.composition import Crop
from coaching.files import write_atomic

__all__ = ["SRGB_ICC", "area_resize", "cut", "jpeg_bytes", "write_jpeg"]

#: Pillow's built-in sRGB profile, as bytes to embed.
SRGB_ICC: bytes = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def area_resize(img: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``img`` shrunk to ``size`` = (width, height) with the area filter. A whole-number
    box reduction first (OpenCV's fast path: about 5 x quicker on a 24 MP still than one
    fractional area pass), then the fractional rest; both are box filters."""
    h, w = img.shape[:2]
    k = int(min(w / max(size[0], 1), h / max(size[1], 1)))
    if k >= 2 and (w // k, h // k) != (w, h):
        img = cv2.resize(img[: h - h % k, : w - w % k], (w // k, h // k),
                         interpolation=cv2.INTER_AREA)
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA)


def cut(rgb: np.ndarray, crop: Crop, size: tuple[int, int]) -> np.ndarray:
    """The ``crop`` of ``rgb`` resampled to ``size`` = (width, height)."""
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = crop.box()
    x0, y0 = max(x0, 0), max(y0, 0)
    x1, y1 = min(max(x1, x0 + 1), w), min(max(y1, y0 + 1), h)
    part = rgb[y0:y1, x0:x1]
    shrink = size[0] <= part.shape[1] and size[1] <= part.shape[0]
    out = (area_resize(part, size) if shrink
           else cv2.resize(part, size, interpolation=cv2.INTER_LANCZOS4))
    return np.ascontiguousarray(out)


def jpeg_bytes(rgb: np.ndarray, dpi: int, quality: int = 92) -> bytes:
    """An sRGB JPEG with the dpi set and no other metadata."""
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality, dpi=(dpi, dpi),
                              icc_profile=SRGB_ICC, optimize=False, subsampling=0)
    return buf.getvalue()


def write_jpeg(path: str | Path, rgb: np.ndarray, dpi: int, quality: int = 92) -> Path:
    """Write :func:`jpeg_bytes` to ``path`` atomically; returns the path."""
    p = Path(path)
    write_atomic(p, jpeg_bytes(rgb, dpi, quality), overwrite=True)
    return p
