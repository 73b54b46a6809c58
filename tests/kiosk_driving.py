"""Driving the real kiosk app in tests: step its loop until a condition holds, post events.

Shared by every test that runs :class:`kiosk.app.KioskApp` on SDL's dummy display, so the
stepping (and its failure message, which names the state history) is written once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pygame

from camera.replay import ReplaySource
from coaching.presets import Preset, load_presets
from kiosk.app import AppOptions, KioskApp
from kiosk.config import AppConfig
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


def easy_app(cfg: AppConfig, media: Path, out_dir: Path,
             size: tuple[int, int] = (1280, 720)) -> KioskApp:
    """The real app, started, on the replayed sitter with a lenient preset ("easy") he
    meets as he is, silent: for tests of what happens after the shot."""
    cfg.ui.shutter_sound = False
    presets = load_presets(user=False)
    presets["easy"] = Preset(name="easy", title="Easy", description="Anything goes.",
                             look_at_camera=False, hold_s=0.3)
    app = KioskApp(cfg, AppOptions(
        source=ReplaySource(media / "single_face.mp4", realtime=True, loop=True),
        source_spec="replay:x", out_dir=out_dir, windowed=True, size=size,
        presets=presets, preset="easy"))
    app.start()
    return app
