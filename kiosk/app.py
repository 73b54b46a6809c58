"""The kiosk app: pygame main loop, the booth's services, and ``run_kiosk(args)``.

Two objects, split by thread and by concern:

- :class:`Booth` implements :class:`kiosk.states.Services`: the camera (opened in
  the background, retried until it is there), the coaching pipeline (models
  load in the background while the welcome screen shows), session records
  (:mod:`kiosk.storage`), stills (taken and saved on a worker thread that
  reports back through a queue), sounds. It never touches the display.
- :class:`KioskApp` owns the display: it turns pygame events into semantic
  events, feeds the :class:`~kiosk.states.StateMachine`, builds a typed
  :class:`~kiosk.screens.View` and draws it, and runs the operator overlay.
  ``step()`` is one frame, so tests drive the loop frame by frame with posted
  events, an injected clock and an injected source; ``run()`` loops ``step()``.

Nothing here lets an exception reach the screen: the state machine sends any
error in a handler to the failsafe state, and ``step()`` catches what happens
around it (drawing, building the view) the same way. Tracebacks go to the log.
"""

from __future__ import annotations

import argparse
import logging
import math
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pygame

from camera.base import CameraError, CameraSource, SourceState, Still
from kiosk.config import AppConfig
from kiosk.input import InputMapper, is_operator_combo
from kiosk.operator import Action as OpAction
from kiosk.operator import Mode, OperatorPanel
from kiosk.render import Renderer, Theme
from kiosk.screens import (
    Button,
    CoachView,
    FaceBox,
    Guide,
    OperatorRow,
    OperatorView,
    Photo,
    SetProgress,
    View,
    draw_view,
)
from kiosk.screens import choose as choose_screen
from kiosk.screens.review import summary_phrases
from kiosk.sound import Sounds
from kiosk.states import (
    Context,
    Event,
    Kind,
    PresetCard,
    Shot,
    State,
    StateMachine,
    Timing,
)

log = logging.getLogger(__name__)

Clock = Callable[[], float]

#: Range steps for the operator's +/- buttons, per metric.
RANGE_STEPS = {"head_height": 0.01, "eye_line": 0.01, "face_center_x": 0.01, "smile": 0.05}
#: Metrics shown in the operator table that no preset judges (quality, raw signals).
EXTRA_ROWS = ("faces", "blink", "eye_open_left", "eye_open_right", "gaze_x", "sharpness",
              "exposure", "eye_distance_px")
#: Chooser order: the most asked-for uses first; other (user) presets follow by title.
PRESET_ORDER = ("linkedin", "corporate", "passport", "medical", "academic", "speaker",
                "residency", "acting-commercial", "acting-theatrical")
#: The operator overlay closes (and locks) after this long without operator input.
OPERATOR_IDLE_S = 120.0
#: A person counts as present when a face was seen this recently (seconds).
PRESENT_S = 2.0


