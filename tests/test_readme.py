"""The README documents every command, flag and config key (it is checked, not trusted)."""

from __future__ import annotations

import argparse
import re

from kiosk.cli import COMMANDS, build_parser
from kiosk.commands.check_config import config_keys
from kiosk.paths import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_every_config_key_is_in_the_readme() -> None:
    missing = [key for key, _, _ in config_keys() if f"`{key}`" not in README]
    assert not missing, f"README lacks config keys: {missing}"


def test_every_command_and_flag_is_in_the_readme() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    missing: list[str] = []
    for name in COMMANDS:
        if not re.search(rf"headshot-kiosk (\S+ )*{re.escape(name)}\b", README):
            missing.append(name)
        for action in sub.choices[name]._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help" and flag not in README:
                    missing.append(f"{name} {flag}")
    for action in parser._actions:
        for flag in action.option_strings:
            if flag.startswith("--") and flag not in ("--help", "--version") and flag not in README:
                missing.append(flag)
    assert not missing, f"README lacks: {missing}"
