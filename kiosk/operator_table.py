"""What the operator overlay shows: the metric table and the booth's vital signs.

Plain data (:class:`~kiosk.screens.OperatorRow`, :class:`~kiosk.screens.OperatorView`)
built from the booth's newest coaching result; drawing is kiosk/screens/operator.py.
"""

from __future__ import annotations

import math
from typing import Any

from camera.base import CameraSource
from kiosk.booth import Booth
from kiosk.operator import Mode, OperatorPanel
from kiosk.screens import OperatorRow, OperatorView
from kiosk.states import StateMachine

#: Metrics shown in the operator table that no preset judges (quality, raw signals).
EXTRA_ROWS = ("faces", "bystanders", "blink", "eye_open_left", "eye_open_right", "gaze_x",
              "sharpness", "exposure", "eye_distance_px")
SIDES = {"either": " (either side)", "left": " (left)", "right": " (right)"}

_LABELS = {
    "yaw_deg": "Head turn (°)", "pitch_deg": "Chin (°)", "roll_deg": "Head tilt (°)",
    "shoulder_turn_deg": "Shoulder turn (°)", "shoulder_tilt_deg": "Shoulder tilt (°)",
    "smile": "Smile", "head_height": "Head height", "eye_line": "Eye line",
    "face_center_x": "Centring", "eyes_open": "Eyes open", "looking_at_camera": "Into the lens",
    "mouth_closed": "Mouth closed", "teeth_visible": "Teeth", "faces": "Faces",
    "bystanders": "Faces behind (ignored)",
    "blink": "Blink", "eye_open_left": "Eye open L", "eye_open_right": "Eye open R",
    "gaze_x": "Gaze x", "sharpness": "Sharpness", "exposure": "Exposure",
    "eye_distance_px": "Eye distance (px)",
}


def operator_rows(booth: Booth) -> list[OperatorRow]:
    """The preset's ranges with live values, then its gates, then unjudged signals."""
    preset = booth.current_preset()
    res = booth.last_result
    metrics = res.metrics if res is not None else None
    state = res.state if res is not None else None
    in_range = dict(getattr(state, "in_range", {}) or {})
    baseline = getattr(state, "baseline", None)
    rows: list[OperatorRow] = []
    for name, rng in preset.ranges.items():
        lo = "…" if rng.min is None else f"{rng.min:g}"
        hi = "…" if rng.max is None else f"{rng.max:g}"
        value = getattr(metrics, name, None)
        label = label_of(name)
        if name == "smile":  # judged above the sitter's own neutral face
            label = "Smile (above neutral)"
            if value is not None and baseline is not None:
                value = value - baseline.smile
        rows.append(OperatorRow(name, label, f"{lo} – {hi}{SIDES.get(rng.side or '', '')}",
                                fmt(value), in_range.get(name), adjustable=True))
    gates = {
        "eyes_open": (_negate(getattr(metrics, "eyes_closed", None)), True),
        "looking_at_camera": (getattr(metrics, "looking_at_camera", None), True),
        "mouth_closed": (_negate(getattr(metrics, "mouth_open", None)), preset.mouth_closed),
        "teeth_visible": (getattr(metrics, "teeth_visible", None), preset.teeth_visible),
    }
    for gate, (value, target) in gates.items():
        if gate in in_range:
            rows.append(OperatorRow(gate, label_of(gate), fmt(target), fmt(value),
                                    in_range.get(gate)))
    rows += quality_rows(res)
    judged = {name for name, _ in preset.ranges.items()}
    for name in EXTRA_ROWS:
        if name not in judged:
            rows.append(OperatorRow(name, label_of(name), "",
                                    fmt(getattr(metrics, name, None)), None))
    return rows


def quality_rows(res: Any) -> list[OperatorRow]:
    """The light/quality checks that fail now (all passing: one "Light & quality" row)."""
    verdict = getattr(res, "quality", None)
    if verdict is None or not verdict.checks:
        return []
    bad = [c for c in verdict.checks if c.passed is False]
    if not bad:
        return [OperatorRow("quality", "Light & quality", f"{len(verdict.checks)} checks",
                            "all pass", True)]
    return [OperatorRow(f"quality.{c.name}", f"Q: {c.name.replace('_', ' ')}", c.limit,
                        fmt(c.value), False) for c in bad]


