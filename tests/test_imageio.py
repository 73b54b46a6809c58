"""Photo loading: every awkward real-world variant of a real photo, made in tmp_path.

Inputs are derived from ../shared/media/single_face.jpg with Pillow/OpenCV (both come
with MediaPipe): EXIF-rotated JPEGs, 16-bit and grayscale PNGs, an Adobe CMYK JPEG,
alpha, a 50-megapixel JPEG, and broken files.
"""

from __future__ import annotations

import struct
import time
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps

from coaching.imageio import (
    MAX_PIXELS,
    PhotoError,
    decode_photo,
    encode_jpeg,
    load_photo,
    read_photo,
)


@pytest.fixture(scope="module")
def upright(media: Path) -> np.ndarray:
    """A clearly non-square crop of a real portrait (so a 90° turn changes the shape)."""
    with Image.open(media / "single_face.jpg") as im:
        rgb = np.asarray(im.convert("RGB"))
    return np.ascontiguousarray(rgb[:, 100:460])  # 562 x 360


def _mad(a: np.ndarray, b: np.ndarray) -> float:
    assert a.shape == b.shape
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


# What is stored in the file for each EXIF orientation so that the viewer shows `upright`.
_STORED = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied(tmp_path: Path, upright: np.ndarray,
                                     orientation: int) -> None:
    im = Image.fromarray(upright)
    op = _STORED[orientation]
    stored = im.transpose(op) if op is not None else im
    exif = Image.Exif()
    exif[0x0112] = orientation
    path = tmp_path / f"o{orientation}.jpg"
    stored.save(path, quality=95, exif=exif.tobytes())
    got = load_photo(path)
    assert got.shape == upright.shape and got.dtype == np.uint8
    assert _mad(got, upright) < 2.0
    with Image.open(path) as ref:  # the same as Pillow's own reference transpose
        assert _mad(got, np.asarray(ImageOps.exif_transpose(ref))) < 0.01
    photo = read_photo(path)
    assert photo.original_size == (upright.shape[1], upright.shape[0])
    assert photo.scale == 1.0


def test_16bit_png_is_scaled_not_truncated(tmp_path: Path, upright: np.ndarray) -> None:
    rng = np.random.default_rng(0)
    wide = upright.astype(np.int32) * 257 + rng.integers(-100, 100, upright.shape)
    bgr16 = np.clip(wide, 0, 65535).astype(np.uint16)[:, :, ::-1]
    cv2.imwrite(str(tmp_path / "rgb16.png"), bgr16)
    got = load_photo(tmp_path / "rgb16.png")
    assert np.abs(got.astype(int) - upright).max() <= 1
    gray = cv2.cvtColor(upright, cv2.COLOR_RGB2GRAY)
    gray16 = np.clip(gray.astype(np.int32) * 257 + rng.integers(-100, 100, gray.shape),
                     0, 65535).astype(np.uint16)
    cv2.imwrite(str(tmp_path / "gray16.png"), gray16)
    with Image.open(tmp_path / "gray16.png") as im:
        assert im.mode.startswith("I")  # really a 16-bit gray file
    got = load_photo(tmp_path / "gray16.png")
    assert got.shape == (*gray.shape, 3)
    assert np.array_equal(got[:, :, 0], gray) and np.array_equal(got[:, :, 2], gray)


def test_grayscale_jpeg_becomes_rgb(tmp_path: Path, upright: np.ndarray) -> None:
    gray = cv2.cvtColor(upright, cv2.COLOR_RGB2GRAY)
    cv2.imwrite(str(tmp_path / "gray.jpg"), gray, [cv2.IMWRITE_JPEG_QUALITY, 95])
    got = load_photo(tmp_path / "gray.jpg")
    assert got.shape == upright.shape
    assert np.array_equal(got[:, :, 0], got[:, :, 1]) and np.array_equal(got[:, :, 1],
                                                                          got[:, :, 2])
    assert _mad(got[:, :, 0], gray) < 2.0


def test_cmyk_jpeg_colours_are_right(tmp_path: Path, upright: np.ndarray) -> None:
    path = tmp_path / "cmyk.jpg"
    Image.fromarray(upright).convert("CMYK").save(path, quality=95)
    with Image.open(path) as im:  # the Photoshop kind: Adobe marker, inverted CMYK
        assert im.mode == "CMYK" and "adobe" in im.info
    got = load_photo(path)
    assert got.shape == upright.shape
    assert _mad(got, upright) < 3.0
    # Each channel keeps its own colour (an inverted or swapped decode fails this).
    for c in range(3):
        assert np.corrcoef(got[:, :, c].ravel(), upright[:, :, c].ravel())[0, 1] > 0.98


