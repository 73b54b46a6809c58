"""Per-sitter neutral baseline for smile and eye openness.

Why: blendshape scores are person-specific and weak in range. One person's
relaxed face reads a smile of 0.02, another's 0.15; deep-set eyes read
"narrower" than others'. Judging against the sitter's own neutral face makes a
"0.3 smile" mean the same thing for everyone.

How: from the moment a face is present, the calibrator watches for the first
window of ``calibration_s`` (about 1 s) in which the face stays present and the
head is steady (yaw, pitch and roll each vary by less than ``steady_deg``). The
baseline is the lower quartile of the smile in that window (a sitter who starts
smiling half-way through it still gets their relaxed face: on single_face.mp4 the
smile begins at 0.6 s) and the median eye openness, with blink frames left out of
the eyes. The smile baseline is capped at
``max_neutral_smile`` so a sitter who walks in already beaming is not asked for
"more smile" forever. If no steady window comes within ``calibration_max_s`` of
face time, everything seen so far is used.

When the face has been gone for ``new_sitter_s``, the next face is treated as a
new sitter and calibration starts again. ``analyze`` (single photos) does not
calibrate: smile and eyes are judged on absolute values there.
"""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass

from coaching.metrics import Metrics


@dataclass(frozen=True)
class Baseline:
    """A sitter's neutral face: smile score and mean eye openness."""

    smile: float
    eye_open: float | None


def eye_open(m: Metrics) -> float | None:
    """Mean openness of the eyes that are known."""
    vals = [v for v in (m.eye_open_left, m.eye_open_right) if v is not None]
    return sum(vals) / len(vals) if vals else None


class Calibrator:
    """Feeds on (raw) metrics over time and produces a :class:`Baseline` once."""

    def __init__(self, calibration_s: float = 1.0, steady_deg: float = 4.0,
                 max_s: float = 4.0, max_neutral_smile: float = 0.25,
                 max_blink: float = 0.4) -> None:
        self.calibration_s = calibration_s
        self.steady_deg = steady_deg
        self.max_s = max(max_s, calibration_s)
        self.max_neutral_smile = max_neutral_smile
        self.max_blink = max_blink
        self.reset()

    def reset(self) -> None:
        """Forget the sitter (a new one is coming)."""
        self.baseline: Baseline | None = None
        self._window: deque[tuple[float, Metrics]] = deque()
        self._all: list[Metrics] = []
        self._face_time = 0.0
        self._last_t: float | None = None

    @property
    def enabled(self) -> bool:
        return self.calibration_s > 0

    @property
    def done(self) -> bool:
        return not self.enabled or self.baseline is not None

    def progress(self) -> float:
        """0..1 for the UI while calibrating."""
        if self.done:
            return 1.0
        if len(self._window) < 2:
            return 0.0
        span = self._window[-1][0] - self._window[0][0]
        return max(0.0, min(1.0, span / self.calibration_s))

    def update(self, m: Metrics, t: float) -> Baseline | None:
        """Add one frame with a face; returns the baseline once it is known."""
        if self.done:
            return self.baseline
        if m.faces != 1 or m.yaw_deg is None or m.smile is None:
            self._window.clear()  # the window must be continuous face time
            self._last_t = None
            return None
        if self._last_t is not None:
            self._face_time += max(0.0, t - self._last_t)
        self._last_t = t
        self._window.append((t, m))
        self._all.append(m)
        if len(self._all) > 600:  # bound memory if a sitter never holds still
            del self._all[:300]
        while not self._steady():
            self._window.popleft()
        span = self._window[-1][0] - self._window[0][0]
        if span >= self.calibration_s:
            self.baseline = self._baseline([x for _, x in self._window])
        elif self._face_time >= self.max_s:
            self.baseline = self._baseline(self._all)
        return self.baseline

    def _steady(self) -> bool:
        if len(self._window) < 2:
            return True
        for name in ("yaw_deg", "pitch_deg", "roll_deg"):
            vals = [getattr(x, name) for _, x in self._window if getattr(x, name) is not None]
            if vals and max(vals) - min(vals) > self.steady_deg:
                return False
        return True

    def _baseline(self, frames: list[Metrics]) -> Baseline:
        smiles = [x.smile for x in frames if x.smile is not None]
        smile = min(_lower_quartile(smiles), self.max_neutral_smile) if smiles else 0.0
        opens = [eye_open(x) for x in frames
                 if (x.blink is None or x.blink < self.max_blink) and not x.eyes_closed]
        known = [v for v in opens if v is not None]
        return Baseline(smile=float(smile),
                        eye_open=float(statistics.median(known)) if known else None)


def _lower_quartile(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 4]
