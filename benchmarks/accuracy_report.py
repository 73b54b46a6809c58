"""Scoring the observations against the labels, and printing or plotting the result."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
from accuracy_data import Item, eye_width_px, load_rgb

from coaching.geometry import head_angles
from coaching.landmarks import Observation
from coaching.metrics import Metrics, compute_metrics
from coaching.settings import AnalysisSettings


def _pose_errors(items: list[Item], mets: list[Metrics]) -> dict[str, Any]:
    """MAE and median signed error (ours - label) per angle; ``mae_zero_aligned`` is the
    MAE once the dataset's own zero is moved onto ours (its median error removed): the
    datasets define "level" by their own 3D models, several degrees apart (see README)."""
    out: dict[str, Any] = {}
    for k in ("yaw", "pitch", "roll"):
        err = np.array([getattr(m, f"{k}_deg") - it.labels[k]
                        for it, m in zip(items, mets, strict=True)
                        if getattr(m, f"{k}_deg") is not None])
        if not err.size:
            out[k] = {"mae": None, "median_signed": None, "mae_zero_aligned": None, "n": 0}
            continue
        med = float(np.median(err))
        out[k] = {"mae": float(np.mean(np.abs(err))), "median_signed": med,
                  "mae_zero_aligned": float(np.mean(np.abs(err - med))), "n": int(err.size)}
    return out


def _matrix_pose(items: list[Item], obs: list[Observation]) -> dict[str, Any]:
    """The GUIDE §3 formulas on MediaPipe's transformation matrix, for comparison."""
    mets = []
    for o in obs:
        yaw, pitch, roll = head_angles(o.faces[0].matrix)
        mets.append(Metrics(faces=1, yaw_deg=yaw, pitch_deg=pitch, roll_deg=roll))
    return _pose_errors(items, mets)


def _rate(flags: list[bool]) -> float | None:
    return float(np.mean(flags)) if flags else None


def score(data: dict[str, tuple[list[Item], list[Observation | None]]],
          settings: AnalysisSettings) -> dict[str, Any]:
    """Every labelled figure of the sets in ``data``, computed as the product would."""
    rep: dict[str, Any] = {"detection": {}}
    mets: dict[str, list[Metrics]] = {}
    for name, (_items, obs) in data.items():
        found = [o is not None and len(o.faces) > 0 for o in obs]
        rep["detection"][name] = {"rate": _rate(found), "found": int(sum(found)),
                                  "n": len(found)}
        # With pixels, as the product sees them (teeth and the smile model need them).
        mets[name] = [compute_metrics(o, load_rgb(it.path), settings)
                      if o is not None and o.faces else Metrics(faces=0)
                      for it, o in zip(_items, obs, strict=True)]

    def with_face(name: str) -> tuple[list[Item], list[Metrics], list[Observation]]:
        items, obs = data[name]
        keep = [i for i, m in enumerate(mets[name]) if m.faces > 0]
        return ([items[i] for i in keep], [mets[name][i] for i in keep],
                [obs[i] for i in keep])  # type: ignore[misc]

    if "genki" in data:
        rep.update(_score_genki(*with_face("genki")))
    if "aflw" in data:
        items, ms, obs = with_face("aflw")
        rep["aflw_pose"] = _pose_errors(items, ms)
        rep["aflw_pose_matrix"] = _matrix_pose(items, obs)
    if "cew" in data:
        _, ms, _ = with_face("cew")
        rep["cew_closed_recall"] = _rate([bool(m.eyes_closed) for m in ms])
        # A photo where no face is found is a miss for the recall too:
        rep["cew_closed_recall_all"] = (sum(bool(m.eyes_closed) for m in ms)
                                        / max(len(data["cew"][0]), 1))
    if "yale" in data:
        items, ms, _ = with_face("yale")
        rep.update(_score_yale(items, ms))
    return rep


def _score_genki(items: list[Item], ms: list[Metrics], obs: list[Observation]
                 ) -> dict[str, Any]:
    """GENKI (faces found): pose errors both ways, smile accuracy, false-closed rates."""
    big = [bool(m.eyes_closed) for m, o in zip(ms, obs, strict=True) if eye_width_px(o) >= 20]
    return {
        "genki_pose": _pose_errors(items, ms),
        "genki_pose_matrix": _matrix_pose(items, obs),
        "genki_smile_accuracy": _rate(
            [bool(m.smiling) == bool(it.labels["smile"]) for it, m in zip(items, ms, strict=True)]),
        "genki_false_closed": _rate([bool(m.eyes_closed) for m in ms]),
        "genki_false_closed_eyes_20px": _rate(big),
        "genki_eyes_20px_n": len(big),
    }


def _score_yale(items: list[Item], ms: list[Metrics]) -> dict[str, Any]:
    """Yale (faces found): eyes, smiles, gaze and pitch of square-on studio sitters."""
    pairs = list(zip(items, ms, strict=True))
    square = [m.pitch_deg for it, m in pairs if m.pitch_deg is not None]
    return {
        "yale_false_closed": _rate(
            [bool(m.eyes_closed) for it, m in pairs if it.labels.get("eyes") == "open"]),
        "yale_closed_recall": _rate(
            [bool(m.eyes_closed) for it, m in pairs if it.labels.get("eyes") == "closed_both"]),
        "yale_smile_accuracy": _rate(
            [bool(m.smiling) == bool(it.labels["smile"]) for it, m in pairs
             if "smile" in it.labels]),
        # Every Yale sitter faces the camera and looks into it (eyes open): a positive-only
        # check of looking_at_camera (no set here has gaze labels).
        "yale_looking_at_camera": _rate(
            [bool(m.looking_at_camera) for it, m in pairs if it.labels.get("eyes") == "open"]),
        "yale_median_pitch": float(np.median(square)) if square else None,
    }


