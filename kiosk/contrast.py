"""Colour maths for the accessibility checks: WCAG 2.2 contrast on rendered pixels, and
how a frame looks to a guest with deuteranopia (the commonest colour blindness).

Used by :class:`kiosk.render.Renderer` when it records texts for the checks (the
background under each text is read from the surface just before the text is drawn) and
by the tests; numpy only, no per-pixel Python.
"""

from __future__ import annotations

import numpy as np

#: WCAG 2.2 minimum for normal text (1.4.3, level AA).
WCAG_AA = 4.5
#: Machado, Oliveira & Fernandes 2009, deuteranopia at severity 1.0, on linear RGB.
DEUTERANOPIA = np.array([[0.367322, 0.860646, -0.227968],
                         [0.280085, 0.672501, 0.047413],
                         [-0.011820, 0.042940, 0.968881]])


def linear(rgb: np.ndarray) -> np.ndarray:
    """sRGB 0..255 -> linear 0..1 (the WCAG formula)."""
    c = np.asarray(rgb, np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of sRGB colours (..., 3)."""
    lin = linear(rgb)
    return lin[..., 0] * 0.2126 + lin[..., 1] * 0.7152 + lin[..., 2] * 0.0722


def ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """WCAG contrast ratio between luminances ``a`` and ``b`` (1..21)."""
    hi, lo = np.maximum(a, b), np.minimum(a, b)
    return (hi + 0.05) / (lo + 0.05)


def text_contrast(before: np.ndarray, after: np.ndarray, color: tuple[int, int, int]
                  ) -> float | None:
    """The contrast of text drawn in ``color``: ``before``/``after`` are the (w, h, 3)
    pixels of its box without and with it. Taken over the glyphs' solid pixels (close
    to ``color`` after, changed from before) against what was under each of them; the
    10th percentile, so a text half over a white wall counts as over the wall. None:
    no glyph pixel (an empty string)."""
    col = np.asarray(color, np.float64)
    dist = np.abs(after.astype(np.float64) - col).sum(-1)
    changed = np.abs(after.astype(np.int32) - before.astype(np.int32)).sum(-1) > 30
    solid = (dist < 60) & changed
    if not solid.any():
        return None
    per_pixel = ratio(luminance(col), luminance(before[solid]))
    return float(np.percentile(per_pixel, 10))


def deuteranopia(rgb: np.ndarray) -> np.ndarray:
    """``rgb`` (..., 3, 0..255) as a guest with deuteranopia sees it (sRGB 0..255)."""
    lin = linear(rgb) @ DEUTERANOPIA.T
    lin = np.clip(lin, 0.0, 1.0)
    srgb = np.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin ** (1 / 2.4) - 0.055)
    return (srgb * 255.0 + 0.5).astype(np.uint8)
