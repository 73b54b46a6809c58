"""``headshot-kiosk analyze PHOTO... [--preset NAME] [--json] [--annotate DIR]``

Measures pose, expression, eyes, framing and image quality in photos (the same numbers
the kiosk coaches from) and, with ``--preset``, judges them against a use-case preset.

- ``--json``: one JSON object per photo per line: ``image``, ``faces``, ``metrics``
  (``null`` where unknown), ``size`` ([width, height]); with ``--preset`` also
  ``preset``, ``in_range`` (per metric), ``ready`` and ``prompt`` (the first thing the
  coach would say, or ``null``). A photo that cannot be read gives
  ``{"image": ..., "error": ...}``.
- Without ``--json``: a table, one row per photo.
- ``--annotate DIR``: a copy of each photo with landmarks, head axes, the shoulder
  line, framing guides and the key numbers drawn on it (``<name>_annotated.jpg``).

A folder given as PHOTO means the photos directly inside it. An unreadable, empty or
non-image file gets one line on stderr naming it; the others are still analysed, and
the exit status is 1 at the end. Bad options exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

import cv2
import numpy as np

from coaching.annotate import annotate
from coaching.coach import evaluate
from coaching.imageio import PhotoError, read_photo
from coaching.landmarks import PhotoAnalyzer
from coaching.lens import focal_35mm, hfov_from_35mm
from coaching.metrics import compute_metrics
from coaching.models import ModelError
from coaching.presets import Preset, UnknownPreset, resolve_preset
from coaching.quality import background_of, check_quality, measure_quality
from coaching.quality_rules import QualityRules
from coaching.segmentation import PersonSegmenter, segmenter_if_present
from coaching.settings import AnalysisSettings
from coaching.yamlconfig import ConfigError
from kiosk.commands.common import UsageError, load_app_config, output_folder

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".gif"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("photos", nargs="+", metavar="PHOTO",
                   help="photo files (or folders of photos) to analyse")
    p.add_argument("--preset", metavar="NAME",
                   help="judge against this preset: a shipped/user preset name or a YAML path")
    p.add_argument("--preset-dir", dest="preset_dirs", action="append", type=Path, default=[],
                   metavar="DIR", help="also look for presets in this folder (repeatable)")
    p.add_argument("--json", action="store_true", help="one JSON object per photo per line")
    p.add_argument("--annotate", type=Path, metavar="DIR",
                   help="write an annotated copy of each photo into DIR")
    p.add_argument("--config", type=Path, default=None,
                   help="app config YAML whose analysis: section is used "
                        "(default: config/default.yaml)")
    p.add_argument("--no-pose", action="store_true",
                   help="skip the body model (no shoulder numbers; faster)")


def run(args: argparse.Namespace) -> int:
    photos = _expand(args.photos)
    settings = _settings(args.config)
    preset = _preset(args.preset, args.preset_dirs) if args.preset else None
    if args.annotate is not None:
        output_folder(args.annotate, "--annotate")

    try:
        analyzer = PhotoAnalyzer.from_settings(settings, pose=not args.no_pose,
                                               offline=args.offline)
    except ModelError as exc:
        print(f"headshot-kiosk: {exc}", file=sys.stderr)
        return 1
    segmenter = segmenter_if_present()  # optional: without it, background checks say None

    progress = _Progress(len(photos), sys.stderr)
    failed = 0
    rows: list[dict[str, Any]] = []
    writer = None if args.annotate is None else _AnnotatedCopies(args.annotate)
    try:
        for i, path in enumerate(photos):
            progress.update(i, path)
            try:
                rec = _analyze_one(path, analyzer, settings, preset, writer, segmenter)
            except _PhotoFailed as exc:
                failed += 1
                progress.clear()
                print(f"headshot-kiosk: {exc}", file=sys.stderr)
                rec = {"image": str(path), "error": str(exc)}
            if args.json:
                progress.clear()
                print(json.dumps(rec), flush=True)
            else:
                rows.append(rec)
        progress.update(len(photos), None)
    finally:
        progress.clear()
        analyzer.close()
        if segmenter is not None:
            segmenter.close()
    if not args.json:
        _print_table(rows, preset is not None)
    if failed:
        print(f"headshot-kiosk: {failed} of {len(photos)} photo(s) could not be analysed",
              file=sys.stderr)
        return 1
    return 0


# --------------------------------------------------------------------------- pieces


class _PhotoFailed(Exception):
    """One photo could not be analysed; ``str()`` names it and says why."""


def _expand(items: list[str]) -> list[Path]:
    """Files as given; a folder becomes the photos directly inside it (sorted)."""
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            inside = sorted(c for c in p.iterdir()
                            if c.is_file() and c.suffix.lower() in IMAGE_SUFFIXES)
            if not inside:
                # Still report it as a failure (one line) rather than silently nothing.
                out.append(p)
            out.extend(inside)
        else:
            out.append(p)
    return out


def _settings(path: Path | None) -> AnalysisSettings:
    return load_app_config(path).analysis


def _preset(name: str, dirs: list[Path]) -> Preset:
    """Like :func:`~kiosk.commands.common.preset_or_usage`, but also searching
    ``--preset-dir`` folders, and its message names the flag."""
    for d in dirs:  # a mistyped folder would otherwise be skipped without a word
        if not Path(d).exists():
            raise UsageError(f"--preset-dir {d}: no such file or folder")
    try:
        return resolve_preset(name, dirs)
    except (ConfigError, UnknownPreset) as exc:
        raise UsageError(f"--preset: {exc}") from None


def _analyze_one(path: Path, analyzer: PhotoAnalyzer, settings: AnalysisSettings,
                 preset: Preset | None, writer: _AnnotatedCopies | None,
                 segmenter: PersonSegmenter | None = None) -> dict[str, Any]:
    """One photo's record (the JSON line / table row); raises _PhotoFailed."""
    try:
        photo = read_photo(path)
    except PhotoError as exc:
        raise _PhotoFailed(str(exc)) from None
    except (OSError, ValueError) as exc:  # anything else the decoder throws
        raise _PhotoFailed(f"{path}: cannot read: {exc}") from None
    obs = analyzer.analyze(photo.rgb)
    m = compute_metrics(obs, photo.rgb, settings)
    if m.eye_distance_px is not None:  # in the original photo's pixels
        m.eye_distance_px /= photo.scale
    m.frame_width_px, m.frame_height_px = photo.original_size
    w, h = photo.original_size
    rec: dict[str, Any] = {"image": str(path), "faces": m.faces, "size": [w, h],
                           "metrics": m.to_dict()}
    f35 = focal_35mm(path)  # the photo's own lens, else the configured camera's
    hfov = hfov_from_35mm(f35) if f35 else settings.camera_hfov_deg
    rec["quality"] = _quality(photo.rgb, obs, m, preset, segmenter, hfov)
    extra: list[str] = []
    if preset is not None:
        ev = evaluate(preset, m)
        rec["preset"] = preset.name
        rec["in_range"] = ev.in_range
        rec["ready"] = ev.ready
        rec["prompt"] = (None if ev.prompt is None else
                         {"key": ev.prompt.key, "text": ev.prompt.text,
                          "metric": ev.prompt.metric, "direction": ev.prompt.direction})
        extra = [f"{preset.name}: {'READY' if ev.ready else 'not ready'}"
                 + (f" - {ev.prompt.text}" if ev.prompt else "")]
    if writer is not None:
        rec["annotated"] = str(writer.write(path, annotate(photo.rgb, obs, m, extra)))
    return rec


