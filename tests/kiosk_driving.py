"""Driving the real kiosk app in tests: step its loop until a condition holds, post events.

Shared by every test that runs :class:`kiosk.app.KioskApp` on SDL's dummy display, so the
stepping (and its failure message, which names the state history) is written once.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pygame

from kiosk.app import KioskApp
from kiosk.input import KIOSK_EVENT
from kiosk.states import Event, Kind, State


def drive(app: KioskApp, until: Callable[[KioskApp], bool], timeout: float = 30.0) -> None:
    """Step the app at up to ~60 fps until ``until`` holds (or fail with the history)."""
    deadline = time.monotonic() + timeout
    while not until(app):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out in {app.machine.state}; history "
                                 f"{[s.value for s in app.machine.history]}")
        app.step()
        time.sleep(0.015)


def at(state: State) -> Callable[[KioskApp], bool]:
    """A ``drive`` condition: the state machine is in ``state``."""
    return lambda a: a.machine.state is state


def post(kind: Kind, **kw: object) -> None:
    """Post a kiosk event as the input layer would."""
    pygame.event.post(pygame.event.Event(KIOSK_EVENT, ev=Event(kind, **kw)))
