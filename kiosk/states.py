"""The kiosk's explicit state machine: enum states, a typed context, enter/do/exit.

Pure Python (no pygame): the app feeds it semantic :class:`Event` values (from
``kiosk.input`` or its own workers) and calls :meth:`StateMachine.tick` once a
frame; the handlers ask the app for side effects through the :class:`Services`
protocol. Any exception raised by a handler sends the machine to the
``FAILSAFE`` state, which calms the screen and recovers by itself.

Rules that hold in every state (kept here, not scattered through screens):

- idle timeout: no input and nobody in front of the camera for
  ``idle_timeout_s`` -> back to ``WELCOME`` (the session ends, unkept);
- states that need the live camera (welcome, coaching) divert to
  ``RECONNECTING`` while it is away and resume where they were when it is back;
- coaching waits in ``LOADING`` until the landmark models are ready;
- a set-up fault only staff can fix (:class:`SetupFault`: models missing, a broken
  replay file) shows ``SETUP`` until it is fixed, except while a photo is being taken,
  reviewed or handed over.

A preset may want several shots (``shots``): after each one that leaves the set
incomplete, ``CAPTURE`` goes back to ``COACHING`` (same calibration and shutter,
so the shutter's own cooldown spaces the shots) with a short "Photo 1 of 3 saved";
``REVIEW`` comes when the set is complete and shows all of it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kiosk.state_data import (
    FAULT_WAITS,
    HUMAN_KINDS,
    NEEDS_CAMERA,
    NO_IDLE,
    Context,
    Event,
    Kind,
    PresetCard,
    Services,
    SetupFault,
    Shot,
    State,
    Timing,
)

__all__ = ["HUMAN_KINDS", "NEEDS_CAMERA", "NO_IDLE", "Context", "Event", "Handler", "Kind",
           "PresetCard", "Services", "SetupFault", "Shot", "State", "StateMachine", "Timing",
           "default_handlers"]

log = logging.getLogger(__name__)


class Handler:
    """One state's behaviour. ``do`` gets ``None`` on the per-frame tick."""

    def enter(self, m: StateMachine) -> None:
        pass

    def do(self, m: StateMachine, ev: Event | None) -> State | None:
        return None

    def exit(self, m: StateMachine) -> None:
        pass


class Loading(Handler):
    """Waiting for the camera's first frame or the models; then ``resume``."""

    def do(self, m: StateMachine, ev: Event | None) -> State | None:
        target = m.ctx.resume or State.WELCOME
        if ev is not None and ev.kind is Kind.BACK:
            return State.WELCOME if target is State.COACHING else None
        if m.svc.camera_live():
            if target is State.COACHING and not m.svc.models_ready():
                return None
            return target
        if m.svc.now() - m.ctx.state_since > m.timing.camera_wait_s:
            m.ctx.resume = target  # say plainly that the camera is missing
            return State.RECONNECTING
        return None


class Welcome(Handler):
    def enter(self, m: StateMachine) -> None:
        if m.history[-2:-1] != [State.CHOOSE]:  # a new guest: the booth's own language
            m.ctx.language = ""
        m.svc.end_session()
        m.ctx.preset = None
        m.ctx.shot = None
        m.ctx.shots_taken = 0
        m.ctx.shots.clear()
        m.ctx.delivery = None

    def do(self, m: StateMachine, ev: Event | None) -> State | None:
        if ev is None:
            return None
        langs = m.ctx.languages
        if ev.kind is Kind.LANGUAGE and ev.data in langs:
            m.ctx.language = ev.data
            return None
        if ev.kind in (Kind.LEFT, Kind.RIGHT) and len(langs) > 1:  # keys and presenters
            now = langs.index(m.ctx.language) if m.ctx.language in langs else 0
            m.ctx.language = langs[(now + (1 if ev.kind is Kind.RIGHT else -1)) % len(langs)]
            return None
        if ev.kind in (Kind.OK, Kind.START, Kind.SHUTTER, Kind.NEXT, Kind.TAP, Kind.SELECT):
            if m.ctx.fixed_preset:
                m.svc.begin_session(m.ctx.fixed_preset, language=m.ctx.language)
                m.ctx.preset = m.ctx.fixed_preset
                return State.COACHING
            return State.CHOOSE
        return None


