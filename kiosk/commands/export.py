"""``headshot-kiosk export PHOTO|SESSION_DIR... [--preset NAME|FILE] [--output NAME]
[--out DIR] [--json]``

Renders a preset's deliverables (:mod:`delivery.deliverables`) from existing photos: a
photographer re-exporting a session for another use. A session folder means its
original photos (``shot-NNN.jpg``, not the derived ``shot-NNN.<output>.jpg``); without
``--preset`` each session photo uses the preset its sidecar names. Files go next to each
photo (``<stem>.<output>.jpg``) or into ``--out DIR``.

- ``--json``: one JSON object per output per line: ``image``, ``output``, ``path``
  (``null`` when not written), ``size``, ``dpi``, ``meets_rule``, ``composition``
  (head share, eye line, headroom, centre, circle, eye_px), ``problems``.
- Without ``--json``: a table, one row per output.

A photo that cannot be read, or an output whose composition cannot meet its rule (which
rule, by how much), gets one line on stderr and no file; the others are still made, and
the exit status is 1 at the end. Bad options exit 2.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from coaching.imageio import PhotoError
from coaching.models import ModelError
from coaching.presets import Preset, UnknownPreset, resolve_preset
from coaching.yamlconfig import ConfigError
from delivery.deliverables import DeliverableMaker, Rendered
from kiosk.commands.common import UsageError, output_folder

#: An original photo in a session folder (derived files have a second dot part).
_ORIGINAL = re.compile(r"^shot-\d+\.(jpe?g|png|tiff?)$", re.IGNORECASE)
_IMAGES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("photos", nargs="+", metavar="PHOTO|SESSION_DIR",
                   help="photos, or session folders (their original shot-NNN photos)")
    p.add_argument("--preset", metavar="NAME|FILE",
                   help="the preset whose outputs to make (default: each session photo's "
                        "own preset, from its sidecar)")
    p.add_argument("--output", metavar="NAME", help="make only this output of the preset")
    p.add_argument("--out", type=Path, metavar="DIR",
                   help="write the files here (default: next to each photo)")
    p.add_argument("--json", action="store_true", help="one JSON object per output per line")


def run(args: argparse.Namespace) -> int:
    preset = _preset(args.preset) if args.preset else None
    if preset is not None:
        _check_output(preset, args.output)
    if args.out is not None:
        output_folder(args.out, "--out")
    photos = _expand(args.photos)
    try:
        maker = DeliverableMaker(offline=args.offline)
    except ModelError as exc:
        print(f"headshot-kiosk: {exc}", file=sys.stderr)
        return 1
    failed = 0
    rows: list[dict[str, Any]] = []
    try:
        for path in photos:
            for rec in _export_one(path, preset, args, maker):
                if rec.get("error") or not rec.get("meets_rule", True):
                    failed += 1
                    what = rec.get("error") or "; ".join(rec.get("problems", []))
                    out = f"{rec['output']}: " if rec.get("output") else ""
                    print(f"headshot-kiosk: {path}: {out}{what}", file=sys.stderr)
                if args.json:
                    print(json.dumps(rec), flush=True)
                else:
                    rows.append(rec)
    finally:
        maker.close()
    if not args.json:
        _print_table(rows)
    if failed:
        print(f"headshot-kiosk: {failed} output(s) could not be made", file=sys.stderr)
        return 1
    return 0


def _preset(name: str) -> Preset:
    try:
        preset = resolve_preset(name)
    except (ConfigError, UnknownPreset) as exc:
        raise UsageError(f"--preset: {exc}") from None
    if not preset.outputs:
        raise UsageError(f"--preset {name}: this preset has no outputs")
    return preset


def _check_output(preset: Preset, output: str | None) -> None:
    names = [o.name for o in preset.outputs]
    if output is not None and output not in names:
        raise UsageError(f"--output {output}: preset {preset.name} has no such output "
                         f"(it has: {', '.join(names)})")


def _expand(items: list[str]) -> list[Path]:
    """Files as given; a folder becomes its original photos (a session) or, if it has
    none, the images directly inside it."""
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if not p.is_dir():
            out.append(p)
            continue
        files = sorted(c for c in p.iterdir() if c.is_file())
        originals = [c for c in files if _ORIGINAL.match(c.name)]
        inside = originals or [c for c in files if c.suffix.lower() in _IMAGES
                               and c.name.count(".") == 1]
        out.extend(inside or [p])  # an empty folder is still reported (one line)
    return out


def _sidecar_preset(path: Path) -> str | None:
    try:
        data = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get("preset") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else None


def _export_one(path: Path, preset: Preset | None, args: argparse.Namespace,
                maker: DeliverableMaker) -> list[dict[str, Any]]:
    """One record per output of ``path``; a photo-level failure is one error record."""
    if path.is_dir():
        return [{"image": str(path), "error": "no photos in this folder"}]
    if preset is None:
        name = _sidecar_preset(path)
        if name is None:
            return [{"image": str(path), "error": "no sidecar names its preset: give --preset"}]
        try:
            preset = resolve_preset(name)
        except (ConfigError, UnknownPreset) as exc:
            return [{"image": str(path), "error": f"its preset: {exc}"}]
        if args.output is not None and args.output not in {o.name for o in preset.outputs}:
            return [{"image": str(path), "error": f"preset {preset.name} has no output "
                                                  f"{args.output!r}"}]
    if not preset.outputs:
        return [{"image": str(path), "error": f"preset {preset.name} has no outputs"}]
    folder = args.out if args.out is not None else path.parent
    try:
        results = maker.render(path, preset, folder, stem=path.stem, only=args.output)
    except PhotoError as exc:
        return [{"image": str(path), "error": exc.reason}]
    except OSError as exc:
        return [{"image": str(path), "error": f"cannot write into {folder}: "
                                              f"{exc.strerror or exc}"}]
    return [_record(path, preset, r) for r in results]


def _record(path: Path, preset: Preset, r: Rendered) -> dict[str, Any]:
    rec = {"image": str(path), "preset": preset.name, **r.to_dict()}
    rec.pop("file", None)
    return rec


def _print_table(rows: list[dict[str, Any]]) -> None:
    name_w = max(5, min(max((len(r["image"]) for r in rows), default=5), 40))
    print(f"{'photo':<{name_w}}  {'output':<10} {'size':>11} {'dpi':>4} {'head':>5} "
          f"{'eyes':>5} {'ok':>3}  file or problem")
    for r in rows:
        name = r["image"] if len(r["image"]) <= name_w else "…" + r["image"][-(name_w - 1):]
        if "error" in r:
            print(f"{name:<{name_w}}  error: {r['error']}")
            continue
        c = r.get("composition") or {}
        size = "x".join(str(v) for v in r["size"])
        head = f"{c['head']:.2f}" if "head" in c else "-"
        eyes = f"{c['eye_line']:.2f}" if "eye_line" in c else "-"
        tail = r["path"] if r["path"] else "; ".join(r["problems"])
        print(f"{name:<{name_w}}  {r['output']:<10} {size:>11} {r['dpi']:>4} {head:>5} "
              f"{eyes:>5} {'yes' if r['meets_rule'] else 'no':>3}  {tail}")
    print("head = chin to crown, eyes = eye line from the top, as shares of the output's height")
