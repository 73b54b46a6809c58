"""What a screen may show, as plain data: the :class:`View` and the pieces it holds.

These live below the screen modules (which import them) and below the dispatch in
``kiosk/screens/__init__.py`` (which imports the screens), so the package has no
import cycle; ``kiosk.screens`` re-exports every name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pygame

from coaching.messages import Catalogue, load_catalogue
from kiosk.states import Event, PresetCard, State


@dataclass(frozen=True)
class Button:
    """A touch target: a tap inside ``rect`` becomes ``event``."""

    rect: pygame.Rect
    event: Event
    label: str = ""


@dataclass(frozen=True)
class CoachView:
    """The coach's newest word (from coaching.coach.CoachState)."""

    status: str = "no_face"  # no_face|multiple_faces|calibrating|adjusting|hold|captured
    message: str = ""
    direction: str | None = None  # left/right/up/down/closer/back, sitter's point of view
    metric: str | None = None  # which metric the prompt is about (places the arrow)
    readiness: float = 0.0
    hold_progress: float = 0.0
    in_range: dict[str, bool] = field(default_factory=dict)
    key: str = ""  # the prompt's catalogue key (its icon), e.g. "pitch_deg.up"


@dataclass(frozen=True)
class FaceBox:
    """Where the face is, as fractions of the unmirrored frame (from Metrics)."""

    cx: float  # 0..1 from the image's left
    eye_y: float  # eye line from the top
    head_h: float  # head height / frame height


@dataclass(frozen=True)
class Guide:
    """Target framing for the preset (fractions of frame height)."""

    head_h: float
    eye_y: float
    ok: bool = False  # framing already in range: draw it green
    cx: float = 0.5  # where the head goes across (fraction of the width, unmirrored)
    #: the first deliverable's crop (x, y, w, h, fractions of the frame, unmirrored)
    crop: tuple[float, float, float, float] | None = None
    round: bool = False  # that output is shown round (a profile photo): draw its circle


@dataclass(frozen=True)
class SetProgress:
    """Where a multi-shot set is (presets with ``shots`` > 1), for the coaching screen."""

    number: int  # the photo being coached now, 1-based
    total: int
    saved: int = 0  # > 0: "Photo {saved} of {total} saved" is showing (just after a shot)
    hint: str = ""  # the nudge under it, e.g. "Now try a different expression"


@dataclass(frozen=True)
class Photo:
    """One shot of the set on the review screen."""

    image: np.ndarray
    key: object  # changes when the photo does (for the scaled-image cache)
    saved: bool = True  # False: it could not be written to disk


@dataclass(frozen=True)
class OperatorRow:
    key: str
    label: str
    target: str
    value: str
    ok: bool | None  # None = the preset does not check it
    adjustable: bool = False


@dataclass(frozen=True)
class OperatorView:
    mode: str  # closed/pin/open/no_pin (kiosk.operator.Mode values)
    entered: int = 0  # digits typed (shown as dots)
    message: str = ""
    rows: tuple[OperatorRow, ...] = ()
    row: int = 0
    stats: tuple[str, ...] = ()  # "render 30.1 fps", ...
    preset: str = ""
    auto_paused: bool = False
    state: str = ""
    voice_on: bool = False


@dataclass
class View:
    """Everything a screen may show."""

    state: State
    t: float = 0.0  # seconds, for animations
    age: float = 0.0  # seconds in this state
    frame: np.ndarray | None = None  # newest camera frame, RGB, unmirrored
    frame_key: object = None  # changes when the frame does (its index)
    aspect: float | None = None  # the still's width/height: the preview is cropped to it
    mirror: bool = True
    presets: list[PresetCard] = field(default_factory=list)
    focus: int = 0
    preset_name: str = ""
    coach: CoachView | None = None
    face: FaceBox | None = None
    guide: Guide | None = None
    hold_s: float = 0.5  # the preset's hold time (for the count)
    flash: float = 0.0  # 1 = white screen, fading to 0
    photo: np.ndarray | None = None
    photo_key: object = None
    photos: list[Photo] = field(default_factory=list)  # review: the set (2 or more)
    favourite: int | None = None  # review: index in ``photos`` the sitter picked
    progress: SetProgress | None = None  # coaching: None for single-shot presets
    summary: list[str] = field(default_factory=list)
    location: str = ""  # for the operator only: never drawn on a guest screen
    saved_count: int = 0  # done: photos written to disk
    session_code: str = ""
    seconds_left: float = 0.0  # done screen countdown
    done_items: list[str] = field(default_factory=list)  # done: lines from the plugins
    #: The guest's language: every word a screen draws comes from here.
    words: Catalogue = field(default_factory=lambda: load_catalogue("en"))
    done_qr: str = ""  # done: the first plugin line's QR payload (the hand-off link)
    languages: list[tuple[str, str]] = field(default_factory=list)  # the picker: (code, name)
    camera_title: str = ""
    camera_detail: str = ""
    notice: str = ""
    allow_back: bool = True
    operator: OperatorView | None = None
    loading_detail: str = ""
    staff: list[str] = field(default_factory=list)  # set-up / camera faults, for staff
    button: bool = False  # a physical button is configured (ui.button)
    staffed: bool = True  # someone looks after the booth (ui.staffed)
    uploads: bool = False  # kept photos are copied off the booth (mirror.enabled)
