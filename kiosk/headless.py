"""``headshot-kiosk run --headless``: the coach and the shutter over a source, no display.

Every frame of a replayed video (or image folder) is coached in order, with the
video's own timestamps, so a run is deterministic: the same file gives the same
timeline and the same captures. The timeline printed on stdout has one line per
change of what the sitter would see (status, prompt) or a readiness step of 0.25,
and one per capture; each capture is saved through :mod:`kiosk.storage` (the image
plus a JSON sidecar of the same stem). ``--shutter-at`` presses the manual shutter
at those media times, as an operator would.

A live source (webcam, gphoto2) runs until Ctrl-C. For a camera that takes real
stills (gphoto2, hybrid) the still is triggered when the shutter fires and stored
with the metrics of that moment; for a replay or a webcam the photo is the best
frame of the shutter's ring buffer.

The pose model runs only when the preset judges the shoulders: it costs twice the
face model and nothing else needs it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from camera.base import CameraError, CameraSource, Frame, SourceState, SourceUnreadable
from camera.sources import SourceSpec, SourceSpecError, open_source, parse_source
from coaching.landmarks import FaceTracker, PoseTracker
from coaching.metering import FaceMeter, meter_for
from coaching.models import ModelError
from coaching.pipeline import CoachingStep, StepResult, frame_time
from coaching.presets import Preset
from coaching.quiet import native_stderr_silenced
from coaching.yamlconfig import ConfigError
from delivery.handoff import HandoffService
from delivery.handoff_plugin import add_to_sidecar
from delivery.hooks import BoothInfo
from kiosk import __version__
from kiosk.capture import CaptureRequest, quality_report, take_photo
from kiosk.commands.common import UsageError, load_app_config, preset_or_usage
from kiosk.config import AppConfig
from kiosk.hook_data import photo_info
from kiosk.paths import user_data_dir
from kiosk.plugin_host import load_plugins
from kiosk.plugin_runner import PluginRunner
from kiosk.storage import SavedShot, Session, SessionStore, StorageError

#: A readiness change this big is printed even if nothing else changed.
READINESS_STEP = 0.25


def _fail(msg: str) -> int:
    print(f"headshot-kiosk: {msg}", file=sys.stderr)
    return 1


def run_headless(args: argparse.Namespace) -> int:
    """Entry point for ``run --headless`` (flags defined in kiosk/commands/run.py)."""

    config = load_app_config(args.config)
    if not args.preset:
        raise UsageError("--headless needs --preset NAME_OR_FILE "
                         "(see 'headshot-kiosk presets')")
    preset = preset_or_usage(args.preset)
    spec, source = _source(args.source or config.camera.source, config)
    out_dir = Path(args.out or config.storage.out_dir or (user_data_dir() / "sessions"))
    try:
        store = SessionStore(out_dir)
    except StorageError as exc:
        return _fail(str(exc))
    uses_pose = any(n in ("shoulder_turn_deg", "shoulder_tilt_deg")
                    for n, _ in preset.ranges.items())
    try:
        step = _build_step(preset, config, uses_pose, offline=bool(getattr(args, "offline",
                                                                              False)))
    except ModelError as exc:
        return _fail(str(exc))
    try:
        after = _AfterShot(config, out_dir, preset)
    except ConfigError as exc:
        step.close()
        raise UsageError(str(exc)) from None
    try:
        try:
            source.open()
        except SourceUnreadable as exc:  # its message names the file
            return _fail(str(exc))
        except CameraError as exc:
            return _fail(f"{source.name}: {exc}")
        return _session(args, config, store, preset, spec, source, step, after)
    finally:
        after.close()
        step.close()
        source.close()


def _source(spec_text: str, config: AppConfig) -> tuple[SourceSpec, CameraSource]:
    """The source to replay (every frame in order, as fast as we go), not yet open."""
    try:
        spec = parse_source(spec_text)
    except SourceSpecError as exc:
        raise UsageError(str(exc)) from None
    camera_settings = config.camera.model_copy(deep=True)
    camera_settings.replay.realtime = False
    camera_settings.replay.loop = False
    try:
        return spec, open_source(spec, camera_settings)
    except CameraError as exc:
        raise UsageError(f"--source {spec_text}: {exc}") from None


def _session(args: argparse.Namespace, config: AppConfig, store: SessionStore,
             preset: Preset, spec: SourceSpec, source: CameraSource, step: CoachingStep,
             after: _AfterShot) -> int:
    """One session over the open source: the timeline, the captures, the hand-off."""
    session = store.start(preset.name or "preset", source=str(spec),
                          camera=getattr(source, "name", str(spec)))
    print(f"headless: preset {preset.name} ({preset.title}), source {spec}, "
          f"saving to {session.folder}", flush=True)
    runner = _Runner(step, session, source, spec.kind, list(args.shutter_at or []),
                     verbose=bool(getattr(args, "verbose", False)), after=after)
    # a live webcam: exposure metered on the face (coaching/metering.py)
    runner.meter = meter_for(source, config.camera.webcam.metering,
                             config.camera.webcam.face_target)
    try:
        runner.run()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
    after.finish(runner.saved)
    if config.handoff.enabled and runner.saved:
        _hand_off(config, store, session, runner.saved)
    try:
        session.end()
    except StorageError as exc:
        print(f"storage: {exc}", file=sys.stderr)
    print(f"end: {runner.frames} frames, {len(runner.saved)} capture(s) "
          f"({runner.counts['auto']} auto, {runner.counts['manual']} manual) in "
          f"{session.folder}", flush=True)
    if runner.frames == 0:
        return _fail(f"--source {spec}: no frame came from the source")
    return 1 if runner.storage_errors else 0


class _AfterShot:
    """The kiosk's plugins for a headless run (deliverables, ...): ``photo_saved`` per
    capture on the plugin worker, as in the kiosk, waited for at the end."""

    def __init__(self, config: AppConfig, out_dir: Path, preset: Preset) -> None:
        loaded = load_plugins(config, config.source_path)
        for problem in loaded.problems:
            print(f"plugins: {problem}", file=sys.stderr)
        self.runner = PluginRunner(loaded.manager, timeout_s=config.plugins.hook_timeout_s)
        self.runner.call("kiosk_startup", booth=BoothInfo(out_dir, config, __version__,
                                                          presets={preset.name: preset}))

    def saved(self, session: Session, saved: SavedShot, reason: str, still: bool,
              metrics: Any) -> None:
        self.runner.submit("photo_saved", photo=photo_info(session, saved, reason, still,
                                                           metrics))

    def finish(self, saved: list[SavedShot]) -> None:
        """Wait for the plugins, then print each photo's deliverables from its sidecar."""
        self.runner.wait_idle(self.runner.timeout_s * max(1, len(saved)))
        for shot in saved:
            try:
                side = json.loads(shot.sidecar_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            for d in side.get("deliverables", []):
                c = d.get("composition") or {}
                what = (f"{d['size'][0]}x{d['size'][1]} {d['dpi']} dpi"
                        + (f" head {c['head']:.2f} eyes {c['eye_line']:.2f}" if c else ""))
                tail = d["file"] if d["file"] else "NOT MADE: " + "; ".join(d["problems"])
                print(f"deliverable #{shot.number} {d['output']}: {what}  {tail}", flush=True)
        for problem in self.runner.problems():
            print(f"plugins: {problem}", file=sys.stderr)

    def close(self) -> None:
        self.runner.call("kiosk_shutdown")
        self.runner.stop()
def _hand_off(config: AppConfig, store: SessionStore, session: Session,
              saved: list[SavedShot]) -> None:
    """With ``handoff.enabled`` a headless run keeps what it took and gives the session
    its guest link (in each sidecar's ``handoff_url``), for ``headshot-kiosk serve``."""
    try:
        for shot in saved:
            session.set_kept(shot, True)
        _token, url = HandoffService(store.out_dir, config.handoff).new_link(session.id)
        for shot in saved:
            add_to_sidecar(shot.sidecar_path, "handoff_url", url)
    except (StorageError, OSError, ValueError) as exc:
        print(f"hand-off: no link for {session.id}: {exc}", file=sys.stderr)
        return
    print(f"hand-off: {url}", flush=True)


def _build_step(preset: Preset, config: AppConfig, uses_pose: bool, *,
                offline: bool) -> CoachingStep:

    with native_stderr_silenced():
        face = FaceTracker("video", max_faces=config.analysis.max_faces, offline=offline)
        pose = None
        if uses_pose:
            try:
                pose = PoseTracker("video", variant=config.analysis.pose_model,
                                   offline=offline)
            except BaseException:
                face.close()
                raise
    return CoachingStep(preset, config.analysis, config.coach, face_tracker=face,
                        pose_tracker=pose, pose_every=1)


class _Runner:
    """Feeds every frame through the step, prints the timeline, saves captures."""

    def __init__(self, step: CoachingStep, session: Session, source: CameraSource, kind: str,
                 shutter_at: list[float], verbose: bool = False,
                 after: _AfterShot | None = None) -> None:
        self.step = step
        self.session = session
        self.source = source
        self.kind = kind
        self.pending = sorted(shutter_at)
        self.verbose = verbose
        self.after = after
        self.frames = 0
        self.saved: list[SavedShot] = []
        self.counts = {"auto": 0, "manual": 0}
        self.storage_errors = 0
        self._last_shown: tuple[str, str] | None = None
        self._last_operator: tuple[str, ...] = ()
        self.meter: FaceMeter | None = None
        self._last_readiness = -1.0

    def frames_iter(self) -> Iterator[Frame]:

        last = -1
        while True:
            if self.kind == "replay":
                frame = self.source.latest_frame(last)
            else:
                frame = self.source.wait_frame(last, timeout=1.0)
            if frame is None:
                if self.kind == "replay" or self.source.state in (SourceState.ENDED,
                                                                  SourceState.FAILED):
                    return
                continue
            last = frame.index
            yield frame

    def run(self) -> None:
        for frame in self.frames_iter():
            t = frame_time(frame)
            while self.pending and t + 1e-6 >= self.pending[0]:
                self.pending.pop(0)
                self.step.press_shutter()
            result = self.step.process(frame)
            if self.meter is not None:
                self.meter.update(t, result.metrics.exposure)
            self.frames += 1
            self._timeline(t, result)
            if result.shot is not None:
                self._capture(result)

    def _timeline(self, t: float, result: StepResult) -> None:
        st = result.state
        shown = (st.status, st.message)
        ready = float(st.readiness)
        if self.verbose:
            m = result.metrics
            print(f"{t:8.3f}s  {st.status:<14} {ready:4.2f}  hold {st.hold_progress:4.2f}  "
                  f"faces {m.faces} yaw {_f(m.yaw_deg)} pitch {_f(m.pitch_deg)} "
                  f"roll {_f(m.roll_deg)} smile {_f(m.smile, 2)} blink {_f(m.blink, 2)} "
                  f"head {_f(m.head_height, 2)}  {st.message}", flush=True)
            return
        if shown != self._last_shown or abs(ready - self._last_readiness) >= READINESS_STEP:
            self._last_shown = shown
            self._last_readiness = ready
            print(f"{t:8.3f}s  {st.status:<14} readiness {ready:4.2f}  {st.message}",
                  flush=True)
        # what only the operator can fix (light, background, camera): said when it changes
        q = result.quality
        names = (tuple(c.name for c in q.operator_checks + q.advice_checks)
                 if q is not None else ())
        if names != self._last_operator:
            self._last_operator = names
            for line in (q.operator + q.setup_advice) if q is not None else ():
                print(f"{t:8.3f}s  operator: {line}", flush=True)

    def _capture(self, result: StepResult) -> None:
        shot = result.shot
        self.counts[shot.reason] = self.counts.get(shot.reason, 0) + 1
        req = CaptureRequest(shot=shot, reason=shot.reason, source_kind=self.kind,
                             preset_title=self.step.preset.title,
                             baseline=getattr(result.state, "baseline", None),
                             quality=quality_report(result, self.step.preset.quality.gate))
        out = take_photo(self.source, self.session, req)
        if out.still_error:
            print(f"{shot.t:8.3f}s  camera: {out.still_error}; keeping the preview frame "
                  "instead", file=sys.stderr)
        if out.saved is None:
            self.storage_errors += 1
            print(f"{shot.t:8.3f}s  CAPTURE {shot.reason} #{shot.number} NOT SAVED: "
                  f"{out.storage_error}", flush=True)
            return
        self.saved.append(out.saved)
        if self.after is not None:
            self.after.saved(self.session, out.saved, shot.reason, out.still, out.metrics)
        print(f"{shot.t:8.3f}s  CAPTURE {shot.reason} #{shot.number}  frame "
              f"{out.frame_time_s:.3f}s  -> {out.saved.image_path}", flush=True)


def _f(v: float | None, nd: int = 1) -> str:
    return "  -  " if v is None else f"{v:5.{nd}f}"


