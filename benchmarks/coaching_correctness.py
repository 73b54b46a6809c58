"""Coaching correctness on real clips: is the advice right for the person in front?

    python benchmarks/coaching_correctness.py [--presets linkedin,passport,academic]
        [--clips a.mp4,b.avi] [--derived] [--table] [--json OUT]

Every clip of ``../shared/media`` (or ``--clips``) is coached headless, frame by frame,
for each preset (:func:`coaching.clip_run.coach_clip`, face and pose models on every
frame). ``--derived`` adds cases made from the clips (the sitter four times further
away; the room darkened). ``--table`` prints every prompt with its time span and the
metrics behind it. The checks, computed from what the clips are known to hold
(``../shared/media/README.md``), are printed per run and in total:

- ``step_in_front_s``: time told "Step in front of the camera" while a face or a body
  is found in the frame, after the first 0.2 s (target 0);
- ``wrong_shoulder``: shoulder prompts (at onset) whose direction moves the measured
  turn away from the preset's range (target 0);
- ``taller_over_max``: frames told "Stand up taller" with the head over the preset's
  maximum (target 0);
- ``expression_far_yaw``: frames with an expression prompt while the measured yaw is
  more than ``FAR_YAW_DEG`` + 5 degrees (the filter's lag) past the range (target 0);
- ``closure_to_prompt_s``: per long eye closure (eyes shut for a second or more), the
  time from its start to "Open your eyes" (None: never said).

Tests (``tests/test_coaching_real.py``) assert the same checks on shorter runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("HEADSHOT_KIOSK_SHARED", ROOT.parent / "shared"))
os.environ.setdefault("HEADSHOT_KIOSK_MODELS", str(SHARED / "models"))
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from coaching.clip_run import ClipFrame, coach_clip, prompt_spans, read_clip  # noqa: E402
from coaching.judging import EXPRESSION_GATES, FAR_YAW_DEG  # noqa: E402
from coaching.presets import Preset, Range, load_presets  # noqa: E402

CLIPS = ("single_face.mp4", "WolfgangLanger_Pexels.mp4", "face_noface.mov", "noface_face.mov",
         "no_face.mp4", "interview_profile_bystanders.avi", "phone_long_eye_closures.mp4")
PRESETS = ("linkedin", "passport", "academic")
STEP_IN_FRONT = "Step in front of the camera"


# ----------------------------------------------------------------------------- checks
def _distance(rng: Range, value: float) -> float:
    """How far a raw value lies from the range's good values."""
    lo = rng.min if rng.min is not None else (0.0 if rng.side else -np.inf)
    hi = rng.max if rng.max is not None else np.inf
    spans = {"either": [(lo, hi), (-hi, -lo)], "right": [(-hi, -lo)]}.get(rng.side or "",
                                                                         [(lo, hi)])
    return min(0.0 if a <= value <= b else min(abs(value - a), abs(value - b))
               for a, b in spans)


def step_in_front_s(run: list[ClipFrame], frame_s: float, grace_s: float = 0.2) -> float:
    t0 = run[0].t if run else 0.0
    return sum(frame_s for f in run if f.t - t0 > grace_s and f.message == STEP_IN_FRONT
               and (f.metrics.faces > 0 or f.metrics.presence is not None or f.body))


def wrong_shoulder(run: list[ClipFrame], preset: Preset) -> int:
    """Shoulder-turn prompts, at their onset, that move the turn away from the range."""
    rng = preset.ranges.shoulder_turn_deg
    if rng is None:
        return 0
    wrong = 0
    prev = None
    for f in run:
        key, value = f.key, f.metrics.shoulder_turn_deg
        if key != prev and key and key.startswith("shoulder_turn_deg.") and value is not None:
            variant = key.split(".")[1]
            step = {"left": 2.0, "right": -2.0}.get(variant, -2.0 * np.sign(value))
            if _distance(rng, value + step) > _distance(rng, value):
                wrong += 1
        prev = key
    return wrong


def taller_over_max(run: list[ClipFrame], preset: Preset) -> int:
    hh = preset.ranges.head_height
    if hh is None or hh.max is None:
        return 0
    return sum(1 for f in run if f.key == "eye_line.up" and f.metrics.head_height is not None
               and f.metrics.head_height > hh.max)


def expression_far_yaw(run: list[ClipFrame], preset: Preset, slack: float = 5.0) -> int:
    rng = preset.ranges.yaw_deg
    if rng is None:
        return 0
    return sum(1 for f in run if f.key and f.key.split(".")[0] in EXPRESSION_GATES
               and f.metrics.yaw_deg is not None
               and _distance(rng, f.metrics.yaw_deg) > FAR_YAW_DEG + slack)


