"""The coach: from a stream of metrics to one calm prompt at a time.

Per frame, :meth:`Coach.update` filters the metrics (One Euro), calibrates the
sitter's neutral face on their first steady second, judges every gate of the
preset and returns a :class:`CoachState` for the UI and the shutter.

Behaviour (GUIDE section 5):

- Hysteresis: a gate becomes good inside its range and turns bad again only past
  the range plus ``(hysteresis - 1) x tolerance``; yes/no gates (gaze, mouth,
  teeth) turn bad only after ``BOOL_DEBOUNCE_S`` of "no". Eyes react at once: a
  blink must never be photographed.
- Persistence: a fault is prompted only after it has lasted ``persist_s``;
  a prompt stays up at least ``min_display_s``; the same fault keeps the same
  text. The most important fault wins: urgent ones first (a head turned far away, eyes
  shut past ``LONG_EYE_CLOSURE_S``, a face too dark; they also replace the prompt on
  screen), then the preset's order, a fault under ``MINOR_FAULT`` steps behind every
  bigger one; expressions wait for a turned head, the eye line for the head size.
- Every gate good: ``hold`` ("Perfect - hold still"), ``hold_progress`` runs to 1 over
  ``hold_s``; the shutter fires and the caller reports it (:meth:`Coach.mark_captured`).
- A face missing, or a second face, for less than ``face_lost_grace_s`` does not
  change what the sitter sees (but stops the hold). Someone there without a face
  (``Metrics.presence``) hears what helps; nobody for ``new_sitter_s`` = a new
  sitter: calibration and everything else start over. Talking blocks the hold
  (:mod:`coaching.settling`); an eye line the sitter cannot reach is asked once
  (:mod:`coaching.height_request`).

:func:`evaluate` (no time, hysteresis or calibration) serves ``analyze --preset``.
"""

from __future__ import annotations

from dataclasses import replace

from coaching.calibration import Baseline, Calibrator
from coaching.coach_state import CoachState
from coaching.filters import MetricsFilter
from coaching.height_request import HeightRequest
from coaching.judging import (
    FAR_YAW_DEG,
    MINOR_FAULT,
    SIDE_DEADBAND,
    Evaluation,
    Judgement,
    Prompt,
    best_fault,
    blocked,
    evaluate,
    judge,
    judge_light,
    make_prompt,
)
from coaching.messages import Catalogue, load_catalogue
from coaching.metrics import Metrics
from coaching.presets import GROUPS, Preset
from coaching.settings import CoachSettings
from coaching.settling import MouthMotion

__all__ = ["BOOL_DEBOUNCE_S", "GROUPS", "LONG_EYE_CLOSURE_S", "MINOR_FAULT", "SIDE_DEADBAND",
           "Coach", "CoachState", "Evaluation", "Judgement", "Prompt", "evaluate", "judge"]

#: A yes/no gate (gaze, mouth, teeth) must say "no" this long before it turns bad.
BOOL_DEBOUNCE_S = 0.2

#: Eyes shut this long are no blink (a blink lasts 0.1-0.4 s): "Open your eyes" at once,
#: before anything else, without waiting for the prompt on screen to time out.
LONG_EYE_CLOSURE_S = 0.6

#: Turns and tilts whose "either side" fix keeps the side last prompted.
_SIDED_GATES = ("yaw_deg", "shoulder_turn_deg", "roll_deg", "shoulder_tilt_deg")