def test_alpha_is_composited_on_white(tmp_path: Path, upright: np.ndarray) -> None:
    h, w = upright.shape[:2]
    rgba = np.dstack([upright, np.full((h, w), 255, np.uint8)])
    rgba[:, : w // 3, :3] = (0, 255, 0)  # fully transparent pixels hold garbage green
    rgba[:, : w // 3, 3] = 0
    rgba[:, w // 3: 2 * w // 3, 3] = 128  # half transparent
    Image.fromarray(rgba, "RGBA").save(tmp_path / "alpha.png")
    got = load_photo(tmp_path / "alpha.png")
    assert got.shape == upright.shape
    assert (got[:, : w // 3] == 255).all()
    assert np.array_equal(got[:, 2 * w // 3:], upright[:, 2 * w // 3:])
    mid = upright[:, w // 3: 2 * w // 3].astype(int)
    want = (mid * 128 + 255 * 127 + 127) // 255
    assert np.abs(got[:, w // 3: 2 * w // 3].astype(int) - want).max() <= 1
    # Gray + alpha and palette + transparency take the same path.
    Image.fromarray(rgba, "RGBA").convert("LA").save(tmp_path / "la.png")
    assert (load_photo(tmp_path / "la.png")[:, : w // 3] == 255).all()
    Image.fromarray(rgba, "RGBA").convert("P").save(tmp_path / "p.png", transparency=0)
    assert load_photo(tmp_path / "p.png").shape == upright.shape


@pytest.fixture(scope="module")
def big_jpeg(tmp_path_factory: pytest.TempPathFactory, upright: np.ndarray) -> Path:
    """A real 50-megapixel JPEG (8660 x 5774), the size of a high-end DSLR still."""
    path = tmp_path_factory.mktemp("big") / "50mp.jpg"
    big = cv2.resize(upright, (8660, 5774), interpolation=cv2.INTER_LINEAR)
    cv2.imwrite(str(path), big[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 85])
    return path


def test_50_megapixel_photo_is_reduced_for_analysis(big_jpeg: Path,
                                                    upright: np.ndarray) -> None:
    t0 = time.perf_counter()
    photo = read_photo(big_jpeg, max_side=1920)
    elapsed = time.perf_counter() - t0
    assert photo.original_size == (8660, 5774)
    assert photo.rgb.shape == (1280, 1920, 3)
    assert photo.scale == pytest.approx(1920 / 8660)
    # One isotropic scale: mapping back is exact to within one working pixel.
    assert photo.to_original(1920, 1280) == pytest.approx((8660, 5774), abs=1 / photo.scale)
    want = cv2.resize(upright, (1920, 1280), interpolation=cv2.INTER_AREA)
    assert _mad(photo.rgb, want) < 4.0
    assert elapsed < 5.0  # reduced while decoding: ~0.2 s here, a full decode is ~4x that
    full = load_photo(big_jpeg)
    assert full.shape == (5774, 8660, 3)


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` (a decompression-bomb stand-in:
    the guard must refuse it from the header, before any decoding)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def test_decompression_bomb_is_refused_from_the_header(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header_only(20000, 15000))  # 300 MP
    assert 20000 * 15000 > MAX_PIXELS
    with pytest.raises(PhotoError) as exc:
        load_photo(path)
    assert str(exc.value) == f"{path}: too large: 20000x15000 = 300 megapixels (limit 200)"


def _corrupt_tables(data: bytes) -> bytes:
    """Overwrite the first Huffman table (DHT, marker FFC4) with junk."""
    i = data.index(b"\xff\xc4")
    return data[: i + 4] + b"\x00" * 40 + data[i + 44:]


@pytest.mark.parametrize(("name", "make", "fragment"), [
    ("missing.jpg", None, "file not found"),
    ("empty.jpg", lambda d: b"", "empty file (0 bytes)"),
    ("notes.jpg", lambda d: b"Meeting notes\nbring headshots\n", "text file"),
    ("half.jpg", lambda d: d[: len(d) // 2], "truncated JPEG"),
    ("tables.jpg", _corrupt_tables, "corrupt JPEG"),
    ("header.jpg", lambda d: d[:2] + b"\x13" * 60 + d[62:], "corrupt JPEG"),
    ("random.png", lambda d: np.random.default_rng(1).bytes(5000), "not an image"),
    ("phone.heic", lambda d: b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 100, "HEIC"),
])
def test_bad_files_give_one_line(tmp_path: Path, media: Path, name: str, make, fragment: str
                                 ) -> None:
    path = tmp_path / name
    if make is not None:
        path.write_bytes(make((media / "single_face.jpg").read_bytes()))
    with pytest.raises(PhotoError) as exc:
        load_photo(path)
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith(f"{path}: ")
    assert fragment in msg


def test_video_and_folder_are_named_as_such(tmp_path: Path, media: Path) -> None:
    clip = tmp_path / "clip.jpg"
    clip.write_bytes((media / "single_face.mp4").read_bytes()[:4096])
    with pytest.raises(PhotoError, match="a video, not a photo"):
        load_photo(clip)
    with pytest.raises(PhotoError, match="is a folder"):
        load_photo(tmp_path)


def test_decode_bytes_and_encode_jpeg_round_trip(upright: np.ndarray) -> None:
    data = encode_jpeg(upright, quality=95)
    assert data[:2] == b"\xff\xd8"
    photo = decode_photo(data, "capture")
    assert photo.format == "JPEG" and _mad(photo.rgb, upright) < 2.0
    gray = encode_jpeg(upright[:, :, 0], quality=80)
    assert decode_photo(gray).rgb.shape == upright.shape
    with pytest.raises(PhotoError, match="^capture: empty"):
        decode_photo(b"", "capture")
    with pytest.raises(ValueError):
        encode_jpeg(upright.astype(np.float32))
    with pytest.raises(ValueError):
        encode_jpeg(upright, quality=0)


def test_real_shared_photos_load(media: Path) -> None:
    for path in sorted(media.glob("*.jpg")):
        rgb = load_photo(path)
        assert rgb.ndim == 3 and rgb.shape[2] == 3 and rgb.dtype == np.uint8
        assert rgb.flags["C_CONTIGUOUS"]
