"""The kiosk app: the pygame main loop and the dispatch of events. Nothing else.

:class:`KioskApp` owns the display. Once a frame (:meth:`KioskApp.step`) it turns
pygame events into semantic events, routes them (operator overlay, buttons, the
:class:`~kiosk.states.StateMachine`), drains the booth's worker events, builds the
view (:mod:`kiosk.view_model`) and draws it. The booth's services live in
:mod:`kiosk.booth`, the overlay's actions in :mod:`kiosk.operator_desk`, plugins in
:mod:`kiosk.plugin_host` / :mod:`kiosk.plugin_runner`. Tests drive ``step()`` frame by
frame with posted events, an injected clock and an injected source.

Nothing here lets an exception reach the screen: the state machine sends any error in
a handler to the failsafe state, and ``step()`` catches what happens around it
(drawing, building the view) the same way. Tracebacks go to the log.
"""

from __future__ import annotations

import logging
import os
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pygame

from camera.base import CameraSource
from coaching.messages import register_catalogue_dir
from coaching.presets import Preset, load_presets
from delivery.hooks import BoothInfo, SessionInfo
from kiosk import __version__
from kiosk.booth import Booth
from kiosk.camera_link import CameraLink
from kiosk.config import AppConfig
from kiosk.health import HealthMonitor, HealthSample
from kiosk.input import InputMapper, is_operator_combo
from kiosk.operator import OperatorPanel
from kiosk.operator_desk import OperatorDesk
from kiosk.operator_table import operator_rows, operator_view, stats_lines
from kiosk.pacing import FramePacer, FrameStats
from kiosk.paths import user_data_dir
from kiosk.pipeline_factory import PipelineFactory
from kiosk.plugin_host import load_plugins
from kiosk.plugin_runner import PluginRunner
from kiosk.preset_tuning import PresetBook
from kiosk.prompt_voice import PromptVoice
from kiosk.remote import KioskRemote, remote_status
from kiosk.render import Renderer, Theme
from kiosk.screens import Button, OperatorRow, OperatorView, View, draw_view
from kiosk.screens import choose as choose_screen
from kiosk.sound import Sounds
from kiosk.states import Context, Event, Kind, PresetCard, State, StateMachine, Timing
from kiosk.view_model import ViewInputs, build_view

log = logging.getLogger(__name__)

Clock = Callable[[], float]

#: Chooser order: the most asked-for uses first; other (user) presets follow by title.
PRESET_ORDER = ("linkedin", "corporate", "passport", "medical", "academic", "speaker",
                "residency", "acting-commercial", "acting-theatrical")


@dataclass
class AppOptions:
    """How to run the app beyond its config (the command line, or a test's fakes)."""

    source_spec: str | None = None
    source: CameraSource | None = None  # injected (tests); else opened from source_spec
    preset: str | None = None  # fixed preset: the chooser is skipped
    out_dir: Path | None = None
    windowed: bool = False
    size: tuple[int, int] | None = None
    clock: Clock | None = None
    presets: dict[str, Preset] | None = None
    pipeline_factory: PipelineFactory | None = None
    sounds: Sounds | None = None
    offline: bool = False
    plugins: list[Any] = field(default_factory=list)  # plugin objects to register as well