def _fmt(v: float | None, pct: bool = False) -> str:
    if v is None:
        return "-"
    return f"{100 * v:.1f}%" if pct else f"{v:.2f}"


def print_report(rep: dict[str, Any], speed: dict[str, float]) -> None:
    print("Face detection")
    for name, d in rep["detection"].items():
        sp = f"   {speed[name]:.0f} ms/photo" if name in speed else ""
        print(f"  {name:6s} {_fmt(d['rate'], True):>7s}  ({d['found']}/{d['n']}){sp}")
    for key, label in (("genki_pose", "GENKI dev"), ("aflw_pose", "AFLW2000 sample"),
                       ("genki_pose_matrix", "GENKI dev, matrix formulas (GUIDE 3)"),
                       ("aflw_pose_matrix", "AFLW2000 sample, matrix formulas (GUIDE 3)")):
        if key in rep:
            print(f"Head pose, {label}: MAE deg | median signed (ours - label) | MAE with "
                  f"the set's zero aligned")
            for k, d in rep[key].items():
                print(f"  {k:6s} {_fmt(d['mae']):>6s} | {_fmt(d['median_signed']):>6s} | "
                      f"{_fmt(d['mae_zero_aligned']):>6s}   (n={d['n']})")
    cv = rep.get("genki_smile_cross_validated")
    if cv:
        print(f"Smile accuracy, GENKI, cross-validated     {100 * cv['model']:6.2f}%  "
              f"(10-fold x 5, sd {100 * cv['model_sd']:.2f}; without the patch models "
              f"{100 * cv['without_patches']:.2f}%; one threshold {100 * cv['threshold']:.2f}%)")
    cv = rep.get("eyes_cross_validated")
    if cv:
        print(f"Eyes closed, held out of the fit (nested 10-fold): CEW recall "
              f"{100 * cv['recall']:.1f}% at GENKI false-closed {100 * cv['false_closed']:.1f}% "
              f"(landmark rule alone {100 * cv['rule_recall']:.1f}% at "
              f"{100 * cv['rule_false_closed']:.1f}%, "
              f"{100 * cv['rule_recall_same_false_closed']:.1f}% at the same false-closed)")
    rows = [("genki_smile_accuracy", "Smile accuracy, GENKI (shipped model)"),
            ("yale_smile_accuracy", "Smile accuracy, Yale (happy vs neutral)"),
            ("cew_closed_recall", "Eyes closed recall, CEW (faces found)"),
            ("cew_closed_recall_all", "Eyes closed recall, CEW (all photos)"),
            ("genki_false_closed", "False closed, GENKI"),
            ("genki_false_closed_eyes_20px", "False closed, GENKI, eyes >= 20 px wide"),
            ("yale_false_closed", "False closed, Yale open"),
            ("yale_closed_recall", "Eyes closed recall, Yale sleepy (droop)"),
            ("yale_looking_at_camera", "Looking at camera, Yale (all look at it)")]
    for key, label in rows:
        if key in rep:
            print(f"{label:42s} {_fmt(rep[key], True):>7s}")
    if rep.get("metrics_ms_per_frame") is not None:
        print(f"compute_metrics: {rep['metrics_ms_per_frame']:.2f} ms per frame")
    if rep.get("yale_median_pitch") is not None:
        print(f"Median pitch of Yale's square-on sitters: {rep['yale_median_pitch']:+.1f} deg")


def plot(data: dict[str, tuple[list[Item], list[Observation | None]]],
         settings: AnalysisSettings, path: Path) -> None:
    """Error-vs-angle scatter plots per angle, saved to ``path``."""
    import matplotlib  # optional: only --plot needs it

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    for name, marker in (("genki", "."), ("aflw", "x")):
        if name not in data:
            continue
        items, obs = data[name]
        pairs = [(it, compute_metrics(o, None, settings))
                 for it, o in zip(items, obs, strict=True) if o is not None and o.faces]
        for ax, k in zip(axes, ("yaw", "pitch", "roll"), strict=True):
            x = [it.labels[k] for it, _ in pairs]
            y = [getattr(m, f"{k}_deg") - it.labels[k] for it, m in pairs]
            ax.scatter(x, y, s=6 if marker == "." else 30, marker=marker, alpha=0.5, label=name)
            ax.axhline(0, color="k", lw=0.5)
            ax.set_xlabel(f"label {k} (deg)")
            ax.set_ylabel("ours - label (deg)")
            ax.set_title(k)
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def metrics_speed(data: dict[str, tuple[list[Item], list[Observation | None]]],
                   n: int = 200) -> float | None:
    """compute_metrics cost per frame, pixels included (quality and teeth)."""
    pairs = []
    for items, obs in data.values():
        for it, o in zip(items, obs, strict=True):
            if o is not None and o.faces and len(pairs) < n:
                pairs.append((o, load_rgb(it.path)))
    if not pairs:
        return None
    s = AnalysisSettings()
    t0 = time.perf_counter()
    for o, rgb in pairs:
        compute_metrics(o, rgb, s)
    return 1000 * (time.perf_counter() - t0) / len(pairs)
