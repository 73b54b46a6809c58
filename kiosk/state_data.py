"""The state machine's vocabulary: states, events, the shared context, the services.

Plain data with no behaviour of its own, so screens, the booth and plugins' glue can
name states and events without importing the machine (:mod:`kiosk.states`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Protocol


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
    SETUP = "setup"  # a set-up fault only staff can fix: calm for guests, loud for staff


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
    LANGUAGE = "language"  # the guest picked a language; ``data`` is its code
    LOUDER = "louder"  # the voice's volume (+ key)
    SOFTER = "softer"  # (- key)
    START = "start"
    KEEP = "keep"
    RETAKE = "retake"
    OPERATOR = "operator"  # the operator gesture (key combination / long press)
    QUIT = "quit"  # the window's close button
    # From the app itself:
    FIRE = "fire"  # the automatic shutter decided
    CAPTURED = "captured"  # a still was taken and saved; ``data`` is the Shot
    CAPTURE_FAILED = "capture_failed"  # ``data`` is a short message for the sitter
    DELIVERED = "delivered"  # plugins made the kept set's deliverables; ``data``: a Delivery
    REMOTE = "remote"  # an operator command from the dashboard; ``data``: (action, value)


#: Events that count as a person interacting (they reset the idle timer).
HUMAN_KINDS = frozenset({
    Kind.OK, Kind.BACK, Kind.SHUTTER, Kind.LEFT, Kind.RIGHT, Kind.UP, Kind.DOWN, Kind.NEXT,
    Kind.PREV, Kind.TAP, Kind.SELECT, Kind.START, Kind.KEEP, Kind.RETAKE, Kind.LANGUAGE,
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


@dataclass(frozen=True)
class SetupFault:
    """A set-up fault no guest can fix (models missing, a broken replay file, a coach
    that cannot start): the guest sees "The booth is getting ready", staff read these."""

    what: str  # one line: what is wrong, e.g. "Models missing: face_landmarker.task"
    fix: tuple[str, ...] = ()  # one line each: where to put what, the exact command

    def one_line(self) -> str:
        return "; ".join((self.what, *self.fix))


@dataclass
class Context:
    """Everything the states share. Only handlers and the machine write it."""

    presets: list[PresetCard] = field(default_factory=list)
    fixed_preset: str | None = None  # --preset: the chooser is skipped
    languages: list[str] = field(default_factory=list)  # offered, the booth's default first
    language: str = ""  # the guest's pick; "" = the booth's default (after every session)
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
    summary: list[str] = field(default_factory=list)  # ``summary.<key>`` names
    location: str = ""  # done: where the photos are (operator and log only, never shown)
    session_code: str = ""
    notice: str = ""  # for the sitter: a catalogue key ``notice.<name>`` (or plain words)
    notice_until: float = 0.0
    capture_requested_at: float = 0.0
    error: str = ""  # failsafe: the last error, one line, for the log/operator only
    delivery: Any = None  # delivery.hooks.Delivery of the kept set (the done screen's lines)

    def say(self, text: str, now: float, seconds: float = 4.0) -> None:
        self.notice = text
        self.notice_until = now + seconds


class Services(Protocol):
    """What the handlers may ask of the app (implemented by ``kiosk.booth.Booth``)."""

    def now(self) -> float: ...
    def camera_live(self) -> bool: ...
    def models_ready(self) -> bool: ...
    def setup_fault(self) -> SetupFault | None: ...
    def person_present(self) -> bool: ...
    def begin_session(self, preset: str, language: str = "") -> None: ...
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
NO_IDLE = frozenset({State.WELCOME, State.LOADING, State.FAILSAFE, State.CAPTURE,
                     State.SETUP})
#: States a set-up fault does not interrupt (a photo being taken, reviewed, handed over).
FAULT_WAITS = frozenset({State.SETUP, State.CAPTURE, State.REVIEW, State.DONE})
