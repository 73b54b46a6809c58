"""Accuracy of the analysis on the labelled development photos in ../shared/eval.

    python benchmarks/accuracy.py [--eval DIR] [--limit N] [--json] [--plot PNG] [--fit]
                                  [--write-smile-model YAML] [--write-eye-model YAML]
                                  [--mirror N]

Prints: face detection rate per set; yaw/pitch/roll mean absolute error and median
signed error (ours - label) on GENKI-4K dev and the AFLW2000 sample; smile accuracy on
GENKI (and Yale); eyes-closed recall on CEW and the false-closed rate on GENKI and on
Yale's open-eye photos; the pose model's shoulder turn on Yale's square-on sitters.
``--fit`` also prints the offsets and thresholds the data suggests (how the values in
config/default.yaml were chosen), each fitted on one half of GENKI and checked on the
other half. ``--plot`` saves error-vs-angle scatter plots. ``--write-smile-model`` fits
the smile model (coaching/smile.py) on GENKI and writes it; its accuracy is reported
both in-sample and cross-validated (the honest figure for a fitted model);
``--write-eye-model`` does the same for the eye model (coaching/eyes.py) on CEW's shut
eyes and GENKI's open ones; the report always gives its nested cross-validated recall
and false-closed rate. ``--mirror
N`` measures the left/right bias of yaw, roll and shoulder turn without labels, from N
GENKI photos and their mirror images.

Each dataset's sign convention is converted to the project's HERE and nowhere else
(see ../shared/eval/README.md and coaching/metrics.py):
- GENKI: yaw > 0 = face toward image right (= ours), pitch > 0 chin up (= ours),
  roll > 0 clockwise (= ours); radians -> degrees.
- AFLW2000: yaw > 0 = nose toward image LEFT (opposite: negate), pitch and roll = ours.

The models' raw observations are cached (default /tmp/headshot-kiosk-accuracy), keyed
by the analyzer's settings and the landmarks module, so threshold sweeps rerun in
seconds: only :func:`coaching.metrics.compute_metrics` runs again.

This file is the command line; the work is in its siblings: accuracy_data (the sets,
their signs, the observation cache), accuracy_report (scores, the printed report,
plots), accuracy_models (fitting and cross-validating the smile and eye models) and
accuracy_tuning (``--fit`` and ``--mirror``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

# Run as a script from anywhere: this checkout's packages before any installed copy.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from accuracy_data import (  # noqa: E402
    DATASETS,
    DEFAULT_CACHE,
    DEFAULT_EVAL,
    Item,
    cew,
    genki,
    load_rgb,
    observe,
    sample,
)
from accuracy_models import (  # noqa: E402
    eye_cv,
    eye_xy,
    smile_cv,
    smile_xy,
    write_eye_model,
    write_smile_model,
)
from accuracy_report import metrics_speed, plot, print_report, score  # noqa: E402
from accuracy_tuning import fit, mirror_bias  # noqa: E402

from coaching.eyes import load_eye_model  # noqa: E402
from coaching.landmarks import Observation  # noqa: E402
from coaching.models import ModelError  # noqa: E402
from coaching.settings import AnalysisSettings  # noqa: E402
from coaching.smile import load_smile_model  # noqa: E402
from kiosk.config import load_config  # noqa: E402

# What tests/test_metrics_real.py re-runs of the fitting, importing this file as a module.
__all__ = ["cew", "eye_cv", "eye_xy", "genki", "load_rgb", "main", "sample", "smile_cv",
           "smile_xy"]

Data = dict[str, tuple[list[Item], list[Observation | None]]]


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="the eval folder")
    ap.add_argument("--limit", type=int, default=None,
                    help="at most N photos per set (evenly spaced)")
    ap.add_argument("--sets", default="genki,aflw,cew,yale", help="comma-separated sets")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--plot", type=Path, default=None, help="save error-vs-angle plots here")
    ap.add_argument("--fit", action="store_true", help="print data-suggested offsets/thresholds")
    ap.add_argument("--mirror", type=int, default=0, metavar="N",
                    help="left/right bias of yaw, roll and shoulder turn from N GENKI photos "
                         "and their mirror images (how the *_offset_deg zeros were chosen)")
    ap.add_argument("--write-smile-model", type=Path, default=None, metavar="YAML",
                    help="fit the smile model on GENKI dev, write it here "
                         "(the shipped one: coaching/smile_model.yaml)")
    ap.add_argument("--write-eye-model", type=Path, default=None, metavar="YAML",
                    help="fit the eye model on CEW + GENKI dev, write it here "
                         "(the shipped one: coaching/eye_model.yaml)")
    ap.add_argument("--config", type=Path, default=None,
                    help="app config whose analysis: section to use (default: shipped)")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="observation cache folder")
    ap.add_argument("--no-cache", action="store_true", help="always run the models")
    return ap


def observe_sets(args: argparse.Namespace, settings: AnalysisSettings
                 ) -> tuple[Data, dict[str, float]]:
    """The chosen sets' items and observations, and ms per photo for those computed now."""
    data: Data = {}
    speed: dict[str, float] = {}
    for name in args.sets.split(","):
        items = sample(DATASETS[name](args.eval), args.limit)
        obs, ms = observe(name, items, settings, None if args.no_cache else args.cache)
        data[name] = (items, obs)
        if ms is not None:
            speed[name] = ms
    return data, speed


