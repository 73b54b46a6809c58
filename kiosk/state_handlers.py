"""The handlers of the kiosk's states: what each state does on entry, per event or
tick, and on exit (:mod:`kiosk.states` runs them; the rules that hold in every state
live there). Each handler returns the next state or None to stay."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from kiosk.state_data import Event, Kind, State

if TYPE_CHECKING:
    from kiosk.states import StateMachine

__all__ = ["Handler", "default_handlers"]

log = logging.getLogger("kiosk.states")


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
