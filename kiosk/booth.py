"""The booth: what the state machine may ask of the app (:class:`kiosk.states.Services`).

It holds the camera (:class:`~kiosk.camera_link.CameraLink`), the coaching pipeline
(started once the camera opens; models load in the background while the welcome screen
shows), the session records (:mod:`kiosk.storage`), the shutter handshake and capture
thread (:mod:`kiosk.capture_worker`, :mod:`kiosk.capture`), the plugins' worker
(:mod:`kiosk.plugin_runner`) and the sounds. It never touches the display; workers
report back through :attr:`Booth.events`, which the app drains once a frame.
"""

from __future__ import annotations

import logging
import math
import queue
from collections.abc import Callable
from pathlib import Path

from camera.base import CameraSource, Frame
from coaching.coach import evaluate
from coaching.messages import Catalogue, load_catalogue
from coaching.pipeline import Pipeline, StepResult
from coaching.presets import Preset
from coaching.yamlconfig import ConfigError
from kiosk.camera_link import CameraLink
from kiosk.capture import CaptureRequest, display_copy, quality_report, take_photo
from kiosk.capture_worker import CaptureWorker
from kiosk.config import AppConfig
from kiosk.hook_data import kept_job, photo_info, session_info
from kiosk.pipeline_factory import PipelineFactory, default_pipeline
from kiosk.plugin_runner import PluginRunner
from kiosk.preset_tuning import PresetBook
from kiosk.screens.review import summary_keys
from kiosk.setup_faults import coach_fault, models_fault
from kiosk.sound import Sounds
from kiosk.states import Event, Kind, SetupFault, Shot
from kiosk.storage import Session, SessionStore, StorageError

log = logging.getLogger(__name__)

#: A person counts as present when a face was seen this recently (seconds).
PRESENT_S = 2.0
#: How often a set-up fault is looked at again (the operator may be fixing it).
FAULT_RECHECK_S = 3.0