class KioskApp:
    """The display side. ``start()``, then ``step()`` per frame (or ``run()``), ``close()``."""

    def __init__(self, cfg: AppConfig, opts: AppOptions | None = None, **kw: Any) -> None:
        o = opts or AppOptions(**kw)
        self.cfg = cfg
        self.clock = o.clock or time.monotonic
        self.windowed = o.windowed or not cfg.ui.fullscreen
        self.size = o.size
        self.presets = o.presets if o.presets is not None else load_presets()
        if not self.presets:
            raise ValueError("no presets found")
        for err in getattr(self.presets, "errors", []):
            log.warning("preset skipped: %s", err)
        self.out_dir = Path(o.out_dir or cfg.storage.out_dir or (user_data_dir() / "sessions"))
        self.loaded = load_plugins(cfg, cfg.source_path, extra=o.plugins)
        self.plugins = PluginRunner(self.loaded.manager, timeout_s=cfg.plugins.hook_timeout_s)
        first = o.preset or ("linkedin" if "linkedin" in self.presets else next(iter(self.presets)))
        spec = o.source_spec or cfg.camera.source
        self.booth = Booth(cfg, PresetBook(self.presets, first),
                           CameraLink(spec, cfg.camera, source=o.source),
                           out_dir=self.out_dir, clock=self.clock, plugins=self.plugins,
                           pipeline_factory=o.pipeline_factory,
                           sounds=o.sounds or Sounds(shutter=cfg.ui.shutter_sound),
                           offline=o.offline)
        self.machine = StateMachine(self.booth, Context(presets=_cards(self.presets),
                                                        fixed_preset=o.preset),
                                    timing=_timing(cfg))
        self.machine.on_change = self._state_changed
        self.operator = OperatorPanel(cfg.operator.pin_hash, allow_without_pin=self.windowed)
        self.voice = PromptVoice(self.booth, cfg.voice)
        self.desk = OperatorDesk(self.operator, self.booth, self.machine, self.clock,
                                 toggle_voice=self.voice.speaker.toggle)
        self.buttons: list[Button] = []
        self.stats = FrameStats()
        self.surface: pygame.Surface | None = None
        self.renderer: Renderer | None = None
        self.mapper: InputMapper | None = None
        self._t0 = self.clock()
        self.health = HealthMonitor(self.out_dir, clock=self.clock)
        self.render_errors = 0
        self.remote = KioskRemote(self.booth.events, cfg.operator.pin_hash)
        self._published_at = -1.0
        self.plugin_status: list[str] = []  # the plugins' operator_status lines (newest)
        self._status_asked = False

    @property
    def stop_reason(self) -> str:
        """One line when the kiosk must stop by itself (no camera, and not waiting)."""
        err = self.booth.camera.stopped
        if err is None:
            return ""
        return (f"no camera: {self.booth.camera.spec}: {err} (camera.watchdog.wait_for_camera "
                "is false; set it to true to start anyway and keep trying)")

    @property
    def quit_requested(self) -> bool:
        return self.desk.quit_requested

    @quit_requested.setter
    def quit_requested(self, value: bool) -> None:
        self.desk.quit_requested = value

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> None:
        Theme.use(self.cfg.ui.theme)
        self.surface = _open_display(self.cfg, self.windowed, self.size)
        self.renderer = Renderer(self.surface)
        self.mapper = InputMapper(self.surface.get_size(), long_press_s=self.cfg.ui.long_press_s)
        self._start_plugins()
        # After the plugins: their message catalogues may add languages.
        self.machine.ctx.languages = self.booth.languages()
        self.voice.start(self.machine.ctx.languages)
        self.booth.start()
        self.machine.start()
        log.info("kiosk started: %dx%d %s, source %s, saving to %s", *self.surface.get_size(),
                 "windowed" if self.windowed else "fullscreen", self.booth.camera.spec,
                 self.out_dir)

    def close(self) -> None:
        self.booth.close()
        self.plugins.wait_idle(self.cfg.plugins.hook_timeout_s)
        self.plugins.call("kiosk_shutdown")
        self.plugins.stop()
        pygame.display.quit()

    def _start_plugins(self) -> None:
        """Start-up hooks now (bounded by the hook time limit): catalogues must be in
        place before the first prompt."""
        self.plugins.call("kiosk_startup", booth=BoothInfo(self.out_dir, self.cfg, __version__,
                                                           presets=dict(self.presets),
                                                           remote=self.remote))
        for _name, folders in self.plugins.call("message_catalogues"):
            for folder in folders:
                register_catalogue_dir(Path(folder))
        if self.loaded.names:
            log.info("plugins: %s", ", ".join(self.loaded.names))

    def run(self, *, max_frames: int | None = None,
            until: Callable[[KioskApp], bool] | None = None, fps: int | None = None) -> int:
        """Loop ``step()`` at ``fps`` (0 = as fast as possible) until quit or a stop condition.
        Returns 1 when the camera was absent at launch and the config says not to wait
        (:attr:`stop_reason` says why), else 0."""
        n = 0
        pacer = FramePacer(self.cfg.ui.fps if fps is None else fps)
        while not self.quit_requested:
            self.step()
            if self.stop_reason:
                return 1
            n += 1
            if (max_frames is not None and n >= max_frames) or (until and until(self)):
                break
            pacer.wait()
        return 0

    # -- one frame ---------------------------------------------------------------------
    def step(self) -> State:
        """Events → state machine → draw → flip. Never raises for a guest to see."""
        assert self.surface is not None and self.renderer is not None
        now = self.clock()
        try:
            for ev in self._input_events(now):
                self._dispatch(ev)
            for ev in self.booth.poll():
                if ev.kind is Kind.REMOTE:  # the dashboard, carried out here on the UI thread
                    self.desk.remote(*ev.data)
                else:
                    self.machine.handle(ev)
            self._notices(now)
            self.machine.columns = choose_screen.columns(self.surface.get_size(),
                                                         len(self.machine.ctx.presets))
            self.desk.timeout(now)
            self.machine.tick()
            self.voice.tick(self.machine, now)
            self.buttons = draw_view(self.renderer, self.build_view(now))
        except Exception as exc:  # noqa: BLE001 - never a traceback on the screen
            self.render_errors += 1
            self.machine.fail(exc)
            self._draw_failsafe(now)
        try:
            pygame.display.flip()
            self.stats.tick(time.monotonic())
            self.health.tick(now, self._health_sample)
            if now - self._published_at >= 1.0:  # the dashboard's snapshot, once a second
                self._published_at = now
                self.remote.publish(remote_status(self.booth, self.machine, self.stats.fps,
                                                  self._problems(), self.out_dir))
                if not self._status_asked:  # one question at a time: no backlog
                    self._status_asked = True
                    self.plugins.submit("operator_status", then=self._got_status)
        except Exception:  # noqa: BLE001 - bookkeeping must never stop the kiosk
            log.exception("after-frame bookkeeping failed")
        return self.machine.state

    def build_view(self, now: float) -> View:
        """Everything the current screen shows, as plain data."""
        operator = self._operator_view() if self.operator.visible else None
        return build_view(ViewInputs(self.cfg, self.booth, self.machine, self._t0), now,
                          operator)

    def _notices(self, now: float) -> None:
        while True:
            try:
                self.machine.ctx.say(self.booth.notices.get_nowait(), now, 6.0)
            except queue.Empty:
                return

    def _draw_failsafe(self, now: float) -> None:
        assert self.renderer is not None and self.surface is not None
        try:
            draw_view(self.renderer, View(State.FAILSAFE, t=now - self._t0))
        except Exception:  # noqa: BLE001 - last resort: a plain dark screen
            log.exception("drawing the failsafe screen failed")
            self.surface.fill(Theme.BG)

    def _input_events(self, now: float) -> list[Event]:
        assert self.mapper is not None
        out: list[Event] = []
        for e in pygame.event.get():
            if e.type in (pygame.VIDEORESIZE, getattr(pygame, "WINDOWSIZECHANGED", -1)):
                self._resized()
            elif self.operator.visible and e.type == pygame.KEYDOWN and not is_operator_combo(e):
                self.desk.key(e, now)
            elif (ev := self.mapper.translate(e, now)) is not None:
                out.append(ev)
        held = self.mapper.poll(now)
        if held is not None:
            out.append(held)
        return out

    def _resized(self) -> None:
        surf = pygame.display.get_surface()
        if surf is not None and self.renderer is not None and self.mapper is not None:
            self.surface = surf
            self.renderer.set_surface(surf)
            self.mapper.size = surf.get_size()

    def _dispatch(self, ev: Event) -> None:
        """Route one semantic event: operator overlay, taps on buttons, or the machine."""
        now = self.clock()
        if ev.kind is Kind.QUIT and self.windowed:
            self.quit_requested = True
            return
        if ev.kind is Kind.QUIT or (ev.kind is Kind.OPERATOR and ev.data is None):
            self.operator.request(now)  # kiosk mode: closing asks for the PIN, never quits
            return
        if ev.kind is Kind.TAP and ev.pos is not None:
            hit = next((b for b in reversed(self.buttons) if b.rect.collidepoint(ev.pos)), None)
            if hit is None:
                if not self.operator.visible:
                    self.machine.ctx.last_activity = now
                return
            ev = hit.event
        if ev.kind in (Kind.LOUDER, Kind.SOFTER):  # any screen, overlay or not
            self.voice.speaker.change_volume(1 if ev.kind is Kind.LOUDER else -1)
        elif ev.kind is Kind.OPERATOR:
            self.desk.action(str(ev.data), now)
        elif self.operator.visible:
            self.desk.nav(ev)
        else:
            self.machine.handle(ev)

    # -- what plugins and the operator see -----------------------------------------------
    def _state_changed(self, old: State, new: State) -> None:
        s = self.booth.session
        info = SessionInfo(s.id, s.folder, s.preset) if s is not None else None
        self.plugins.submit("state_changed", old=old.value, new=new.value, session=info)

    def _operator_rows(self) -> list[OperatorRow]:
        return operator_rows(self.booth)

    def _problems(self) -> list[str]:
        return self.loaded.problems + self.plugins.problems() + list(self.plugin_status)

    def _got_status(self, results: list[tuple[str, Any]]) -> None:
        """(plugin worker) the newest operator_status lines, swapped in whole."""
        self.plugin_status = [str(x)[:200] for _n, lines in results for x in lines or []]
        self._status_asked = False

    def _operator_view(self) -> OperatorView:
        problems = self._problems()
        stats = stats_lines(self.booth, self.machine, self.stats.fps, problems)
        return operator_view(self.operator, self.booth, self.machine, stats,
                             voice_on=self.voice.speaker.enabled)

    def _health_sample(self) -> HealthSample:
        src = self.booth.camera.source
        p = self.booth.pipeline
        st = p.stats() if p is not None else None
        return HealthSample(
            fps=st.fps if st is not None else None,
            camera=getattr(getattr(src, "state", None), "value", "none"),
            stills=getattr(getattr(src, "stills_state", None), "value", None),
            captures=self.booth.captures_saved, dropped=st.dropped if st is not None else 0,
            screen_fps=self.stats.fps, state=self.machine.state.value,
            restarts=st.restarts if st is not None else 0, errors=self.render_errors)


