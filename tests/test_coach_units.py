"""The coach on synthetic metric sequences: hysteresis, persistence, prompt choice and
wording, states, calibration, filtering. Times are in seconds at 30 frames a second."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from coaching.calibration import Calibrator
from coaching.coach import Coach, evaluate
from coaching.filters import MetricsFilter, OneEuroFilter
from coaching.messages import load_catalogue
from coaching.metrics import Metrics
from coaching.presets import Preset
from coaching.settings import CoachSettings

FPS = 30.0


def preset(**over) -> Preset:
    data = {
        "name": "test", "title": "Test", "description": "for tests",
        "ranges": {
            "head_height": {"min": 0.45, "max": 0.55},
            "face_center_x": {"min": -0.05, "max": 0.05},
            "yaw_deg": {"min": -5, "max": 5},
            "pitch_deg": {"min": -4, "max": 2},
            "roll_deg": {"max": 4, "side": "either"},
            "smile": {"min": 0.3, "max": 0.7},
        },
        "hold_s": 0.5, "shots": 2, "cooldown_s": 1.0,
    }
    data.update(over)
    return Preset.model_validate(data)


GOOD = Metrics(faces=1, yaw_deg=0.0, pitch_deg=-1.0, roll_deg=0.0, smile=0.5, smiling=True,
               eye_open_left=0.9, eye_open_right=0.9, blink=0.05, eyes_closed=False,
               looking_at_camera=True, head_height=0.5, eye_line=0.35, face_center_x=0.0,
               sharpness=100.0, mouth_open=False, teeth_visible=False)

NO_CAL = CoachSettings(calibration_s=0)


def run(coach: Coach, seq, t0: float = 0.0):
    """Feed (metrics per frame) and return the states; seq yields Metrics given t."""
    states = []
    for i, m in enumerate(seq):
        states.append(coach.update(m, t0 + i / FPS))
    return states


def frames(seconds: float, make) -> list[Metrics]:
    return [make(i / FPS) for i in range(int(round(seconds * FPS)))]


def changes(values) -> int:
    return sum(1 for a, b in zip(values, values[1:], strict=False) if a != b)


# ---------------------------------------------------------------- hysteresis / flicker
def test_metric_wavering_at_the_range_edge_does_not_flicker() -> None:
    coach = Coach(preset(), NO_CAL)
    # Pitch sits right on its upper bound (2 deg) and wavers +-1 deg (a third of a step).
    seq = frames(10, lambda t: replace(GOOD, pitch_deg=2.0 + math.sin(t * 7.0)))
    states = run(coach, seq)
    in_range = [s.in_range.get("pitch_deg") for s in states]
    prompts = [s.prompt.key if s.prompt else None for s in states]
    statuses = [s.status for s in states]
    assert changes(in_range) <= 1
    assert changes(prompts) <= 1
    assert changes(statuses) <= 1
    assert in_range[-1] is True and statuses[-1] == "hold"


def test_bad_again_only_past_the_margin() -> None:
    coach = Coach(preset(), NO_CAL)
    run(coach, frames(1, lambda t: GOOD))
    # 1.2 deg past the max (margin = 0.5 x 3 deg = 1.5): still good.
    s = run(coach, frames(2, lambda t: replace(GOOD, pitch_deg=3.2)), 1.0)[-1]
    assert s.in_range["pitch_deg"] is True
    # 2.5 deg past: bad.
    s = run(coach, frames(2, lambda t: replace(GOOD, pitch_deg=4.5)), 3.0)[-1]
    assert s.in_range["pitch_deg"] is False
    # Back just inside the margin but outside the range: still bad (becomes good only inside).
    s = run(coach, frames(2, lambda t: replace(GOOD, pitch_deg=3.0)), 5.0)[-1]
    assert s.in_range["pitch_deg"] is False
    s = run(coach, frames(2, lambda t: replace(GOOD, pitch_deg=1.0)), 7.0)[-1]
    assert s.in_range["pitch_deg"] is True


# ---------------------------------------------------------------- persistence and display
def test_fault_is_prompted_only_after_it_persists() -> None:
    coach = Coach(preset(), NO_CAL)
    run(coach, frames(1, lambda t: GOOD))
    states = run(coach, frames(3, lambda t: replace(GOOD, pitch_deg=12.0)), 1.0)
    first = next(i for i, s in enumerate(states) if s.prompt is not None)
    assert 0.8 <= first / FPS <= 1.0
    assert states[first].prompt.key == "pitch_deg.down"
    assert states[first].prompt.text == "Lower your chin"
    assert all(s.status == "adjusting" for s in states[5:])


def test_short_fault_is_never_prompted() -> None:
    coach = Coach(preset(), NO_CAL)
    run(coach, frames(1, lambda t: GOOD))
    states = run(coach, frames(0.5, lambda t: replace(GOOD, yaw_deg=20.0)), 1.0)
    states += run(coach, frames(2, lambda t: GOOD), 1.5)
    assert all(s.prompt is None for s in states)
    assert states[-1].status == "hold"


def test_prompt_stays_up_long_enough_to_read() -> None:
    coach = Coach(preset(), NO_CAL)
    # Chin up persists -> prompt; fixed 0.3 s after the prompt appears; a new fault
    # (smile) follows at once: the chin prompt must stay ~2 s before the smile shows.
    states = run(coach, frames(1.1, lambda t: replace(GOOD, pitch_deg=12.0)))
    shown_at = next(i for i, s in enumerate(states) if s.prompt is not None) / FPS
    later = run(coach, frames(4, lambda t: replace(GOOD, smile=0.0)), 1.1)
    keys = [(1.1 + i / FPS, s.prompt.key if s.prompt else None) for i, s in enumerate(later)]
    chin_until = max(t for t, k in keys if k == "pitch_deg.down")
    assert chin_until - shown_at >= 1.95
    assert keys[-1][1] == "smile.up"
    assert changes([k for _, k in keys]) == 1


def test_readiness_and_hold_progress() -> None:
    coach = Coach(preset(), NO_CAL)
    s = run(coach, frames(1, lambda t: replace(GOOD, head_height=0.3, smile=0.1)))[-1]
    assert 0.3 < s.readiness < 0.95 and s.hold_progress == 0
    assert s.in_range["head_height"] is False and s.in_range["yaw_deg"] is True
    states = run(coach, frames(1, lambda t: GOOD), 1.0)
    holds = [s for s in states if s.status == "hold"]
    assert holds and holds[0].readiness == 1.0
    assert holds[-1].hold_progress == 1.0
    assert any(0.3 < s.hold_progress < 0.7 for s in holds)
    assert holds[0].message == "Perfect — hold still"


# ---------------------------------------------------------------- choice and wording
def test_order_first_then_size() -> None:
    coach = Coach(preset(), NO_CAL)
    # Framing (head too small) beats expression, though the smile fault is bigger.
    s = run(coach, frames(1.5, lambda t: replace(GOOD, head_height=0.39, smile=0.0)))[-1]
    assert s.prompt.metric == "head_height" and s.prompt.direction == "closer"
    assert s.prompt.text == "Step a little closer"
    # A minor fault (under half a step) waits behind a big one later in the order.
    coach = Coach(preset(), NO_CAL)
    s = run(coach, frames(1.5, lambda t: replace(GOOD, head_height=0.44, smile=0.0)))[-1]
    assert s.prompt.metric == "smile"
    # Within framing: distance first, even when the eye line is further off.
    p = preset(ranges={"head_height": {"min": 0.45, "max": 0.55},
                       "eye_line": {"min": 0.30, "max": 0.33, "tolerance": 0.03}})
    coach = Coach(p, NO_CAL)
    s = run(coach, frames(1.5, lambda t: replace(GOOD, head_height=0.7, eye_line=0.55)))[-1]
    assert s.prompt.metric == "head_height" and s.prompt.direction == "back"
    # A preset with its own order coaches the smile first.
    coach = Coach(preset(order=["expression", "framing"]), NO_CAL)
    s = run(coach, frames(1.5, lambda t: replace(GOOD, head_height=0.40, smile=0.0)))[-1]
    assert s.prompt.metric == "smile"


@pytest.mark.parametrize("change, key, direction, text", [
    ({"head_height": 0.70}, "head_height.back", "back", "Step back"),
    ({"head_height": 0.38}, "head_height.closer", "closer", "Step a little closer"),
    # Face at image right = the sitter stands too far to their own left: move right.
    ({"face_center_x": 0.12}, "face_center_x.right", "right", "Move a little to your right"),
    ({"face_center_x": -0.07}, "face_center_x.left", "left", "Move slightly to your left"),
    # yaw > 0 = turned to the sitter's left: turn back to the right.
    ({"yaw_deg": 7.0}, "yaw_deg.right", "right", "Turn your head slightly to your right"),
    ({"yaw_deg": -20.0}, "yaw_deg.left", "left", "Turn your head to your left"),
    # Far beyond the range: the sitter is not facing the camera.
    ({"yaw_deg": -40.0}, "yaw_deg.face", "left", "Turn to face the camera"),
    ({"pitch_deg": -8.0}, "pitch_deg.up", "up", "Lift your chin a little"),
    ({"pitch_deg": 4.0}, "pitch_deg.down", "down", "Lower your chin slightly"),
    ({"roll_deg": 10.0}, "roll_deg.straighten", "right", "Straighten your head a little"),
    ({"smile": 0.1}, "smile.up", "up", "A bit more smile"),
    ({"smile": 0.85}, "smile.down", "down", "Relax — a softer smile"),
    ({"looking_at_camera": False}, "looking_at_camera.look", None, "Look into the lens"),
    # Shut for 1.5 s: far beyond a blink.
    ({"blink": 0.9, "eyes_closed": True}, "eyes_open.closed", None, "Open your eyes"),
])
def test_prompt_words_and_directions(change, key, direction, text) -> None:
    coach = Coach(preset(), NO_CAL)
    s = run(coach, frames(1.5, lambda t: replace(GOOD, **change)))[-1]
    assert s.prompt is not None, s
    assert (s.prompt.key, s.prompt.direction, s.prompt.text) == (key, direction, text)


def test_either_side_turn_asks_for_the_side_the_sitter_leans_or_the_preferred_one() -> None:
    p = preset(ranges={"yaw_deg": {"min": 20, "max": 35, "side": "either"}},
               prefer_side="right")
    for yaw, want in [(0.0, "right"), (1.0, "right"), (-8.0, "right"), (8.0, "left")]:
        coach = Coach(p, NO_CAL)
        s = run(coach, frames(1.5, lambda t, y=yaw: replace(GOOD, yaw_deg=y)))[-1]
        assert s.prompt.direction == want, (yaw, s.prompt)
        assert s.prompt.text.startswith("Turn your head")
    # Too far: back toward the lens.
    coach = Coach(p, NO_CAL)
    s = run(coach, frames(1.5, lambda t: replace(GOOD, yaw_deg=-45.0)))[-1]
    assert s.prompt.direction == "left" and s.prompt.text.startswith("Turn your head")
    coach = Coach(p, NO_CAL)  # turned far away: face the camera first
    s = run(coach, frames(1.5, lambda t: replace(GOOD, yaw_deg=-60.0)))[-1]
    assert s.prompt.direction == "left" and s.prompt.text == "Turn to face the camera"


def test_required_side_and_shoulders() -> None:
    p = preset(ranges={"shoulder_turn_deg": {"min": 15, "max": 35, "side": "left"}})
    coach = Coach(p, NO_CAL)
    s = run(coach, frames(1.5, lambda t: replace(GOOD, shoulder_turn_deg=-20.0)))[-1]
    assert s.prompt.key == "shoulder_turn_deg.left"
    assert s.prompt.text == "Turn your shoulders to your left"
    coach = Coach(p, NO_CAL)
    s = run(coach, frames(1.5, lambda t: replace(GOOD, shoulder_turn_deg=50.0)))[-1]
    assert s.prompt.key == "shoulder_turn_deg.straighten"
    # Shoulders unknown (pose could not see them) are ignored by default ...
    coach = Coach(p, NO_CAL)
    s = run(coach, frames(1.5, lambda t: GOOD))[-1]
    assert s.status == "hold" and "shoulder_turn_deg" not in s.in_range
    # ... or block the shutter when the preset says so.
    p = preset(ranges={"shoulder_turn_deg": {"min": 15, "max": 35, "when_unknown": "wait"}})
    coach = Coach(p, NO_CAL)
    s = run(coach, frames(1.5, lambda t: GOOD))[-1]
    assert s.status == "adjusting" and s.prompt is None and s.message == "Nearly there"


def test_mouth_and_teeth_gates() -> None:
    coach = Coach(preset(mouth_closed=True), NO_CAL)
    s = run(coach, frames(1.5, lambda t: replace(GOOD, mouth_open=True)))[-1]
    assert s.prompt.text == "Close your lips gently"
    coach = Coach(preset(teeth_visible=True), NO_CAL)
    s = run(coach, frames(1.5, lambda t: GOOD))[-1]
    assert s.prompt.key == "teeth_visible.show"


def test_gaze_flicker_is_debounced_but_a_blink_is_not() -> None:
    coach = Coach(preset(), NO_CAL)
    run(coach, frames(1, lambda t: GOOD))
    # One frame of "not looking" every 10 frames: the hold is not broken.
    seq = frames(2, lambda t: replace(GOOD, looking_at_camera=(round(t * FPS) % 10 != 0)))
    states = run(coach, seq, 1.0)
    assert all(s.status == "hold" for s in states)
    # One blink frame breaks the hold at once.
    s = coach.update(replace(GOOD, blink=0.8, eyes_closed=True), 3.1)
    assert s.status == "adjusting" and s.in_range["eyes_open"] is False


# ---------------------------------------------------------------- sitter states
def test_states_no_face_multiple_faces_and_grace() -> None:
    coach = Coach(preset(), NO_CAL)
    s = coach.update(Metrics(faces=0), 0.0)
    assert s.status == "no_face" and s.message == "Step in front of the camera"
    run(coach, frames(1, lambda t: GOOD), 0.1)
    # A single lost frame (or a ghost second face) changes nothing the sitter sees ...
    s = coach.update(Metrics(faces=0), 1.2)
    assert s.status == "hold" and s.hold_progress == 0.0
    s = coach.update(replace(GOOD, faces=2), 1.25)
    assert s.status == "hold" and s.hold_progress == 0.0
    # ... but a second face that stays does.
    states = run(coach, frames(1, lambda t: replace(GOOD, faces=2)), 1.3)
    assert states[-1].status == "multiple_faces"
    assert states[-1].message == "One person at a time, please"
    states = run(coach, frames(1, lambda t: Metrics(faces=0)), 2.3)
    assert states[-1].status == "no_face" and states[-1].readiness == 0


def test_a_face_in_the_first_frame_is_never_told_to_step_in_front() -> None:
    coach = Coach(preset(), NO_CAL)
    states = run(coach, frames(1, lambda t: GOOD))
    assert "no_face" not in {s.status for s in states}
    coach.reset()  # the next session, the next sitter already standing there
    states = run(coach, frames(1, lambda t: GOOD), 5.0)
    assert "no_face" not in {s.status for s in states}
    # Someone walking into an empty scene: the screen waits the grace time.
    run(coach, frames(3, lambda t: Metrics(faces=0)), 6.0)
    states = run(coach, frames(1, lambda t: GOOD), 9.0)
    assert states[0].status == "no_face" and states[-1].status == "hold"
    # ... unless the pose model sees the face's body too: two signals agree.
    run(coach, frames(3, lambda t: Metrics(faces=0)), 10.0)
    states = run(coach, frames(1, lambda t: replace(GOOD, shoulder_tilt_deg=1.0)), 13.0)
    assert states[0].status != "no_face"


def test_a_one_frame_false_face_in_an_empty_scene_changes_nothing() -> None:
    coach = Coach(preset(), NO_CAL)
    run(coach, frames(3, lambda t: Metrics(faces=0)))
    states = run(coach, frames(3, lambda t: GOOD if round(t * FPS) % 30 == 0
                                else Metrics(faces=0)), 3.0)
    assert {s.status for s in states} == {"no_face"}
    states = run(coach, frames(1, lambda t: GOOD), 6.0)
    assert states[5].status == "no_face" and states[-1].status == "hold"


def test_captured_state_after_the_shutter_fires() -> None:
    coach = Coach(preset(), NO_CAL)
    run(coach, frames(1, lambda t: GOOD))
    coach.mark_captured(1.0)
    s = coach.update(GOOD, 1.05)
    assert s.status == "captured" and s.message == "Got it!"
    states = run(coach, frames(2.5, lambda t: GOOD), 1.1)
    assert states[-1].status == "hold"
    assert states[-1].hold_progress == 1.0


# ---------------------------------------------------------------- calibration
def test_smile_is_judged_against_the_sitters_neutral() -> None:
    settings = CoachSettings(calibration_s=1.0)
    coach = Coach(preset(), settings)
    # This sitter's relaxed face reads a smile of 0.2.
    neutral = frames(1.2, lambda t: replace(GOOD, smile=0.2, pitch_deg=-1 + 0.5 * math.sin(t)))
    states = run(coach, neutral)
    assert states[0].status == "calibrating"  # a face in the first frame is there at once
    assert states[12].status == "calibrating"
    assert states[12].message == "Hello! Look into the lens for a moment"
    assert coach.calibrator.baseline is not None
    assert coach.calibrator.baseline.smile == pytest.approx(0.2, abs=0.01)
    # 0.45 absolute = 0.25 above neutral: not yet the 0.3 the preset wants.
    s = run(coach, frames(1.5, lambda t: replace(GOOD, smile=0.45)), 1.2)[-1]
    assert s.in_range["smile"] is False and s.prompt.key == "smile.up"
    s = run(coach, frames(1.5, lambda t: replace(GOOD, smile=0.65)), 2.7)[-1]
    assert s.in_range["smile"] is True


def test_calibration_waits_for_a_steady_head_and_resets_for_a_new_sitter() -> None:
    cal = Calibrator(calibration_s=1.0, steady_deg=4.0, max_s=4.0)
    # Moving head: yaw swings 10 deg every 0.5 s -> no steady window.
    for i in range(45):
        t = i / FPS
        cal.update(replace(GOOD, yaw_deg=10 * math.sin(t * 12), smile=0.1), t)
    assert cal.baseline is None and cal.progress() < 1
    for i in range(45, 90):
        cal.update(replace(GOOD, yaw_deg=2.0, smile=0.1), i / FPS)
    assert cal.baseline is not None and cal.baseline.smile == pytest.approx(0.1)
    # Blink frames do not lower the eye baseline.
    cal = Calibrator(calibration_s=0.5)
    for i in range(20):
        blink = i % 5 == 0
        cal.update(replace(GOOD, eye_open_left=0.1 if blink else 0.8,
                           eye_open_right=0.1 if blink else 0.8, blink=0.9 if blink else 0.05),
                   i / FPS)
    assert cal.baseline.eye_open == pytest.approx(0.8)
    # Arriving with a big smile: the baseline is capped.
    cal = Calibrator(calibration_s=0.5, max_neutral_smile=0.25)
    for i in range(20):
        cal.update(replace(GOOD, smile=0.8), i / FPS)
    assert cal.baseline.smile == 0.25

    coach = Coach(preset(), CoachSettings(calibration_s=0.5, new_sitter_s=2.0))
    run(coach, frames(1, lambda t: GOOD))
    assert coach.calibrator.done
    run(coach, frames(1, lambda t: Metrics(faces=0)), 1.0)
    assert coach.calibrator.done  # a short absence: same sitter
    run(coach, frames(2.5, lambda t: Metrics(faces=0)), 2.0)
    assert not coach.calibrator.done
    assert run(coach, frames(0.5, lambda t: GOOD), 5.0)[-1].status == "calibrating"


def test_eyes_judged_against_own_neutral_opening() -> None:
    coach = Coach(preset(), CoachSettings(calibration_s=0.5))
    run(coach, frames(0.7, lambda t: replace(GOOD, smile=0.1)))
    # Squinting to half the neutral opening (no blink): eyes not open enough.
    s = run(coach, frames(1.5, lambda t: replace(GOOD, eye_open_left=0.45,
                                                 eye_open_right=0.45)), 0.7)[-1]
    assert s.in_range["eyes_open"] is False and s.prompt.key == "eyes_open.open"


# ---------------------------------------------------------------- filters
def test_one_euro_steady_when_still_and_follows_movement() -> None:
    import random

    rnd = random.Random(1)
    f = OneEuroFilter(min_cutoff=1.5, beta=0.5, scale=4.0)
    raw = [10 + rnd.gauss(0, 1.0) for _ in range(120)]
    out = [f(x, i / FPS) for i, x in enumerate(raw)]
    jitter_in = sum(abs(a - b) for a, b in zip(raw[60:], raw[61:], strict=False))
    jitter_out = sum(abs(a - b) for a, b in zip(out[60:], out[61:], strict=False))
    assert jitter_out < 0.4 * jitter_in
    # A 30 deg turn over 0.5 s: the output follows within a couple of degrees soon after.
    f = OneEuroFilter(min_cutoff=1.5, beta=0.5, scale=4.0)
    out = [f(min(30.0, 60.0 * i / FPS), i / FPS) for i in range(30)]
    assert out[20] > 27.0  # 0.17 s after the move ended


def test_metrics_filter_never_smooths_blink_and_restarts_after_unknown() -> None:
    mf = MetricsFilter()
    mf(GOOD, 0.0)
    mf(GOOD, 1 / FPS)
    blink = mf(replace(GOOD, blink=0.95, eyes_closed=True, yaw_deg=20.0), 2 / FPS)
    assert blink.blink == 0.95 and blink.eyes_closed is True
    assert blink.yaw_deg < 20.0  # yaw is smoothed
    mf(replace(GOOD, yaw_deg=None), 3 / FPS)
    back = mf(replace(GOOD, yaw_deg=25.0), 4 / FPS)
    assert back.yaw_deg == 25.0  # not dragged from before the gap


# ---------------------------------------------------------------- evaluate (no time)
def test_evaluate_single_metrics() -> None:
    p = preset()
    ev = evaluate(p, GOOD)
    assert ev.ready and ev.prompt is None and ev.readiness == 1.0
    assert set(ev.in_range) == {"head_height", "face_center_x", "yaw_deg", "pitch_deg",
                                "roll_deg", "smile", "eyes_open", "looking_at_camera"}
    ev = evaluate(p, replace(GOOD, pitch_deg=9.0, smile=0.0))
    assert not ev.ready and ev.in_range["pitch_deg"] is False
    assert ev.prompt.key == "pitch_deg.down" and ev.faults["smile"] == pytest.approx(3.0)
    assert not evaluate(p, Metrics(faces=0)).ready
    assert not evaluate(p, replace(GOOD, faces=2)).ready
    coach = Coach(p)
    assert coach.evaluate(GOOD).ready  # the coach's own, without its calibration


def test_another_language_falls_back_to_english(tmp_path, monkeypatch) -> None:
    import coaching.messages as msgs

    (tmp_path / "en.yaml").write_text((msgs.CATALOGUE_DIR / "en.yaml").read_text("utf-8"),
                                      encoding="utf-8")
    (tmp_path / "xx.yaml").write_text(
        "language: xx\nstates:\n  hold: Ne bougez plus\nprompts:\n  pitch_deg:\n"
        "    down: Baissez le menton {amount}\namounts: {small: un peu, medium: un peu, "
        "large: encore}\n", encoding="utf-8")
    monkeypatch.setattr(msgs, "CATALOGUE_DIR", tmp_path)
    msgs.load_catalogue.cache_clear()
    try:
        cat = msgs.load_catalogue("xx")
        assert cat.state("hold") == "Ne bougez plus"
        assert cat.state("no_face") == "Step in front of the camera"
        assert cat.prompt("pitch_deg.down", 3) == "Baissez le menton encore"
        assert cat.missing() == []
        with pytest.raises(Exception, match="no message catalogue for language 'zz'"):
            msgs.load_catalogue("zz")
    finally:
        msgs.load_catalogue.cache_clear()
    assert load_catalogue("en").missing() == []


def test_next_shot_nudges_take_turns_and_fall_back_to_english(tmp_path, monkeypatch) -> None:
    import coaching.messages as msgs

    en = load_catalogue("en")
    nudges = [en.next_shot(i) for i in (1, 2, 3)]
    assert nudges[0] and nudges[1] and nudges[0] != nudges[1] and nudges[2] == nudges[0]
    (tmp_path / "en.yaml").write_text((msgs.CATALOGUE_DIR / "en.yaml").read_text("utf-8"),
                                      encoding="utf-8")
    (tmp_path / "xx.yaml").write_text("language: xx\nstates: {hold: Ne bougez plus}\n",
                                      encoding="utf-8")
    monkeypatch.setattr(msgs, "CATALOGUE_DIR", tmp_path)
    msgs.load_catalogue.cache_clear()
    try:
        assert msgs.load_catalogue("xx").next_shot(1) == nudges[0]
    finally:
        msgs.load_catalogue.cache_clear()


def test_switching_preset_keeps_the_sitters_calibration() -> None:
    coach = Coach(preset(), CoachSettings(calibration_s=0.5))
    run(coach, frames(1.5, lambda t: replace(GOOD, smile=0.1)))
    baseline = coach.calibrator.baseline
    assert baseline is not None
    coach.set_preset(preset(ranges={"smile": {"max": 0.1}}))
    s = run(coach, frames(1.5, lambda t: replace(GOOD, smile=0.1)), 1.5)[-1]
    assert coach.calibrator.baseline == baseline and s.status == "hold"
    assert set(s.in_range) == {"smile", "eyes_open", "looking_at_camera"}


def test_state_contract_for_the_ui() -> None:
    coach = Coach(preset(), NO_CAL)
    for s in run(coach, frames(3, lambda t: replace(GOOD, yaw_deg=20.0 * (t > 1.0)))):
        assert s.status in ("no_face", "multiple_faces", "calibrating", "adjusting", "hold",
                            "captured")
        assert isinstance(s.message, str) and s.message
        assert 0.0 <= s.readiness <= 1.0 and 0.0 <= s.hold_progress <= 1.0
        assert all(isinstance(v, bool) for v in s.in_range.values())
        if s.prompt is not None:
            assert s.prompt.direction in ("left", "right", "up", "down", "closer", "back", None)
            assert s.message == s.prompt.text and s.prompt.key.startswith(s.prompt.metric)


def test_talking_is_not_a_held_smile_and_the_hold_waits_for_a_settled_face() -> None:
    coach = Coach(preset(), NO_CAL)
    # Speaking: the mouth opens and closes every 0.15 s, the smile reads in range.
    talking = frames(2.0, lambda t: replace(GOOD, mouth_open=int(t / 0.15) % 2 == 1))
    states = run(coach, talking)
    assert all(s.hold_progress < 1.0 for s in states) and states[-1].status != "hold"
    # The words stop, the smile is held: the hold runs and completes.
    states = run(coach, frames(2.0, lambda t: GOOD), 2.0)
    assert states[-1].status == "hold" and states[-1].hold_progress == 1.0


def test_a_sitter_who_cannot_stand_taller_is_asked_once_and_the_operator_told_how_far() -> None:
    p = preset(ranges={"head_height": {"min": 0.40, "max": 0.55},
                       "eye_line": {"min": 0.30, "max": 0.38}})
    coach = Coach(p, NO_CAL)
    seated = replace(GOOD, head_height=0.46, eye_line=0.50)  # eyes far too low, seated
    states = run(coach, frames(8.0, lambda t: seated))
    said = [s.prompt.key for s in states if s.prompt is not None]
    assert said and set(said) == {"eye_line.up"}  # asked ...
    last_ask = max(i for i, s in enumerate(states) if s.prompt is not None)
    assert last_ask < 6 * FPS and states[-1].status == "hold"  # ... once, then the shot
    # Lower the camera: 0.12 of a frame 2 x 11.5 cm / 0.46 = 50 cm tall, about 6 cm.
    assert states[-1].camera_move_cm == pytest.approx(-6.0, abs=0.5)
    # A sitter who does rise is never waived.
    coach = Coach(p, NO_CAL)
    states = run(coach, frames(6.0, lambda t: replace(seated, eye_line=max(0.34, 0.5 - 0.05 * t))))
    assert states[-1].camera_move_cm is None


def test_a_long_eye_closure_is_said_even_while_calibrating() -> None:
    coach = Coach(preset(), CoachSettings(calibration_s=1.0))
    shut = replace(GOOD, blink=0.9, eyes_closed=True)
    states = run(coach, frames(1.0, lambda t: GOOD if t < 0.2 else shut))
    assert states[-1].status == "calibrating" and states[-1].message == "Open your eyes"
    assert states[int(0.5 * FPS)].message != "Open your eyes"  # 0.3 s shut: maybe a blink