class Choose(Handler):
    def enter(self, m: StateMachine) -> None:
        m.ctx.focus = min(m.ctx.focus, max(0, len(m.ctx.presets) - 1))

    def do(self, m: StateMachine, ev: Event | None) -> State | None:
        if ev is None:
            return None
        n = len(m.ctx.presets)
        k = ev.kind
        if k is Kind.BACK or k is Kind.PREV and m.ctx.focus == 0:
            return State.WELCOME
        if n == 0:
            return None
        cols = max(1, m.columns)
        if k in (Kind.RIGHT, Kind.NEXT):
            m.ctx.focus = (m.ctx.focus + 1) % n
        elif k in (Kind.LEFT, Kind.PREV):
            m.ctx.focus = (m.ctx.focus - 1) % n
        elif k is Kind.DOWN:
            m.ctx.focus = min(n - 1, m.ctx.focus + cols)
        elif k is Kind.UP:
            m.ctx.focus = max(0, m.ctx.focus - cols)
        elif k in (Kind.OK, Kind.SHUTTER, Kind.SELECT):
            i = ev.index if k is Kind.SELECT and ev.index is not None else m.ctx.focus
            if 0 <= i < n:
                m.ctx.focus = i
                m.ctx.preset = m.ctx.presets[i].key
                m.svc.begin_session(m.ctx.preset, language=m.ctx.language)
                return State.COACHING
        return None


class Coaching(Handler):
    def enter(self, m: StateMachine) -> None:
        # Mid-set (or back from a camera hiccup) the sitter, their calibration and the
        # shutter's count and cooldown carry on; a new set starts afresh.
        m.svc.start_coaching(fresh=not m.ctx.shots)

    def do(self, m: StateMachine, ev: Event | None) -> State | None:
        if ev is None:
            return None
        if ev.kind is Kind.BACK or ev.kind is Kind.PREV:
            if m.ctx.shots:  # leaving a set part-way: show what was taken, lose nothing
                return State.REVIEW
            return State.WELCOME if m.ctx.fixed_preset else State.CHOOSE
        if ev.kind in (Kind.SHUTTER, Kind.OK, Kind.NEXT):
            m.svc.request_capture(manual=True)
            return State.CAPTURE
        if ev.kind is Kind.FIRE:
            m.svc.request_capture(manual=False)
            return State.CAPTURE
        return None

    def exit(self, m: StateMachine) -> None:
        m.svc.stop_coaching()


class Capture(Handler):
    """Flash on screen while the still is taken and saved (by an app worker)."""

    def enter(self, m: StateMachine) -> None:
        m.ctx.capture_requested_at = m.svc.now()

    def do(self, m: StateMachine, ev: Event | None) -> State | None:
        now = m.svc.now()
        if ev is None:
            if now - m.ctx.capture_requested_at > m.timing.capture_timeout_s:
                m.ctx.say("notice.no_picture", now)
                return State.COACHING
            return None
        if ev.kind is Kind.CAPTURED:
            m.ctx.shot = ev.data
            m.ctx.shots.append(ev.data)
            m.ctx.shots_taken += 1
            if len(m.ctx.shots) < m.svc.shots_wanted():
                m.ctx.saved_until = now + m.timing.saved_show_s
                return State.COACHING
            return State.REVIEW
        if ev.kind is Kind.CAPTURE_FAILED:
            m.ctx.say(str(ev.data or "notice.picture_failed"), now)
            return State.COACHING
        return None


