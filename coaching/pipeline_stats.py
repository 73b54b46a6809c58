"""The pipeline's figures: rates, latency percentiles and counters for the operator
overlay, the health log line and ``bench``."""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass

__all__ = ["EventMeter", "PipelineCounters", "PipelineStats", "percentile"]


@dataclass(frozen=True)
class PipelineStats:
    """Figures for the operator overlay, the health log line and ``bench``.

    Rates and percentiles cover the last ``window_s`` seconds (all results since
    :meth:`~coaching.pipeline.Pipeline.reset_stats` when ``window_s`` is None). ``dropped`` counts
    source frames the analysis thread never saw (it was busy with an older one);
    ``errors`` frames skipped because a model or the coach raised; ``restarts``
    workers rebuilt (after a few failed frames in a row).
    """

    ready: bool
    error: str | None
    frames: int
    dropped: int
    fps: float
    latency_p50_ms: float
    latency_p95_ms: float
    pose_hz: float
    pose_target_hz: float
    pose_frames: int
    restarts: int
    errors: int
    source_errors: int
    face_ms: float
    pose_ms: float


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(q / 100.0 * len(ordered)) - 1))
    return ordered[k]


class EventMeter:
    """Timestamps (and one value) of recent events, for rates and percentiles."""

    def __init__(self, maxlen: int = 8192) -> None:
        self.events: deque[tuple[float, float, float]] = deque(maxlen=maxlen)
        self.count = 0

    def add(self, value: float, cost: float) -> None:
        self.events.append((time.monotonic(), value, cost))
        self.count += 1

    def window(self, window_s: float | None, since: float | None = None
               ) -> list[tuple[float, float, float]]:
        items = list(self.events)
        if window_s is not None:
            since = max(since or -math.inf, time.monotonic() - window_s)
        if since is None:
            return items
        return [e for e in items if e[0] >= since]

    @staticmethod
    def rate(items: list[tuple[float, float, float]], window_s: float | None) -> float:
        if len(items) < 2:
            return 0.0
        if window_s is not None:
            span = min(window_s, time.monotonic() - items[0][0])
            return len(items) / span if span > 0 else 0.0
        span = items[-1][0] - items[0][0]
        return (len(items) - 1) / span if span > 0 else 0.0



class PipelineCounters:
    """The pipeline's meters and counters, and the :class:`PipelineStats` made from them."""

    def __init__(self) -> None:
        self.frames = EventMeter()  # per coached frame: latency, face model time
        self.poses = EventMeter(2048)  # per pose result: pose model time
        self.dropped = 0
        self.restarts = 0
        self.errors = 0
        self.source_errors = 0
        self._cache: tuple[float, float, PipelineStats] | None = None

    def reset(self) -> None:
        """Start the rates and ``dropped`` over (restarts and errors are kept)."""
        self.frames = EventMeter()
        self.poses = EventMeter(2048)
        self.dropped = 0

    def snapshot(self, window_s: float | None, *, ready: bool, error: str | None,
                 pose_target_hz: float) -> PipelineStats:
        """Current figures. Cheap enough to call every rendered frame: a windowed
        answer is reused for 0.2 s."""
        now = time.monotonic()
        cached = self._cache
        if window_s is not None and cached is not None and cached[0] == window_s \
                and now - cached[1] < 0.2:
            return cached[2]
        frames = self.frames.window(window_s)
        poses = self.poses.window(window_s)
        lat = [e[1] for e in frames]
        st = PipelineStats(
            ready=ready, error=error, frames=self.frames.count, dropped=self.dropped,
            fps=EventMeter.rate(frames, window_s),
            latency_p50_ms=percentile(lat, 50), latency_p95_ms=percentile(lat, 95),
            pose_hz=EventMeter.rate(poses, window_s), pose_target_hz=pose_target_hz,
            pose_frames=self.poses.count, restarts=self.restarts,
            errors=self.errors, source_errors=self.source_errors,
            face_ms=sum(e[2] for e in frames) / len(frames) if frames else math.nan,
            pose_ms=sum(e[2] for e in poses) / len(poses) if poses else math.nan)
        if window_s is not None:
            self._cache = (window_s, now, st)
        return st