def _latency(p50: float, p95: float) -> str:
    if not (math.isfinite(p50) and math.isfinite(p95)):
        return "latency -"
    return f"latency p50 {p50:.0f} ms p95 {p95:.0f} ms"


def stats_lines(booth: Booth, machine: StateMachine, screen_fps: float,
                problems: list[str]) -> list[str]:
    """Screen and coach rates, camera state, photos saved, folder, plugin trouble."""
    stats: list[str] = [f"screen {screen_fps:.1f} fps"]
    p = booth.pipeline
    if p is not None:
        try:
            s = p.stats()
            if s.error:  # nothing measured: no rates of nothing ("latency p50 nan ms")
                stats.append("coach not running")
            else:
                stats += [f"coach {s.fps:.1f} fps", _latency(s.latency_p50_ms,
                                                             s.latency_p95_ms),
                          f"pose {s.pose_hz:.1f} Hz", f"dropped {s.dropped}"]
            if s.error:
                stats.append(f"coach error: {s.error}")
        except Exception:  # noqa: BLE001 - the overlay shows what it can
            stats.append("coach stats unavailable")
    else:
        stats.append("coach not started")
    src = booth.camera.source
    cam_state = getattr(getattr(src, "state", None), "value", "none")
    stats.append(f"camera {getattr(src, 'name', '-')}: {cam_state}")
    stills = stills_health(src)
    if stills is not None:
        stats.append(f"stills {stills}")
    verdict = getattr(booth.last_result, "quality", None)
    if verdict is not None and verdict.holding and not verdict.released:
        # what holds the shutter, in words the operator can act on
        stats += [f"shutter held: {line}" for line in verdict.operator[:2]]
        if verdict.sitter is not None:
            stats.append(f"shutter held: sitter asked ({verdict.sitter.name})")
    if verdict is not None:
        stats += [f"set-up: {line}" for line in verdict.setup_advice]
    move = getattr(getattr(booth.last_result, "state", None), "camera_move_cm", None)
    if move:  # the sitter cannot reach the eye line (seated, a child): move the camera
        stats.append(f"{'raise' if move > 0 else 'lower'} the camera about {abs(move):.0f} cm")
    stats.append(f"saved {booth.captures_saved}")
    folder = booth.session.folder if booth.session is not None else None
    if folder is not None or machine.ctx.location:
        stats.append(f"folder: {folder or machine.ctx.location}")
    return stats + problems


def operator_view(panel: OperatorPanel, booth: Booth, machine: StateMachine,
                  stats: list[str], voice_on: bool = False) -> OperatorView:
    rows = tuple(operator_rows(booth)) if panel.mode is Mode.OPEN else ()
    adjusted = " (adjusted)" if booth.presets.is_adjusted else ""
    return OperatorView(mode=panel.mode.value, entered=len(panel.entered),
                        message=panel.message, rows=rows, row=panel.row, stats=tuple(stats),
                        preset=f"{booth.current_preset().title}{adjusted}",
                        auto_paused=booth.auto_paused, state=machine.state.value,
                        voice_on=voice_on)


def stills_health(src: CameraSource | None) -> str | None:
    """A hybrid's DSLR side as "STATE" or "STATE (why)"; None for single-camera sources.

    The hybrid stays LIVE while only its DSLR reconnects (coaching goes on, a still falls
    back to the best preview frame), so the operator needs this to see the DSLR's trouble.
    """
    state = getattr(src, "stills_state", None)
    if state is None:
        return None
    err = getattr(src, "stills_error", None)
    return f"{state.value} ({err})" if err is not None else str(state.value)


def label_of(name: str) -> str:
    return _LABELS.get(name, name)


def fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"
    return str(v)


def _negate(v: bool | None) -> bool | None:
    return None if v is None else not v
