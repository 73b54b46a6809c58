"""The automatic shutter: when to fire, and which frame is the photo.

Every frame goes into a ring buffer (``buffer_s``, about 1.5 s) with its raw
metrics and whether every gate was good. The shutter fires automatically when the
coach reports ``hold`` with ``hold_progress`` 1 (every gate of the preset held for
its ``hold_s``) on a frame with exactly one face and no blink, outside the
cooldown (which a manual shot starts too), until the preset's number of shots is
reached. The manual shutter (:meth:`Shutter.update` with ``manual=True``) always
fires.

The photo is the best frame of the buffer (like Top Shot): among the frames of the
hold that just completed (manual: the last ``manual_window_s``), with eyes open and no blink
within ``blink_guard_s`` on either side, the sharpest and closest to the preset's
centre. A manual press with the eyes shut all through its window (a long eye closure)
takes the newest open-eye frame of the buffer instead; with none, the photo is kept
and ``Shot.eyes_shut`` says so. An automatic photo is also at least ``cooldown_s``
newer than the previous photo, so the frames of a set are spread out as much as their
firing. With a camera that takes real stills, the caller triggers the still when a
:class:`Shot` comes back and stores it with ``shot.moment.metrics`` (the metrics of
that instant), keeping ``shot.best`` (the best preview frame) in the record too.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from coaching.metrics import Metrics
from coaching.presets import Preset
from coaching.settings import CoachSettings

#: Weight of the distance from the preset's centre (tolerance steps) against the
#: sharpness (0..1, relative to the sharpest candidate) when picking the photo.
CENTRE_WEIGHT = 0.25


@dataclass(frozen=True)
class FrameRecord:
    """One frame in the ring buffer."""

    t: float
    frame: Any  # camera.base.Frame (or None once it is too old to be a manual pick)
    metrics: Metrics
    ready: bool  # every gate good on this frame (coach status "hold")
    blink: bool
    centre_distance: float | None = None
    in_range: dict[str, bool] = field(default_factory=dict)

    @property
    def sharpness(self) -> float | None:
        return self.metrics.sharpness


@dataclass(frozen=True)
class Shot:
    """The shutter fired: ``best`` is the photo's frame, ``moment`` the firing frame."""

    number: int  # 1-based, manual and automatic shots alike
    reason: Literal["auto", "manual"]
    t: float  # when it fired (coach clock)
    best: FrameRecord
    moment: FrameRecord
    #: A manual press during a long eye closure with no open-eye frame in the buffer:
    #: the photo is kept with the eyes shut, and the review says so.
    eyes_shut: bool = False

    @property
    def frame(self) -> Any:
        return self.best.frame

    @property
    def metrics(self) -> Metrics:
        return self.best.metrics

    @property
    def frame_time(self) -> float:
        return self.best.t