def _quality(rgb: np.ndarray, obs: Any, m: Any, preset: Preset | None,
             segmenter: PersonSegmenter | None, hfov_deg: float | None) -> dict[str, Any]:
    """The quality measures and, against the preset's limits (default limits without
    one), every check with its value, limit and pass/fail."""
    background = None if segmenter is None else background_of(segmenter, rgb)
    q = measure_quality(rgb, obs.faces[0] if obs.faces else None, m, background, hfov_deg)
    rules = preset.quality if preset is not None else QualityRules()
    return {"values": q.as_dict(), "gate": rules.gate,
            "checks": [c.as_dict() for c in check_quality(rules, q)]}


class _AnnotatedCopies:
    """``--annotate DIR``: ``<name>_annotated.jpg`` per photo, numbered when two photos
    from different folders share a name, each written atomically so a half-written
    file never looks finished."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._names: set[str] = set()

    def write(self, path: Path, img: np.ndarray) -> Path:
        """Save the annotated RGB ``img`` of the photo at ``path``; raises _PhotoFailed."""
        stem = path.stem or "photo"
        name = f"{stem}_annotated.jpg"
        k = 2
        while name in self._names:
            name = f"{stem}_{k}_annotated.jpg"
            k += 1
        self._names.add(name)
        out = self.folder / name
        tmp = out.with_name(f".{out.name}.tmp.jpg")
        if not cv2.imwrite(str(tmp), cv2.cvtColor(img, cv2.COLOR_RGB2BGR),
                           [cv2.IMWRITE_JPEG_QUALITY, 92]):
            raise _PhotoFailed(f"{out}: cannot write the annotated copy")
        tmp.replace(out)
        return out


def _fmt(v: Any, spec: str = "{:+.1f}") -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    return spec.format(v)


def _print_table(rows: list[dict[str, Any]], with_preset: bool) -> None:
    cols = [("faces", 5), ("yaw", 6), ("pitch", 6), ("roll", 6), ("shoul", 6), ("smile", 5),
            ("eyes", 6), ("gaze", 4), ("head", 4), ("eyeln", 5), ("sharp", 5)]
    if with_preset:
        cols.append(("ready", 5))
    name_w = min(max((len(r["image"]) for r in rows), default=5), 40)
    name_w = max(name_w, 5)
    header = f"{'photo':<{name_w}}  " + " ".join(f"{c:>{w}}" for c, w in cols)
    if with_preset:
        header += "  first prompt"
    print(header)
    for r in rows:
        name = r["image"]
        if len(name) > name_w:
            name = "…" + name[-(name_w - 1):]
        if "error" in r:
            print(f"{name:<{name_w}}  error: {r['error']}")
            continue
        m = r["metrics"]
        eyes = None if m["eyes_closed"] is None else ("closed" if m["eyes_closed"] else "open")
        vals = [str(r["faces"]), _fmt(m["yaw_deg"]), _fmt(m["pitch_deg"]), _fmt(m["roll_deg"]),
                _fmt(m["shoulder_turn_deg"]), _fmt(m["smile"], "{:.2f}"), eyes or "-",
                _fmt(m["looking_at_camera"]), _fmt(m["head_height"], "{:.2f}"),
                _fmt(m["eye_line"], "{:.2f}"), _fmt(m["sharpness"], "{:.0f}")]
        if with_preset:
            vals.append(_fmt(r.get("ready")))
        line = f"{name:<{name_w}}  " + " ".join(f"{v:>{w}}" for v, (_, w) in zip(vals, cols,
                                                                                 strict=True))
        if with_preset:
            p = r.get("prompt")
            line += "  " + (p["text"] if p else "-")
        print(line)
    print("degrees: yaw > 0 turned to the sitter's left, pitch > 0 chin up, roll > 0 tilted "
          "to the sitter's left; head/eyeln = fractions of the height")


class _Progress:
    """A one-line progress bar on stderr: redrawn in place on a terminal, a line per
    10 % elsewhere; only for more than a handful of photos."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.enabled = total > 5 or (self.tty and total > 1)
        self.t0 = time.monotonic()
        self._shown = False
        self._last_decile = -1

    def update(self, done: int, path: Path | None) -> None:
        if not self.enabled:
            return
        frac = done / self.total if self.total else 1.0
        if self.tty:
            width = 24
            bar = "#" * int(frac * width) + "-" * (width - int(frac * width))
            rate = done / max(time.monotonic() - self.t0, 1e-6)
            name = "" if path is None else f" {path.name[:30]}"
            self.stream.write(f"\r[{bar}] {done}/{self.total} {rate:.1f}/s{name}\033[K")
            self.stream.flush()
            self._shown = True
        else:
            decile = int(frac * 10)
            if decile != self._last_decile and (decile > 0 or done == 0):
                self._last_decile = decile
                self.stream.write(f"analyze: {done}/{self.total}\n")
                self.stream.flush()

    def clear(self) -> None:
        if self.tty and self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._shown = False
