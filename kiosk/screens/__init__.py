"""One module per screen; each draws a typed :class:`View` and returns its buttons.

A screen is ``draw(r: Renderer, v: View) -> list[Button]``: it reads only the
view (built by the app from the state machine's context, the newest pipeline
result and the camera), never the app itself, so the screenshot command and
tests can draw any screen from a view they make up.
"""

from __future__ import annotations

from collections.abc import Callable

from kiosk.render import Renderer
from kiosk.screens import (
    capture,
    choose,
    coaching,
    common,
    done,
    failsafe,
    loading,
    operator,
    reconnecting,
    review,
    setup,
    welcome,
)
from kiosk.screens.views import (
    Button,
    CoachView,
    FaceBox,
    Guide,
    OperatorRow,
    OperatorView,
    Photo,
    SetProgress,
    View,
)
from kiosk.states import State

__all__ = ["Button", "CoachView", "FaceBox", "Guide", "OperatorRow", "OperatorView", "Photo",
           "SetProgress", "View", "draw_view", "screen_for"]


def screen_for(state: State) -> Callable[[Renderer, View], list[Button]]:
    """The draw function of ``state``'s screen."""
    return {
        State.LOADING: loading.draw, State.WELCOME: welcome.draw, State.CHOOSE: choose.draw,
        State.COACHING: coaching.draw, State.CAPTURE: capture.draw, State.REVIEW: review.draw,
        State.DONE: done.draw, State.RECONNECTING: reconnecting.draw,
        State.FAILSAFE: failsafe.draw, State.SETUP: setup.draw,
    }[state]


def draw_view(r: Renderer, v: View) -> list[Button]:
    """Draw the state's screen, then the notice and the operator overlay on top, in a
    font that has every glyph of the guest's language."""
    r.set_language(v.words.language)
    buttons = screen_for(v.state)(r, v)
    if v.notice:
        common.notice(r, v.notice)
    if v.operator is not None and v.operator.mode != "closed":
        # The overlay takes every tap while it is up.
        buttons = operator.draw(r, v)
    return buttons