# ----------------------------------------------------------------------------- the booth
class Booth:
    """Camera, pipeline, storage and sound behind the state machine's Services."""

    def __init__(self, cfg: AppConfig, presets: dict[str, Any], *, source: CameraSource | None,
                 source_spec: str, out_dir: Path, clock: Clock, first_preset: str,
                 pipeline_factory: Callable[..., Any] | None = None,
                 sounds: Sounds | None = None, offline: bool = False) -> None:
        self.cfg = cfg
        self.presets = presets  # name -> Preset (the originals)
        self.session_presets: dict[str, Any] = {}  # operator-adjusted copies for this run
        self.clock = clock
        self.source_spec = source_spec
        self.kind = source_spec.split(":", 1)[0].strip().lower()
        self.out_dir = out_dir
        self.sounds = sounds or Sounds(shutter=False)
        self.offline = offline
        self.events: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self.notices: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._source: CameraSource | None = source
        self._source_injected = source is not None
        self._source_lock = threading.Lock()
        self._camera_error = ""
        self._ever_live = False
        self._stop = threading.Event()
        self._opener: threading.Thread | None = None
        self._pipeline_factory = pipeline_factory
        self.pipeline: Any = None
        self.preset_name = first_preset
        self.coaching = False
        self.auto_paused = False
        self._pending_fire: Any = None  # pipeline StepResult the auto shutter fired on
        self._capture_wait_until: float | None = None  # manual: waiting for the pipeline
        self._capture_manual = False
        self._capturing = False
        self.session: Any = None
        self.store: Any = None
        self._store_error = ""
        self.last_result: Any = None
        self._last_face_at = -math.inf
        self.captures_saved = 0
        from kiosk.retention import Retention

        # privacy: storage.delete_unkept / delete_after_hours (off by default)
        self.retention = Retention.from_settings(out_dir, cfg.storage)

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> None:
        self._open_store()
        self._opener = threading.Thread(target=self._open_camera, name="camera-open",
                                        daemon=True)
        self._opener.start()

    def close(self) -> None:
        self._stop.set()
        if self.pipeline is not None:
            try:
                self.pipeline.stop()
            except Exception:  # noqa: BLE001
                log.debug("stopping the pipeline failed", exc_info=True)
        self.end_session()
        with self._source_lock:
            src = self._source
        if src is not None:
            try:
                src.close()
            except Exception:  # noqa: BLE001
                log.debug("closing the camera failed", exc_info=True)
        self.sounds.close()

    def _open_store(self) -> None:
        from kiosk.storage import SessionStore, StorageError

        try:
            self.store = SessionStore(self.out_dir)
            self._store_error = ""
        except StorageError as exc:
            self.store = None
            self._store_error = str(exc)
            log.error("storage: %s", exc)

    def _open_camera(self) -> None:
        """Open the camera in the background, retrying (2 s rising to 20 s) until it works."""
        delay = 2.0
        while not self._stop.is_set():
            try:
                src = self._source
                if src is None:
                    from camera.sources import open_source

                    settings = self.cfg.camera.model_copy(deep=True)
                    settings.watchdog.wait_for_camera = True  # a kiosk waits for its camera
                    settings.replay.loop = True  # a replayed demo never ends
                    settings.replay.realtime = True
                    src = open_source(self.source_spec, settings)
                src.open()
                with self._source_lock:
                    self._source = src
                self._camera_error = ""
                self._start_pipeline(src)
                return
            except CameraError as exc:
                self._camera_error = str(exc)
                log.warning("camera %s: %s; trying again in %.0f s", self.source_spec, exc,
                            delay)
                if not self._source_injected:
                    self._source = None
            except Exception as exc:  # noqa: BLE001 - never let the opener die silently
                self._camera_error = f"{type(exc).__name__}: {exc}"
                log.exception("camera %s could not be opened", self.source_spec)
            self._stop.wait(delay)
            delay = min(20.0, delay * 2)

    def _start_pipeline(self, src: CameraSource) -> None:
        preset = self.current_preset()
        if self._pipeline_factory is not None:
            self.pipeline = self._pipeline_factory(src, preset)
        else:
            from coaching.pipeline import Pipeline

            kw: dict[str, Any] = {}
            if self.offline:  # --offline: models must already be there, never downloaded
                kw = self._offline_factories()
            self.pipeline = Pipeline(src, preset, analysis=self.cfg.analysis,
                                     coach=self.cfg.coach, settings=self.cfg.pipeline, **kw)
        self.pipeline.set_auto_shutter(False)
        self.pipeline.start()

    def _offline_factories(self) -> dict[str, Any]:
        from coaching.landmarks import FaceTracker, PoseTracker
        from coaching.pipeline import CoachingStep
        from coaching.quiet import native_stderr_silenced

        a = self.cfg.analysis

        def step() -> CoachingStep:
            with native_stderr_silenced():
                face = FaceTracker("video", max_faces=a.max_faces, offline=True)
            return CoachingStep(self.current_preset(), a, self.cfg.coach, face_tracker=face,
                                pose_max_age_s=self.cfg.pipeline.pose_max_age_s)

        def pose() -> Any:
            with native_stderr_silenced():
                return PoseTracker("video", variant=a.pose_model, offline=True)

        return {"step_factory": step, "pose_factory": pose}

    # -- camera ------------------------------------------------------------------------
    @property
    def source(self) -> CameraSource | None:
        with self._source_lock:
            return self._source

    def camera_live(self) -> bool:
        src = self.source
        if src is None:
            return False
        try:
            live = src.state is SourceState.LIVE
        except Exception:  # noqa: BLE001 - a broken source is simply not live
            return False
        if live and not self._ever_live and src.latest_frame(-1) is not None:
            self._ever_live = True
        return live

    def camera_message(self) -> tuple[str, str]:
        """(title, detail) for the reconnecting screen."""
        src = self.source
        err = self._camera_error
        if src is not None:
            e = getattr(src, "last_error", None)
            if e is not None:
                err = str(e)
        if not self._ever_live:
            return ("No camera found",
                    "Check that the camera is plugged in and switched on. Trying again…"
                    + (f"\n({err})" if err else ""))
        return ("Camera reconnecting…",
                "Please wait a moment — we'll carry on where you left off.")

    def latest_frame(self) -> Any:
        src = self.source
        if src is None:
            return None
        try:
            return src.latest_frame(-1)
        except Exception:  # noqa: BLE001
            return None

    # -- presets -----------------------------------------------------------------------
    def current_preset(self) -> Any:
        name = self.preset_name
        return self.session_presets.get(name) or self.presets[name]

    def set_preset(self, name: str) -> None:
        self.preset_name = name
        if self.pipeline is not None:
            self.pipeline.set_preset(self.current_preset())

    def adjust_range(self, metric: str, end: str, delta: float) -> None:
        """Operator: move one end of a range for this run (the YAML is not changed)."""
        preset = self.current_preset()
        rng = getattr(preset.ranges, metric, None)
        if rng is None:
            return
        lo, hi = rng.min, rng.max
        if end == "min":
            lo = (lo if lo is not None else (hi or 0.0) - 2 * delta) + delta
            if hi is not None and lo > hi:
                return
            if rng.side is not None and lo < 0:
                lo = 0.0
        else:
            hi = (hi if hi is not None else (lo or 0.0) + 2 * delta) + delta
            if lo is not None and hi < lo:
                return
        new_rng = rng.model_copy(update={"min": _round(lo), "max": _round(hi)})
        ranges = preset.ranges.model_copy(update={metric: new_rng})
        self.session_presets[self.preset_name] = preset.model_copy(update={"ranges": ranges})
        log.info("operator: %s %s range now %s..%s for this run", self.preset_name, metric,
                 new_rng.min, new_rng.max)
        self.set_preset(self.preset_name)

    def reset_ranges(self) -> None:
        self.session_presets.pop(self.preset_name, None)
        self.set_preset(self.preset_name)

    # -- Services (called by the state machine) ------------------------------------------
    def now(self) -> float:
        return self.clock()

    def models_ready(self) -> bool:
        p = self.pipeline
        # A coach that could not load still lets people take photos (manual shutter).
        return p is not None and (p.ready.is_set() or p.error is not None)

    def person_present(self) -> bool:
        return self.clock() - self._last_face_at < PRESENT_S

    def begin_session(self, preset: str) -> None:
        from kiosk.storage import StorageError

        self.end_session()
        self.set_preset(preset)
        self.sounds.forget()
        if self.store is None:
            self._open_store()  # the disk may be back
        if self.store is None:
            self.notices.put("Photos cannot be saved right now — please tell a member of staff.")
            return
        src = self.source
        try:
            self.session = self.store.start(preset, source=self.source_spec,
                                            camera=getattr(src, "name", self.source_spec))
        except StorageError as exc:
            log.error("storage: %s", exc)
            self.session = None
            self.notices.put("Photos cannot be saved right now — please tell a member of staff.")

    def start_coaching(self, fresh: bool = True) -> None:
        """``fresh``: a new set (new calibration, the shutter counts from zero). Between
        the shots of a set nothing is reset, so the shutter's cooldown spaces them."""
        self.coaching = True
        self._pending_fire = None
        p = self.pipeline
        if p is not None:
            p.captures()  # drop anything fired before this sitter was coached
            if fresh:
                p.reset_session()
            p.set_auto_shutter(not self.auto_paused)

    def stop_coaching(self) -> None:
        self.coaching = False
        if self.pipeline is not None:
            self.pipeline.set_auto_shutter(False)
        self.sounds.stop_speaking()

    def request_capture(self, manual: bool) -> None:
        self._capture_manual = manual
        self.sounds.shutter()
        if manual:
            p = self.pipeline
            if p is not None and p.ready.is_set():
                p.captures()
                p.press_shutter()
                self._capture_wait_until = self.clock() + 1.5
                return
            self._start_capture_job(None)  # no coach: take the camera's picture as it is
            return
        self._start_capture_job(self._pending_fire)
        self._pending_fire = None

    def shots_wanted(self) -> int:
        return int(getattr(self.current_preset(), "shots", 1) or 1)

    def next_shot_hint(self, taken: int) -> str:
        """The catalogue's nudge between shots ("Now try a different expression")."""
        from coaching.messages import load_catalogue

        try:
            return load_catalogue(self.cfg.coach.language).next_shot(taken)
        except Exception:  # noqa: BLE001 - a nudge is a nicety
            log.debug("no next-shot nudge", exc_info=True)
            return ""

    def keep_shots(self, shots: list[Shot], favourite: int | None) -> tuple[str, str]:
        """Mark every shot kept (and the favourite of a set); returns (where, session code).
        Where is for the operator and the log, never shown to the guest."""
        from kiosk.storage import StorageError

        code = getattr(self.session, "id", "") or ""
        failed = False
        for i, shot in enumerate(shots):
            if shot.record is None or self.session is None:
                continue
            fav = None if favourite is None else i == favourite
            try:
                self.session.set_kept(shot.record, True, favourite=fav)
            except StorageError as exc:
                log.error("storage: %s", exc)
                failed = True
        if failed:
            self.notices.put("Your photos are saved, but their record could not be updated.")
        saved = [s for s in shots if s.record is not None]
        if len(shots) == 1 or not saved:
            where = shots[0].path if len(shots) == 1 else "(not saved)"
        else:
            where = str(Path(saved[0].path).parent)
        fav_name = (Path(shots[favourite].path).name
                    if favourite is not None and shots[favourite].record is not None else "-")
        log.info("session %s: kept %d photo(s) in %s; favourite %s", code or "-", len(saved),
                 where, fav_name)
        return where, code

    def end_session(self) -> None:
        from kiosk.storage import StorageError

        s, self.session = self.session, None
        if s is not None:
            try:
                s.end()
            except StorageError as exc:
                log.error("storage: %s", exc)
            self.retention.session_ended(s, wait=False)  # no-op unless delete_unkept

    def summarize(self, shot: Shot) -> list[str]:
        preset = self.current_preset()
        in_range = shot.in_range
        if not in_range and shot.metrics is not None:
            # A manual shot before the coach had judged anything (still calibrating):
            # judge the photo's own metrics, without a per-sitter baseline.
            from coaching.coach import evaluate

            try:
                in_range = evaluate(preset, shot.metrics).in_range
            except Exception:  # noqa: BLE001 - a summary is a nicety, never a failure
                log.debug("evaluating the shot failed", exc_info=True)
        smile = getattr(preset.ranges, "smile", None)
        wanted = smile is None or (smile.min is not None and smile.min > 0)
        return summary_phrases(in_range, smile_wanted=wanted)

    def recover(self) -> None:
        """After the failsafe screen: a clean slate for the next sitter."""
        self.end_session()
        self._capturing = False
        self._capture_wait_until = None
        self._pending_fire = None
        if self.pipeline is not None:
            self.pipeline.set_auto_shutter(False)
            self.pipeline.reset_session()

    # -- per frame (main thread) ---------------------------------------------------------
    def poll(self) -> list[Event]:
        """Newest pipeline result, auto-shutter fires, finished stills, as events."""
        out: list[Event] = []
        p = self.pipeline
        if p is not None:
            res = p.latest(0)
            if res is not None:
                self.last_result = res
                if getattr(res.metrics, "faces", 0):
                    self._last_face_at = self.clock()
            fired = p.captures()
            if self._capture_wait_until is not None:
                if fired:
                    self._capture_wait_until = None
                    self._start_capture_job(fired[-1])
                elif self.clock() > self._capture_wait_until:
                    self._capture_wait_until = None
                    self._start_capture_job(None)
            elif fired and self.coaching and not self._capturing:
                self._pending_fire = fired[-1]
                out.append(Event(Kind.FIRE))
        while True:
            try:
                out.append(self.events.get_nowait())
            except queue.Empty:
                break
        return out

    # -- stills (worker thread) ----------------------------------------------------------
    def _start_capture_job(self, result: Any) -> None:
        if self._capturing:
            return
        self._capturing = True
        preset = self.current_preset()
        t = threading.Thread(target=self._capture_job, args=(result, preset, self.session),
                             name="capture", daemon=True)
        t.start()

    def _capture_job(self, result: Any, preset: Any, session: Any) -> None:
        try:
            ev = self._take_and_save(result, preset, session)
        except Exception as exc:  # noqa: BLE001 - reported to the sitter calmly
            log.exception("capture failed")
            ev = Event(Kind.CAPTURE_FAILED,
                       data=f"The picture did not work ({_short(exc)}). Let's try again.")
        finally:
            self._capturing = False
        self.events.put(ev)

    def _take_and_save(self, result: Any, preset: Any, session: Any) -> Event:
        from kiosk.storage import StorageError

        shot = getattr(result, "shot", None)
        best = getattr(shot, "best", None)
        moment = getattr(shot, "moment", None)
        metrics = getattr(best, "metrics", None)
        frame_t = getattr(best, "t", None)
        in_range = dict(getattr(best, "in_range", {}) or {})
        reason = getattr(shot, "reason", "manual" if self._capture_manual else "auto")
        extra: dict[str, Any] = {"preset_title": getattr(preset, "title", ""),
                                 "in_range": in_range}
        src = self.source
        still: Still | None = None
        image: np.ndarray | None = None
        if self.kind in ("gphoto2", "hybrid") or best is None or best.frame is None:
            if src is None:
                raise CameraError("no camera")
            try:
                still = src.capture_still()
            except CameraError as exc:
                if best is None or best.frame is None:
                    raise
                log.warning("still failed (%s); keeping the best preview frame", exc)
            if still is not None:
                if moment is not None:
                    metrics, frame_t = moment.metrics, moment.t
                    in_range = dict(moment.in_range or {})
                    extra["in_range"] = in_range
                if best is not None:
                    extra["best_preview_metrics"] = best.metrics.to_dict()
                image = still.decoded()
        if still is None:
            image = best.frame.image
        if session is None:
            self.notices.put("This photo could not be saved — please tell a member of staff.")
            return Event(Kind.CAPTURED, data=Shot(image=_display_copy(image), path="(not saved)",
                                                  number=0, metrics=metrics, in_range=in_range))
        try:
            if still is not None:
                saved = session.save(still=still, metrics=metrics, frame_time_s=frame_t,
                                     reason=reason, extra=extra)
            else:
                # a hybrid's fallback frame came from its preview camera, not the DSLR
                cam = getattr(getattr(src, "preview", src), "name", None)
                saved = session.save(image=image, metrics=metrics, frame_time_s=frame_t,
                                     reason=reason, camera=cam,
                                     extra=extra, jpeg_quality=self.cfg.camera.jpeg_quality)
        except StorageError as exc:
            log.error("storage: %s", exc)
            self.notices.put("This photo could not be saved (storage problem) — "
                             "please tell a member of staff.")
            return Event(Kind.CAPTURED, data=Shot(image=_display_copy(image), path="(not saved)",
                                                  number=0, metrics=metrics, in_range=in_range))
        self.captures_saved += 1
        log.info("saved %s (%s)", saved.image_path, reason)
        return Event(Kind.CAPTURED, data=Shot(image=_display_copy(image),
                                              path=str(saved.image_path), number=saved.number,
                                              metrics=metrics, in_range=in_range, record=saved))


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:80] if str(exc) else type(exc).__name__


