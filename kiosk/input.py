"""People's input -> semantic events: touch/mouse, keyboard, USB presenters.

Keys: Space/Enter = OK (in coaching: take the photo), Esc/Backspace = back,
arrows move the focus; presenters send PageDown (next), PageUp (previous) and
B (OK). Hardware buttons (a GPIO arcade button, a foot switch) call
:func:`post` from any thread; the main loop reads them back as ``KIOSK_EVENT``.

The operator gesture is Ctrl+Alt+O, or a long press (3 s) in the top-right
corner of the screen, which otherwise has no button.
"""

from __future__ import annotations

import pygame

from kiosk.states import Event, Kind

#: pygame event type carrying an ``ev`` attribute (a :class:`kiosk.states.Event`).
KIOSK_EVENT = pygame.event.custom_type()

KEYMAP: dict[int, Kind] = {
    pygame.K_SPACE: Kind.OK,
    pygame.K_RETURN: Kind.OK,
    pygame.K_KP_ENTER: Kind.OK,
    pygame.K_b: Kind.OK,  # presenters' "black screen" key
    pygame.K_ESCAPE: Kind.BACK,
    pygame.K_BACKSPACE: Kind.BACK,
    pygame.K_LEFT: Kind.LEFT,
    pygame.K_RIGHT: Kind.RIGHT,
    pygame.K_UP: Kind.UP,
    pygame.K_DOWN: Kind.DOWN,
    pygame.K_PAGEDOWN: Kind.NEXT,
    pygame.K_PAGEUP: Kind.PREV,
    pygame.K_PLUS: Kind.LOUDER,
    pygame.K_EQUALS: Kind.LOUDER,  # + without Shift on most layouts
    pygame.K_KP_PLUS: Kind.LOUDER,
    pygame.K_MINUS: Kind.SOFTER,
    pygame.K_KP_MINUS: Kind.SOFTER,
}


def post(ev: Event) -> None:
    """Queue a semantic event for the main loop (thread-safe, like any pygame post)."""
    pygame.event.post(pygame.event.Event(KIOSK_EVENT, ev=ev))


def is_operator_combo(e: pygame.event.Event) -> bool:
    mods = getattr(e, "mod", 0)
    return (e.type == pygame.KEYDOWN and e.key == pygame.K_o
            and bool(mods & pygame.KMOD_CTRL) and bool(mods & pygame.KMOD_ALT))


class InputMapper:
    """Stateful translation (long press needs down/up pairs and a clock)."""

    def __init__(self, size: tuple[int, int], *, long_press_s: float = 3.0,
                 corner_frac: float = 0.12) -> None:
        self.size = size
        self.long_press_s = long_press_s
        self.corner_frac = corner_frac
        self._press_started: float | None = None

    def corner_rect(self) -> pygame.Rect:
        w, h = self.size
        side = int(min(w, h) * self.corner_frac)
        return pygame.Rect(w - side, 0, side, side)

    def translate(self, e: pygame.event.Event, now: float) -> Event | None:
        """One pygame event -> one semantic event (or None if it means nothing here)."""
        t = e.type
        if t == KIOSK_EVENT:
            return e.ev
        if t == pygame.QUIT or t == getattr(pygame, "WINDOWCLOSE", -1):
            return Event(Kind.QUIT)
        if t == pygame.KEYDOWN:
            return _key_event(e)
        return self._pointer(e, now)

    def _pointer(self, e: pygame.event.Event, now: float) -> Event | None:
        """Mouse and touch: a tap, or the start or end of a corner long press."""
        t = e.type
        if t == pygame.MOUSEBUTTONDOWN and e.button == 1 and not getattr(e, "touch", False):
            return self._down(e.pos, now)
        if t == pygame.FINGERDOWN:
            w, h = self.size
            return self._down((int(e.x * w), int(e.y * h)), now)
        if (t == pygame.MOUSEBUTTONUP and not getattr(e, "touch", False)) or t == pygame.FINGERUP:
            self._press_started = None
        return None

    def poll(self, now: float) -> Event | None:
        """Call once a frame: reports the long press when it has lasted long enough."""
        if self._press_started is not None and now - self._press_started >= self.long_press_s:
            self._press_started = None
            return Event(Kind.OPERATOR)
        return None

    def _down(self, pos: tuple[int, int], now: float) -> Event | None:
        if self.corner_rect().collidepoint(pos):
            self._press_started = now
            return None
        self._press_started = None
        return Event(Kind.TAP, pos=(int(pos[0]), int(pos[1])))


def _key_event(e: pygame.event.Event) -> Event | None:
    """A key press: the operator combination, a mapped key, or nothing."""
    if is_operator_combo(e):
        return Event(Kind.OPERATOR)
    kind = KEYMAP.get(e.key)
    return Event(kind) if kind else None
