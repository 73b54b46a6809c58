"""The shutter on synthetic sequences driven through the real coach: when it fires,
which frame it picks, cooldown, number of shots, the manual shutter."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from camera.base import Frame
from coaching.coach import Coach
from coaching.metrics import Metrics
from coaching.presets import Preset
from coaching.settings import CoachSettings
from coaching.shutter import Shutter

FPS = 30.0
SETTINGS = CoachSettings(calibration_s=0)
GOOD = Metrics(faces=1, yaw_deg=0.0, pitch_deg=0.0, roll_deg=0.0, smile=0.5,
               eye_open_left=0.9, eye_open_right=0.9, blink=0.05, eyes_closed=False,
               looking_at_camera=True, head_height=0.5, face_center_x=0.0, sharpness=100.0)
PIXELS = np.zeros((4, 4, 3), np.uint8)


def make_preset(**over) -> Preset:
    data = {"name": "t", "title": "T", "description": "d",
            "ranges": {"yaw_deg": {"min": -5, "max": 5}, "smile": {"min": 0.3},
                       "head_height": {"min": 0.45, "max": 0.55}},
            "hold_s": 0.5, "shots": 2, "cooldown_s": 1.0}
    data.update(over)
    return Preset.model_validate(data)


class Rig:
    """Coach + shutter fed frame by frame, the way the pipeline step does it."""

    def __init__(self, preset: Preset | None = None) -> None:
        self.preset = preset or make_preset()
        self.coach = Coach(self.preset, SETTINGS)
        self.shutter = Shutter(self.preset, SETTINGS)
        self.i = 0
        self.shots = []
        self.states = []

    def feed(self, seconds: float, make=lambda t: GOOD, manual_at: float | None = None,
             auto: bool = True):
        n = int(round(seconds * FPS))
        for _ in range(n):
            t = self.i / FPS
            m = make(t)
            frame = Frame(PIXELS, timestamp=t, index=self.i, media_time=t)
            state = self.coach.update(m, t)
            manual = manual_at is not None and abs(t - manual_at) < 0.5 / FPS
            shot = self.shutter.update(frame, m, state, t, manual=manual, auto=auto)
            self.states.append(state)
            if shot is not None:
                self.shots.append(shot)
            self.i += 1
        return self


def test_fires_after_the_hold_and_picks_the_sharpest_clean_frame() -> None:
    # Sharpness peaks at 0.80 s; every gate is good from 0 s.
    def make(t: float) -> Metrics:
        return replace(GOOD, sharpness=200.0 if abs(t - 0.8) < 0.01 else 100.0)

    rig = Rig().feed(2.0, make)
    first = rig.shots[0]
    assert first.reason == "auto" and first.number == 1
    # A face in the first frame is coached at once: the 0.5 s hold runs from 0.
    assert 0.5 <= first.t <= 0.6
    assert first.moment.t == first.t
    assert first.best.frame is not None and first.best.metrics.faces == 1
    # After the shot the coach shows "captured".
    i = int(round(first.t * FPS))
    assert rig.states[i + 1].status == "captured"


def test_best_frame_prefers_sharp_and_avoids_blinks() -> None:
    # A blink on frame 24 (0.80 s) restarts the hold; the sharpest frame of all is
    # frame 26, 67 ms after the blink; frames 12-20 (sharp too) belong to the broken hold.
    def make(t: float) -> Metrics:
        i = round(t * FPS)
        m = replace(GOOD, sharpness=150.0 if 12 <= i <= 20 or 30 <= i <= 45 else 100.0)
        if i == 26:
            m = replace(m, sharpness=500.0)
        if i == 24:
            m = replace(m, blink=0.9, eyes_closed=True)
        if i < 9:  # the sitter settles: the hold starts at 0.3 s
            m = replace(m, yaw_deg=20.0)
        return m

    rig = Rig().feed(3.0, make)
    shot = rig.shots[0]
    assert shot.t >= 0.8 + 0.5  # the blink restarted the hold
    assert not shot.best.blink
    assert abs(shot.best.t - 0.8) > 0.15  # nothing within 150 ms of the blink
    assert shot.best.sharpness == 150.0  # the sharpest of what is left ...
    assert shot.best.t > 0.8  # ... in the hold that completed


def test_never_fires_on_a_blink_or_without_a_face() -> None:
    # Eyes shut every other 0.2 s: the hold never completes.
    rig = Rig().feed(4.0, lambda t: replace(GOOD, blink=0.9, eyes_closed=True)
                     if int(t * 5) % 2 else GOOD)
    assert rig.shots == []
    rig = Rig().feed(4.0, lambda t: Metrics(faces=0))
    assert rig.shots == [] and rig.states[-1].status == "no_face"
    rig = Rig().feed(4.0, lambda t: replace(GOOD, faces=2))
    assert rig.shots == []


def test_cooldown_and_number_of_shots() -> None:
    rig = Rig(make_preset(shots=2, cooldown_s=1.0)).feed(10.0)
    assert [s.reason for s in rig.shots] == ["auto", "auto"]
    assert rig.shots[1].t - rig.shots[0].t >= 1.0
    assert rig.shutter.done
    # The captured message is shown, then the coach holds again; no third shot.
    assert rig.states[-1].status == "hold"


def test_manual_shutter_always_works() -> None:
    rig = Rig(make_preset(shots=1))
    rig.feed(1.0, lambda t: Metrics(faces=0), manual_at=0.5)  # no face at all
    assert [s.reason for s in rig.shots] == ["manual"]
    assert abs(rig.shots[0].best.t - 0.5) < 0.01  # the frame at the press
    rig.feed(3.0)  # the automatic shot
    assert [s.reason for s in rig.shots] == ["manual", "auto"]
    t_press = rig.i / FPS + 0.2  # during cooldown and after the preset's shots: still works
    rig.feed(1.0, manual_at=t_press)
    assert [s.reason for s in rig.shots] == ["manual", "auto", "manual"]
    assert abs(rig.shots[-1].t - t_press) < 0.05
    assert rig.shots[-1].number == 3
    # Disabled automatic shutter: only manual.
    rig = Rig().feed(3.0, auto=False)
    assert rig.shots == []


def test_a_manual_shot_starts_the_cooldown() -> None:
    """An operator's manual photo is not followed at once by an automatic near-copy."""
    # The coach's "captured" pause plus a new hold alone would allow one after ~2 s.
    rig = Rig(make_preset(shots=2, cooldown_s=4.0, hold_s=0.5))
    rig.feed(0.2, manual_at=0.1)
    rig.feed(6.0)
    reasons = [s.reason for s in rig.shots]
    assert reasons[0] == "manual" and "auto" in reasons
    first_auto = next(s for s in rig.shots if s.reason == "auto")
    assert first_auto.t - rig.shots[0].t >= 4.0


