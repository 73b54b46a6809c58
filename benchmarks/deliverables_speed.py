"""How long the deliverables take, and what they cost the live preview.

    python benchmarks/deliverables_speed.py [--preset NAME]... [--runs 3] [--crown]

- ``seconds``: every output of each preset made from a 24-megapixel still (6000 x 4000
  JPEG: ``../shared/media/single_face.jpg`` widened to 3:2 with its own edges and
  enlarged), decode + re-analysis + crown + crops + files, median of ``--runs``;
- ``preview_fps``: the face landmarker in VIDEO mode over ``single_face.mp4`` frames
  (the kiosk's per-frame work) alone, then while another thread makes the passport
  deliverables from the 24 MP still again and again, as the plugin worker does while
  the sitter sees the review screen;
- ``--crown``: the crown ratio (segmenter crown - chin) / (mesh point 10 - chin) on the
  real photos and frames of ../shared/media and the Yale faces (the median is
  :data:`coaching.head_geometry.CROWN_RATIO`).

Prints one JSON object. Not a test: timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from coaching import geometry as g
from coaching.imageio import load_photo
from coaching.photo_analyzer import PhotoAnalyzer
from coaching.presets import load_presets
from coaching.trackers import FaceTracker
from delivery.deliverables import DeliverableMaker
from delivery.head_top import CrownFinder

SHARED = Path(os.environ.get("HEADSHOT_KIOSK_SHARED",
                             Path(__file__).resolve().parents[2] / "shared"))
MEDIA = SHARED / "media"


def big_still(folder: Path) -> Path:
    """A real photo as a 24 MP camera JPEG."""
    rgb = load_photo(MEDIA / "single_face.jpg")
    h, w = rgb.shape[:2]
    pad = (h * 3 // 2 - w) // 2
    wide = cv2.copyMakeBorder(rgb, 0, 0, pad, pad, cv2.BORDER_REFLECT)
    big = cv2.resize(wide, (6000, 4000), interpolation=cv2.INTER_CUBIC)
    path = folder / "still-24mp.jpg"
    cv2.imwrite(str(path), cv2.cvtColor(big, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 95])
    return path


def time_presets(maker: DeliverableMaker, still: Path, names: list[str], runs: int,
                 out: Path) -> dict[str, dict[str, object]]:
    presets = load_presets(user=False)
    result = {}
    for name in names:
        p = presets[name]
        times = []
        made = 0
        for _ in range(runs):
            t0 = time.perf_counter()
            rs = maker.render(still, p, out, stem=f"bench-{name}")
            times.append(time.perf_counter() - t0)
            made = sum(r.path is not None for r in rs)
        result[name] = {"seconds": round(statistics.median(times), 3),
                        "outputs": len(p.outputs), "written": made}
    return result


def preview_fps(maker: DeliverableMaker | None, still: Path, seconds: float = 6.0) -> float:
    cap = cv2.VideoCapture(str(MEDIA / "single_face.mp4"))
    frames = []
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        frames.append(np.ascontiguousarray(bgr[:, :, ::-1]))
    cap.release()
    stop = threading.Event()
    worker = None
    if maker is not None:
        preset = load_presets(user=False)["passport"]
        tmp = Path(tempfile.mkdtemp())

        def work() -> None:
            while not stop.is_set():
                maker.render(still, preset, tmp, stem="bg")

        worker = threading.Thread(target=work, daemon=True)
        worker.start()
    n = 0
    with FaceTracker("video") as tracker:
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            tracker.detect(frames[n % len(frames)])
            n += 1
        fps = n / (time.perf_counter() - t0)
    stop.set()
    if worker is not None:
        worker.join()
    return round(fps, 1)


def crown_ratios() -> dict[str, float]:
    images = [load_photo(p) for p in sorted(MEDIA.glob("*.jpg"))]
    yale = SHARED / "eval" / "yalefaces" / "png"
    images += [load_photo(p) for p in sorted(yale.glob("*normal*.png"))]
    images += [load_photo(p) for p in sorted(yale.glob("*happy*.png"))[:5]]
    for video, n in (("single_face.mp4", 10), ("single_face.mp4", 60),
                     ("phone_long_eye_closures.mp4", 30)):
        cap = cv2.VideoCapture(str(MEDIA / video))
        cap.set(cv2.CAP_PROP_POS_FRAMES, n)
        ok, bgr = cap.read()
        cap.release()
        if ok:
            images.append(np.ascontiguousarray(bgr[:, :, ::-1]))
    ratios = []
    with PhotoAnalyzer(pose=None) as an, CrownFinder() as cf:
        for rgb in images:
            obs = an.analyze(rgb)
            if not obs.faces:
                continue
            h, w = rgb.shape[:2]
            px = obs.faces[0].landmarks[:, :2] * (w, h)
            crown, method, cut = cf.crown(rgb, px)
            if method == "mask" and not cut:
                ratios.append((px[g.CHIN, 1] - crown) / (px[g.CHIN, 1] - px[g.FOREHEAD, 1]))
    return {"n": len(ratios), "median": round(float(np.median(ratios)), 3),
            "p10": round(float(np.percentile(ratios, 10)), 3),
            "p90": round(float(np.percentile(ratios, 90)), 3)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", action="append", dest="presets",
                    help="preset(s) to time (default: all shipped)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--crown", action="store_true", help="also measure the crown ratio")
    args = ap.parse_args()
    names = args.presets or sorted(load_presets(user=False))
    out = Path(tempfile.mkdtemp(prefix="deliverables-bench-"))
    still = big_still(out)
    report: dict[str, object] = {"still": "6000x4000 JPEG", "cpus": os.cpu_count()}
    with DeliverableMaker() as maker:
        maker.render(still, load_presets(user=False)["linkedin"], out, stem="warm")
        report["presets"] = time_presets(maker, still, names, args.runs, out)
        report["preview_fps"] = {"alone": preview_fps(None, still),
                                 "while_making_deliverables": preview_fps(maker, still)}
    if args.crown:
        report["crown_ratio"] = crown_ratios()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
