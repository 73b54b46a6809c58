"""The offsets and thresholds the data suggests (``--fit``) and the label-free
left/right zeros (``--mirror``): how the values in config/default.yaml were chosen."""

from __future__ import annotations

from typing import Any

import numpy as np
from accuracy_data import Item, eye_width_px, load_rgb, sample
from accuracy_models import smile_cv, smile_xy

from coaching.landmarks import Observation, PhotoAnalyzer
from coaching.metrics import Metrics, compute_metrics, eyes_closed_threshold
from coaching.settings import AnalysisSettings


def fit(data: dict[str, tuple[list[Item], list[Observation | None]]],
        settings: AnalysisSettings) -> dict[str, Any]:
    """What the development data suggests: each value fitted on the even-numbered half
    of GENKI and checked on the odd half (and the reverse), so a reader can see it is
    not fitted to noise. Informative only: config/default.yaml holds the chosen values
    (and says why; the pitch zero is NOT GENKI's, see README)."""
    raw = settings.model_copy(update={"yaw_offset_deg": 0.0, "pitch_offset_deg": 0.0,
                                      "roll_offset_deg": 0.0})
    out: dict[str, Any] = {}
    if "genki" in data:
        items, obs = data["genki"]
        pairs = [(it, compute_metrics(o, None, raw)) for it, o in zip(items, obs, strict=True)
                 if o is not None and o.faces]
        out.update(_fit_pose_zeros(pairs))
        out["smile_threshold"] = _fit_smile_threshold(pairs)
    if "cew" in data and "genki" in data:
        out.update(_fit_eyes_closed(data, settings))
    if "genki" in data:
        out["smile_model_cross_validated"] = smile_cv(*smile_xy(data["genki"]))
    return out


_HALVES = ((slice(0, None, 2), slice(1, None, 2)), (slice(1, None, 2), slice(0, None, 2)))


def _fit_pose_zeros(pairs: list[tuple[Item, Metrics]]) -> dict[str, Any]:
    """Per angle, GENKI's zero (the median label - ours) on one half, its MAE on the other."""
    out: dict[str, Any] = {}
    halves = (pairs[0::2], pairs[1::2])
    for k in ("yaw", "pitch", "roll"):
        fits = []
        for a, b in (halves, halves[::-1]):
            off = float(np.median([it.labels[k] - getattr(m, f"{k}_deg") for it, m in a]))
            mae = float(np.mean([abs(getattr(m, f"{k}_deg") + off - it.labels[k])
                                 for it, m in b]))
            fits.append({"offset": round(off, 2), "mae_other_half": round(mae, 3)})
        out[f"genki_{k}_zero"] = fits
    return out


def _fit_smile_threshold(pairs: list[tuple[Item, Metrics]]) -> list[dict[str, Any]]:
    """The best single smile-blendshape threshold on one half, its accuracy on the other."""
    smile = np.array([m.smile for _, m in pairs])
    lab = np.array([it.labels["smile"] for it, _ in pairs])
    grid = np.round(np.arange(0.05, 0.80, 0.01), 2)
    fits = []
    for a, b in _HALVES:
        acc = np.array([np.mean((smile[a] >= t) == (lab[a] == 1)) for t in grid])
        t = float(grid[int(np.argmax(acc))])
        near = grid[acc >= acc.max() - 0.003]
        fits.append({"threshold": t, "within_0.3pct": [float(near.min()), float(near.max())],
                     "accuracy_other_half": round(float(np.mean(
                         (smile[b] >= t) == (lab[b] == 1))), 4)})
    return fits


