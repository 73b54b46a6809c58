"""The labelled development sets and the models' observations of them (cached).

Each dataset's sign convention becomes the project's here and nowhere else (see
../shared/eval/README.md and coaching/metrics.py). The observations are cached, keyed
by the analyzer's settings and the landmarks module, so threshold sweeps rerun in
seconds: only :func:`coaching.metrics.compute_metrics` runs again.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import pickle
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from coaching import landmarks as _landmarks_module
from coaching.landmarks import Observation, PhotoAnalyzer
from coaching.settings import AnalysisSettings

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
DEFAULT_CACHE = Path(os.environ.get("TMPDIR", "/tmp")) / "headshot-kiosk-accuracy"


@dataclass
class Item:
    """One photo and its labels, already in the project's signs and units."""

    path: Path
    labels: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- datasets
# (the one place where dataset signs become ours)


def genki(eval_dir: Path) -> list[Item]:
    base = eval_dir / "genki4k-dev"
    out = []
    with open(base / "labels.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            out.append(Item(base / row["file"], {
                "smile": int(row["smile"]),
                "yaw": math.degrees(float(row["yaw_rad"])),      # same sign as ours
                "pitch": math.degrees(float(row["pitch_rad"])),  # same sign as ours
                "roll": math.degrees(float(row["roll_rad"])),    # same sign as ours
                "eyes_closed": 0,
            }))
    return out


def aflw(eval_dir: Path) -> list[Item]:
    base = eval_dir / "aflw2000-sample"
    out = []
    with open(base / "labels_parsed.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            out.append(Item(base / row["image"], {
                "yaw": -float(row["yaw_deg"]),  # AFLW: yaw > 0 = nose toward image left
                "pitch": float(row["pitch_deg"]),
                "roll": float(row["roll_deg"]),
            }))
    return out


def cew(eval_dir: Path) -> list[Item]:
    base = eval_dir / "cew-closed-dev"
    with open(base / "labels.csv", newline="") as fh:
        return [Item(base / row["file"], {"eyes_closed": int(row["eyes"] == "closed")})
                for row in csv.DictReader(fh)]


def yale(eval_dir: Path) -> list[Item]:
    base = eval_dir / "yalefaces"
    out = []
    with open(base / "labels.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            labels: dict[str, Any] = {"eyes": row["eyes"], "condition": row["condition"]}
            if row["smile"] != "":
                labels["smile"] = int(row["smile"])
            if row["eyes"] == "open":
                labels["eyes_closed"] = 0
            elif row["eyes"] == "closed_both":
                labels["eyes_closed"] = 1
            out.append(Item(base / "png" / row["png_file"], labels))
    return out


DATASETS = {"genki": genki, "aflw": aflw, "cew": cew, "yale": yale}
POSE_FOR: set[str] = set()  # no set here shows shoulders in the frame


def sample(items: list[Item], limit: int | None) -> list[Item]:
    """An evenly spaced, deterministic subset."""
    if not limit or limit >= len(items):
        return items
    idx = np.linspace(0, len(items) - 1, limit).round().astype(int)
    return [items[i] for i in idx]


# --------------------------------------------------------------------------- observing


def load_rgb(path: Path) -> np.ndarray:
    """The photo as RGB, as the product reads it; OSError when it cannot be decoded."""
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise OSError(f"cannot read {path}")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def _cache_key(settings: AnalysisSettings, pose: bool) -> str:
    """Changes whenever the observations would: analyzer settings or landmarks.py."""
    src = Path(_landmarks_module.__file__).read_bytes()
    key = json.dumps([settings.photo_min_side, settings.photo_pad, settings.photo_tiles,
                      settings.max_faces, settings.pose_model if pose else None,
                      hashlib.sha1(src).hexdigest()])
    return hashlib.sha1(key.encode()).hexdigest()[:12]


def observe(name: str, items: list[Item], settings: AnalysisSettings, cache: Path | None,
            progress: bool = True) -> tuple[list[Observation | None], float | None]:
    """Observations for ``items`` (cached); returns them and ms per photo if computed."""
    pose = name in POSE_FOR
    store: dict[str, Observation | None] = {}
    cfile = cache / f"{name}-{_cache_key(settings, pose)}.pkl" if cache else None
    if cfile and cfile.exists():
        with open(cfile, "rb") as fh:
            store = pickle.load(fh)
    todo = [it for it in items if str(it.path) not in store]
    ms = None
    if todo:
        analyzer = PhotoAnalyzer(max_faces=settings.max_faces,
                                 pose=settings.pose_model if pose else None,
                                 min_side=settings.photo_min_side, pad=settings.photo_pad,
                                 tiles=settings.photo_tiles)
        spent = 0.0
        try:
            for i, it in enumerate(todo):
                try:
                    rgb = load_rgb(it.path)
                except OSError:
                    store[str(it.path)] = None
                    continue
                t0 = time.perf_counter()
                store[str(it.path)] = analyzer.analyze(rgb)
                spent += time.perf_counter() - t0
                if progress and sys.stderr.isatty():
                    print(f"\r{name}: {i + 1}/{len(todo)}", end="", file=sys.stderr)
        finally:
            analyzer.close()
            if progress and sys.stderr.isatty():
                print(file=sys.stderr)
        ms = 1000 * spent / len(todo)
        if cfile:
            cfile.parent.mkdir(parents=True, exist_ok=True)
            tmp = cfile.with_suffix(".tmp")
            with open(tmp, "wb") as fh:
                pickle.dump(store, fh)
            tmp.replace(cfile)
    return [store.get(str(it.path)) for it in items], ms



def eye_width_px(o: Observation) -> float:
    """Mean width of the first face's two eyes in pixels (the size the eye rules use)."""
    px = o.faces[0].landmarks[:, :2] * (o.width, o.height)
    return float((np.linalg.norm(px[33] - px[133]) + np.linalg.norm(px[263] - px[362])) / 2)
