"""``headshot-kiosk messages --check [LANG ...]``: lint message catalogues for translators.

Compares each catalogue with English (missing or extra keys, placeholders that differ,
no header naming the form of address) and lays every text out on the real screens at
1280x720 and 1920x1080 (texts that would not fit their box, glyphs the language's font
lacks). Each finding is one ``file:line: key: problem`` line; exit 1 if there is any.
"""

from __future__ import annotations

import argparse
import os

from coaching.message_check import Finding, check_language
from coaching.messages import shipped_languages
from coaching.yamlconfig import ConfigError
from kiosk.commands.common import UsageError


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("languages", nargs="*", metavar="LANG",
                   help="language codes to check (default: every shipped catalogue)")
    p.add_argument("--check", action="store_true", required=True,
                   help="check the catalogues (the only action, for now)")
    p.add_argument("--no-fit", action="store_true",
                   help="skip laying the texts out on the screens (keys and placeholders only)")


def run(args: argparse.Namespace) -> int:
    languages = args.languages or shipped_languages()
    findings: list[Finding] = []
    for lang in languages:
        try:
            findings += check_language(lang)
        except ConfigError as exc:
            raise UsageError(str(exc)) from None
    if not args.no_fit:
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
        from kiosk.text_fit import fit_findings  # pygame: only when laying out

        for lang in languages:
            findings += fit_findings(lang)
    for f in findings:
        print(f)
    checked = ", ".join(languages)
    print(f"{len(findings)} problem(s) in {checked}" if findings else f"ok: {checked}")
    return 1 if findings else 0
