"""The once-a-minute health line in the kiosk log, for an operator reading it afterwards.

The kiosk calls :meth:`HealthMonitor.tick` on every loop with a function that gathers
the figures; the monitor decides when a minute has passed and only then calls it
(pipeline statistics are not free), adds disk space and memory, logs one line and
returns it. Example::

    health: up 1h02m; coach 23.9 fps; screen 30.0 fps; camera live; state coaching;
    captures 12 (+2); dropped 340 (+21); restarts 0; disk 52.3 GB free (21%); rss 512 MB

The line holds counts and states only: no file names, no paths, nothing about a sitter.
A hybrid source adds ``stills STATE`` (its DSLR side). It is logged at WARNING instead
of INFO when the disk is nearly full, the camera (or the DSLR side) is not live or a
worker restarted since the last line, so a glance at warnings finds trouble.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil

log = logging.getLogger("kiosk.health")


@dataclass(frozen=True)
class HealthSample:
    """The figures the kiosk knows; disk and memory are added by the monitor."""

    fps: float | None = None          # frames coached per second (pipeline)
    camera: str = "none"              # camera state: live, reconnecting, failed, ...
    captures: int = 0                 # photos saved since start
    dropped: int = 0                  # camera frames the analysis never saw, since start
    screen_fps: float | None = None   # display refresh rate
    state: str | None = None          # kiosk screen/state
    restarts: int = 0                 # pipeline worker restarts since start
    errors: int = 0                   # errors caught by the UI loop since start
    stills: str | None = None         # a hybrid's DSLR side (None: no separate stills camera)


def rss_bytes() -> int | None:
    """This process's resident memory, or None where it cannot be read."""
    try:
        return int(psutil.Process().memory_info().rss)
    except Exception:  # noqa: BLE001 - a health line must never fail
        return None


def _duration(s: float) -> str:
    s = int(max(0, s))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}h{m:02d}m" if h else f"{m}m{sec:02d}s"


class HealthMonitor:
    """Logs one health line every ``interval_s`` seconds (first one after the interval)."""

    def __init__(self, out_dir: str | Path, *, interval_s: float = 60.0,
                 low_disk_bytes: int = 1_000_000_000, start: float | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 logger: logging.Logger | None = None) -> None:
        self.out_dir = Path(out_dir)
        self.interval_s = interval_s
        self.low_disk_bytes = low_disk_bytes
        self.clock = clock
        self.logger = logger or log
        self.started = clock() if start is None else start
        self._last = self.started
        self._prev: HealthSample | None = None
        self.lines = 0

    def due(self, now: float) -> bool:
        return now - self._last >= self.interval_s

    def tick(self, now: float, collect: Callable[[], HealthSample]) -> str | None:
        """Call every loop; returns the line when one was logged. Never raises."""
        if not self.due(now):
            return None
        self._last = now
        try:
            sample = collect()
        except Exception as exc:  # noqa: BLE001 - never take the loop down for a log line
            sample = HealthSample()
            self.logger.warning("health: could not gather the figures (%s)",
                                type(exc).__name__)
        try:
            line, warn = self.format(sample, now)
        except Exception as exc:  # noqa: BLE001
            self.logger.warning("health: could not format the line (%s)", type(exc).__name__)
            return None
        self.logger.log(logging.WARNING if warn else logging.INFO, "%s", line)
        self._prev = sample
        self.lines += 1
        return line

    def format(self, s: HealthSample, now: float) -> tuple[str, bool]:
        """The line for ``s`` and whether it deserves a warning."""
        prev = self._prev
        warn = False
        parts = [f"up {_duration(now - self.started)}"]
        if s.fps is not None:
            parts.append(f"coach {s.fps:.1f} fps")
        if s.screen_fps is not None:
            parts.append(f"screen {s.screen_fps:.1f} fps")
        parts.append(f"camera {s.camera}")
        if s.camera not in ("live",):
            warn = True
        if s.stills is not None:  # the hybrid stays live while its DSLR reconnects
            parts.append(f"stills {s.stills}")
            warn = warn or s.stills != "live"
        if s.state:
            parts.append(f"state {s.state}")
        parts.append(f"captures {s.captures} (+{s.captures - (prev.captures if prev else 0)})")
        parts.append(f"dropped {s.dropped} (+{s.dropped - (prev.dropped if prev else 0)})")
        parts.append(f"restarts {s.restarts}")
        if s.restarts > (prev.restarts if prev else 0):
            warn = True
        if s.errors:
            parts.append(f"errors {s.errors}")
            if s.errors > (prev.errors if prev else 0):
                warn = True
        try:
            du = shutil.disk_usage(self.out_dir)
            pct = 100.0 * du.free / du.total if du.total else 0.0
            disk = f"disk {du.free / 1e9:.1f} GB free ({pct:.0f}%)"
            if du.free < self.low_disk_bytes:
                disk += " LOW"
                warn = True
        except OSError as exc:
            disk = f"disk unknown ({os.strerror(exc.errno) if exc.errno else 'error'})"
            warn = True
        parts.append(disk)
        rss = rss_bytes()
        if rss is not None:
            parts.append(f"rss {rss / 1e6:.0f} MB")
        return "health: " + "; ".join(parts), warn