def _cards(presets: dict[str, Preset]) -> list[PresetCard]:
    cards = [PresetCard(k, p.title, p.description) for k, p in presets.items()]
    cards.sort(key=lambda c: (PRESET_ORDER.index(c.key) if c.key in PRESET_ORDER
                              else len(PRESET_ORDER), c.name.lower()))
    return cards


def _timing(cfg: AppConfig) -> Timing:
    return Timing(idle_timeout_s=cfg.ui.idle_timeout_s, done_s=cfg.ui.done_s,
                  failsafe_s=cfg.ui.failsafe_s, capture_timeout_s=cfg.ui.capture_timeout_s,
                  saved_show_s=cfg.coach.captured_show_s)


class NoDisplay(RuntimeError):
    """SDL found no screen and fell back to an off-screen driver nobody asked for: the
    kiosk would run invisibly. ``str()`` is one line saying how to run."""


#: SDL's drivers that draw nowhere; asked for on purpose only through SDL_VIDEODRIVER.
OFFSCREEN_DRIVERS = ("offscreen", "dummy", "evdev")


def check_display_driver(driver: str, requested: str | None) -> None:
    """Raise :class:`NoDisplay` when SDL picked an off-screen ``driver`` by itself."""
    wanted = (requested or "").strip().lower()
    if driver.lower() in OFFSCREEN_DRIVERS and driver.lower() != wanted:
        raise NoDisplay(
            f"no display found (SDL fell back to its '{driver}' driver, so nothing would be "
            "seen): run it on a screen (a desktop session, or DISPLAY / WAYLAND_DISPLAY set), "
            "use 'run --headless' for no screen, or set SDL_VIDEODRIVER=dummy to run "
            "without one on purpose")


def _open_display(cfg: AppConfig, windowed: bool, size: tuple[int, int] | None
                  ) -> pygame.Surface:
    pygame.display.init()
    check_display_driver(pygame.display.get_driver(), os.environ.get("SDL_VIDEODRIVER"))
    pygame.font.init()
    pygame.display.set_caption("Headshot kiosk")
    if windowed:
        return pygame.display.set_mode(size or tuple(cfg.ui.window_size), pygame.RESIZABLE)
    surface = pygame.display.set_mode(size or (0, 0), pygame.FULLSCREEN)
    if not cfg.ui.show_cursor:
        pygame.mouse.set_visible(False)
    try:  # keep Alt+Tab and friends inside the kiosk where the platform allows
        pygame.event.set_keyboard_grab(True)
    except (AttributeError, pygame.error):
        pass
    return surface
