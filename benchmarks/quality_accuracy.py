"""Accuracy of the light, glasses and background checks (issue 15's acceptance figures).

    python benchmarks/quality_accuracy.py [--eval ../shared/eval] [--media ../shared/media]

Prints one JSON object:

- ``light_direction``: on the Yale faces' ``leftlight`` / ``centerlight`` / ``rightlight``
  photos, how often :attr:`LightReport.light_from` names the side the light came from
  (Yale's "left" is the image left), overall and per condition;
- ``glasses``: on Yale's ``glasses`` / ``noglasses`` photos, how often
  :attr:`GlassesReport.present` is right;
- ``degradations``: controlled faults added to real photos, each detected at its
  documented limit or not: a darkened half face (light balance), specular spots on the
  lens area of a face with glasses (glare), a shadow band on the background beside the
  sitter (background shadow), red pupils (red-eye), motion blur (sharpness), the top
  recoloured to the background (wardrobe contrast), fine stripes on it (pattern);
- ``ms``: time per measure (face patch + light + glasses; background with segmenter).

The degradations are built here and reused by tests/test_quality.py.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("HEADSHOT_KIOSK_MODELS", str(ROOT.parent / "shared" / "models"))

from coaching import geometry as g  # noqa: E402
from coaching.background import measure_background  # noqa: E402
from coaching.face_patch import face_patch  # noqa: E402
from coaching.glasses import measure_glasses  # noqa: E402
from coaching.imageio import load_photo  # noqa: E402
from coaching.light import measure_light  # noqa: E402
from coaching.observations import FaceObservation  # noqa: E402
from coaching.photo_analyzer import PhotoAnalyzer  # noqa: E402
from coaching.presets import resolve_preset  # noqa: E402
from coaching.segmentation import PersonSegmenter  # noqa: E402
from coaching.wardrobe import measure_wardrobe  # noqa: E402

LIGHT_CONDITIONS = {"leftlight": "image-left", "centerlight": "front",
                    "rightlight": "image-right"}


@dataclass(frozen=True)
class Face:
    """One photo and its largest face."""

    name: str
    rgb: np.ndarray
    face: FaceObservation


def yale_faces(eval_dir: Path, conditions: set[str], analyzer: PhotoAnalyzer) -> list[Face]:
    """Yale photos of the given conditions with their face (photos without one skipped)."""
    root = eval_dir / "yalefaces"
    out = []
    with open(root / "labels.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["condition"] not in conditions:
                continue
            rgb = load_photo(root / "png" / row["png_file"])
            obs = analyzer.analyze(rgb)
            if obs.faces:
                out.append(Face(row["condition"], rgb, obs.faces[0]))
    return out


def light_accuracy(faces: list[Face]) -> dict[str, float]:
    hits: dict[str, list[bool]] = defaultdict(list)
    for f in faces:
        patch = face_patch(f.rgb, f.face)
        rep = measure_light(patch) if patch is not None else None
        hits[f.name].append(rep is not None and rep.light_from == LIGHT_CONDITIONS[f.name])
    allh = [h for v in hits.values() for h in v]
    return {"n": len(allh), "accuracy": float(np.mean(allh)),
            **{c: float(np.mean(v)) for c, v in sorted(hits.items())}}


def glasses_accuracy(faces: list[Face]) -> dict[str, float]:
    right = []
    for f in faces:
        patch = face_patch(f.rgb, f.face)
        rep = measure_glasses(patch) if patch is not None else None
        right.append(rep is not None and rep.present == (f.name == "glasses"))
    return {"n": len(right), "accuracy": float(np.mean(right))}


# ----------------------------------------------------------------------- degradations


def _px(rgb: np.ndarray, face: FaceObservation) -> np.ndarray:
    h, w = rgb.shape[:2]
    return face.landmarks[:, :2] * (w, h)


def darken_half_face(rgb: np.ndarray, face: FaceObservation, factor: float = 0.45
                     ) -> np.ndarray:
    """The image-left half of the face (left of the nose) darkened: a dead light."""
    px = _px(rgb, face)
    out = rgb.astype(np.float32)
    x0, y0 = px.min(axis=0)
    x1, y1 = px.max(axis=0)
    nose_x = int(px[g.NOSE_TIP, 0])
    ys = slice(max(int(y0) - 20, 0), int(y1) + 20)
    out[ys, max(int(x0) - 20, 0):nose_x] *= factor
    return out.clip(0, 255).astype(np.uint8)


def add_lens_glare(rgb: np.ndarray, face: FaceObservation, spots: int = 2) -> np.ndarray:
    """White specular spots on each lens, beside the iris (a flash in the glasses)."""
    px = _px(rgb, face)
    ed = float(np.linalg.norm(px[g.LEFT_IRIS] - px[g.RIGHT_IRIS]))
    out = rgb.copy()
    r = max(int(round(0.07 * ed)), 2)
    for iris in (g.RIGHT_IRIS, g.LEFT_IRIS):
        cx, cy = px[iris]
        for k in range(spots):
            x = int(round(cx + (0.22 + 0.1 * k) * ed))
            y = int(round(cy - (0.08 - 0.1 * k) * ed))
            cv2.circle(out, (x, y), r, (255, 255, 255), -1)
    return out


def add_background_shadow(small_rgb: np.ndarray, person: np.ndarray, factor: float = 0.55,
                          width_frac: float = 0.08) -> np.ndarray:
    """A shadow band on the background along one side of the sitter's silhouette."""
    h, w = person.shape
    body = (person >= 0.5).astype(np.uint8)
    k = max(3, int(width_frac * max(h, w)))
    band = cv2.dilate(body, np.ones((2 * k + 1, 2 * k + 1), np.uint8)).astype(bool)
    band &= ~body.astype(bool)
    xs = np.flatnonzero(body.any(axis=0))
    if xs.size:
        band[:, : int(xs.mean())] = False  # one side only, as a light beside the camera casts
    out = small_rgb.astype(np.float32)
    out[band] *= factor
    return out.clip(0, 255).astype(np.uint8)