def closures(run: list[ClipFrame], fps: float, min_s: float = 1.0) -> list[tuple[int, int]]:
    """Runs of frames with the eyes shut for ``min_s`` or more: (first, after last)."""
    out, start = [], None
    for i, f in enumerate([*run, None]):
        shut = f is not None and f.metrics.eyes_closed is True
        if shut and start is None:
            start = i
        elif not shut and start is not None:
            if i - start >= min_s * fps:
                out.append((start, i))
            start = None
    return out


def closure_to_prompt_s(run: list[ClipFrame], fps: float) -> list[float | None]:
    out: list[float | None] = []
    for a, b in closures(run, fps):
        told = next((f.t for f in run[a:b] if f.key == "eyes_open.closed"), None)
        out.append(None if told is None else round(told - run[a].t, 2))
    return out


def checks(run: list[ClipFrame], preset: Preset, fps: float) -> dict[str, object]:
    return {"step_in_front_s": round(step_in_front_s(run, 1.0 / fps), 2),
            "wrong_shoulder": wrong_shoulder(run, preset),
            "taller_over_max": taller_over_max(run, preset),
            "expression_far_yaw": expression_far_yaw(run, preset),
            "closure_to_prompt_s": closure_to_prompt_s(run, fps)}


# ------------------------------------------------------------------------------ runs
def _far(rgb: np.ndarray) -> np.ndarray:
    h, w = rgb.shape[:2]
    small = cv2.resize(rgb, (w // 4, h // 4), interpolation=cv2.INTER_AREA)
    out = np.full_like(rgb, 90)
    y, x = (h - small.shape[0]) // 2, (w - small.shape[1]) // 2
    out[y:y + small.shape[0], x:x + small.shape[1]] = small
    return out


def _dark(rgb: np.ndarray) -> np.ndarray:
    return np.clip(rgb.astype(np.float32) * 0.03, 0, 255).astype(np.uint8)


DERIVED: dict[str, Callable[[np.ndarray], np.ndarray]] = {"far x4": _far, "dark x0.03": _dark}


def _table(run: list[ClipFrame], fps: float) -> list[str]:
    lines = []
    by_t = {round(f.t, 4): f for f in run}
    for s in prompt_spans(run, 1.0 / fps):
        m = by_t[round(s.start, 4)].metrics

        def v(x: float | None, nd: int = 0) -> str:
            return "-" if x is None else f"{x:.{nd}f}"
        lines.append(f"    {s.start:6.2f}-{s.end:6.2f}  {s.status:14s} {s.message:42s} "
                     f"faces {m.faces} yaw {v(m.yaw_deg)} pitch {v(m.pitch_deg)} "
                     f"shoulders {v(m.shoulder_turn_deg)} head {v(m.head_height, 2)} "
                     f"eyes {v(m.eye_line, 2)} smile {v(m.smile, 2)} "
                     f"shut {m.eyes_closed} presence {m.presence}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--presets", default=",".join(PRESETS))
    ap.add_argument("--clips", default=",".join(CLIPS))
    ap.add_argument("--derived", action="store_true", help="add far and dark variants")
    ap.add_argument("--table", action="store_true", help="print every prompt's time span")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)
    presets = load_presets(user=False)
    names = [n.strip() for n in args.presets.split(",") if n.strip()]
    for n in names:
        if n not in presets:
            print(f"coaching_correctness: unknown preset '{n}'", file=sys.stderr)
            return 2
    results = []
    totals = {"step_in_front_s": 0.0, "wrong_shoulder": 0, "taller_over_max": 0,
              "expression_far_yaw": 0, "closures": 0, "closures_told": 0}
    for clip in [c.strip() for c in args.clips.split(",") if c.strip()]:
        path = Path(clip) if Path(clip).exists() else SHARED / "media" / clip
        try:
            frames, fps = read_clip(path)
        except OSError as exc:
            print(f"coaching_correctness: {exc}", file=sys.stderr)
            return 1
        variants = {"": frames}
        if args.derived:
            variants.update({k: [fn(f) for f in frames] for k, fn in DERIVED.items()})
        for tag, vframes in variants.items():
            for n in names:
                run = coach_clip(vframes, fps, presets[n])
                c = checks(run, presets[n], fps)
                name = f"{path.name}{' (' + tag + ')' if tag else ''}"
                print(f"{name:45s} {n:10s} {json.dumps(c)}", flush=True)
                if args.table:
                    print("\n".join(_table(run, fps)), flush=True)
                results.append({"clip": name, "preset": n, **c})
                for k in ("step_in_front_s", "wrong_shoulder", "taller_over_max",
                          "expression_far_yaw"):
                    totals[k] += c[k]  # type: ignore[operator]
                told = c["closure_to_prompt_s"]
                totals["closures"] += len(told)  # type: ignore[arg-type]
                totals["closures_told"] += sum(x is not None for x in told)  # type: ignore
    totals["step_in_front_s"] = round(totals["step_in_front_s"], 2)
    print("total", json.dumps(totals))
    if args.json:
        args.json.write_text(json.dumps({"runs": results, "total": totals}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
