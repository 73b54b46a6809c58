"""What a soak is asked to do (:class:`SoakOptions`) and what it measured (:class:`SoakResult`)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

#: Sidecar fields every saved shot must have (kiosk.storage writes them).
REQUIRED_SIDECAR = ("file", "session", "number", "preset", "captured_at", "source", "camera",
                    "reason", "metrics", "kept", "app_version")


class SoakError(Exception):
    """The soak could not run at all (model missing, pipeline never started); one line."""


@dataclass
class SoakOptions:
    minutes: float
    out_dir: Path
    capture_every_s: float = 10.0
    warmup_s: float | None = None      # None = a quarter of the run, 10 s .. 120 s
    report_every_s: float = 10.0
    session_every_s: float = 60.0
    stall_s: float = 1.0
    max_growth_pct: float = 5.0

    def warmup(self) -> float:
        if self.warmup_s is not None:
            return self.warmup_s
        return min(120.0, max(10.0, self.minutes * 60.0 / 4.0))


@dataclass
class SoakResult:
    """Figures of one soak run (``to_dict`` for ``--json``)."""

    source: str
    preset: str
    out_dir: str
    seconds: float = 0.0
    warmup_s: float = 0.0
    window_s: float = 0.0
    frames: int = 0
    fps: float = 0.0
    dropped: int = 0
    restarts: int = 0
    rss_first_mb: float = math.nan     # median RSS of the first window after warm-up
    rss_last_mb: float = math.nan      # median RSS of the last window
    rss_growth_pct: float = math.nan
    rss_peak_mb: float = math.nan
    rss_series: list[tuple[float, float]] = field(default_factory=list)  # (s, MB) per report
    max_stall_s: float = 0.0
    stalls: int = 0                    # gaps > stall_s
    worst_stall_at_s: float | None = None
    result_gap_p99_ms: float = math.nan
    captures_fired: int = 0
    captures_auto: int = 0
    captures_manual: int = 0
    captures_written: int = 0
    captures_verified: int = 0
    capture_errors: list[str] = field(default_factory=list)
    sessions: int = 0
    load_avg: tuple[float, float, float] | None = None
    cpu_count: int | None = None
    failures: list[str] = field(default_factory=list)
    interrupted: bool = False          # stopped early with Ctrl-C

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["ok"] = self.ok
        d["rss_series"] = [[round(t, 1), round(mb, 1)] for t, mb in self.rss_series]
        for k, v in list(d.items()):
            if isinstance(v, float):
                d[k] = None if math.isnan(v) else round(v, 3)
        return d