class Coach:
    """Stateful coach for one kiosk session (see the module docstring)."""

    def __init__(self, preset: Preset, settings: CoachSettings | None = None,
                 catalogue: Catalogue | None = None, *, calibrate: bool = True) -> None:
        self.preset = preset
        self.settings = settings or CoachSettings()
        s = self.settings
        self.catalogue = catalogue or load_catalogue(s.language)
        self.calibrator = Calibrator(s.calibration_s if calibrate else 0.0, s.steady_deg,
                                     s.calibration_max_s, s.max_neutral_smile,
                                     preset.eyes.max_blink)
        self.filter = MetricsFilter(s.filter_min_cutoff_hz, s.filter_beta,
                                    s.shoulder_min_cutoff_hz)
        self._gates = preset.gates()
        self._display: CoachState = CoachState("no_face", self.catalogue.state("no_face"))
        self._new_sitter()
        self._last_t: float | None = None
        self._absent_since: float | None = None
        self._nobody_since: float | None = None
        self._present_since: float | None = None
        self._multi_since: float | None = None
        self._captured_at: float | None = None
        self._seen_empty = False  # an empty scene seen since the session started

    # -- public ------------------------------------------------------------------------
    def set_preset(self, preset: Preset) -> None:
        """Switch preset (operator); the calibration of the sitter is kept."""
        self.preset = preset
        self._gates = preset.gates()
        self._good.clear()
        self._fault_since.clear()
        self._bool_bad_since.clear()
        self._prompt = None
        self._hold_start = None

    def reset(self) -> None:
        """A new sitter (a new session): forget calibration, faults and prompts."""
        self._new_sitter()
        self._seen_empty = False

    def mark_captured(self, t: float) -> None:
        """The shutter fired at ``t``: show "captured", then start the hold over."""
        self._captured_at = t
        self._hold_start = None
        self._prompt = None

    def evaluate(self, metrics: Metrics) -> Evaluation:
        """Timeless judgement of one set of metrics (no calibration), for ``analyze``."""
        return evaluate(self.preset, metrics, catalogue=self.catalogue,
                        hysteresis=self.settings.hysteresis)

    @property
    def state(self) -> CoachState:
        return self._display

    def update(self, metrics: Metrics, t: float) -> CoachState:
        """One frame (raw metrics, media or monotonic time ``t`` in seconds)."""
        s = self.settings
        if self._last_t is not None and t < self._last_t:
            # The clock went back (a replay started over): nothing learnt still applies.
            self._new_sitter()
            self._absent_since = self._present_since = self._multi_since = None
            self._nobody_since = None
            self._captured_at = None
            self._seen_empty = False
        self._last_t = t
        if metrics.faces <= 0:
            return self._absent(metrics, t)
        self._absent_since = self._nobody_since = None
        if self._present_since is None:
            self._present_since = t
        # A face that has only just appeared in an empty scene (or a one-frame false
        # detection there) does not change the screen yet; the coach still learns from
        # it. A face in the session's first frame, or one whose body the pose model
        # sees (shoulders measured), is simply there.
        arriving = (self._seen_empty and self._display.status == "no_face"
                    and t - self._present_since < s.face_lost_grace_s
                    and metrics.shoulder_turn_deg is None and metrics.shoulder_tilt_deg is None)
        if metrics.faces > 1 or (self.preset.bystanders_block and metrics.bystanders_near):
            self._hold_start = None
            if self._multi_since is None:
                self._multi_since = t
            if arriving or (t - self._multi_since < s.face_lost_grace_s
                            and self._display.status != "multiple_faces"):
                return self._keep(t)
            return self._emit(CoachState("multiple_faces",
                                         self.catalogue.state("multiple_faces"), t=t))
        self._multi_since = None

        fm = self.filter(metrics, t)
        # Blink and the yes/no flags are never smoothed (the filter leaves them alone).
        if not self.calibrator.done:
            self.calibrator.update(metrics, t)
            if not self.calibrator.done:
                if arriving:
                    return self._keep(t)
                return self._calibrating(fm, t)
        baseline = self.calibrator.baseline
        if arriving:
            shown = self._display
            self._coach(fm, baseline, t)  # judge (faults start counting), show nothing yet
            self._hold_start = None
            self._prompt = None
            self._display = shown
            return self._keep(t)
        return self._coach(fm, baseline, t)

    # -- internals -----------------------------------------------------------------------
    def _absent(self, metrics: Metrics, t: float) -> CoachState:
        """No face measured. Someone may be there all the same (a body, a dark room):
        then say what helps, and keep the sitter's calibration; only nobody for
        ``new_sitter_s`` is a new sitter."""
        s = self.settings
        self._present_since = self._multi_since = self._hold_start = None
        if self._absent_since is None:
            self._absent_since = t
        if metrics.presence is None:
            self._seen_empty = True
            if self._nobody_since is None:
                self._nobody_since = t
            if t - self._nobody_since >= s.new_sitter_s:
                self._new_sitter()
        else:
            self._nobody_since = None
        if t - self._absent_since < s.face_lost_grace_s and self._display.status != "no_face":
            return self._keep(t)
        shown = self._display.prompt
        if metrics.presence is not None:
            key = f"presence.{metrics.presence}"
            if shown is None or shown.key != key:
                if (shown is not None and shown.metric == "presence"
                        and t - self._prompt_since < s.min_display_s):
                    key = shown.key  # no flicker between two hints
                else:
                    self._prompt_since = t
            prompt = Prompt(key, self.catalogue.prompt(key, 1.0), "presence", None, 1.0)
            return self._emit(CoachState("no_face", prompt.text, prompt, t=t))
        if (shown is not None and shown.metric == "presence"
                and t - self._prompt_since < s.min_display_s):
            return self._keep(t)  # a hint stays up to be read, then "Step in front"
        return self._emit(CoachState("no_face", self.catalogue.state("no_face"), t=t))

    def _calibrating(self, fm: Metrics, t: float) -> CoachState:
        """Calibration waits for a steady face; one turned far away is told to face the
        camera (kept up ``min_display_s`` and until clearly better: no flicker)."""
        turned = judge(self.preset, "yaw_deg", fm)
        prompt = self._display.prompt if self._display.status == "calibrating" else None
        if self._long_closure(fm, t):  # said at once, calibrating or not
            closed = Judgement("eyes_open", known=True, inside=False, within_margin=False,
                               size=1.0, key="eyes_open.closed", urgent=True)
            prompt, self._prompt_since = make_prompt(self.catalogue, closed), t
        elif prompt is not None and prompt.key == "eyes_open.closed":
            prompt = None  # open again
        if turned.key == "yaw_deg.face":
            if prompt is None:
                self._prompt_since = t
            prompt = make_prompt(self.catalogue, turned)
        elif prompt is not None and t - self._prompt_since >= self.settings.min_display_s:
            off = turned.size * self.preset.tolerance("yaw_deg")
            if turned.known and off < FAR_YAW_DEG - 5.0:
                prompt = None
        text = prompt.text if prompt else self.catalogue.state("calibrating")
        return self._emit(CoachState("calibrating", text, prompt, t=t, metrics=fm,
                                     calibration_progress=self.calibrator.progress()))

    def _new_sitter(self) -> None:
        self.calibrator.reset()
        self.filter.reset()
        self._good: dict[str, bool] = {}
        self._fault_since: dict[str, float] = {}
        self._bool_bad_since: dict[str, float] = {}
        self._sides: dict[str, str] = {}
        self._prompt: Prompt | None = None
        self._prompt_since = 0.0
        self._hold_start: float | None = None
        self._shut_since: float | None = None
        self._now = 0.0
        self._mouth = MouthMotion()
        self._height = HeightRequest()

    def _keep(self, t: float) -> CoachState:
        """Grace period: the sitter sees no change, but nothing may fire."""
        prev = self._display
        state = CoachState(prev.status, prev.message, prev.prompt, prev.readiness,
                           dict(prev.in_range), 0.0, t, prev.metrics, prev.baseline,
                           prev.calibration_progress, prev.centre_distance, dict(prev.faults))
        return self._emit(state)

    def _emit(self, state: CoachState) -> CoachState:
        state.mark_captured = self.mark_captured
        self._display = state
        return state

    def _coach(self, fm: Metrics, baseline: Baseline | None, t: float) -> CoachState:
        """Judge every gate with hysteresis and persistence; the state to show."""
        self._now = t
        judgements = self._judge_all(fm, baseline)
        self._height.update(self.preset, judgements.get("eye_line"),
                            self._prompt.key if self._prompt else None, fm, t)
        if "eye_line" in judgements:
            judgements["eye_line"] = self._height.apply(judgements["eye_line"])
        in_range, readiness, all_good = self._tally(judgements, t)
        if self._mouth.update(t, fm.mouth_open):
            all_good = False  # talking: no hold until the face settles (coaching.settling)
        faults = {g: round(j.size, 3) for g, j in judgements.items()
                  if j.known and not in_range.get(g, True)}
        offsets = [j.centre_offset for j in judgements.values() if j.centre_offset is not None]
        centre = sum(offsets) / len(offsets) if offsets else None
        common = dict(t=t, metrics=fm, baseline=baseline, in_range=in_range,
                      centre_distance=centre, faults=faults,
                      camera_move_cm=self._height.camera_move_cm)
        if self._captured_at is not None and t - self._captured_at < self.settings.captured_show_s:
            self._hold_start = None
            return self._emit(CoachState("captured", self.catalogue.state("captured"),
                                         readiness=round(readiness, 3), **common))
        self._captured_at = None
        if all_good:
            if self._hold_start is None:
                self._hold_start = t
            self._prompt = None
            progress = min(1.0, (t - self._hold_start) / self.preset.hold_s)
            return self._emit(CoachState("hold", self.catalogue.state("hold"), readiness=1.0,
                                         hold_progress=progress, **common))
        self._hold_start = None
        prompt = self._choose_prompt(judgements, in_range, t)
        message = prompt.text if prompt else self.catalogue.state("adjusting")
        return self._emit(CoachState("adjusting", message, prompt,
                                     readiness=round(min(readiness, 0.99), 3), **common))

    def _judge_all(self, fm: Metrics, baseline: Baseline | None) -> dict[str, Judgement]:
        """Judge every gate; remember which side each turn was last corrected toward, so
        an "either side" turn keeps its side."""
        judgements: dict[str, Judgement] = {}
        for gate in self._gates:
            # fm.blink / eyes_closed are the raw values: the filter never touches them.
            j = judge(self.preset, gate, fm, baseline, self.settings.hysteresis,
                      self._sides.get(gate))
            judgements[gate] = j
            if j.key and j.direction in ("left", "right") and gate in _SIDED_GATES:
                self._sides[gate] = j.direction
        if fm.exposure is not None:
            judgements["light"] = judge_light(fm.exposure, self._good.get("light", True))
        eyes = judgements.get("eyes_open")
        if eyes is not None and self._long_closure(fm, self._now):
            judgements["eyes_open"] = replace(eyes, key="eyes_open.closed", urgent=True,
                                              size=max(eyes.size, 1.0))
        return judgements

    def _long_closure(self, fm: Metrics, t: float) -> bool:
        """Eyes shut for ``LONG_EYE_CLOSURE_S`` or more (no blink lasts that long)."""
        shut = bool(fm.eyes_closed) or (fm.blink is not None
                                        and fm.blink >= self.preset.eyes.max_blink)
        if not shut or not self.preset.eyes.required:
            self._shut_since = None
            return False
        if self._shut_since is None:
            self._shut_since = t
        return t - self._shut_since >= LONG_EYE_CLOSURE_S

    def _tally(self, judgements: dict[str, Judgement], t: float
               ) -> tuple[dict[str, bool], float, bool]:
        """Apply hysteresis and start or stop each fault's clock: ``(in_range,
        readiness, all_good)``. An unknown gate counts only when the preset waits for it."""
        in_range: dict[str, bool] = {}
        counted = 0
        readiness = 0.0
        all_good = True
        for gate, j in judgements.items():
            if not j.known:
                self._good.pop(gate, None)
                self._fault_since.pop(gate, None)
                if j.wait_when_unknown:
                    all_good = False
                    counted += 1
                continue
            good = self._hysteresis(gate, j, t)
            in_range[gate] = good
            counted += 1
            readiness += 1.0 if good else j.closeness
            if good:
                self._fault_since.pop(gate, None)
            else:
                all_good = False
                self._fault_since.setdefault(gate, t)
        return in_range, (readiness / counted if counted else 1.0), all_good

    def _hysteresis(self, gate: str, j: Judgement, t: float) -> bool:
        prev = self._good.get(gate)
        if gate in ("looking_at_camera", "mouth_closed", "teeth_visible"):
            if j.inside:
                self._bool_bad_since.pop(gate, None)
                good = True
            else:
                since = self._bool_bad_since.setdefault(gate, t)
                good = bool(prev) and t - since < BOOL_DEBOUNCE_S
        elif prev:
            good = j.within_margin
        else:
            good = j.inside
        self._good[gate] = good
        return good

    def _choose_prompt(self, judgements: dict[str, Judgement], in_range: dict[str, bool],
                       t: float) -> Prompt | None:
        s = self.settings
        current = [j for g, j in judgements.items() if not in_range.get(g, True)]
        ready = [j for j in current if j.key is not None
                 and (j.urgent or t - self._fault_since.get(j.gate, t) >= s.persist_s)]
        best = best_fault(self.preset, ready, current)
        shown = self._prompt
        if shown is not None and t - self._prompt_since < s.min_display_s:
            # A prompt stays up to be read, unless what it asks no longer comes first:
            # something urgent came up, or it now waits for another fault.
            now = judgements.get(shown.metric)
            stale = (now is None or blocked(now, current)
                     or (best is not None and best.urgent and best.key != shown.key)
                     or (shown.key == "eyes_open.closed" and now.key != shown.key))
            if not stale:
                return shown
        if best is None:
            self._prompt = None
            return None
        fresh = make_prompt(self.catalogue, best)
        if shown is not None and (shown.key, shown.direction) == (fresh.key, fresh.direction):
            return shown  # same fault, same words: nothing changes on screen
        self._prompt = fresh
        self._prompt_since = t
        return self._prompt