def red_pupils(rgb: np.ndarray, face: FaceObservation) -> np.ndarray:
    """Both pupils painted flash red."""
    px = _px(rgb, face)
    ed = float(np.linalg.norm(px[g.LEFT_IRIS] - px[g.RIGHT_IRIS]))
    out = rgb.copy()
    for iris in (g.RIGHT_IRIS, g.LEFT_IRIS):
        cx, cy = px[iris]
        cv2.circle(out, (int(round(cx)), int(round(cy))), max(int(0.06 * ed), 2),
                   (210, 30, 30), -1)
    return out


def motion_blur(rgb: np.ndarray, length: int = 25) -> np.ndarray:
    """A horizontal motion blur (the sitter moved during the exposure)."""
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0 / length
    return cv2.filter2D(rgb, -1, kernel)


def clothing_mask(rgb: np.ndarray, face: FaceObservation, segmenter: PersonSegmenter
                  ) -> np.ndarray:
    """The sitter's top at full resolution: the person below the chin."""
    small, person = segmenter.person_mask(rgb)
    h, w = rgb.shape[:2]
    body = cv2.resize((person >= 0.5).astype(np.uint8), (w, h),
                      interpolation=cv2.INTER_NEAREST).astype(bool)
    y1 = face.bbox(w, h)[3]
    body[: int(y1 + 0.1 * (y1 - face.bbox(w, h)[1]))] = False
    return body


def top_like_background(rgb: np.ndarray, face: FaceObservation,
                        segmenter: PersonSegmenter) -> np.ndarray:
    """The top recoloured to the background's median colour (texture kept)."""
    top = clothing_mask(rgb, face, segmenter)
    small, person = segmenter.person_mask(rgb)
    bg = np.median(small[person < 0.5], axis=0)
    out = rgb.astype(np.float32)
    lum = out[top].mean(axis=1, keepdims=True)
    out[top] = bg * (0.85 + 0.3 * lum / max(float(lum.mean()), 1.0))
    return out.clip(0, 255).astype(np.uint8)


