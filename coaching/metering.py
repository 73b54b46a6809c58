"""Exposure metered on the face, not the whole frame.

A webcam's own auto exposure averages the frame: a sitter in front of a bright window is
a silhouette. :class:`FaceMeter` reads the face's mean luminance (``Metrics.exposure``)
and steers the camera's exposure, in stops (EV, relative to where it started), toward
``target``: each step moves a share (``gain``) of the remaining error in stops, at most
``max_step_ev``, no more often than ``period_s`` (the camera needs a frame or two to show
a change; stepping faster makes it overshoot and oscillate). Once the face is within
``tolerance`` for ``settle_steps`` steps the exposure is held steady, so the picture does
not breathe while the sitter is coached; it is metered again only if the face drifts
well off (``2 x tolerance`` for ``drift_s``: a cloud, a new sitter, a light switched).

The meter never touches a driver: it calls ``control.set_exposure_ev(ev)`` on whatever it
is given (a webcam source; :mod:`camera.webcam`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["ExposureControl", "FaceMeter", "MeterState", "meter_for", "meter_results"]


#: sRGB's effective gamma: stops of light per stop of coded luminance.
GAMMA = 2.2


class ExposureControl(Protocol):
    """What a camera offers the meter: exposure in stops relative to its start, clamped."""

    def set_exposure_ev(self, ev: float) -> float:
        """Apply ``ev``; returns the value actually set (within the camera's range)."""
        ...  # pragma: no cover


@dataclass(frozen=True)
class MeterState:
    ev: float
    settled: bool
    error_ev: float | None  # stops of light from the target; None without a face


class FaceMeter:
    """Steers ``control`` so the face's mean luminance reaches ``target`` (0..1)."""

    def __init__(self, control: ExposureControl, target: float = 0.5,
                 tolerance_ev: float = 0.15, gain: float = 0.6, max_step_ev: float = 1.0,
                 period_s: float = 0.2, settle_steps: int = 3, drift_s: float = 1.0) -> None:
        self.control = control
        self.target = target
        self.tolerance_ev = tolerance_ev
        self.gain = gain
        self.max_step_ev = max_step_ev
        self.period_s = period_s
        self.settle_steps = settle_steps
        self.drift_s = drift_s
        self.ev = 0.0
        self._last_step: float | None = None
        self._good = 0
        self._settled = False
        self._drift_since: float | None = None
        self._error: float | None = None

    @property
    def state(self) -> MeterState:
        return MeterState(self.ev, self._settled, self._error)

    def reset(self) -> None:
        """Meter anew (a new sitter), from the exposure the camera has now."""
        self._settled = False
        self._good = 0
        self._drift_since = None

    def update(self, t: float, face_exposure: float | None) -> MeterState:
        """One frame's face luminance at time ``t``; may set a new exposure."""
        if face_exposure is None or face_exposure <= 0.0:
            self._error = None
            return self.state
        # the luminance is gamma-coded (sRGB, ~2.2): a stop of light moves it ~1/2.2 stop
        err = GAMMA * math.log2(self.target / max(face_exposure, 1e-3))
        self._error = err
        if self._settled:
            if abs(err) <= 2 * self.tolerance_ev:
                self._drift_since = None
                return self.state
            if self._drift_since is None:
                self._drift_since = t
            if t - self._drift_since < self.drift_s:
                return self.state
            self.reset()  # the light changed: meter again
        if self._last_step is not None and t - self._last_step < self.period_s:
            return self.state
        self._last_step = t
        if abs(err) <= self.tolerance_ev:
            self._good += 1
            if self._good >= self.settle_steps:
                self._settled = True
            return self.state
        self._good = 0
        step = max(-self.max_step_ev, min(self.max_step_ev, self.gain * err))
        self.ev = self.control.set_exposure_ev(self.ev + step)
        return self.state


def meter_results(meter: FaceMeter) -> Callable[[Any], None]:
    """A pipeline ``on_result`` callback feeding each result's face exposure to ``meter``
    (on the analysis thread: the meter only stores a request, the camera applies it)."""

    def feed(result: Any) -> None:
        meter.update(result.state.t, result.metrics.exposure)  # the frame's own time

    return feed


def meter_for(source: Any, metering: str, target: float = 0.5) -> FaceMeter | None:
    """A face meter for ``source`` when it can steer its exposure and metering is "face"."""
    if metering != "face" or not callable(getattr(source, "set_exposure_ev", None)):
        return None
    return FaceMeter(source, target=target)
