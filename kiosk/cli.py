"""Command line: ``headshot-kiosk [COMMAND] ...`` (default command: ``run``).

Each command lives in ``kiosk/commands/<name>.py`` and exposes
``add_arguments(parser)`` and ``run(args) -> int``. Only the command being run is
imported (the others are listed by name and help), so ``headshot-kiosk --help`` and
the light commands stay fast, a command module may import its heavy dependencies
(MediaPipe, pygame) at its top, and a broken optional part cannot stop the others.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Iterable, Sequence

from coaching import models
from coaching.appdirs import APP_NAME
from kiosk import __version__
from kiosk.commands.common import UsageError
from kiosk.logs import setup_console_logging
from kiosk.native_log import route_native_stderr

__all__ = ["COMMANDS", "UsageError", "build_parser", "main"]

#: command name -> (module under kiosk.commands, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("run", "start the kiosk (fullscreen), or --headless over a video"),
    "analyze": ("analyze", "measure pose, expression and framing in photos"),
    "export": ("export", "make a preset's deliverables (crops, print sheets) from photos"),
    "check-config": ("check_config", "validate a config file (exit 0 valid, 2 invalid)"),
    "models": ("models", "list the landmark models and where they are; 'models fetch' downloads"),
    "presets": ("presets", "list the use-case presets"),
    "cameras": ("cameras", "list webcams and gphoto2 cameras"),
    "bench": ("bench", "measure pipeline speed over a replayed source"),
    "soak": ("soak", "run the pipeline for a long time and report memory, stalls, captures"),
    "screenshots": ("screenshots", "render every kiosk screen to PNG files"),
    "set-pin": ("set_pin", "hash an operator PIN into the config (operator.pin_hash)"),
    "serve": ("serve", "run the guest hand-off (and dashboard) web server over a photo folder"),
    "doctor": ("doctor", "check a booth before the doors open (models, camera, display, ...)"),
    "stats": ("stats", "a day's counters from the session log (sessions, photos, prints ...)"),
    "messages": ("messages", "check the message catalogues for translators (--check)"),
}


def build_parser(load: Iterable[str] | None = None) -> argparse.ArgumentParser:
    """The whole command line. ``load``: the commands whose modules are imported and
    whose flags are added (default: all, e.g. for the README check); every command is
    listed either way, so ``--help`` and an unknown command read the same."""
    wanted = set(COMMANDS if load is None else load)
    parser = argparse.ArgumentParser(
        prog=APP_NAME,
        description="A fullscreen coaching kiosk for headshot photos.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="show debug logging and MediaPipe's native log lines")
    parser.add_argument("--offline", action="store_true",
                        help="never download anything (models must already be present)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name in wanted:
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
    args = build_parser(_command(args_list)).parse_args(args_list)
    if argv is None and not args.verbose:
        # A real run from the console: native libraries' fd-2 lines go to the log file.
        route_native_stderr()
    setup_console_logging(verbose=args.verbose)
    # --offline is process-wide: no command, thread or worker may download (restored
    # afterwards for callers that run several commands in one process, like the tests).
    was_offline = models._offline_forced
    if args.offline:
        models.set_offline(True)
    try:
        return int(args._module.run(args) or 0)
    except UsageError as exc:
        print(f"{APP_NAME}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{APP_NAME}: interrupted", file=sys.stderr)
        return 130
    finally:
        models.set_offline(was_offline)


def _command(args: list[str]) -> list[str]:
    """The command argparse will pick: the first word that is not an option (no global
    option takes a value); [] when there is none (``--help``, ``--version``)."""
    return [a for a in args if not a.startswith("-")][:1]


def _insert_run(args: list[str]) -> list[str]:
    """Put ``run`` after the global options so ``headshot-kiosk --windowed`` works."""
    globals_ = {"-v", "--verbose", "--offline"}
    i = 0
    while i < len(args) and args[i] in globals_:
        i += 1
    return args[:i] + ["run"] + args[i:]


if __name__ == "__main__":
    sys.exit(main())