def _display_copy(image: np.ndarray | None, max_side: int = 2400) -> np.ndarray | None:
    """A contiguous RGB copy small enough to scale quickly on the review screen."""
    if image is None:
        return None
    h, w = image.shape[:2]
    if max(h, w) > max_side:
        import cv2

        s = max_side / max(h, w)
        image = cv2.resize(image, (int(w * s), int(h * s)), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(image)


# ----------------------------------------------------------------------------- the app
@dataclass
class FrameStats:
    """Render timing for the operator overlay and the health line."""

    frames: int = 0
    fps: float = 0.0
    _window_start: float = 0.0
    _window_frames: int = 0

    def tick(self, now: float) -> None:
        self.frames += 1
        self._window_frames += 1
        if self._window_start == 0.0:
            self._window_start = now
        elif now - self._window_start >= 1.0:
            self.fps = self._window_frames / (now - self._window_start)
            self._window_start, self._window_frames = now, 0


class FramePacer:
    """Sleeps to hold ``fps`` on a fixed schedule: a late frame (the OS woke us late,
    the pipeline held the GIL) is made up on the next one instead of lowering the rate,
    as a "sleep what is left of this frame" clock would. Sleeping releases the GIL
    for the analysis threads. ``fps`` 0 = no pacing."""

    def __init__(self, fps: float) -> None:
        self.period = 1.0 / fps if fps else 0.0
        self._due = time.perf_counter()

    def wait(self) -> None:
        if not self.period:
            return
        self._due += self.period
        delay = self._due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        elif delay < -3 * self.period:  # far behind (a stall): start the schedule afresh
            self._due = time.perf_counter()


class KioskApp:
    """The display side. ``start()``, then ``step()`` per frame (or ``run()``), ``close()``."""

    def __init__(self, cfg: AppConfig, *, source_spec: str | None = None,
                 source: CameraSource | None = None, preset: str | None = None,
                 out_dir: Path | None = None, windowed: bool = False,
                 size: tuple[int, int] | None = None, clock: Clock | None = None,
                 presets: dict[str, Any] | None = None,
                 pipeline_factory: Callable[..., Any] | None = None,
                 sounds: Sounds | None = None, offline: bool = False) -> None:
        from coaching.presets import load_presets

        self.cfg = cfg
        self.clock = clock or time.monotonic
        self.windowed = windowed or not cfg.ui.fullscreen
        self.size = size
        self.presets = presets if presets is not None else load_presets()
        if not self.presets:
            raise ValueError("no presets found")
        for err in getattr(self.presets, "errors", []):
            log.warning("preset skipped: %s", err)
        fixed = preset
        first = fixed or ("linkedin" if "linkedin" in self.presets else next(iter(self.presets)))
        from kiosk.paths import user_data_dir

        self.out_dir = Path(out_dir or cfg.storage.out_dir or (user_data_dir() / "sessions"))
        self.booth = Booth(cfg, self.presets, source=source,
                           source_spec=source_spec or cfg.camera.source, out_dir=self.out_dir,
                           clock=self.clock, first_preset=first,
                           pipeline_factory=pipeline_factory,
                           sounds=sounds or Sounds(shutter=cfg.ui.shutter_sound,
                                                   speak=cfg.ui.speak_prompts, voice=cfg.ui.voice),
                           offline=offline)
        cards = [PresetCard(k, p.title, p.description) for k, p in self.presets.items()]
        cards.sort(key=lambda c: (PRESET_ORDER.index(c.key) if c.key in PRESET_ORDER
                                  else len(PRESET_ORDER), c.name.lower()))
        ctx = Context(presets=cards, fixed_preset=fixed)
        timing = Timing(idle_timeout_s=cfg.ui.idle_timeout_s, done_s=cfg.ui.done_s,
                        failsafe_s=cfg.ui.failsafe_s, capture_timeout_s=cfg.ui.capture_timeout_s,
                        saved_show_s=cfg.coach.captured_show_s)
        self.machine = StateMachine(self.booth, ctx, timing=timing)
        self.operator = OperatorPanel(cfg.operator.pin_hash, allow_without_pin=self.windowed)
        self.buttons: list[Button] = []
        self.stats = FrameStats()
        self.quit_requested = False
        self.surface: pygame.Surface | None = None
        self.renderer: Renderer | None = None
        self.mapper: InputMapper | None = None
        self._t0 = self.clock()
        from kiosk.health import HealthMonitor

        self.health = HealthMonitor(self.out_dir, clock=self.clock)
        self._last_spoken = ""
        self._operator_input_at = self.clock()
        self.render_errors = 0

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> None:
        pygame.display.init()
        pygame.font.init()
        pygame.display.set_caption("Headshot kiosk")
        if self.windowed:
            size = self.size or tuple(self.cfg.ui.window_size)
            self.surface = pygame.display.set_mode(size, pygame.RESIZABLE)
        else:
            self.surface = pygame.display.set_mode(self.size or (0, 0), pygame.FULLSCREEN)
            if not self.cfg.ui.show_cursor:
                pygame.mouse.set_visible(False)
            try:  # keep Alt+Tab and friends inside the kiosk where the platform allows
                pygame.event.set_keyboard_grab(True)
            except (AttributeError, pygame.error):
                pass
        self.renderer = Renderer(self.surface)
        self.mapper = InputMapper(self.surface.get_size(), long_press_s=self.cfg.ui.long_press_s)
        self.booth.start()
        self.machine.start()
        log.info("kiosk started: %dx%d %s, source %s, saving to %s", *self.surface.get_size(),
                 "windowed" if self.windowed else "fullscreen", self.booth.source_spec,
                 self.out_dir)

    def close(self) -> None:
        self.booth.close()
        pygame.display.quit()

    def run(self, *, max_frames: int | None = None,
            until: Callable[[KioskApp], bool] | None = None, fps: int | None = None) -> int:
        """Loop ``step()`` at ``fps`` (0 = as fast as possible) until quit or a stop condition."""
        fps = self.cfg.ui.fps if fps is None else fps
        n = 0
        pacer = FramePacer(fps)
        while not self.quit_requested:
            self.step()
            n += 1
            if max_frames is not None and n >= max_frames:
                break
            if until is not None and until(self):
                break
            pacer.wait()
        return 0

    # -- one frame ---------------------------------------------------------------------
    def step(self) -> State:
        """Events → state machine → draw → flip. Never raises for a guest to see."""
        assert self.surface is not None and self.renderer is not None and self.mapper is not None
        now = self.clock()
        try:
            for ev in self._input_events(now):
                self._dispatch(ev)
            for ev in self.booth.poll():
                self.machine.handle(ev)
            while True:
                try:
                    self.machine.ctx.say(self.booth.notices.get_nowait(), now, 6.0)
                except queue.Empty:
                    break
            self.machine.columns = choose_screen.columns(self.surface.get_size(),
                                                         len(self.machine.ctx.presets))
            self._operator_timeout(now)
            self.machine.tick()
            self._speak()
            view = self.build_view(now)
            self.buttons = draw_view(self.renderer, view)
        except Exception as exc:  # noqa: BLE001 - never a traceback on the screen
            self.render_errors += 1
            self.machine.fail(exc)
            self._draw_failsafe(now)
        try:
            pygame.display.flip()
            self.stats.tick(time.monotonic())
            self._health(now)
            session = self.booth.session
            self.booth.retention.tick(now, [session.folder] if session is not None else [])
        except Exception:  # noqa: BLE001 - bookkeeping must never stop the kiosk
            log.exception("after-frame bookkeeping failed")
        return self.machine.state

    def _draw_failsafe(self, now: float) -> None:
        assert self.renderer is not None
        try:
            draw_view(self.renderer, View(State.FAILSAFE, t=now - self._t0))
        except Exception:  # noqa: BLE001 - last resort: a plain dark screen
            log.exception("drawing the failsafe screen failed")
            assert self.surface is not None
            self.surface.fill(Theme.BG)

    def _input_events(self, now: float) -> list[Event]:
        assert self.mapper is not None
        out: list[Event] = []
        for e in pygame.event.get():
            if e.type in (pygame.VIDEORESIZE, getattr(pygame, "WINDOWSIZECHANGED", -1)):
                self._resized()
                continue
            if self.operator.visible and e.type == pygame.KEYDOWN and not is_operator_combo(e):
                self._operator_key(e, now)
                continue
            ev = self.mapper.translate(e, now)
            if ev is not None:
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
        if ev.kind is Kind.QUIT:
            if self.windowed:
                self.quit_requested = True
            else:  # kiosk mode: the close button asks for the PIN, never just quits
                self.operator.request(now)
            return
        if ev.kind is Kind.OPERATOR and ev.data is None:
            self.operator.request(now)
            return
        if ev.kind is Kind.TAP and ev.pos is not None:
            hit = next((b for b in reversed(self.buttons) if b.rect.collidepoint(ev.pos)), None)
            if hit is None:
                if self.operator.visible:
                    return
                self.machine.ctx.last_activity = now
                return
            ev = hit.event
        if ev.kind is Kind.OPERATOR:
            self._operator_action(str(ev.data), now)
            return
        if self.operator.visible:
            self._operator_nav(ev, now)
            return
        self.machine.handle(ev)

    # -- operator ----------------------------------------------------------------------
    def _operator_timeout(self, now: float) -> None:
        """While the overlay is up the booth is not idle; left alone for
        ``OPERATOR_IDLE_S`` it closes (and locks), so no guest finds it open."""
        op = self.operator
        if not op.visible:
            self._operator_input_at = now
            return
        self.machine.ctx.last_activity = now
        if now - self._operator_input_at > OPERATOR_IDLE_S:
            log.info("operator overlay closed after %.0f s without input", OPERATOR_IDLE_S)
            op.close()

    def _operator_key(self, e: pygame.event.Event, now: float) -> None:
        self._operator_input_at = now
        op = self.operator
        if op.mode is Mode.PIN:
            if e.unicode and e.unicode.isdigit():
                op.type_digit(e.unicode, now)
            elif e.key == pygame.K_BACKSPACE:
                op.backspace()
            elif e.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
                op.submit(now)
            elif e.key == pygame.K_ESCAPE:
                op.close()
            return
        if op.mode is Mode.NO_PIN:
            op.close()
            return
        shift = bool(e.mod & pygame.KMOD_SHIFT)
        keys = {
            pygame.K_ESCAPE: OpAction.CLOSE, pygame.K_UP: OpAction.ROW_UP,
            pygame.K_DOWN: OpAction.ROW_DOWN,
            pygame.K_LEFT: OpAction.HIGH_DOWN if shift else OpAction.LOW_DOWN,
            pygame.K_RIGHT: OpAction.HIGH_UP if shift else OpAction.LOW_UP,
            pygame.K_SPACE: OpAction.SHUTTER, pygame.K_a: OpAction.TOGGLE_AUTO,
            pygame.K_PAGEUP: OpAction.PRESET_PREV, pygame.K_PAGEDOWN: OpAction.PRESET_NEXT,
            pygame.K_r: OpAction.RESET_RANGES, pygame.K_q: OpAction.QUIT,
        }
        act = keys.get(e.key)
        if act is not None:
            self._operator_action(act.value, now)

    def _operator_nav(self, ev: Event, now: float) -> None:
        if ev.kind is Kind.BACK:
            self.operator.close()

    def _operator_action(self, data: str, now: float) -> None:
        self._operator_input_at = now
        op = self.operator
        if data.startswith("digit:"):
            op.type_digit(data[6:], now)
            return
        if data == "del":
            op.backspace()
            return
        if data == "ok":
            op.submit(now)
            return
        if data == "cancel":
            op.close()
            return
        if op.mode is not Mode.OPEN:
            return
        rows = self._operator_rows()
        if data.startswith("row:"):
            op.row = max(0, min(len(rows) - 1, int(data[4:])))
            return
        act = OpAction(data)
        if act is OpAction.CLOSE:
            op.close()
        elif act is OpAction.QUIT:
            log.info("operator: quit")
            self.quit_requested = True
        elif act is OpAction.SHUTTER:
            op.close()
            if self.machine.state is State.COACHING:
                self.machine.handle(Event(Kind.SHUTTER))
        elif act is OpAction.TOGGLE_AUTO:
            self.booth.auto_paused = not self.booth.auto_paused
            op.auto_paused = self.booth.auto_paused
            if self.booth.pipeline is not None and self.booth.coaching:
                self.booth.pipeline.set_auto_shutter(not self.booth.auto_paused)
            log.info("operator: automatic shutter %s",
                     "paused" if self.booth.auto_paused else "on")
        elif act in (OpAction.PRESET_PREV, OpAction.PRESET_NEXT):
            names = [c.key for c in self.machine.ctx.presets]
            i = names.index(self.booth.preset_name) if self.booth.preset_name in names else 0
            i = (i + (1 if act is OpAction.PRESET_NEXT else -1)) % len(names)
            self.booth.set_preset(names[i])
            self.machine.ctx.preset = names[i]
            log.info("operator: preset %s", names[i])
        elif act in (OpAction.ROW_UP, OpAction.ROW_DOWN):
            step = -1 if act is OpAction.ROW_UP else 1
            op.row = max(0, min(len(rows) - 1, op.row + step))
        elif act is OpAction.RESET_RANGES:
            self.booth.reset_ranges()
        else:
            if not rows or not rows[op.row].adjustable:
                return
            metric = rows[op.row].key
            delta = RANGE_STEPS.get(metric, 1.0)
            end = "min" if act in (OpAction.LOW_DOWN, OpAction.LOW_UP) else "max"
            sign = -1 if act in (OpAction.LOW_DOWN, OpAction.HIGH_DOWN) else 1
            self.booth.adjust_range(metric, end, sign * delta)

    def _operator_rows(self) -> list[OperatorRow]:
        preset = self.booth.current_preset()
        res = self.booth.last_result
        metrics = getattr(res, "metrics", None)
        state = getattr(res, "state", None)
        in_range = dict(getattr(state, "in_range", {}) or {})
        rows: list[OperatorRow] = []
        judged: set[str] = set()
        for name, rng in preset.ranges.items():
            judged.add(name)
            lo = "…" if rng.min is None else f"{rng.min:g}"
            hi = "…" if rng.max is None else f"{rng.max:g}"
            side = {"either": " (either side)", "left": " (left)", "right": " (right)"}.get(
                rng.side or "", "")
            value = getattr(metrics, name, None)
            label = _label(name)
            baseline = getattr(state, "baseline", None)
            if name == "smile":  # judged above the sitter's own neutral face
                label = "Smile (above neutral)"
                if value is not None and baseline is not None:
                    value = value - baseline.smile
            rows.append(OperatorRow(name, label, f"{lo} – {hi}{side}", _fmt(value),
                                    in_range.get(name), adjustable=True))
        def negate(v: Any) -> Any:
            return None if v is None else not v

        gates = {
            "eyes_open": (negate(getattr(metrics, "eyes_closed", None)), True),
            "looking_at_camera": (getattr(metrics, "looking_at_camera", None), True),
            "mouth_closed": (negate(getattr(metrics, "mouth_open", None)), preset.mouth_closed),
            "teeth_visible": (getattr(metrics, "teeth_visible", None), preset.teeth_visible),
        }
        for gate, (value, target) in gates.items():
            if gate in in_range:
                rows.append(OperatorRow(gate, _label(gate), _fmt(target), _fmt(value),
                                        in_range.get(gate)))
        for name in EXTRA_ROWS:
            if name not in judged:
                rows.append(OperatorRow(name, _label(name), "", _fmt(getattr(metrics, name,
                                                                             None)), None))
        return rows

    def _operator_view(self) -> OperatorView:
        op = self.operator
        stats: list[str] = [f"screen {self.stats.fps:.1f} fps"]
        p = self.booth.pipeline
        if p is not None:
            try:
                s = p.stats()
                stats += [f"coach {s.fps:.1f} fps", f"latency p50 {s.latency_p50_ms:.0f} ms "
                          f"p95 {s.latency_p95_ms:.0f} ms", f"pose {s.pose_hz:.1f} Hz",
                          f"dropped {s.dropped}"]
                if s.error:
                    stats.append(f"coach error: {s.error}")
            except Exception:  # noqa: BLE001
                stats.append("coach stats unavailable")
        else:
            stats.append("coach not started")
        src = self.booth.source
        cam_state = getattr(getattr(src, "state", None), "value", "none")
        stats.append(f"camera {getattr(src, 'name', '-')}: {cam_state}")
        stills = stills_health(src)
        if stills is not None:
            stats.append(f"stills {stills}")
        stats.append(f"saved {self.booth.captures_saved}")
        folder = getattr(self.booth.session, "folder", None)
        if folder is not None or self.machine.ctx.location:
            stats.append(f"folder: {folder or self.machine.ctx.location}")
        rows = tuple(self._operator_rows()) if op.mode is Mode.OPEN else ()
        preset = self.booth.current_preset()
        adjusted = " (adjusted)" if self.booth.preset_name in self.booth.session_presets else ""
        return OperatorView(mode=op.mode.value, entered=len(op.entered), message=op.message,
                            rows=rows, row=op.row, stats=tuple(stats),
                            preset=f"{preset.title}{adjusted}", auto_paused=self.booth.auto_paused,
                            state=self.machine.state.value)

    # -- view --------------------------------------------------------------------------
    def build_view(self, now: float) -> View:
        """Everything the current screen shows, as plain data."""
        m = self.machine
        ctx = m.ctx
        state = m.state
        t = now - self._t0
        v = View(state=state, t=t, age=now - ctx.state_since, presets=ctx.presets,
                 focus=ctx.focus, mirror=self.cfg.ui.mirror_preview,
                 aspect=self.cfg.ui.still_aspect, allow_back=True)
        frame = self.booth.latest_frame()
        if frame is not None:
            v.frame = frame.image
            v.frame_key = frame.index
        preset = self.booth.current_preset()
        v.preset_name = preset.title
        v.hold_s = preset.hold_s
        if state is State.COACHING:
            self._coach_view(v, preset)
            v.progress = self._set_progress(now)
        elif state is State.CAPTURE:
            v.flash = max(0.0, 1.0 - (now - ctx.state_since) / m.timing.flash_s)
        elif state in (State.REVIEW, State.DONE):
            if ctx.shot is not None:
                v.photo = ctx.shot.image
                v.photo_key = (ctx.shot.path, ctx.shot.number)
            if len(ctx.shots) > 1:
                v.photos = [Photo(s.image, (s.path, s.number, i), s.record is not None)
                            for i, s in enumerate(ctx.shots) if s.image is not None]
            v.favourite = ctx.favourite
            v.summary = list(ctx.summary)
            v.location = ctx.location
            v.saved_count = sum(1 for s in ctx.shots if s.record is not None)
            v.session_code = ctx.session_code
            v.seconds_left = max(0.0, m.timing.done_s - (now - ctx.state_since))
        elif state is State.RECONNECTING:
            v.camera_title, v.camera_detail = self.booth.camera_message()
        elif state is State.LOADING:
            if not self.booth.camera_live():
                v.loading_detail = "Starting the camera."
            else:
                v.loading_detail = "Warming up the coach."
        if ctx.notice and now < ctx.notice_until:
            v.notice = ctx.notice
        if self.operator.visible:
            v.operator = self._operator_view()
        return v

    def _set_progress(self, now: float) -> SetProgress | None:
        """The shot counter of a multi-shot preset, and the "saved" line just after a shot."""
        total = self.booth.shots_wanted()
        if total <= 1:
            return None
        taken = len(self.machine.ctx.shots)
        if taken and now < self.machine.ctx.saved_until:
            return SetProgress(min(taken + 1, total), total, saved=taken,
                               hint=self.booth.next_shot_hint(taken))
        return SetProgress(min(taken + 1, total), total)

    def _coach_view(self, v: View, preset: Any) -> None:
        res = self.booth.last_result
        p = self.booth.pipeline
        if p is not None and p.error is not None:
            v.coach = CoachView(status="adjusting",
                                message="Press the camera button when you're ready")
        st = getattr(res, "state", None)
        if st is not None:
            prompt = st.prompt
            v.coach = CoachView(status=st.status, message=st.message,
                                direction=getattr(prompt, "direction", None),
                                metric=getattr(prompt, "metric", None),
                                readiness=float(st.readiness),
                                hold_progress=float(st.hold_progress),
                                in_range=dict(st.in_range or {}))
        mt = getattr(st, "metrics", None) or getattr(res, "metrics", None)
        if mt is not None and mt.faces and None not in (mt.face_center_x, mt.eye_line,
                                                       mt.head_height):
            v.face = FaceBox(0.5 + mt.face_center_x, mt.eye_line, mt.head_height)
        v.guide = guide_for(preset, v.coach.in_range if v.coach else {})

    def _speak(self) -> None:
        sounds = self.booth.sounds
        if not sounds.speak_enabled or self.machine.state is not State.COACHING:
            return
        st = getattr(self.booth.last_result, "state", None)
        msg = getattr(st, "message", "")
        progress = self._set_progress(self.clock())
        if progress is not None and progress.saved:
            from kiosk.screens.shots import saved_text

            msg = saved_text(progress)
        if msg and msg != self._last_spoken:
            self._last_spoken = msg
            sounds.say(msg)

    def _health(self, now: float) -> None:
        """The once-a-minute health line (kiosk.health decides when; never raises)."""
        self.health.tick(now, self._health_sample)

    def _health_sample(self) -> Any:
        from kiosk.health import HealthSample

        src = self.booth.source
        p = self.booth.pipeline
        st = p.stats() if p is not None else None
        return HealthSample(
            fps=st.fps if st is not None else None,
            camera=getattr(getattr(src, "state", None), "value", "none"),
            stills=getattr(getattr(src, "stills_state", None), "value", None),
            captures=self.booth.captures_saved, dropped=st.dropped if st is not None else 0,
            screen_fps=self.stats.fps, state=self.machine.state.value,
            restarts=st.restarts if st is not None else 0, errors=self.render_errors)


def stills_health(src: Any) -> str | None:
    """A hybrid's DSLR side as "STATE" or "STATE (why)"; None for single-camera sources.

    The hybrid stays LIVE while only its DSLR reconnects (coaching goes on, a still falls
    back to the best preview frame), so the operator needs this to see the DSLR's trouble.
    """
    state = getattr(src, "stills_state", None)
    if state is None:
        return None
    err = getattr(src, "stills_error", None)
    return f"{state.value} ({err})" if err is not None else str(state.value)


def guide_for(preset: Any, in_range: dict[str, bool]) -> Guide | None:
    """Target head outline and eye line from the preset's framing ranges."""
    hh = getattr(preset.ranges, "head_height", None)
    el = getattr(preset.ranges, "eye_line", None)
    if hh is None and el is None:
        return None
    head = hh.centre(preset.tolerance("head_height")) if hh else 0.5
    eye = el.centre(preset.tolerance("eye_line")) if el else 0.4
    ok = all(in_range.get(k, True) for k in ("head_height", "eye_line", "face_center_x")) and \
        any(k in in_range for k in ("head_height", "eye_line"))
    return Guide(head_h=float(min(0.95, max(0.1, head))), eye_y=float(eye), ok=ok)


_LABELS = {
    "yaw_deg": "Head turn (°)", "pitch_deg": "Chin (°)", "roll_deg": "Head tilt (°)",
    "shoulder_turn_deg": "Shoulder turn (°)", "shoulder_tilt_deg": "Shoulder tilt (°)",
    "smile": "Smile", "head_height": "Head height", "eye_line": "Eye line",
    "face_center_x": "Centring", "eyes_open": "Eyes open", "looking_at_camera": "Into the lens",
    "mouth_closed": "Mouth closed", "teeth_visible": "Teeth", "faces": "Faces",
    "blink": "Blink", "eye_open_left": "Eye open L", "eye_open_right": "Eye open R",
    "gaze_x": "Gaze x", "sharpness": "Sharpness", "exposure": "Exposure",
    "eye_distance_px": "Eye distance (px)",
}


def _label(name: str) -> str:
    return _LABELS.get(name, name)


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"
    return str(v)


# ----------------------------------------------------------------------------- entry point
def run_kiosk(args: argparse.Namespace) -> int:
    """``headshot-kiosk run``: validate the command line, then run until the operator quits."""
    from camera.sources import SourceSpecError, parse_source
    from coaching.presets import UnknownPreset, load_presets, resolve_preset
    from coaching.yamlconfig import ConfigError
    from kiosk.cli import UsageError
    from kiosk.config import load_config
    from kiosk.logs import setup_file_logging

    try:
        cfg = load_config(getattr(args, "config", None))
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    spec = getattr(args, "source", None) or cfg.camera.source
    try:
        parse_source(spec)
    except SourceSpecError as exc:
        raise UsageError(f"--source: {exc}") from None
    presets = load_presets()
    fixed = None
    if getattr(args, "preset", None):
        try:
            p = resolve_preset(args.preset)
        except (ConfigError, UnknownPreset) as exc:
            raise UsageError(str(exc)) from None
        presets[p.name] = p
        fixed = p.name
    if not presets:
        raise UsageError("no presets found (config/presets is empty and no --preset given)")
    app = KioskApp(cfg, source_spec=spec, preset=fixed, out_dir=getattr(args, "out", None),
                   windowed=bool(getattr(args, "windowed", False)), presets=presets,
                   offline=bool(getattr(args, "offline", False)))
    st = cfg.storage
    try:
        setup_file_logging(st.log_dir or app.out_dir / "logs",
                           max_bytes=int(st.log_max_mb * 1e6), backups=st.log_backups)
    except OSError as exc:
        log.warning("no log file: %s", exc)
    log.info("%s", app.booth.retention.describe())
    try:
        app.start()
        return app.run()
    except KeyboardInterrupt:
        return 130
    finally:
        app.close()
