"""Photo files in and out: any reasonable photo becomes an upright RGB uint8 array.

Why not just ``cv2.imread``: it returns ``None`` without saying why, prints libjpeg
warnings on the terminal, drops alpha onto whatever colour the transparent pixels
happen to hold, and decodes a 50-megapixel JPEG at full size only to shrink it.
Here (Pillow, which MediaPipe already depends on):

- EXIF orientation is applied, so a phone photo is analysed the right way up;
- 16-bit PNG/TIFF is scaled to 8 bits, grayscale and palette images become RGB,
  CMYK (including Adobe's inverted CMYK JPEGs) is converted, alpha is composited on
  white (a cut-out portrait on a studio-white background);
- a large JPEG is decoded directly at a reduced size (libjpeg DCT scaling) when a
  working size is asked for, and the scale is returned so callers can map back;
- anything beyond :data:`MAX_PIXELS` is refused before decoding (decompression bombs);
- every failure is a :class:`PhotoError` whose ``str()`` is one line: path and reason.

Interior damage in a JPEG's compressed data is not always detectable: libjpeg
repairs what it can and the photo loads with visible damage. A truncated file, a
broken header or broken tables are refused.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image

from camera.frames import encode_jpeg  # the one JPEG encoder; re-exported for callers

__all__ = [
    "MAX_PIXELS",
    "WORK_MAX_SIDE",
    "Photo",
    "PhotoError",
    "decode_photo",
    "encode_jpeg",
    "load_photo",
    "read_photo",
]

#: Refuse images with more pixels than this (checked from the header, before decoding).
MAX_PIXELS = 200_000_000
#: Default longest side of the working copy used for analysis.
WORK_MAX_SIDE = 1920

# Pillow's own guard warns at ~89 MP and refuses at ~179 MP; ours is the one in force,
# so lift Pillow's to just above it (never lower it if the host app raised it).
if Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS < MAX_PIXELS:
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class PhotoError(Exception):
    """A photo that cannot be used; ``str()`` is ``"<path>: <what is wrong>"``."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = " ".join(str(reason).split())
        super().__init__(f"{self.path}: {self.reason}")


@dataclass(frozen=True)
class Photo:
    """A decoded photo, upright, possibly reduced to a working size."""

    rgb: np.ndarray  #: (H, W, 3) uint8, C-contiguous
    scale: float  #: rgb width / original width (1.0 = full size); original = rgb / scale
    original_size: tuple[int, int]  #: (width, height) of the full upright image
    format: str  #: "JPEG", "PNG", ... as Pillow names it
    path: str  #: where it came from (for messages)

    def to_original(self, x: float, y: float) -> tuple[float, float]:
        """Map a pixel position in ``rgb`` back to the full-size photo."""
        return x / self.scale, y / self.scale


def load_photo(path: str | Path, *, max_side: int | None = None) -> np.ndarray:
    """The photo at ``path`` as an upright (H, W, 3) RGB uint8 array.

    Full size unless ``max_side`` is given; :func:`read_photo` also returns the scale.
    """
    return read_photo(path, max_side=max_side).rgb


def _folder_reason(folder: Path) -> str:
    """Why a folder given as a photo has nothing to read (``analyze`` expands folders of
    photos; one reaching here has none)."""
    try:
        n = sum(1 for _ in folder.iterdir())
    except OSError:
        return "is a folder that cannot be read"
    if n == 0:
        return "is an empty folder: no photos to analyse"
    return f"is a folder with no photos in it ({n} other file(s) or folder(s))"