def test_manual_pick_is_the_best_of_the_last_moment() -> None:
    def make(t: float) -> Metrics:
        if abs(t - 1.9) < 0.01:
            return replace(GOOD, sharpness=300.0, yaw_deg=30.0)
        return replace(GOOD, yaw_deg=30.0)  # not ready: no auto shot

    rig = Rig().feed(2.0, make, manual_at=2.0 - 1 / FPS)
    assert len(rig.shots) == 1
    assert abs(rig.shots[0].best.t - 1.9) < 0.01


def test_buffer_is_bounded_and_releases_pixels() -> None:
    rig = Rig().feed(5.0, lambda t: replace(GOOD, yaw_deg=30.0), auto=False)
    buf = list(rig.shutter._buf)
    assert buf[-1].t - buf[0].t <= SETTINGS.buffer_s + 1e-9
    with_pixels = [r for r in buf if r.frame is not None]
    assert len(with_pixels) <= int(SETTINGS.manual_window_s * FPS) + 2


def test_a_replay_starting_over_resets_the_clock_based_state() -> None:
    rig = Rig(make_preset(shots=5, cooldown_s=30.0)).feed(2.0)
    assert len(rig.shots) == 1
    rig.i = 0  # media time back to 0 (a looping replay without offsets)
    rig.feed(2.0)
    assert len(rig.shots) == 2  # neither cooldown nor hold timers stuck in the future
    assert rig.shots[1].t < 1.0


def test_photos_of_a_set_are_at_least_the_cooldown_apart() -> None:
    """The cooldown spaces the photos themselves, not only the firing: with the oldest
    frame of each hold the sharpest, a steady sitter's set is still spread out."""
    # Longer than the coach's "captured" pause plus a hold: before, the photos were
    # 1.9 s apart although the shutter fired 3 s apart.
    preset = make_preset(shots=3, cooldown_s=3.0, hold_s=0.4)
    rig = Rig(preset).feed(14.0, lambda t: replace(GOOD, sharpness=1000.0 - 10 * t))
    assert [s.reason for s in rig.shots] == ["auto"] * 3
    times = [s.best.t for s in rig.shots]
    assert all(b - a >= 3.0 - 1e-9 for a, b in zip(times, times[1:], strict=False)), times


def test_a_manual_press_in_a_long_eye_closure_takes_the_nearest_open_eye_frame() -> None:
    # Eyes shut from 1.0 s; the press at 1.6 s (0.6 s into the closure, past the manual
    # window): the photo is the last open-eye frame, not a shut-eyed one.
    shut = lambda t: replace(GOOD, blink=0.9, eyes_closed=True) if t >= 1.0 else GOOD  # noqa: E731
    rig = Rig().feed(1.7, shut, manual_at=1.6, auto=False)
    shot = rig.shots[0]
    assert shot.reason == "manual" and not shot.best.blink and not shot.eyes_shut
    assert 0.9 <= shot.best.t < 1.0 and shot.best.frame is not None
    # Shut for longer than the whole buffer: kept as it is, and the shot says so.
    rig = Rig().feed(3.5, shut, manual_at=3.4, auto=False)
    assert rig.shots[0].eyes_shut and rig.shots[0].best.frame is not None
