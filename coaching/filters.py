"""Smoothing of metrics over time: a One Euro filter per metric.

The One Euro filter (Casiez, Roussel, Vogel, CHI 2012) is a low-pass filter whose
cutoff rises with the signal's speed: steady when the sitter is still (jitter
gone), little lag when they move (the prompt follows them). MediaPipe already
smooths face landmarks in VIDEO mode, so the face cutoff is mild; pose is noisier
and gets a lower one.

Speeds are measured in tolerance steps per second (``scale``), so one ``beta``
suits degrees and fractions alike. The blink signal and every yes/no flag pass
through untouched: a blink lasts 100-400 ms and smoothing would hide it.
"""

from __future__ import annotations

import math
from dataclasses import replace

from coaching.metrics import Metrics

#: Continuous metrics that are filtered, with their scale (about one tolerance step).
FACE_SCALES: dict[str, float] = {
    "yaw_deg": 4.0, "pitch_deg": 3.0, "roll_deg": 3.0,
    "smile": 0.1, "eye_open_left": 0.1, "eye_open_right": 0.1,
    "gaze_x": 0.05, "gaze_y": 0.05,
    "head_height": 0.05, "eye_line": 0.04, "face_center_x": 0.05, "headroom": 0.04,
    "eye_distance_px": 10.0,
}
POSE_SCALES: dict[str, float] = {"shoulder_turn_deg": 8.0, "shoulder_tilt_deg": 4.0}


class OneEuroFilter:
    """One scalar. ``min_cutoff`` in Hz; ``beta`` per (scale-units per second)."""

    def __init__(self, min_cutoff: float = 1.0, beta: float = 0.0, d_cutoff: float = 1.0,
                 scale: float = 1.0) -> None:
        self.min_cutoff = min_cutoff
        self.beta = beta
        self.d_cutoff = d_cutoff
        self.scale = scale
        self.reset()

    def reset(self) -> None:
        self._x: float | None = None
        self._dx = 0.0
        self._t: float | None = None

    @staticmethod
    def _alpha(cutoff: float, dt: float) -> float:
        tau = 1.0 / (2 * math.pi * cutoff)
        return 1.0 / (1.0 + tau / dt)

    def __call__(self, x: float, t: float) -> float:
        if self._x is None or self._t is None:
            self._x, self._t = x, t
            return x
        if t <= self._t:  # same or older timestamp: nothing new to learn
            return self._x
        dt = t - self._t
        dx = (x - self._x) / dt / self.scale
        a_d = self._alpha(self.d_cutoff, dt)
        self._dx = a_d * dx + (1 - a_d) * self._dx
        cutoff = self.min_cutoff + self.beta * abs(self._dx)
        a = self._alpha(cutoff, dt)
        self._x = a * x + (1 - a) * self._x
        self._t = t
        return self._x


class MetricsFilter:
    """Filters the continuous fields of :class:`Metrics`; a field that goes unknown
    (``None``) restarts its filter, so a face coming back is not dragged from the past."""

    def __init__(self, min_cutoff: float = 1.5, beta: float = 0.5,
                 pose_min_cutoff: float = 0.5) -> None:
        self._filters: dict[str, OneEuroFilter] = {}
        for name, scale in FACE_SCALES.items():
            self._filters[name] = OneEuroFilter(min_cutoff, beta, 1.0, scale)
        for name, scale in POSE_SCALES.items():
            self._filters[name] = OneEuroFilter(pose_min_cutoff, beta, 1.0, scale)

    def reset(self) -> None:
        for f in self._filters.values():
            f.reset()

    def __call__(self, metrics: Metrics, t: float) -> Metrics:
        changes: dict[str, float | None] = {}
        for name, filt in self._filters.items():
            value = getattr(metrics, name)
            if value is None:
                filt.reset()
                continue
            changes[name] = filt(float(value), t)
        return replace(metrics, **changes)
