"""Command line: ``headshot-kiosk [COMMAND] ...`` (default command: ``run``).

Each command lives in ``kiosk/commands/<name>.py`` and exposes
``add_arguments(parser)`` and ``run(args) -> int``; they are imported only when
used, so ``headshot-kiosk --help`` stays fast and a broken optional part cannot
stop the others.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from kiosk import __version__

#: command name -> (module under kiosk.commands, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("run", "start the kiosk (fullscreen), or --headless over a video"),
    "analyze": ("analyze", "measure pose, expression and framing in photos"),
    "check-config": ("check_config", "validate a config file (exit 0 valid, 2 invalid)"),
    "models": ("models", "list the landmark models and where they are; 'models fetch' downloads"),
    "presets": ("presets", "list the use-case presets"),
    "cameras": ("cameras", "list webcams and gphoto2 cameras"),
    "bench": ("bench", "measure pipeline speed over a replayed source"),
    "soak": ("soak", "run the pipeline for a long time and report memory, stalls, captures"),
    "screenshots": ("screenshots", "render every kiosk screen to PNG files"),
    "set-pin": ("set_pin", "hash an operator PIN into the config (operator.pin_hash)"),
}


class UsageError(Exception):
    """A bad command line value; printed as one line, exit 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="headshot-kiosk",
        description="A fullscreen coaching kiosk for headshot photos.",
    )
    parser.add_argument("--version", action="version", version=f"headshot-kiosk {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="show debug logging and MediaPipe's native log lines")
    parser.add_argument("--offline", action="store_true",
                        help="never download anything (models must already be present)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        mod = importlib.import_module(f"kiosk.commands.{module}")
        mod.add_arguments(p)
        p.set_defaults(_module=mod)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    # No command (or only options) = "run", like the kiosk icon on a booth.
    if not any(a in COMMANDS for a in args_list if not a.startswith("-")) and not any(
        a in ("-h", "--help", "--version") for a in args_list
    ):
        args_list = _insert_run(args_list)
    parser = build_parser()
    args = parser.parse_args(args_list)
    from kiosk.logs import setup_console_logging

    setup_console_logging(verbose=args.verbose)
    from coaching import models

    # --offline is process-wide: no command, thread or worker may download (restored
    # afterwards for callers that run several commands in one process, like the tests).
    was_offline = models._offline_forced
    if args.offline:
        models.set_offline(True)
    try:
        return int(args._module.run(args) or 0)
    except UsageError as exc:
        print(f"headshot-kiosk: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("headshot-kiosk: interrupted", file=sys.stderr)
        return 130
    finally:
        models.set_offline(was_offline)


def _insert_run(args: list[str]) -> list[str]:
    """Put ``run`` after the global options so ``headshot-kiosk --windowed`` works."""
    globals_ = {"-v", "--verbose", "--offline"}
    i = 0
    while i < len(args) and args[i] in globals_:
        i += 1
    return args[:i] + ["run"] + args[i:]


if __name__ == "__main__":
    sys.exit(main())
