"""The operator's desk: what the overlay's keys and buttons do to the running booth.

The overlay's own state (PIN pad, lockout, selected row) is :class:`kiosk.operator.
OperatorPanel`; its table and stats lines are :mod:`kiosk.operator_table`. Here the
unlocked overlay's actions are carried out: manual shutter, pausing the automatic
shutter, the voice on or off, large text, switching preset, moving a range's ends for
this run, quitting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pygame

from kiosk.booth import Booth
from kiosk.operator import Action, Mode, OperatorPanel
from kiosk.operator_table import operator_rows
from kiosk.states import Event, Kind, State, StateMachine
from kiosk.theme import Theme

log = logging.getLogger(__name__)

#: Range steps for the operator's +/- buttons, per metric (degrees otherwise).
RANGE_STEPS = {"head_height": 0.01, "eye_line": 0.01, "face_center_x": 0.01, "smile": 0.05}
#: The operator overlay closes (and locks) after this long without operator input.
OPERATOR_IDLE_S = 120.0
#: Keys of the unlocked overlay (Shift turns the range keys to the range's upper end).
KEYS = {
    pygame.K_ESCAPE: Action.CLOSE, pygame.K_UP: Action.ROW_UP, pygame.K_DOWN: Action.ROW_DOWN,
    pygame.K_SPACE: Action.SHUTTER, pygame.K_a: Action.TOGGLE_AUTO,
    pygame.K_v: Action.TOGGLE_VOICE, pygame.K_t: Action.TOGGLE_THEME,
    pygame.K_PAGEUP: Action.PRESET_PREV, pygame.K_PAGEDOWN: Action.PRESET_NEXT,
    pygame.K_r: Action.RESET_RANGES, pygame.K_q: Action.QUIT, pygame.K_f: Action.FULL_FRAME,
}
RANGE_KEYS = {pygame.K_LEFT: (Action.LOW_DOWN, Action.HIGH_DOWN),
              pygame.K_RIGHT: (Action.LOW_UP, Action.HIGH_UP)}
RANGE_ACTIONS = (Action.LOW_DOWN, Action.LOW_UP, Action.HIGH_DOWN, Action.HIGH_UP)


class OperatorDesk:
    """Turns overlay input into changes on the booth and the machine."""

    def __init__(self, panel: OperatorPanel, booth: Booth, machine: StateMachine,
                 clock: Callable[[], float],
                 toggle_voice: Callable[[], bool] = lambda: False) -> None:
        self.panel = panel
        self.booth = booth
        self.machine = machine
        self.quit_requested = False
        self.input_at = clock()
        self._do: dict[Action, Callable[[], None]] = {
            Action.CLOSE: panel.close, Action.QUIT: self._quit,
            Action.SHUTTER: self._shutter, Action.TOGGLE_AUTO: self._toggle_auto,
            Action.TOGGLE_VOICE: lambda: log.info("operator: voice %s",
                                                  "on" if toggle_voice() else "off"),
            Action.TOGGLE_THEME: self._toggle_theme,
            Action.PRESET_PREV: lambda: self._preset(-1),
            Action.PRESET_NEXT: lambda: self._preset(+1),
            Action.ROW_UP: lambda: self._row(-1), Action.ROW_DOWN: lambda: self._row(+1),
            Action.RESET_RANGES: booth.reset_ranges, Action.FULL_FRAME: self._full_frame,
        }

    def timeout(self, now: float) -> None:
        """While the overlay is up the booth is not idle; left alone for
        ``OPERATOR_IDLE_S`` it closes (and locks), so no guest finds it open."""
        if not self.panel.visible:
            self.input_at = now
            return
        self.machine.ctx.last_activity = now
        if now - self.input_at > OPERATOR_IDLE_S:
            log.info("operator overlay closed after %.0f s without input", OPERATOR_IDLE_S)
            self.panel.close()

    def key(self, e: pygame.event.Event, now: float) -> None:
        """A key press while the overlay is up."""
        self.input_at = now
        op = self.panel
        if op.mode is Mode.PIN:
            self._pin_key(e, now)
        elif op.mode is Mode.NO_PIN:
            op.close()
        elif e.key in RANGE_KEYS:
            low, high = RANGE_KEYS[e.key]
            self.action((high if e.mod & pygame.KMOD_SHIFT else low).value, now)
        elif e.key in KEYS:
            self.action(KEYS[e.key].value, now)

    def nav(self, ev: Event) -> None:
        """A guest-side event while the overlay is up: only Back (close) counts."""
        if ev.kind is Kind.BACK:
            self.panel.close()

    def action(self, data: str, now: float) -> None:
        """A button of the overlay (PIN pad, rows, actions) or a mapped key."""
        self.input_at = now
        if self._pin_pad(data, now) or self.panel.mode is not Mode.OPEN:
            return
        if data.startswith("row:"):
            self._select_row(int(data[4:]))
            return
        act = Action(data)
        if act in RANGE_ACTIONS:
            self._move_range(act)
        else:
            self._do[act]()

    def remote(self, action: str, value: str = "") -> None:
        """A command from the operator dashboard (on the UI thread, as an event)."""
        log.info("dashboard: %s %s", action, value)
        if action == "shutter":
            if self.machine.state is State.COACHING:
                self.machine.handle(Event(Kind.SHUTTER))
        elif action == "auto":
            self.booth.set_auto_paused(value != "on")
            self.panel.auto_paused = self.booth.auto_paused
        elif action == "preset" and value in [c.key for c in self.machine.ctx.presets]:
            self.booth.set_preset(value)
            self.machine.ctx.preset = value

    # -- the PIN pad ------------------------------------------------------------------
    def _pin_key(self, e: pygame.event.Event, now: float) -> None:
        op = self.panel
        if e.unicode and e.unicode.isdigit():
            op.type_digit(e.unicode, now)
        elif e.key == pygame.K_BACKSPACE:
            op.backspace()
        elif e.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            op.submit(now)
        elif e.key == pygame.K_ESCAPE:
            op.close()

    def _pin_pad(self, data: str, now: float) -> bool:
        """The pad's buttons; True when ``data`` was one of them."""
        op = self.panel
        if data.startswith("digit:"):
            op.type_digit(data[6:], now)
        elif data == "del":
            op.backspace()
        elif data == "ok":
            op.submit(now)
        elif data == "cancel":
            op.close()
        else:
            return False
        return True

    # -- actions ----------------------------------------------------------------------
    def _quit(self) -> None:
        log.info("operator: quit")
        self.quit_requested = True

    def _shutter(self) -> None:
        self.panel.close()
        if self.machine.state is State.COACHING:
            self.machine.handle(Event(Kind.SHUTTER))

    def _full_frame(self) -> None:
        self.booth.review_full_frame = not self.booth.review_full_frame

    def _toggle_theme(self) -> None:
        """Large text and high contrast on or off, for this run."""
        Theme.use("standard" if Theme.name == "large_contrast" else "large_contrast")
        log.info("operator: theme %s", Theme.name)

    def _toggle_auto(self) -> None:
        self.booth.set_auto_paused(not self.booth.auto_paused)
        self.panel.auto_paused = self.booth.auto_paused
        log.info("operator: automatic shutter %s",
                 "paused" if self.booth.auto_paused else "on")

    def _preset(self, step: int) -> None:
        names = [c.key for c in self.machine.ctx.presets]
        i = names.index(self.booth.preset_name) if self.booth.preset_name in names else 0
        name = names[(i + step) % len(names)]
        self.booth.set_preset(name)
        self.machine.ctx.preset = name
        log.info("operator: preset %s", name)

    def _rows_count(self) -> int:
        return len(operator_rows(self.booth))

    def _select_row(self, row: int) -> None:
        self.panel.row = max(0, min(self._rows_count() - 1, row))

    def _row(self, step: int) -> None:
        self._select_row(self.panel.row + step)

    def _move_range(self, act: Action) -> None:
        rows = operator_rows(self.booth)
        if not rows or not rows[self.panel.row].adjustable:
            return
        metric = rows[self.panel.row].key
        delta = RANGE_STEPS.get(metric, 1.0)
        end = "min" if act in (Action.LOW_DOWN, Action.LOW_UP) else "max"
        sign = -1 if act in (Action.LOW_DOWN, Action.HIGH_DOWN) else 1
        self.booth.adjust_range(metric, end, sign * delta)