class Review(Handler):
    """Keep or retake. One shot: as ever. A set: every shot side by side; the sitter may
    pick a favourite (tap, or left/right); keep keeps them all, retake redoes the set."""

    def enter(self, m: StateMachine) -> None:
        m.ctx.focus = 0  # 0 = keep, 1 = retake
        m.ctx.favourite = None
        single = len(m.ctx.shots) <= 1
        m.ctx.summary = m.svc.summarize(m.ctx.shot) if m.ctx.shot and single else []

    def do(self, m: StateMachine, ev: Event | None) -> State | None:
        if ev is None:
            return None
        k = ev.kind
        n = len(m.ctx.shots)
        if n > 1 and k in (Kind.LEFT, Kind.RIGHT):
            step = 1 if k is Kind.RIGHT else -1
            fav = m.ctx.favourite
            m.ctx.favourite = (0 if step > 0 else n - 1) if fav is None else (fav + step) % n
            return None
        if n > 1 and k is Kind.SELECT and ev.index is not None and 0 <= ev.index < n:
            m.ctx.favourite = None if m.ctx.favourite == ev.index else ev.index
            return None
        if k in (Kind.LEFT, Kind.RIGHT, Kind.UP, Kind.DOWN, Kind.NEXT, Kind.PREV):
            m.ctx.focus = 1 - m.ctx.focus
            return None
        if k is Kind.OK or k is Kind.SHUTTER:
            k = Kind.KEEP if m.ctx.focus == 0 else Kind.RETAKE
        if k is Kind.KEEP and m.ctx.shots:
            m.ctx.location, m.ctx.session_code = m.svc.keep_shots(list(m.ctx.shots),
                                                                  m.ctx.favourite)
            return State.DONE
        if k is Kind.RETAKE or k is Kind.BACK:
            m.ctx.shots.clear()  # the whole set again (every photo stays on disk)
            m.ctx.favourite = None
            return State.COACHING
        return None


class Done(Handler):
    def do(self, m: StateMachine, ev: Event | None) -> State | None:
        if ev is None:
            if m.svc.now() - m.ctx.state_since > m.timing.done_s:
                return State.WELCOME
            return None
        if ev.kind in (Kind.OK, Kind.BACK, Kind.TAP, Kind.START, Kind.NEXT, Kind.SHUTTER):
            return State.WELCOME
        return None


class Reconnecting(Handler):
    def do(self, m: StateMachine, ev: Event | None) -> State | None:
        if m.svc.camera_live():
            return m.ctx.resume or State.WELCOME
        return None


class Failsafe(Handler):
    """Calm screen; after a few seconds tidy up and start again at the welcome."""

    def do(self, m: StateMachine, ev: Event | None) -> State | None:
        if ev is None and m.svc.now() - m.ctx.state_since >= m.timing.failsafe_s:
            m.svc.recover()
            m.ctx.resume = None
            return State.WELCOME
        return None


class Setup(Handler):
    """A set-up fault (:class:`SetupFault`): no session can start until staff fix it;
    then the welcome screen."""

    def enter(self, m: StateMachine) -> None:
        m.svc.end_session()
        m.ctx.resume = None

    def do(self, m: StateMachine, ev: Event | None) -> State | None:
        if ev is None and m.svc.setup_fault() is None:
            return State.WELCOME
        return None


def default_handlers() -> dict[State, Handler]:
    return {
        State.LOADING: Loading(), State.WELCOME: Welcome(), State.CHOOSE: Choose(),
        State.COACHING: Coaching(), State.CAPTURE: Capture(), State.REVIEW: Review(),
        State.DONE: Done(), State.RECONNECTING: Reconnecting(), State.FAILSAFE: Failsafe(),
        State.SETUP: Setup(),
    }


