"""Every output of a preset made from one photo: :class:`DeliverableMaker`.

The photo is decoded at full resolution (orientation applied), re-analysed in IMAGE
mode (the face landmarker on a copy of at most ``work_side`` px, whose normalised
landmarks map straight onto the full-size pixels; the landmarker itself looks at 256
px), its crown found (:mod:`delivery.head_top`), and each output composed
(:mod:`coaching.composition`), cut from the full-resolution pixels and written
(:mod:`delivery.jpeg_writer`); print sheets repeat a photo output
(:mod:`delivery.print_sheet`). Coordinates from the live preview are never used: the
still is its own truth. An output whose rule cannot be met gets no file, only its
problems.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from coaching.composition import Composition, compose
from coaching.head_geometry import HeadGeometry
from coaching.imageio import Photo, read_photo
from coaching.photo_analyzer import PhotoAnalyzer
from coaching.preset_outputs import Output
from coaching.presets import Preset
from delivery.head_top import CrownFinder, head_geometry
from delivery.jpeg_writer import area_resize, cut, write_jpeg
from delivery.print_sheet import layout, render_sheet

__all__ = ["DeliverableMaker", "Rendered", "output_path"]


@dataclass(frozen=True)
class Rendered:
    """One output of one photo: the file written (or None) and what was measured."""

    output: str
    title: str
    kind: str  # "photo" | "sheet"
    path: Path | None
    size: tuple[int, int]
    dpi: int
    meets: bool
    measured: dict[str, float] | None = None
    problems: tuple[str, ...] = ()
    crown: str = ""  # how the crown was found: "mask" | "mesh"
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, for the sidecar and ``export --json``."""
        return {"output": self.output, "title": self.title, "kind": self.kind,
                "path": None if self.path is None else str(self.path),
                "file": None if self.path is None else self.path.name,
                "size": list(self.size), "dpi": self.dpi, "meets_rule": self.meets,
                "composition": self.measured, "problems": list(self.problems),
                "crown": self.crown, **self.extra}


def output_path(folder: Path, stem: str, output: Output) -> Path:
    """``<folder>/<stem>.<output>.jpg`` (``shot-001.linkedin-square.jpg``)."""
    return Path(folder) / f"{stem}.{output.name}.jpg"


class DeliverableMaker:
    """The models for re-analysing stills (face landmarker, selfie segmenter); one call
    at a time (a lock), close() when done."""

    def __init__(self, *, offline: bool = False, segmenter: bool = True,
                 work_side: int = 1920, quality: int = 92) -> None:
        self.work_side = work_side
        self.quality = quality
        self._lock = threading.Lock()
        self._faces = PhotoAnalyzer(max_faces=4, pose=None, offline=offline)
        try:
            self._crowns = CrownFinder(use_mask=segmenter, offline=offline)
        except Exception:
            self._faces.close()
            raise

    # -- analysis ----------------------------------------------------------------------
    def geometry(self, rgb: np.ndarray) -> HeadGeometry | None:
        """The main (largest) face's head in ``rgb``'s pixels, or None without a face."""
        h, w = rgb.shape[:2]
        f = min(1.0, self.work_side / max(h, w))
        work = rgb if f >= 1.0 else area_resize(
            rgb, (max(1, round(w * f)), max(1, round(h * f))))
        with self._lock:
            obs = self._faces.analyze(work)
            if not obs.faces:
                return None
            return head_geometry(obs.faces[0], work, self._crowns, full_size=(w, h))

    def plan(self, rgb: np.ndarray, outputs: list[Output]) -> tuple[HeadGeometry | None,
                                                                    list[Composition]]:
        """The composition of each photo output for ``rgb`` (no files)."""
        geo = self.geometry(rgb)
        size = (rgb.shape[1], rgb.shape[0])
        if geo is None:
            return None, []
        return geo, [compose(geo, size, o) for o in outputs if o.kind == "photo"]

    # -- files -------------------------------------------------------------------------
    def render(self, photo: str | Path | Photo, preset: Preset, folder: Path,
               stem: str | None = None, only: str | None = None) -> list[Rendered]:
        """Write every output of ``preset`` (or just ``only``) for ``photo`` into
        ``folder``; raises coaching.imageio.PhotoError for an unreadable photo."""
        if not isinstance(photo, Photo):
            photo = read_photo(photo, max_side=None)
        stem = stem or Path(photo.path).stem
        rgb = photo.rgb
        wanted = {o.name for o in preset.outputs if only is None or o.name == only}
        needed = set(wanted)  # a sheet alone still needs the photo it repeats
        needed |= {o.sheet.of for o in preset.outputs if o.name in wanted and o.sheet}
        geo = self.geometry(rgb)
        made: dict[str, np.ndarray] = {}
        results: list[Rendered] = []
        for out in preset.outputs:
            if out.name not in needed:
                continue
            if out.kind == "sheet":
                r = self._sheet(out, preset, made, folder, stem)
            else:
                r = self._photo(out, geo, rgb, folder, stem, made, write=out.name in wanted)
            if out.name in wanted:
                results.append(r)
        return results

    def _photo(self, out: Output, geo: HeadGeometry | None, rgb: np.ndarray, folder: Path,
               stem: str, made: dict[str, np.ndarray], write: bool = True) -> Rendered:
        if geo is None:
            size = out.pixel_size()
            return Rendered(out.name, out.title, "photo", None, size, out.dpi_for(size[0]),
                            False, None, ("no face found in the photo",))
        comp = compose(geo, (rgb.shape[1], rgb.shape[0]), out)
        dpi = out.dpi_for(comp.size[0])
        measured = None if comp.measured is None else comp.measured.to_dict()
        if comp.crop is None:
            return Rendered(out.name, out.title, "photo", None, comp.size, dpi, False,
                            measured, comp.problems, geo.crown_method)
        pixels = cut(rgb, comp.crop, comp.size)
        made[out.name] = pixels
        path = (write_jpeg(output_path(folder, stem, out), pixels, dpi, self.quality)
                if write else None)
        x0, y0, x1, y1 = comp.crop.box()
        return Rendered(out.name, out.title, "photo", path, comp.size, dpi, True, measured,
                        (), geo.crown_method, {"crop": [x0, y0, x1 - x0, y1 - y0]})

    def _sheet(self, out: Output, preset: Preset, made: dict[str, np.ndarray], folder: Path,
               stem: str) -> Rendered:
        sheet = out.sheet
        assert sheet is not None
        src = next(o for o in preset.outputs if o.name == sheet.of)
        lay = layout(sheet, src)
        info = {"copies": len(lay.origins), "of": sheet.of,
                "size_mm": [round(v, 1) for v in sheet.mm()]}
        if sheet.of not in made:
            return Rendered(out.name, out.title, "sheet", None, lay.sheet_px, sheet.dpi, False,
                            None, (f"needs the '{sheet.of}' photo, which could not be made",),
                            extra=info)
        img = render_sheet(made[sheet.of], sheet, src)
        path = write_jpeg(output_path(folder, stem, out), img, sheet.dpi, self.quality)
        return Rendered(out.name, out.title, "sheet", path, lay.sheet_px, sheet.dpi, True,
                        None, (), extra=info)

    def close(self) -> None:
        with self._lock:
            self._crowns.close()
            self._faces.close()

    def __enter__(self) -> DeliverableMaker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
