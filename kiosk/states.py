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
- coaching waits in ``LOADING`` until the landmark models are ready.

A preset may want several shots (``shots``): after each one that leaves the set
incomplete, ``CAPTURE`` goes back to ``COACHING`` (same calibration and shutter,
so the shutter's own cooldown spaces the shots) with a short "Photo 1 of 3 saved";
``REVIEW`` comes when the set is complete and shows all of it.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)


class State(str, enum.Enum):
    """Every screen the kiosk can be on."""

    LOADING = "loading"
    WELCOME = "welcome"
    CHOOSE = "choose"
    COACHING = "coaching"
    CAPTURE = "capture"
    REVIEW = "review"
    DONE = "done"
    RECONNECTING = "reconnecting"
    FAILSAFE = "failsafe"


class Kind(str, enum.Enum):
    """What happened. The first group comes from people, the second from the app."""

    OK = "ok"  # Enter / Space / presenter B / the focused button
    BACK = "back"  # Esc / the back button
    SHUTTER = "shutter"  # take the photo now (manual shutter)
    LEFT = "left"
    RIGHT = "right"
    UP = "up"
    DOWN = "down"
    NEXT = "next"  # presenter PageDown
    PREV = "prev"  # presenter PageUp
    TAP = "tap"  # a touch or click with ``pos`` (turned into a button's event by the app)
    SELECT = "select"  # choose item ``index`` (a preset card)
    START = "start"
    KEEP = "keep"
    RETAKE = "retake"
    OPERATOR = "operator"  # the operator gesture (key combination / long press)
    QUIT = "quit"  # the window's close button
    # From the app itself:
    FIRE = "fire"  # the automatic shutter decided
    CAPTURED = "captured"  # a still was taken and saved; ``data`` is the Shot
    CAPTURE_FAILED = "capture_failed"  # ``data`` is a short message for the sitter


#: Events that count as a person interacting (they reset the idle timer).
HUMAN_KINDS = frozenset({
    Kind.OK, Kind.BACK, Kind.SHUTTER, Kind.LEFT, Kind.RIGHT, Kind.UP, Kind.DOWN, Kind.NEXT,
    Kind.PREV, Kind.TAP, Kind.SELECT, Kind.START, Kind.KEEP, Kind.RETAKE,
})


@dataclass(frozen=True)
class Event:
    """One semantic event; ``index``/``pos``/``data`` only where the kind needs them."""

    kind: Kind
    index: int | None = None
    pos: tuple[int, int] | None = None
    data: Any = None


@dataclass(frozen=True)
class PresetCard:
    """What the chooser shows for one preset."""

    key: str
    name: str
    description: str


@dataclass
class Shot:
    """One still taken in this session, as saved on disk."""

    image: Any  # RGB np.ndarray for display (decoded from the camera's bytes if needed)
    path: str  # where the file is
    number: int  # 1-based within the session
    metrics: Any = None  # coaching.metrics.Metrics at capture, if known
    in_range: dict[str, bool] = field(default_factory=dict)
    record: Any = None  # whatever the storage layer returned (for marking "kept")


@dataclass
class Context:
    """Everything the states share. Only handlers and the machine write it."""

    presets: list[PresetCard] = field(default_factory=list)
    fixed_preset: str | None = None  # --preset: the chooser is skipped
    preset: str | None = None
    focus: int = 0  # keyboard/presenter focus on the current screen
    state_since: float = 0.0
    last_activity: float = 0.0
    resume: State | None = None  # where RECONNECTING / LOADING / FAILSAFE go back to
    shot: Shot | None = None  # the newest shot
    shots: list[Shot] = field(default_factory=list)  # this set (all shown in review)
    shots_taken: int = 0
    favourite: int | None = None  # review: index in ``shots`` the sitter picked
    saved_until: float = 0.0  # coaching shows "Photo k of n saved" until then
    summary: list[str] = field(default_factory=list)
    location: str = ""  # done: where the photos are (operator and log only, never shown)
    session_code: str = ""
    notice: str = ""  # a one-line message for the sitter (e.g. "Storage is full")
    notice_until: float = 0.0
    capture_requested_at: float = 0.0
    error: str = ""  # failsafe: the last error, one line, for the log/operator only

    def say(self, text: str, now: float, seconds: float = 4.0) -> None:
        self.notice = text
        self.notice_until = now + seconds


class Services(Protocol):
    """What the handlers may ask of the app (implemented by ``kiosk.app``)."""

    def now(self) -> float: ...
    def camera_live(self) -> bool: ...
    def models_ready(self) -> bool: ...
    def person_present(self) -> bool: ...
    def begin_session(self, preset: str) -> None: ...
    def start_coaching(self, fresh: bool) -> None: ...
    def stop_coaching(self) -> None: ...
    def request_capture(self, manual: bool) -> None: ...
    def shots_wanted(self) -> int: ...
    def keep_shots(self, shots: list[Shot], favourite: int | None) -> tuple[str, str]: ...
    def end_session(self) -> None: ...
    def summarize(self, shot: Shot) -> list[str]: ...
    def recover(self) -> None: ...


@dataclass(frozen=True)
class Timing:
    """Durations the machine uses (seconds); from the ``ui:`` config section."""

    idle_timeout_s: float = 60.0
    done_s: float = 12.0
    failsafe_s: float = 4.0
    capture_timeout_s: float = 20.0
    flash_s: float = 0.35
    camera_wait_s: float = 4.0  # loading -> "no camera found" after this long
    saved_show_s: float = 1.5  # "Photo 1 of 3 saved" between shots (coach.captured_show_s)


#: States that show the live camera and so cannot run while it is away.
NEEDS_CAMERA = frozenset({State.WELCOME, State.COACHING})
#: States where the idle timer does not run.
NO_IDLE = frozenset({State.WELCOME, State.LOADING, State.FAILSAFE, State.CAPTURE})


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
        m.svc.end_session()
        m.ctx.preset = None
        m.ctx.shot = None
        m.ctx.shots_taken = 0
        m.ctx.shots.clear()

    def do(self, m: StateMachine, ev: Event | None) -> State | None:
        if ev is None:
            return None
        if ev.kind in (Kind.OK, Kind.START, Kind.SHUTTER, Kind.NEXT, Kind.TAP, Kind.SELECT):
            if m.ctx.fixed_preset:
                m.svc.begin_session(m.ctx.fixed_preset)
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
                m.svc.begin_session(m.ctx.preset)
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
                m.ctx.say("The camera did not take the picture. Let's try again.", now)
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
            m.ctx.say(str(ev.data or "The picture did not work. Let's try again."), now)
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


def default_handlers() -> dict[State, Handler]:
    return {
        State.LOADING: Loading(), State.WELCOME: Welcome(), State.CHOOSE: Choose(),
        State.COACHING: Coaching(), State.CAPTURE: Capture(), State.REVIEW: Review(),
        State.DONE: Done(), State.RECONNECTING: Reconnecting(), State.FAILSAFE: Failsafe(),
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
            self.state = State.FAILSAFE
            self.history.append(State.FAILSAFE)
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
        self.handlers[target].enter(self)