class Shutter:
    """Decides when to fire from the coach's state and picks the best recent frame."""

    def __init__(self, preset: Preset, settings: CoachSettings | None = None) -> None:
        self.preset = preset
        self.settings = settings or CoachSettings()
        self.reset()

    def reset(self) -> None:
        """A new session: empty buffer, shot counters at zero."""
        self._buf: deque[FrameRecord] = deque()
        self.shots = 0
        self.auto_shots = 0
        self._last_fire: float | None = None
        self._last_photo: float | None = None  # frame time of the last shot's photo

    @property
    def done(self) -> bool:
        """The preset's number of automatic shots has been taken."""
        return self.auto_shots >= self.preset.shots

    def in_cooldown(self, t: float) -> bool:
        """Within ``cooldown_s`` of the last shot, automatic or manual: an operator's
        manual photo is not followed at once by an automatic near-copy."""
        return self._last_fire is not None and t - self._last_fire < self.preset.cooldown_s

    def is_blink(self, m: Metrics) -> bool:
        limit = self.preset.eyes.max_blink
        return bool(m.eyes_closed) or (m.blink is not None and m.blink >= limit)

    def update(self, frame: Any, metrics: Metrics, state: Any, t: float, *,
               manual: bool = False, auto: bool = True) -> Shot | None:
        """Add one frame; returns a :class:`Shot` when the shutter fires on it."""
        rec = FrameRecord(t, frame, metrics,
                          ready=getattr(state, "status", None) == "hold" and metrics.faces == 1,
                          blink=self.is_blink(metrics),
                          centre_distance=getattr(state, "centre_distance", None),
                          in_range=dict(getattr(state, "in_range", {}) or {}))
        self._push(rec)
        if manual:
            best = self._best_manual(t) or self._nearest_open(t) or rec
            return self._fire("manual", t, best, rec, state)
        if not auto or self.done or self.in_cooldown(t):
            return None
        if (getattr(state, "status", None) == "hold" and state.hold_progress >= 1.0
                and rec.ready and not rec.blink):
            best = self._best_auto(t)
            if best is not None:
                return self._fire("auto", t, best, rec, state)
        return None

    # -- internals --------------------------------------------------------------------
    def _push(self, rec: FrameRecord) -> None:
        s = self.settings
        buf = self._buf
        if buf and rec.t < buf[-1].t:  # time went backwards (a new replay): start over
            buf.clear()
            self._last_fire = self._last_photo = None
        buf.append(rec)
        while buf and rec.t - buf[0].t > s.buffer_s:
            buf.popleft()
        # Frames that can no longer be picked (not ready, older than the manual window)
        # let go of their pixels, so the buffer holds few full frames.
        # The newest open-eye frame keeps its pixels too: a manual press during a long
        # eye closure takes it rather than a photo with the eyes shut.
        keep = self._newest_open_index()
        for i, old in enumerate(buf):
            if rec.t - old.t <= s.manual_window_s:
                break
            if not old.ready and old.frame is not None and i != keep:
                buf[i] = replace(old, frame=None)

    def _clear_of_blinks(self, rec: FrameRecord, now: float, need_future: bool) -> bool:
        guard = self.settings.blink_guard_s
        if rec.blink:
            return False
        if need_future and now - rec.t < guard:
            return False
        return not any(o.blink and abs(o.t - rec.t) <= guard for o in self._buf)

    def _pick(self, cands: list[FrameRecord]) -> FrameRecord | None:
        if not cands:
            return None
        sharp = [c.sharpness for c in cands if c.sharpness is not None]
        top = max(sharp) if sharp else 0.0

        def score(c: FrameRecord) -> tuple[float, float]:
            s = (c.sharpness / top) if (c.sharpness is not None and top > 0) else 0.0
            d = c.centre_distance if c.centre_distance is not None else 0.0
            return (s - CENTRE_WEIGHT * d, c.t)  # ties: the newer frame

        return max(cands, key=score)

    def _best_auto(self, now: float) -> FrameRecord | None:
        # Only the hold that just completed: a frame from an earlier, broken hold may be
        # mid-movement (a smile coming on), however sharp it is.
        # And none closer than the cooldown to the last photo: a set spread out in time.
        earliest = (-float("inf") if self._last_photo is None
                    else self._last_photo + self.preset.cooldown_s)
        ready: list[FrameRecord] = []
        for r in reversed(self._buf):
            if not r.ready or r.t < earliest:
                break
            if r.frame is not None:
                ready.append(r)
        settled = [r for r in ready if self._clear_of_blinks(r, now, need_future=True)]
        if settled:
            return self._pick(settled)
        # A hold shorter than the guard: accept frames whose past is clear.
        return self._pick([r for r in ready if self._clear_of_blinks(r, now, need_future=False)])

    def _best_manual(self, now: float) -> FrameRecord | None:
        window = [r for r in self._buf if now - r.t <= self.settings.manual_window_s
                  and r.frame is not None and r.metrics.faces == 1]
        return self._pick([r for r in window if self._clear_of_blinks(r, now, False)])

    def _newest_open_index(self) -> int | None:
        for i in range(len(self._buf) - 1, -1, -1):
            r = self._buf[i]
            if r.frame is not None and r.metrics.faces == 1 and not r.blink:
                return i
        return None

    def _nearest_open(self, now: float) -> FrameRecord | None:
        """The newest frame in the buffer with the eyes open, for a press in a long eye
        closure (None: the eyes were shut the whole ``buffer_s``)."""
        i = self._newest_open_index()
        return None if i is None else self._buf[i]

    def _fire(self, reason: Literal["auto", "manual"], t: float, best: FrameRecord,
              moment: FrameRecord, state: Any) -> Shot:
        self.shots += 1
        self._last_fire = t
        self._last_photo = best.t
        if reason == "auto":
            self.auto_shots += 1
        ack = getattr(state, "mark_captured", None)
        if callable(ack):
            ack(t)
        return Shot(self.shots, reason, t, best, moment, eyes_shut=best.blink)