def _fit_eyes_closed(data: dict[str, tuple[list[Item], list[Observation | None]]],
                     settings: AnalysisSettings) -> dict[str, Any]:
    """The closure threshold (CEW shut vs GENKI open) and the small-eye rule."""
    closure, width = {}, {}
    for name in ("cew", "genki"):
        _, obs = data[name]
        found = [o for o in obs if o is not None and o.faces]
        closure[name] = np.array([
            1 - (m.eye_open_left + m.eye_open_right) / 2
            for m in (compute_metrics(o, None, settings) for o in found)])
        width[name] = np.array([eye_width_px(o) for o in found])
    t95 = float(np.percentile(closure["cew"], 5))
    grid = np.round(np.arange(0.2, 0.95, 0.005), 3)
    rows = [(float(t), float(np.mean(closure["cew"] > t)),
             float(np.mean(closure["genki"] > t))) for t in grid]
    ok = [r for r in rows if r[2] <= 0.02]
    best = max(ok, key=lambda r: r[1]) if ok else None
    return {
        "eyes_closed_threshold": {
            "for_95pct_cew_recall": {"threshold": round(t95, 3), "genki_false_closed":
                                     round(float(np.mean(closure["genki"] > t95)), 4)},
            "best_recall_at_genki_false_closed_le_2pct": best and {
                "threshold": best[0], "recall": round(best[1], 4),
                "false_closed": round(best[2], 4)},
        },
        "eyes_size_rule": _fit_eyes_size_rule(closure, width, settings),
    }


def _fit_eyes_size_rule(closure: dict[str, np.ndarray], width: dict[str, np.ndarray],
                        settings: AnalysisSettings) -> dict[str, Any]:
    """``eyes_small_px`` and ``eyes_closed_threshold_small`` (the threshold for wide eyes
    stays): the pair with the largest CEW recall minus GENKI false-closed on one half,
    reported on the other half, then on everything."""
    grid = [(float(n), float(t)) for n in range(12, 34, 2)
            for t in np.round(np.arange(settings.eyes_closed_threshold, 0.86, 0.01), 2)]

    def rates(n: float, t: float, sel: slice) -> tuple[float, float]:
        s = settings.model_copy(update={"eyes_small_px": n, "eyes_closed_threshold_small": t})
        r = []
        for name in ("cew", "genki"):
            thr = np.array([eyes_closed_threshold(w, s) for w in width[name][sel]])
            r.append(float(np.mean(closure[name][sel] > thr)))
        return r[0], r[1]

    def best(sel: slice) -> tuple[float, float]:
        return max(grid, key=lambda p: (round(np.subtract(*rates(*p, sel)), 4), p[0]))

    out: dict[str, Any] = {"halves": []}
    for a, b in _HALVES:
        n, t = best(a)
        rec, fc = rates(n, t, b)
        out["halves"].append({"eyes_small_px": n, "eyes_closed_threshold_small": t,
                              "other_half_cew_recall": round(rec, 4),
                              "other_half_genki_false_closed": round(fc, 4)})
    n, t = best(slice(None))
    rec, fc = rates(n, t, slice(None))
    out["all"] = {"eyes_small_px": n, "eyes_closed_threshold_small": t,
                  "cew_recall": round(rec, 4), "genki_false_closed": round(fc, 4)}
    return out


def mirror_bias(items: list[Item], settings: AnalysisSettings, limit: int = 500
                ) -> dict[str, Any]:
    """Label-free zero check: a model without a left/right bias reads a photo and its
    mirror image as +a and -a, so half their sum is its bias (the offset to configure is
    minus that). Yaw and roll from the face, shoulder turn from the pose model (photos
    where both shoulders are seen); medians, and per half of the photos."""
    raw = settings.model_copy(update={"yaw_offset_deg": 0.0, "roll_offset_deg": 0.0,
                                      "shoulder_turn_offset_deg": 0.0})
    sums: dict[str, list[float]] = {"yaw": [], "roll": [], "shoulder_turn": []}
    with PhotoAnalyzer(max_faces=1, pose=settings.pose_model, min_side=settings.photo_min_side,
                       pad=settings.photo_pad, tiles=False) as analyzer:
        for it in sample(items, limit):
            rgb = load_rgb(it.path)
            a, b = (compute_metrics(analyzer.analyze(x), x, raw)
                    for x in (rgb, np.ascontiguousarray(rgb[:, ::-1])))
            for k in sums:
                va, vb = getattr(a, f"{k}_deg"), getattr(b, f"{k}_deg")
                if va is not None and vb is not None:
                    sums[k].append((va + vb) / 2)
    out: dict[str, Any] = {}
    for k, v in sums.items():
        arr = np.array(v)
        out[k] = {"bias_median": round(float(np.median(arr)), 2) if arr.size else None,
                  "halves": [round(float(np.median(arr[i::2])), 2) for i in (0, 1)]
                  if arr.size > 1 else None, "n": int(arr.size)}
    return out
