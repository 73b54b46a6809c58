"""Talking to CUPS through its own command-line tools (``lp``, ``lpstat``).

The system's ``lp`` is on every CUPS install (Debian: ``cups-client``) and needs no
compiled binding; every call has a timeout and any failure becomes a
:class:`PrinterError` with one line the operator can act on ("printer kiosk-pdf is
off: paper out", "kiosk-pdf is not accepting jobs", "no such printer").
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

CALL_TIMEOUT_S = 20.0
_REQUEST_RE = re.compile(r"request id is (\S+)")


class PrinterError(RuntimeError):
    """A print that cannot go through; ``str()`` is one line."""


@dataclass(frozen=True)
class PrinterState:
    name: str
    ready: bool  # enabled (idle or printing)
    detail: str  # "idle", "printing", or why it is off ("paper out", "offline")


def _run(args: list[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=CALL_TIMEOUT_S,
                              check=False)
    except FileNotFoundError:
        raise PrinterError(f"{args[0]} is not installed (Debian: apt-get install "
                           "cups-client)") from None
    except subprocess.TimeoutExpired:
        raise PrinterError(f"{args[0]} did not answer within {CALL_TIMEOUT_S:g} s "
                           "(is the CUPS service running?)") from None


def _line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return (lines[0] if lines else "no reason given")[:200]


class Cups:
    """One CUPS queue (``printer``; None = the system default)."""

    def __init__(self, printer: str | None = None, options: dict[str, str] | None = None
                 ) -> None:
        self.printer = printer
        self.options = dict(options or {})

    def queue_name(self) -> str:
        if self.printer:
            return self.printer
        out = _run(["lpstat", "-d"])
        m = re.search(r"destination:\s*(\S+)", out.stdout)
        if not m:
            raise PrinterError("no printer chosen (printing.printer) and no system default")
        return m.group(1)

    def state(self) -> PrinterState:
        name = self.queue_name()
        out = _run(["lpstat", "-p", name])
        if out.returncode != 0:
            raise PrinterError(f"no printer {name!r} in CUPS ({_line(out.stderr)})")
        text = out.stdout
        first = _line(text)
        reason = _line("\n".join(text.splitlines()[1:])) if "\n" in text.strip() else ""
        if " disabled " in f" {first} ":
            return PrinterState(name, False, reason if reason != "no reason given" else "off")
        return PrinterState(name, True, "printing" if "printing" in first else "idle")

    def submit(self, path: Path, copies: int, title: str) -> str:
        """Queue ``path``; returns the CUPS job id (``kiosk-pdf-12``)."""
        state = self.state()
        if not state.ready:
            raise PrinterError(f"printer {state.name} is off: {state.detail}")
        args = ["lp", "-d", state.name, "-n", str(copies), "-t", title]
        for k, v in self.options.items():
            args += ["-o", f"{k}={v}"]
        out = _run([*args, "--", str(path)])
        m = _REQUEST_RE.search(out.stdout)
        if out.returncode != 0 or not m:
            raise PrinterError(f"{state.name}: {_line(out.stderr or out.stdout)}")
        return m.group(1)

    def finished(self, job: str) -> bool:
        """True once CUPS lists ``job`` among the completed jobs."""
        name = job.rsplit("-", 1)[0]
        out = _run(["lpstat", "-W", "completed", "-o", name])
        return any(ln.split()[:1] == [job] for ln in out.stdout.splitlines())