class Booth:
    """Camera, pipeline, storage, plugins and sound behind the state machine's Services."""

    def __init__(self, cfg: AppConfig, presets: PresetBook, camera: CameraLink, *,
                 out_dir: Path, clock: Callable[[], float], plugins: PluginRunner,
                 pipeline_factory: PipelineFactory | None = None,
                 sounds: Sounds | None = None, offline: bool = False) -> None:
        self.cfg = cfg
        self.presets = presets
        self.camera = camera
        self.clock = clock
        self.out_dir = out_dir
        self.plugins = plugins
        self.sounds = sounds or Sounds(shutter=False)
        self.events: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self.notices: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._make_pipeline = pipeline_factory or default_pipeline(cfg, presets, offline)
        self.pipeline: Pipeline | None = None
        self.coaching = False
        self.auto_paused = False
        #: the operator's F key: the review shows the whole frame, not the deliverable
        self.review_full_frame = False
        self.shutter = CaptureWorker(self._take, self.events.put, clock)
        self.session: Session | None = None
        self.store: SessionStore | None = None
        self.last_result: StepResult | None = None
        self._last_face_at = -math.inf
        self.captures_saved = 0
        self._prompt: tuple[str, float] | None = None  # (key, since) of the prompt on screen
        self._shots_at_fresh = 0  # photos the session had when its current set began
        self._fault: SetupFault | None = None
        self._fault_checked = -math.inf
        camera._on_open = self._start_pipeline  # the coach starts when the camera works

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> None:
        self._open_store()
        self.camera.start()

    def close(self) -> None:
        if self.pipeline is not None:
            try:
                self.pipeline.stop()
            except Exception:  # noqa: BLE001 - closing is best effort
                log.debug("stopping the pipeline failed", exc_info=True)
        self.end_session()
        self.camera.close()
        self.sounds.close()

    def _open_store(self) -> None:
        try:
            self.store = SessionStore(self.out_dir)
        except StorageError as exc:
            self.store = None
            log.error("storage: %s", exc)

    def _start_pipeline(self, src: CameraSource) -> None:
        self.pipeline = self._make_pipeline(src, self.presets.current())
        self.pipeline.set_auto_shutter(False)
        self.pipeline.start()

    # -- presets -----------------------------------------------------------------------
    @property
    def preset_name(self) -> str:
        return self.presets.name

    def current_preset(self) -> Preset:
        return self.presets.current()

    def set_preset(self, name: str) -> None:
        self.presets.select(name)
        self._push_preset()

    def adjust_range(self, metric: str, end: str, delta: float) -> None:
        """Operator: move one end of a range for this run (the YAML is not changed)."""
        if self.presets.adjust(metric, end, delta):
            self._push_preset()

    def reset_ranges(self) -> None:
        self.presets.reset()
        self._push_preset()

    def _push_preset(self) -> None:
        if self.pipeline is not None:
            self.pipeline.set_preset(self.presets.current())

    def set_auto_paused(self, paused: bool) -> None:
        self.auto_paused = paused
        if self.pipeline is not None and self.coaching:
            self.pipeline.set_auto_shutter(not paused)

    # -- Services: camera and people -----------------------------------------------------
    def now(self) -> float:
        return self.clock()

    def camera_live(self) -> bool:
        return self.camera.live()

    def camera_message(self, words: Catalogue | None = None) -> tuple[str, str]:
        """(title, detail) of the reconnecting screen in ``words`` (English if None)."""
        title, detail = self.camera.message()
        w = words or load_catalogue("en")
        return w.ui(title), w.ui(detail)

    def latest_frame(self) -> Frame | None:
        """The camera's newest preview frame (None while there is none)."""
        return self.camera.latest_frame()

    def models_ready(self) -> bool:
        p = self.pipeline
        # A coach that could not load is a set-up fault (setup_fault), never a session.
        return p is not None and p.ready.is_set()

    def setup_fault(self) -> SetupFault | None:
        """What staff must fix before guests can use the booth (None: nothing)."""
        if self.camera.fault is not None:
            return self.camera.fault
        p = self.pipeline
        if p is None or p.error is None:
            return None
        now = self.clock()
        if self._fault is None or now - self._fault_checked >= FAULT_RECHECK_S:
            self._fault_checked = now
            was = self._fault
            self._fault = models_fault(self.cfg)
            if self._fault is None and was is not None and was.what.startswith("Models"):
                log.warning("models are in place now: starting the coach again")
                self._restart_pipeline()
                return None
            if self._fault is None:
                self._fault = coach_fault(p.error)
            if was != self._fault:
                log.error("set-up fault: %s", self._fault.one_line())
        return self._fault

    def _restart_pipeline(self) -> None:
        old, src = self.pipeline, self.camera.source
        self.pipeline, self._fault = None, None
        if old is not None:
            old.stop()
        if src is not None:
            self._start_pipeline(src)

    def person_present(self) -> bool:
        return self.clock() - self._last_face_at < PRESENT_S

    # -- Services: sessions --------------------------------------------------------------
    def languages(self) -> list[str]:
        """The languages the welcome screen offers: the booth's default first, then
        ``ui.languages`` in order (one without a catalogue is logged and left out)."""
        default = self.cfg.coach.language
        out = [default]
        for lang in self.cfg.ui.languages:
            if lang in out:
                continue
            try:
                load_catalogue(lang)
            except ConfigError as exc:
                log.error("ui.languages: %s; not offered", exc)
                continue
            out.append(lang)
        return out

    def begin_session(self, preset: str, language: str = "") -> None:
        self.end_session()
        self.set_preset(preset)
        if self.store is None:
            self._open_store()  # the disk may be back
        if self.store is None:
            self.notices.put("notice.cannot_save")
            return
        try:
            self.session = self.store.start(preset, source=self.camera.spec,
                                            camera=self.camera.name,
                                            language=language or self.cfg.coach.language)
        except StorageError as exc:
            log.error("storage: %s", exc)
            self.session = None
            self.notices.put("notice.cannot_save")
            return
        self.plugins.submit("session_started", session=session_info(self.session))

    def start_coaching(self, fresh: bool = True) -> None:
        """``fresh``: a new set (new calibration, the shutter counts from zero). Between
        the shots of a set nothing is reset, so the shutter's cooldown spaces them."""
        self.coaching = True
        self.shutter.drop_fired()
        s = self.session
        if fresh and s is not None:
            if len(s.shots) > self._shots_at_fresh:  # a new set after photos: a retake
                s.retakes += 1
            self._shots_at_fresh = len(s.shots)
        p = self.pipeline
        if p is not None:
            p.captures()  # drop anything fired before this sitter was coached
            if fresh:
                p.reset_session()
            p.set_auto_shutter(not self.auto_paused)

    def stop_coaching(self) -> None:
        self.coaching = False
        self._track_prompt(None)
        if self.pipeline is not None:
            self.pipeline.set_auto_shutter(False)

    def request_capture(self, manual: bool) -> None:
        self.sounds.shutter()
        if not manual:
            self.shutter.take_fired()
            return
        p = self.pipeline
        if p is not None and p.ready.is_set():
            p.captures()
            p.press_shutter()
            self.shutter.await_shot()
        else:
            self.shutter.take_now()  # no coach: take the camera's picture as it is

    def shots_wanted(self) -> int:
        return int(self.current_preset().shots or 1)

    def next_shot_hint(self, taken: int, words: Catalogue | None = None) -> str:
        """The catalogue's nudge between shots ("Now try a different expression")."""
        try:
            return (words or load_catalogue(self.cfg.coach.language)).next_shot(taken)
        except Exception:  # noqa: BLE001 - a nudge is a nicety
            log.debug("no next-shot nudge", exc_info=True)
            return ""

    def keep_shots(self, shots: list[Shot], favourite: int | None) -> tuple[str, str]:
        """Mark every shot kept (and the favourite of a set); returns (where, session code).
        Where is for the operator and the log, never shown to the guest. The plugins then
        make the deliverables on their worker; they come back as a DELIVERED event."""
        code = self.session.id if self.session is not None else ""
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
            self.notices.put("notice.record_failed")
        saved = [s for s in shots if s.record is not None]
        if len(shots) == 1 or not saved:
            where = shots[0].path if len(shots) == 1 else "(not saved)"
        else:
            where = str(Path(saved[0].path).parent)
        fav_name = (Path(shots[favourite].path).name
                    if favourite is not None and shots[favourite].record is not None else "-")
        log.info("session %s: kept %d photo(s) in %s; favourite %s", code or "-", len(saved),
                 where, fav_name)
        if self.session is not None and saved:
            self.plugins.submit_job(kept_job(self.plugins, self.session, shots, favourite,
                                             self.events.put))
        return where, code

    def end_session(self) -> None:
        self._track_prompt(None)
        self._shots_at_fresh = 0
        s, self.session = self.session, None
        if s is None:
            return
        try:
            s.end()
        except StorageError as exc:
            log.error("storage: %s", exc)
        self.plugins.submit("session_ended", session=session_info(s))

    def summarize(self, shot: Shot) -> list[str]:
        preset = self.current_preset()
        in_range = shot.in_range
        if not in_range and shot.metrics is not None:
            # A manual shot before the coach had judged anything (still calibrating):
            # judge the photo's own metrics, without a per-sitter baseline.
            try:
                in_range = evaluate(preset, shot.metrics).in_range
            except Exception:  # noqa: BLE001 - a summary is a nicety, never a failure
                log.debug("evaluating the shot failed", exc_info=True)
        smile = preset.ranges.smile
        wanted = smile is None or (smile.min is not None and smile.min > 0)
        return summary_keys(in_range, smile_wanted=wanted)

    def recover(self) -> None:
        """After the failsafe screen: a clean slate for the next sitter."""
        self.end_session()
        self.shutter.reset()
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
                if res.metrics.faces or res.metrics.presence in ("turn", "closer"):
                    self._last_face_at = self.clock()  # a body without a face is someone
                if self.coaching:
                    prompt = getattr(res.state, "prompt", None)
                    self._track_prompt(prompt.key if prompt is not None else None)
            fired = p.captures()
            consumed = self.shutter.poll(fired)
            if (not consumed and fired and self.coaching
                    and self.shutter.note_fire(fired[-1])):
                out.append(Event(Kind.FIRE))
        while True:
            try:
                out.append(self.events.get_nowait())
            except queue.Empty:
                return out

    def _track_prompt(self, key: str | None) -> None:
        """Time each stretch a prompt stays on screen, for the session log's ``prompts``."""
        now = self.clock()
        cur = self._prompt
        if cur is not None and cur[0] == key:
            return
        if cur is not None and self.session is not None:
            self.session.note_prompt(cur[0], now - cur[1])
        self._prompt = (key, now) if key is not None else None

    # -- the photo (capture thread) ------------------------------------------------------
    def _take(self, result: StepResult | None, reason: str) -> Event:
        preset = self.current_preset()
        session = self.session
        state = result.state if result is not None else None
        req = CaptureRequest(shot=result.shot if result is not None else None, reason=reason,
                             source_kind=self.camera.kind, preset_title=preset.title,
                             baseline=getattr(state, "baseline", None),
                             jpeg_quality=self.cfg.camera.jpeg_quality,
                             quality=quality_report(result, preset.quality.gate))
        out = take_photo(self.camera.source, session, req)
        if out.storage_error:
            log.error("storage: %s", out.storage_error)
            self.notices.put("notice.photo_not_saved")
        shot = Shot(image=display_copy(out.image), path="(not saved)", number=0,
                    metrics=out.metrics, in_range=out.in_range)
        if out.saved is None or session is None:
            return Event(Kind.CAPTURED, data=shot)
        self.captures_saved += 1
        log.info("saved %s (%s)", out.saved.image_path, reason)
        shot.path, shot.number, shot.record = str(out.saved.image_path), out.saved.number, out.saved
        self.plugins.submit("photo_saved", photo=photo_info(session, out.saved, reason,
                                                            out.still, out.metrics))
        return Event(Kind.CAPTURED, data=shot)
