"""A print sheet: copies of an ID photo at their exact physical size, with cut marks.

The sheet (e.g. 6 x 4 in at 300 dpi, the 4 x 6 / 10 x 15 cm print every photo counter
makes) holds as many copies as fit in a grid inside its margin with ``gap_mm`` between
them (or the preset's ``copies``, if that many fit). Each copy is the photo output
resampled to its physical size at the sheet's dpi; short cut marks sit in the gaps at
every photo corner, outside the photos, so a guillotine cut on the marks leaves the
photo exactly its size. White background, black hairline marks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from coaching.preset_outputs import MM_PER_IN, Output, Sheet

__all__ = ["Layout", "layout", "render_sheet"]


@dataclass(frozen=True)
class Layout:
    """Where the copies go on the sheet, in sheet pixels."""

    sheet_px: tuple[int, int]
    photo_px: tuple[int, int]
    origins: tuple[tuple[int, int], ...]  # top-left corner of each copy
    columns: int
    rows: int


def layout(sheet: Sheet, photo: Output) -> Layout:
    """The grid for ``photo`` (an output with a physical size) on ``sheet``.
    Raises ValueError when not one copy (or not ``copies``) fits."""
    mm = photo.physical_mm()
    if mm is None:
        raise ValueError(f"output {photo.name!r} has no physical size for a print sheet")
    sw, sh = sheet.mm()
    inner_w, inner_h = sw - 2 * sheet.margin_mm, sh - 2 * sheet.margin_mm
    cols = max(0, math.floor((inner_w + sheet.gap_mm) / (mm[0] + sheet.gap_mm) + 1e-9))
    rows = max(0, math.floor((inner_h + sheet.gap_mm) / (mm[1] + sheet.gap_mm) + 1e-9))
    fit = cols * rows
    want = sheet.copies or fit
    if fit < 1 or want > fit:
        raise ValueError(f"{want} copies of {mm[0]:g} x {mm[1]:g} mm do not fit on a "
                         f"{sw:g} x {sh:g} mm sheet ({fit} fit)")
    dots = sheet.dpi / MM_PER_IN
    pw, ph = round(mm[0] * dots), round(mm[1] * dots)
    grid_w = cols * mm[0] + (cols - 1) * sheet.gap_mm
    grid_h = rows * mm[1] + (rows - 1) * sheet.gap_mm
    left, top = (sw - grid_w) / 2, (sh - grid_h) / 2  # centred on the sheet
    origins = []
    for i in range(want):
        r, c = divmod(i, cols)
        origins.append((round((left + c * (mm[0] + sheet.gap_mm)) * dots),
                        round((top + r * (mm[1] + sheet.gap_mm)) * dots)))
    return Layout(sheet.size_px(), (pw, ph), tuple(origins), cols, rows)


def render_sheet(photo_rgb: np.ndarray, sheet: Sheet, photo: Output) -> np.ndarray:
    """The sheet as an RGB image with the copies and cut marks."""
    lay = layout(sheet, photo)
    w, h = lay.sheet_px
    canvas = np.full((h, w, 3), 255, np.uint8)
    pw, ph = lay.photo_px
    shrink = pw <= photo_rgb.shape[1]
    copy = cv2.resize(photo_rgb, (pw, ph),
                      interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LANCZOS4)
    dots = sheet.dpi / MM_PER_IN
    mark = max(2, round(min(sheet.gap_mm / 2, 3.0) * dots))  # up to 3 mm long
    off = max(1, round(0.5 * dots))  # 0.5 mm clear of the photo
    thick = max(1, round(0.1 * dots))  # a 0.1 mm hairline
    for x, y in lay.origins:  # marks first: a photo pasted after covers any overlap
        for cx, sx in ((x, -1), (x + pw - 1, 1)):
            for cy, sy in ((y, -1), (y + ph - 1, 1)):
                _line(canvas, (cx + sx * off, cy), (cx + sx * (off + mark), cy), thick)
                _line(canvas, (cx, cy + sy * off), (cx, cy + sy * (off + mark)), thick)
    for x, y in lay.origins:
        canvas[y:y + ph, x:x + pw] = copy
    return canvas


def _line(img: np.ndarray, a: tuple[int, int], b: tuple[int, int], thick: int) -> None:
    """A black cut mark (OpenCV clips it to the sheet)."""
    cv2.line(img, a, b, (0, 0, 0), thick, lineType=cv2.LINE_8)