def striped_top(rgb: np.ndarray, face: FaceObservation, segmenter: PersonSegmenter,
                period: int = 4) -> np.ndarray:
    """A fine stripe pattern printed on the top (the moire risk)."""
    top = clothing_mask(rgb, face, segmenter)
    out = rgb.copy()
    stripes = (np.arange(rgb.shape[0]) // (period // 2)) % 2 == 0
    light = top & stripes[:, None]
    dark = top & ~stripes[:, None]
    out[light] = np.minimum(out[light].astype(np.int16) + 90, 255).astype(np.uint8)
    out[dark] = (out[dark] * 0.4).astype(np.uint8)
    return out


def degradations(media: Path, eval_dir: Path, analyzer: PhotoAnalyzer,
                 segmenter: PersonSegmenter) -> dict[str, dict[str, float | bool]]:
    """Each controlled fault: the measure before and after, and whether it crosses the
    limit the passport preset uses."""
    rules = resolve_preset("passport").quality
    photo = load_photo(media / "single_face.jpg")
    face = analyzer.analyze(photo).faces[0]
    glasses_rgb = load_photo(eval_dir / "yalefaces" / "png" / "subject01_glasses.png")
    glasses_face = analyzer.analyze(glasses_rgb).faces[0]

    def light(rgb: np.ndarray, f: FaceObservation) -> object:
        return measure_light(face_patch(rgb, f))  # type: ignore[arg-type]

    def glasses(rgb: np.ndarray, f: FaceObservation) -> object:
        return measure_glasses(face_patch(rgb, f))  # type: ignore[arg-type]

    out: dict[str, dict[str, float | bool]] = {}
    before = abs(light(photo, face).balance_lr)  # type: ignore[attr-defined]
    dark = darken_half_face(photo, face)
    after = abs(light(dark, analyzer.analyze(dark).faces[0]).balance_lr)  # type: ignore[attr-defined]
    out["half_face_dark"] = {"before": before, "after": after,
                             "detected": after > rules.light_balance_max >= before}  # type: ignore[operator]
    before = glasses(glasses_rgb, glasses_face).glare  # type: ignore[attr-defined]
    glare = add_lens_glare(glasses_rgb, glasses_face)
    after = glasses(glare, analyzer.analyze(glare).faces[0]).glare  # type: ignore[attr-defined]
    out["lens_glare"] = {"before": before, "after": after,
                         "detected": after > rules.glare_max >= before}
    small, mask = segmenter.person_mask(photo)
    before = measure_background(small, mask).shadow or 0.0
    after = measure_background(add_background_shadow(small, mask), mask).shadow or 0.0
    limit = rules.background.shadow_max  # type: ignore[union-attr]
    out["background_shadow"] = {"before": before, "after": after,
                                "detected": after > limit >= before}  # type: ignore[operator]
    before = glasses(photo, face).red_eye  # type: ignore[attr-defined]
    red = red_pupils(photo, face)
    after = glasses(red, analyzer.analyze(red).faces[0]).red_eye  # type: ignore[attr-defined]
    out["red_eye"] = {"before": before, "after": after,
                      "detected": after > rules.red_eye_max >= before}  # type: ignore[operator]
    small, mask = segmenter.person_mask(photo)
    before_w = measure_wardrobe(photo, small, mask, face)
    merged = top_like_background(photo, face, segmenter)
    small, mask = segmenter.person_mask(merged)
    after_w = measure_wardrobe(merged, small, mask, face)
    out["top_merges"] = {"before": before_w.contrast, "after": after_w.contrast,
                         "detected": bool(after_w.merges and not before_w.merges)}
    striped = striped_top(photo, face, segmenter)
    small, mask = segmenter.person_mask(striped)
    after_w = measure_wardrobe(striped, small, mask, face)
    out["top_pattern"] = {"before": before_w.busy, "after": after_w.busy,
                          "detected": bool(after_w.is_busy and not before_w.is_busy)}
    return out


def timings(faces: list[Face], segmenter: PersonSegmenter, media: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    for f in faces:
        p = face_patch(f.rgb, f.face)
        measure_light(p)  # type: ignore[arg-type]
        measure_glasses(p)  # type: ignore[arg-type]
    face_ms = (time.perf_counter() - t0) * 1000 / max(len(faces), 1)
    frame = load_photo(media / "single_face.jpg")
    t0 = time.perf_counter()
    for _ in range(10):
        small, mask = segmenter.person_mask(frame)
        measure_background(small, mask)
    return {"face_ms": face_ms, "background_ms": (time.perf_counter() - t0) * 100}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    ap.add_argument("--media", type=Path, default=ROOT.parent / "shared" / "media")
    args = ap.parse_args()
    with PhotoAnalyzer(pose=None) as analyzer, PersonSegmenter() as segmenter:
        light_faces = yale_faces(args.eval, set(LIGHT_CONDITIONS), analyzer)
        glasses_faces = yale_faces(args.eval, {"glasses", "noglasses"}, analyzer)
        report = {"light_direction": light_accuracy(light_faces),
                  "glasses": glasses_accuracy(glasses_faces),
                  "degradations": degradations(args.media, args.eval, analyzer, segmenter),
                  "ms": timings(light_faces + glasses_faces, segmenter, args.media)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
