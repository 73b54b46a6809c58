"""``headshot-kiosk check-config [FILE] [--keys]``: validate, exit 0 (valid) or 2 (invalid).

``--keys`` prints every config key with its default and meaning as a Markdown
table (the README's reference is made from it, so the two cannot drift apart).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from kiosk.config import AppConfig, ConfigError, load_config
from kiosk.paths import DEFAULT_CONFIG
from kiosk.plugin_host import check_plugins


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", default=None,
                   help=f"config file to check (default: {DEFAULT_CONFIG})")
    p.add_argument("--keys", action="store_true",
                   help="print every config key, its default and meaning (Markdown) and exit")


def config_keys(model: type[BaseModel] = AppConfig,
                prefix: str = "") -> Iterator[tuple[str, Any, str]]:
    """(dotted key, default, description) for every leaf field, in file order."""
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            yield from config_keys(ann, f"{prefix}{name}.")
            continue
        default = field.get_default(call_default_factory=True)
        yield f"{prefix}{name}", default, field.description or ""


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{}" if not value else str(value)
    return str(value)


def keys_markdown() -> str:
    rows = ["| key | default | meaning |", "| --- | --- | --- |"]
    for key, default, desc in config_keys():
        rows.append(f"| `{key}` | `{_show(default)}` | {desc.replace('|', '/')} |")
    return "\n".join(rows)


def run(args: argparse.Namespace) -> int:
    if args.keys:
        print(keys_markdown())
        return 0
    path = args.file or DEFAULT_CONFIG
    try:
        cfg = load_config(path)
        problems = check_plugins(cfg, Path(path))  # each plugin's own settings too
    except ConfigError as exc:
        print(f"invalid: {exc}", file=sys.stderr)
        return 2
    for line in problems:  # a plugin that will not load: the kiosk runs without it
        print(f"warning: {line}", file=sys.stderr)
    print(f"valid: {path}")
    return 0
