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
from kiosk.state_handlers import Handler, default_handlers

__all__ = ["HUMAN_KINDS", "NEEDS_CAMERA", "NO_IDLE", "Context", "Event", "Handler", "Kind",
           "PresetCard", "Services", "SetupFault", "Shot", "State", "StateMachine", "Timing",
           "default_handlers"]

log = logging.getLogger(__name__)


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