class StateMachine:
    """Runs the handlers; owns the cross-cutting rules (idle, camera, models, failsafe)."""

    def __init__(self, svc: Services, ctx: Context | None = None, *,
                 timing: Timing | None = None, handlers: dict[State, Handler] | None = None,
                 initial: State = State.LOADING) -> None:
        self.svc = svc
        self.ctx = ctx or Context()
        self.timing = timing or Timing()
        self.handlers = handlers or default_handlers()
        self.state = initial
        self.columns = 1  # the chooser's grid width, set by the app from the layout
        self.failures = 0
        self._started = False
        self.history: list[State] = []
        #: called with (old, new) after every change of state; watchers only (plugins)
        self.on_change: Callable[[State, State], None] | None = None

    # -- driving ---------------------------------------------------------------
    def start(self) -> None:
        now = self.svc.now()
        self.ctx.state_since = now
        self.ctx.last_activity = now
        if self.state is State.LOADING and self.ctx.resume is None:
            self.ctx.resume = State.WELCOME
        self.history.append(self.state)
        self._started = True
        self._guard(lambda: self.handlers[self.state].enter(self))

    def handle(self, ev: Event) -> State:
        """Give one event to the current state."""
        if ev.kind in HUMAN_KINDS:
            self.ctx.last_activity = self.svc.now()
        if ev.kind is Kind.DELIVERED:  # in any state: kept for the done screen
            if getattr(ev.data, "session_id", None) == self.ctx.session_code:
                self.ctx.delivery = ev.data
            return self.state
        self._guard(lambda: self._maybe_go(self.handlers[self.state].do(self, ev)))
        return self.state

    def tick(self) -> State:
        """Once a frame: timers, camera and model rules, then the state's own tick."""
        self._guard(self._tick)
        return self.state

    def go(self, target: State) -> None:
        """Leave the current state (exit), apply the rules, enter ``target``."""
        target = self._redirect(target)
        if target is not self.state:
            self.go_raw(target)

    def fail(self, exc: BaseException) -> None:
        """An unexpected error: log it with its traceback, show the failsafe screen."""
        self.failures += 1
        self.ctx.error = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
        log.error("unexpected error in state %s; showing the failsafe screen",
                  self.state.value, exc_info=exc)
        if self.state is not State.FAILSAFE:
            old, self.state = self.state, State.FAILSAFE
            self.history.append(State.FAILSAFE)
            self._changed(old, State.FAILSAFE)
        self.ctx.state_since = self.svc.now()

    # -- internals -------------------------------------------------------------
    def _guard(self, fn: Any) -> None:
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - the kiosk never shows a traceback
            self.fail(exc)

    def _maybe_go(self, target: State | None) -> None:
        if target is not None:
            self.go(target)

    def _redirect(self, target: State) -> State:
        """Camera away / models not ready: wait on the right screen, then resume."""
        if target in NEEDS_CAMERA and not self.svc.camera_live():
            self.ctx.resume = target
            return State.RECONNECTING
        if target is State.COACHING and not self.svc.models_ready():
            self.ctx.resume = target
            return State.LOADING
        return target

    def _tick(self) -> None:
        now = self.svc.now()
        state = self.state
        if state not in FAULT_WAITS and self.svc.setup_fault() is not None:
            self.go_raw(State.SETUP)
            return
        if state is State.COACHING and self.svc.person_present():
            self.ctx.last_activity = now
        if state not in NO_IDLE and now - self.ctx.last_activity > self.timing.idle_timeout_s:
            log.info("idle for %.0f s in %s: back to welcome", now - self.ctx.last_activity,
                     state.value)
            self.ctx.last_activity = now
            self.ctx.resume = None
            self.go(State.WELCOME)
            return
        if state in NEEDS_CAMERA and not self.svc.camera_live():
            self.ctx.resume = state
            self.go_raw(State.RECONNECTING)
            return
        self._maybe_go(self.handlers[state].do(self, None))

    def go_raw(self, target: State) -> None:
        """Like :meth:`go` without the redirect rules (used by the rules themselves)."""
        old = self.state
        try:
            self.handlers[old].exit(self)
        finally:
            self.state = target
            self.ctx.state_since = self.svc.now()
            self.history.append(target)
            log.info("state %s -> %s", old.value, target.value)
        self._changed(old, target)
        self.handlers[target].enter(self)

    def _changed(self, old: State, new: State) -> None:
        if self.on_change is not None:
            try:
                self.on_change(old, new)
            except Exception:  # noqa: BLE001 - a watcher never changes the flow
                log.exception("state watcher failed")
