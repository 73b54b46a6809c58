"""``headshot-kiosk set-pin``: hash an operator PIN for ``operator.pin_hash``.

The PIN is read without echo (twice), or one line from stdin with ``--stdin``;
only its salted scrypt hash is printed or written. With ``--config FILE`` the
``pin_hash:`` line of that file's ``operator:`` section is replaced (or the
section added), the file is validated, and written atomically; comments and
everything else in the file are kept.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from pathlib import Path

from coaching.yamlconfig import ConfigError
from kiosk.commands.common import UsageError
from kiosk.config import load_config
from kiosk.operator import PinError, check_pin_format, hash_pin


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, default=None,
                   help="write the hash into this config YAML (else print it)")
    p.add_argument("--stdin", action="store_true",
                   help="read the PIN from the first line of standard input (for scripts)")


def run(args: argparse.Namespace) -> int:
    try:
        if args.stdin:
            pin = sys.stdin.readline().strip()
        else:
            pin = getpass.getpass("New operator PIN (4-12 digits): ").strip()
            again = getpass.getpass("Same PIN again: ").strip()
            if pin != again:
                raise UsageError("the two PINs differ; nothing changed")
        check_pin_format(pin)
    except PinError as exc:
        raise UsageError(f"{exc}; nothing changed") from None
    except EOFError:
        raise UsageError("no PIN given; nothing changed") from None
    hashed = hash_pin(pin)
    if args.config is None:
        print("operator:")
        print(f'  pin_hash: "{hashed}"')
        return 0
    write_pin_hash(args.config, hashed)
    print(f"operator PIN set in {args.config}")
    return 0


_SECTION = re.compile(r"^operator\s*:\s*(#.*)?$")
_PIN_LINE = re.compile(r"^(\s+)pin_hash\s*:.*$")


def write_pin_hash(path: Path, hashed: str) -> None:
    """Put ``hashed`` into ``path``'s ``operator.pin_hash``; validate; write atomically.

    Edits the text rather than re-dumping the YAML, so the file's comments survive."""
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    lines = text.splitlines()
    new_line = f'pin_hash: "{hashed}"'
    start = next((i for i, ln in enumerate(lines) if _SECTION.match(ln)), None)
    if start is None:
        if lines and lines[-1].strip():
            lines.append("")
        lines += ["operator:", f"  {new_line}"]
    else:
        end = next((j for j in range(start + 1, len(lines))
                    if lines[j].strip() and not lines[j].startswith((" ", "\t", "#"))),
                   len(lines))
        hit = next((j for j in range(start + 1, end) if _PIN_LINE.match(lines[j])), None)
        if hit is not None:
            indent = _PIN_LINE.match(lines[hit]).group(1)  # type: ignore[union-attr]
            lines[hit] = f"{indent}{new_line}"
        else:
            lines.insert(start + 1, f"  {new_line}")
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            load_config(tmp)
        except ConfigError as exc:
            raise UsageError(f"{path} would not be valid after the change ({exc}); "
                             "nothing changed") from None
        os.replace(tmp, path)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if tmp.exists():
            tmp.unlink()