def write_models(args: argparse.Namespace, data: Data, settings: AnalysisSettings) -> None:
    """``--write-smile-model`` / ``--write-eye-model``; the report that follows then
    scores the models just written (their cached loads are dropped)."""
    if args.write_smile_model:
        if "genki" not in data:
            raise SystemExit("accuracy: --write-smile-model needs the genki set")
        print(write_smile_model(data["genki"], args.write_smile_model), file=sys.stderr)
        load_smile_model.cache_clear()
    if args.write_eye_model:
        if "genki" not in data or "cew" not in data:
            raise SystemExit("accuracy: --write-eye-model needs the genki and cew sets")
        print(write_eye_model([data["cew"], data["genki"]], settings, args.write_eye_model),
              file=sys.stderr)
        load_eye_model.cache_clear()


def report(args: argparse.Namespace, data: Data, speed: dict[str, float],
           settings: AnalysisSettings) -> dict[str, Any]:
    """Every figure the flags ask for, as one JSON-ready dict."""
    rep = score(data, settings)
    if "genki" in data and "cew" in data:
        rep["eyes_cross_validated"] = eye_cv(*eye_xy([data["cew"], data["genki"]], settings))
    if "genki" in data:
        rep["genki_smile_cross_validated"] = smile_cv(*smile_xy(data["genki"]))
    rep["ms_per_photo"] = speed
    rep["metrics_ms_per_frame"] = metrics_speed(data)
    if args.fit:
        rep["fit"] = fit(data, settings)
    if args.mirror:
        rep["mirror_bias"] = mirror_bias(genki(args.eval), settings, args.mirror)
    return rep


def print_text(args: argparse.Namespace, rep: dict[str, Any], speed: dict[str, float]) -> None:
    """The human-readable report, then the mirror zeros and fitted values if asked for."""
    print_report(rep, speed)
    if args.mirror:
        print("Left/right bias, photo vs its mirror (offset = minus this):")
        for k, d in rep["mirror_bias"].items():
            print(f"  {k:14s} {d['bias_median']:+.2f} deg  halves {d['halves']}  "
                  f"(n={d['n']})")
    if args.fit:
        print("Suggested by the data:")
        print(json.dumps(rep["fit"], indent=1))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = (load_config(args.config) if args.config else load_config()).analysis
    data, speed = observe_sets(args, settings)
    write_models(args, data, settings)
    rep = report(args, data, speed, settings)
    if args.plot:
        plot(data, settings, args.plot)
    if args.json:
        print(json.dumps(rep, indent=1))
    else:
        print_text(args, rep, speed)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ModelError as exc:  # no models here: say which and where, not a traceback
        print(f"accuracy: {exc}", file=sys.stderr)
        sys.exit(1)