def read_photo(path: str | Path, *, max_side: int | None = WORK_MAX_SIDE) -> Photo:
    """Decode ``path``, reduced so its longest side is at most ``max_side`` (None: full)."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if p.is_dir():
            raise PhotoError(p, _folder_reason(p))
        f = p.open("rb")
    except FileNotFoundError:
        raise PhotoError(p, "file not found") from None
    except PermissionError:
        raise PhotoError(p, "permission denied") from None
    except OSError as exc:
        raise PhotoError(p, f"cannot read: {exc.strerror or exc}") from None
    with f:
        if size == 0:
            raise PhotoError(p, "empty file (0 bytes)")
        return _decode(f, str(p), max_side)


def decode_photo(data: bytes, name: str = "<photo bytes>", *,
                 max_side: int | None = None) -> Photo:
    """Decode an encoded photo held in memory (e.g. a camera's capture); ``name`` is for
    messages."""
    if not data:
        raise PhotoError(name, "empty (0 bytes)")
    return _decode(io.BytesIO(data), name, max_side)


# ---------------------------------------------------------------- decoding

def _decode(f: BinaryIO, name: str, max_side: int | None) -> Photo:
    if max_side is not None and max_side < 1:
        raise ValueError(f"max_side must be >= 1, got {max_side}")
    with warnings.catch_warnings():
        # Pillow warns about odd EXIF, bomb sizes, palette transparency...: our checks
        # and messages cover what matters, and warnings must not reach the kiosk screen.
        warnings.simplefilter("ignore")
        try:
            im = Image.open(f)
        except Image.DecompressionBombError as exc:
            raise PhotoError(name, f"too large to load safely ({exc})") from None
        except Exception:  # noqa: BLE001 - any decoder fault is "not an image" to the user
            f.seek(0)
            raise PhotoError(name, _what_is_it(f.read(64))) from None
        with im:
            return _decode_image(im, name, max_side)


def _decode_image(im: Image.Image, name: str, max_side: int | None) -> Photo:
    fmt = im.format or "image"
    w, h = im.size
    if w < 1 or h < 1:
        raise PhotoError(name, f"{fmt} has no pixels ({w}x{h})")
    if w * h > MAX_PIXELS:
        raise PhotoError(name, f"too large: {w}x{h} = {w * h / 1e6:.0f} megapixels "
                               f"(limit {MAX_PIXELS / 1e6:.0f})")
    orientation = _orientation(im)
    if max_side is not None and fmt == "JPEG" and max(w, h) > max_side:
        s = max_side / max(w, h)
        try:  # decode at 1/2, 1/4 or 1/8 size directly, never below the asked size
            im.draft(im.mode, (math.ceil(w * s), math.ceil(h * s)))
        except Exception:  # noqa: BLE001 - draft is only a speed-up
            pass
    try:
        im.load()
        arr = _to_rgb(im)
    except PhotoError:
        raise
    except MemoryError:
        raise PhotoError(name, f"not enough memory to decode this {w}x{h} {fmt}") from None
    except Exception as exc:  # noqa: BLE001 - Pillow plugins raise many kinds on bad data
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "truncated" in text:
            raise PhotoError(name, f"truncated {fmt} (the file ends early: {text})") from None
        raise PhotoError(name, f"corrupt {fmt}: {text}") from None
    arr = _orient(arr, orientation)
    ow, oh = (h, w) if orientation in (5, 6, 7, 8) else (w, h)
    if max_side is not None and max(arr.shape[:2]) > max_side:
        s = max_side / max(ow, oh)
        size = (max(1, round(ow * s)), max(1, round(oh * s)))
        arr = np.asarray(Image.fromarray(arr).resize(
            size, Image.Resampling.LANCZOS, reducing_gap=2.0))
    return Photo(np.ascontiguousarray(arr), arr.shape[1] / ow, (ow, oh), fmt, name)


def _orientation(im: Image.Image) -> int:
    """EXIF orientation 1..8 (1 when absent or unreadable: a bad tag is not worth failing)."""
    try:
        value = int(im.getexif().get(0x0112, 1))
    except Exception:  # noqa: BLE001
        return 1
    return value if 1 <= value <= 8 else 1


def _orient(arr: np.ndarray, orientation: int) -> np.ndarray:
    """Apply EXIF orientation (same result as ``PIL.ImageOps.exif_transpose``)."""
    if orientation == 2:
        return arr[:, ::-1]
    if orientation == 3:
        return arr[::-1, ::-1]
    if orientation == 4:
        return arr[::-1]
    if orientation == 5:
        return arr.transpose(1, 0, 2)
    if orientation == 6:
        return np.rot90(arr, k=-1)
    if orientation == 7:
        return arr[::-1, ::-1].transpose(1, 0, 2)
    if orientation == 8:
        return np.rot90(arr, k=1)
    return arr


_ALPHA_MODES = {"RGBA", "RGBa", "LA", "La", "PA"}


def _to_rgb(im: Image.Image) -> np.ndarray:
    """Any Pillow mode -> (H, W, 3) uint8; alpha composited on white."""
    mode = im.mode
    if mode == "RGB":
        return np.asarray(im)
    if mode.startswith("I") or mode == "F":
        gray = _to_8bit(np.asarray(im), mode)
        return np.repeat(gray[:, :, None], 3, axis=2)
    if mode in _ALPHA_MODES or (mode == "P" and "transparency" in im.info):
        rgba = np.asarray(im.convert("RGBA")).astype(np.uint16)
        alpha = rgba[:, :, 3:4]
        out = (rgba[:, :, :3] * alpha + 255 * (255 - alpha) + 127) // 255
        return out.astype(np.uint8)
    return np.asarray(im.convert("RGB"))  # L, 1, P, CMYK, YCbCr, LAB, HSV


def _to_8bit(a: np.ndarray, mode: str) -> np.ndarray:
    """16-bit, 32-bit integer or float gray -> uint8, keeping the full range."""
    if mode.startswith("I;16"):
        return ((a.astype(np.uint32) + 128) // 257).astype(np.uint8)
    if mode == "F":
        a = np.nan_to_num(a.astype(np.float32))
        top = 1.0 if a.size and float(a.max()) <= 1.0 else 255.0
        return np.clip(a * (255.0 / top) + 0.5, 0, 255).astype(np.uint8)
    # "I": 32-bit; 16-bit data (PNG/TIFF from older Pillow) is the common case
    top = float(a.max()) if a.size else 0.0
    if top <= 255:
        return np.clip(a, 0, 255).astype(np.uint8)
    if top <= 65535:
        return ((np.clip(a, 0, 65535).astype(np.uint32) + 128) // 257).astype(np.uint8)
    return np.clip(a.astype(np.float64) * (255.0 / top) + 0.5, 0, 255).astype(np.uint8)


def _what_is_it(head: bytes) -> str:
    """A plain reason for a file Pillow cannot identify, from its first bytes."""
    if head.startswith(b"\xff\xd8"):
        return "corrupt JPEG (its header cannot be read)"
    if head.startswith(b"\x89PNG"):
        return "corrupt PNG (its header cannot be read)"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif"):
            return "HEIC/AVIF photos are not supported here; export it as JPEG or PNG"
        return "a video, not a photo"
    if head.startswith(b"%PDF"):
        return "a PDF, not a photo"
    if head.lstrip().startswith((b"<svg", b"<?xml")):
        return "a vector (SVG/XML) file, not a photo"
    text = None
    for cut in range(4):  # the 64 bytes may end inside a multi-byte character
        try:
            text = head[: len(head) - cut].decode("utf-8")
            break
        except UnicodeDecodeError:
            continue
    if text is not None and all(c.isprintable() or c in "\r\n\t" for c in text):
        return "not an image: it is a text file"
    return "not an image, or an unsupported image format"
