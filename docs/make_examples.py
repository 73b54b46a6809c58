"""Make the README's example deliverables from ../shared/media (run from the repo root):

    python docs/make_examples.py [--out docs/examples] [--media ../shared/media]

One picture of each kind of deliverable, made by the real code path
(:class:`delivery.deliverables.DeliverableMaker` with the shipped presets) and then
shrunk to 360 px tall for the README (the full-size files are what ``export`` writes):
a LinkedIn square with its round crop drawn, an acting 8 x 10, a 4:5 web portrait, an
ICAO passport photo and its 4 x 6 in print sheet. The ID pair comes from a 368 x 656
phone video frame whose eyes are 89 px apart, one short of ICAO's 90: for this picture
only, the floor is lowered to 60 px (the crop and composition are the shipped rule's).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from coaching.presets import Preset, load_preset, load_presets
from delivery.deliverables import DeliverableMaker

ROOT = Path(__file__).resolve().parents[1]
HEIGHT = 360


def _frame(video: Path, n: int, folder: Path) -> Path:
    cap = cv2.VideoCapture(str(video))
    cap.set(cv2.CAP_PROP_POS_FRAMES, n)
    ok, bgr = cap.read()
    cap.release()
    if not ok:
        raise SystemExit(f"{video}: cannot read frame {n}")
    path = folder / f"{video.stem}-{n}.png"
    cv2.imwrite(str(path), bgr)
    return path


def _id_preset(folder: Path) -> Preset:
    text = (ROOT / "config/presets/passport.yaml").read_text(encoding="utf-8")
    path = folder / "passport-example.yaml"
    path.write_text(text.replace("min_eye_px: 90", "min_eye_px: 60"), encoding="utf-8")
    return load_preset(path)


def _small(src: Path, dst: Path, circle: bool = False) -> None:
    with Image.open(src) as im:
        rgb = np.asarray(im.convert("RGB")).copy()
    if circle:  # how LinkedIn shows it: the corners outside the round crop dimmed
        h, w = rgb.shape[:2]
        yy, xx = np.ogrid[:h, :w]
        outside = (xx - w / 2) ** 2 + (yy - h / 2) ** 2 > (w / 2) ** 2
        rgb[outside] = (rgb[outside] * 0.35).astype(np.uint8)
    img = Image.fromarray(rgb)
    img = img.resize((round(img.width * HEIGHT / img.height), HEIGHT), Image.Resampling.LANCZOS)
    img.save(dst, "JPEG", quality=85)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "examples")
    ap.add_argument("--media", type=Path, default=ROOT.parent / "shared" / "media")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    shipped = load_presets(user=False)
    work = Path(tempfile.mkdtemp(prefix="examples-"))
    phone = _frame(args.media / "phone_long_eye_closures.mp4", 30, work)
    jobs = [  # (photo, preset, output, example file, round crop drawn)
        (args.media / "single_face.jpg", shipped["linkedin"], "square", "linkedin-square", True),
        (args.media / "single_face.jpg", shipped["acting-commercial"], "8x10", "acting-8x10",
         False),
        (args.media / "multi_face.jpg", shipped["medical"], "portrait", "medical-portrait",
         False),
        (phone, _id_preset(work), "icao", "passport-icao", False),
        (phone, _id_preset(work), "sheet", "passport-sheet", False),
    ]
    with DeliverableMaker() as maker:
        for photo, preset, output, name, circle in jobs:
            (r,) = maker.render(photo, preset, work, stem=name, only=output)
            if r.path is None:
                raise SystemExit(f"{name}: {'; '.join(r.problems)}")
            dst = args.out / f"deliverable-{name}.jpg"
            _small(r.path, dst, circle)
            print(f"{dst}  ({r.size[0]}x{r.size[1]} at {r.dpi} dpi, {r.measured or ''})")


if __name__ == "__main__":
    main()
