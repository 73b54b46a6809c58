"""``headshot-kiosk models [fetch [NAME...]]``: where each landmark model is; fetch the missing.

``models`` lists every pinned model (name, file, size, where it was found and its
path) and exits 1 when a required model is missing or bad, so a setup script can
check with it. ``models fetch`` downloads what is missing (or the NAMEs given); with
the global ``--offline`` nothing is downloaded and anything missing exits 2.
``models fetch --from DIR`` installs them from a folder (a USB stick) instead: offline,
each copy checked by size and SHA-256 before it goes into the cache.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from coaching.model_install import install_from
from coaching.models import (
    ENV_MODELS,
    MODELS,
    UNPINNED,
    ModelCheck,
    ModelError,
    cache_dir,
    check_model,
    ensure_model,
    env_dir,
    spec_for,
)
from kiosk.commands.common import UsageError

_WHERE = {"env": f"env folder (${ENV_MODELS})", "cache": "user cache", "missing": "missing"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", nargs="?", choices=["list", "fetch"], default="list",
                   help="list (default) or fetch: download the missing models")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help=f"models to fetch (default: the required ones); any of {', '.join(MODELS)}")
    p.add_argument("--from", dest="from_dir", type=Path, default=None, metavar="DIR",
                   help="fetch: install verified copies from this folder (a USB stick) "
                        "instead of downloading")


def run(args: argparse.Namespace) -> int:
    if args.action == "list" and args.names:
        raise UsageError("model names go after 'fetch': headshot-kiosk models fetch NAME...")
    for name in args.names:
        if name not in MODELS:
            try:
                spec_for(name)
            except ModelError as exc:
                raise UsageError(str(exc)) from None
    if args.from_dir is not None and args.action != "fetch":
        raise UsageError("--from goes with fetch: headshot-kiosk models fetch --from DIR")
    if args.action == "fetch" and args.from_dir is not None:
        return _install(args.names, args.from_dir)
    if args.action == "fetch":
        return _fetch(args.names, offline=bool(getattr(args, "offline", False)))
    return _list()


def _status(found: ModelCheck) -> str:
    if found.problem:
        return f"BAD: {found.problem}"
    return _WHERE[found.where]


def _list() -> int:
    env = env_dir()
    print(f"env folder: {env if env else f'(${ENV_MODELS} not set)'}"
          + ("" if env is None or env.is_dir() else "  (does not exist)"))
    print(f"user cache: {cache_dir()}")
    rows = [("NAME", "FILE", "SIZE", "WHERE", "PATH")]
    bad = False
    for name in MODELS:
        found = check_model(name)
        spec = found.spec
        if not found.ok and not spec.optional:
            bad = True
        label = name + (" (optional)" if spec.optional else "")
        rows.append((label, spec.filename, f"{spec.size / 1e6:.1f} MB", _status(found),
                     str(found.path) if found.path else "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[4])
    for name, filename in UNPINNED.items():
        print(f"{name}: {filename} is not pinned (no verified SHA-256 known); not usable")
    if bad:
        print("some required models are missing or bad: run 'headshot-kiosk models fetch' "
              "(offline: 'headshot-kiosk models fetch --from DIR' with the files in DIR)",
              file=sys.stderr)
    return 1 if bad else 0


def _fetch(names: list[str], *, offline: bool) -> int:
    if not names:
        names = [n for n, spec in MODELS.items() if not spec.optional]
    status = 0
    for name in dict.fromkeys(names):
        try:
            found = check_model(name)
            if found.ok:
                print(f"{name}: present ({_WHERE[found.where]}) {found.path}")
                continue
            path = ensure_model(name, offline=offline)
        except ModelError as exc:
            print(f"headshot-kiosk: {exc}", file=sys.stderr)
            status = max(status, 2 if offline else 1)
            continue
        print(f"{name}: fetched {path}")
    return status


def _install(names: list[str], folder: Path) -> int:
    """``fetch --from DIR``: verified copies from a folder; exit 1 if one is missing or bad."""
    if not folder.is_dir():
        raise UsageError(f"--from {folder}: not a folder")
    if not names:
        names = [n for n, spec in MODELS.items() if not spec.optional]
    status = 0
    for name in dict.fromkeys(names):
        spec = spec_for(name)
        found = check_model(name)
        if found.ok:
            print(f"{name}: present ({_WHERE[found.where]}) {found.path}")
            continue
        try:
            path = install_from(folder, spec)
        except ModelError as exc:
            print(f"headshot-kiosk: {exc}", file=sys.stderr)
            status = 1
            continue
        print(f"{name}: installed {path} (verified, from {folder})")
    return status
