"""Light and image quality in the live loop: measured at a low rate, held against the
preset's ``quality:`` rules, and allowed to hold the shutter.

The pose coach decides what the sitter should change; this gate only speaks once the
pose is right (the coach says ``hold``): then a failing check the sitter can fix becomes
their prompt ("Tilt your chin down a touch to lose the glare on your glasses"), and one
they cannot fix (the light, the background, the camera) shows them a calm "One moment,
please" while the operator overlay and the log name the cause. ``gate: soft`` lets the
shutter through after ``soft_wait_s`` of failing (the sidecar records it); ``off``
reports only. Measuring costs a few milliseconds for the face and ~10 ms for the
background (the segmenter), so it runs every ``interval_s``, not every frame.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from coaching.judging import Prompt
from coaching.lens import lens_advice
from coaching.messages import Catalogue
from coaching.metrics import Metrics
from coaching.observations import FaceObservation
from coaching.quality import (
    Check,
    QualityValues,
    advice,
    check_quality,
    failing,
    measure_quality,
    scene_of,
)
from coaching.quality_rules import QualityRules
from coaching.segmentation import PersonSegmenter, segmenter_if_present

__all__ = ["QualityGate", "QualityVerdict", "operator_text"]

log = logging.getLogger(__name__)

_WARNED_NO_SEGMENTER = False
#: How far back the sitter's own sharpest frame is remembered (steadiness), s.
STEADY_WINDOW_S = 4.0

#: What the operator reads for a failed check they must fix (English: operator overlay).
_OPERATOR = {
    "exposure_low": "face too dark: more light on the face, or raise exposure",
    "exposure_high": "face too bright: less light, or lower exposure",
    "clipped": "highlights blown on the face: lower the light or the exposure",
    "light_balance": "light uneven left/right: move or add a light on the dark side",
    "light_top_bottom": "light uneven top/bottom: adjust the key light's height",
    "hard_shadow": "hard shadows on the face: soften the light or add fill",
    "hot_spots": "shiny hot spots on the face: diffuse the light (or powder)",
    "colour_cast": "colour cast on the skin: set the white balance",
    "noise": "noisy image: more light, lower ISO/gain",
    "sharpness": "face not sharp: check the focus",
    "red_eye": "red-eye: move the flash away from the lens",
    "background_brightness": "background too dark: light the backdrop",
    "background_uniformity": "background uneven: a plain, evenly lit backdrop",
    "background_clutter": "objects or pattern in the background: clear it",
    "background_colour": "background too colourful: plain white, grey or light blue",
    "wardrobe_contrast": "the sitter's top merges with the background",
    "wardrobe_pattern": "the sitter's top has a fine pattern (moire risk)",
}


def operator_text(check: Check) -> str:
    """One line for the operator: the cause, the measured value and its limit."""
    if check.name == "camera_distance" and isinstance(check.value, float):
        return lens_advice(check.value, None)[0]
    if check.name == "lens_width" and isinstance(check.value, float):
        return lens_advice(None, check.value)[0]
    value = check.value if not isinstance(check.value, float) else round(check.value, 3)
    what = _OPERATOR.get(check.name, check.name.replace("_", " "))
    return f"{what} ({check.name} {value}, limit {check.limit})"


@dataclass(frozen=True)
class QualityVerdict:
    """The newest quality judgement of the live frames."""

    checks: list[Check] = field(default_factory=list)
    values: QualityValues | None = None
    holding: bool = False  # the shutter is held for quality
    released: bool = False  # soft gate: failing, but let through after soft_wait_s
    sitter: Check | None = None  # the failing check the sitter can fix, first one
    operator_checks: list[Check] = field(default_factory=list)  # failing, operator's to fix
    advice_checks: list[Check] = field(default_factory=list)  # set-up advice, never holds
    t: float = 0.0

    @property
    def operator(self) -> list[str]:
        """Lines for the operator overlay and the log, one per failing operator check."""
        return [operator_text(c) for c in self.operator_checks]

    @property
    def setup_advice(self) -> list[str]:
        """Lines for the operator about the set-up (camera distance, lens, the sitter's top)."""
        return [operator_text(c) for c in self.advice_checks]

    def report(self, gate: str) -> dict[str, Any]:
        """The sidecar's ``quality`` record: every check, value, limit, pass/fail."""
        return {"gate": gate, "released_after_wait": self.released, "measured_at_s":
                round(self.t, 3), "checks": [c.as_dict() for c in self.checks],
                "values": None if self.values is None else self.values.as_dict()}


class QualityGate:
    """Per-sitter state of the live quality checks (one per coaching step)."""

    def __init__(self, rules: QualityRules, interval_s: float = 0.5,
                 segmenter: PersonSegmenter | None = None,
                 hfov_deg: float | None = None) -> None:
        self.rules = rules
        self.hfov_deg = hfov_deg
        self.interval_s = interval_s
        self._segmenter = segmenter
        self._own_segmenter = False
        self._verdict = QualityVerdict()
        self._last_t: float | None = None
        self._failing_since: float | None = None
        self._sharpness: deque[tuple[float, float]] = deque()

    @property
    def verdict(self) -> QualityVerdict:
        return self._verdict

    def set_rules(self, rules: QualityRules) -> None:
        self.rules = rules
        self.reset()

    def reset(self) -> None:
        self._verdict = QualityVerdict()
        self._last_t = None
        self._failing_since = None
        self._sharpness.clear()

    def update(self, t: float, rgb: np.ndarray, face: FaceObservation | None,
               metrics: Metrics) -> QualityVerdict:
        """Measure again if ``interval_s`` has passed (else keep the last verdict). Even
        with ``gate: off`` it measures: the sidecar and the overlay show the values."""
        if self._last_t is not None and t - self._last_t < self.interval_s:
            return self._timed(t)
        self._last_t = t
        background = wardrobe = None
        seg = self._segmenter_for_rules()
        if seg is not None:
            try:
                background, wardrobe = scene_of(seg, rgb, face)
            except Exception:  # noqa: BLE001 - a failing optional model must not stop coaching
                log.warning("background check failed; going on without it", exc_info=True)
                self._close_segmenter()
        values = replace(measure_quality(rgb, face, metrics, background, self.hfov_deg),
                         steadiness=self._steadiness(t, metrics.sharpness),
                         wardrobe=wardrobe if self.rules.wardrobe else None)
        checks = check_quality(self.rules, values)
        bad = failing(checks)
        if bad and self._failing_since is None:
            self._failing_since = t
        if not bad:
            self._failing_since = None
        sitter = next((c for c in bad if c.fixer == "sitter"), None)
        ops = [c for c in bad if c.fixer == "operator"]
        self._verdict = QualityVerdict(checks, values, bool(bad), False, sitter, ops,
                                       advice(checks), t)
        return self._timed(t)

    def apply(self, state: Any, catalogue: Catalogue) -> Any:
        """The coach's state with the quality hold applied (a :class:`CoachState`)."""
        v = self._verdict
        if getattr(state, "status", None) == "calibrating":
            # before the coaching proper: a gentle word about the top, if it will not work
            tip = next((c for c in v.advice_checks if c.fixer == "sitter"), None)
            if tip is not None:
                return replace(state, message=catalogue.prompt(tip.message, 1.0))
        if not v.holding or v.released or self.rules.gate == "off":
            return state
        if getattr(state, "status", None) != "hold":
            return state  # the pose comes first; the light waits its turn
        if v.sitter is not None:
            prompt = Prompt(v.sitter.message, catalogue.prompt(v.sitter.message, 1.0),
                            v.sitter.message, None)
            message = prompt.text
        else:
            prompt, message = None, catalogue.state("quality_wait")
        return replace(state, status="adjusting", prompt=prompt, message=message,
                       hold_progress=0.0, readiness=min(state.readiness, 0.9))

    def close(self) -> None:
        self._close_segmenter()

    # -- pieces ----------------------------------------------------------------------
    def _timed(self, t: float) -> QualityVerdict:
        v = self._verdict
        if (v.holding and self.rules.gate == "soft" and self._failing_since is not None
                and t - self._failing_since >= self.rules.soft_wait_s and not v.released):
            self._verdict = replace(v, released=True)
        return self._verdict

    def _steadiness(self, t: float, sharpness: float | None) -> float | None:
        """Sharpness against the sitter's sharpest measurement of the last
        :data:`STEADY_WINDOW_S`: the same face, camera and light, so a drop is movement
        (or focus), whatever the face's own texture."""
        while self._sharpness and t - self._sharpness[0][0] > STEADY_WINDOW_S:
            self._sharpness.popleft()
        if sharpness is None:
            return None
        self._sharpness.append((t, sharpness))
        if len(self._sharpness) < 3:
            return None  # not enough history to call anything a drop
        best = max(v for _, v in self._sharpness)
        return sharpness / best if best > 0 else None

    def _segmenter_for_rules(self) -> PersonSegmenter | None:
        if not self.rules.needs_background:
            return None
        if self._segmenter is None:
            try:
                self._segmenter = segmenter_if_present()
            except Exception:  # noqa: BLE001 - optional model: report, go on
                log.warning("selfie segmenter could not start; background not checked",
                            exc_info=True)
                self._segmenter = None
            self._own_segmenter = self._segmenter is not None
            if self._segmenter is None:
                global _WARNED_NO_SEGMENTER
                if not _WARNED_NO_SEGMENTER:  # once per run (the log file; 'doctor' and
                    _WARNED_NO_SEGMENTER = True  # 'models' tell the operator what is missing)
                    log.info("background and wardrobe not checked: the selfie segmenter "
                                "model is not installed (headshot-kiosk models fetch)")
                # without the mask these checks are "not measured", never retried per frame
                self.rules = self.rules.model_copy(update={"background": None,
                                                           "wardrobe": False})
        return self._segmenter

    def _close_segmenter(self) -> None:
        seg, self._segmenter = self._segmenter, None
        if seg is not None and self._own_segmenter:
            seg.close()
