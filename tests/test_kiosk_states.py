"""The state machine on its own, multi-shot sets first: a fake booth (``FakeBooth``:
the Services protocol with a settable clock and a call log) stands in for camera,
pipeline and storage, which tests/test_kiosk_app.py drives for real."""

from __future__ import annotations

from typing import Any

from kiosk.states import (
    Context,
    Event,
    Kind,
    PresetCard,
    SetupFault,
    Shot,
    State,
    StateMachine,
    Timing,
)


class FakeBooth:
    """Services for the machine: records what it was asked, answers from fields."""

    def __init__(self, shots: int) -> None:
        self.t = 100.0
        self.wanted = shots
        self.calls: list[tuple[Any, ...]] = []
        self.kept: tuple[list[Shot], int | None] | None = None
        self.fault: SetupFault | None = None

    def now(self) -> float:
        return self.t

    def camera_live(self) -> bool:
        return True

    def models_ready(self) -> bool:
        return True

    def setup_fault(self) -> SetupFault | None:
        return self.fault

    def person_present(self) -> bool:
        return False

    def begin_session(self, preset: str, language: str = "") -> None:
        self.calls.append(("begin", preset))

    def start_coaching(self, fresh: bool) -> None:
        self.calls.append(("coach", fresh))

    def stop_coaching(self) -> None:
        pass

    def request_capture(self, manual: bool) -> None:
        self.calls.append(("capture", manual))

    def shots_wanted(self) -> int:
        return self.wanted

    def keep_shots(self, shots: list[Shot], favourite: int | None) -> tuple[str, str]:
        self.kept = (shots, favourite)
        return "/out/2026-01-01_0001", "2026-01-01_0001"

    def end_session(self) -> None:
        self.calls.append(("end",))

    def summarize(self, shot: Shot) -> list[str]:
        return ["eyes_open"]

    def recover(self) -> None:
        pass


def machine(shots: int) -> tuple[StateMachine, FakeBooth]:
    booth = FakeBooth(shots)
    ctx = Context(presets=[PresetCard("acting", "Acting", "")], fixed_preset="acting")
    m = StateMachine(booth, ctx, timing=Timing(idle_timeout_s=30, saved_show_s=1.5),
                     initial=State.WELCOME)
    m.start()
    return m, booth


def shoot(m: StateMachine, n: int, *, manual: bool = False) -> Shot:
    """One shot: the shutter (automatic or pressed), then the saved still comes back."""
    assert m.state is State.COACHING
    m.handle(Event(Kind.SHUTTER if manual else Kind.FIRE))
    assert m.state is State.CAPTURE
    shot = Shot(image=None, path=f"/out/shot-{n:03d}.jpg", number=n)
    m.handle(Event(Kind.CAPTURED, data=shot))
    return shot


def coach_calls(booth: FakeBooth) -> list[bool]:
    return [c[1] for c in booth.calls if c[0] == "coach"]


def test_a_three_shot_set_coaches_three_times_then_reviews_all_and_keeps_the_favourite() -> None:
    m, booth = machine(3)
    m.handle(Event(Kind.START))
    assert m.state is State.COACHING
    taken = [shoot(m, 1)]
    # Back to coaching for photo 2: nothing reset (calibration, shutter count, cooldown).
    assert m.state is State.COACHING and m.ctx.saved_until == booth.t + 1.5
    taken.append(shoot(m, 2, manual=True))  # the manual shutter counts in the set too
    assert m.state is State.COACHING
    taken.append(shoot(m, 3))
    assert m.state is State.REVIEW and m.ctx.shots == taken
    assert coach_calls(booth) == [True, False, False]
    assert m.ctx.summary == []  # a set is not summed up in phrases
    m.handle(Event(Kind.RIGHT))
    m.handle(Event(Kind.RIGHT))
    assert m.ctx.favourite == 1
    m.handle(Event(Kind.SELECT, index=2))  # tap photo 3
    assert m.ctx.favourite == 2
    m.handle(Event(Kind.SELECT, index=2))  # tap it again: no favourite
    assert m.ctx.favourite is None
    m.handle(Event(Kind.LEFT))
    assert m.ctx.favourite == 2 and m.ctx.focus == 0
    m.handle(Event(Kind.OK))  # the focused "Keep all 3"
    assert m.state is State.DONE
    assert booth.kept == (taken, 2)
    assert m.ctx.session_code == "2026-01-01_0001"


def test_retake_redoes_the_whole_set_from_a_fresh_start() -> None:
    m, booth = machine(2)
    m.handle(Event(Kind.START))
    shoot(m, 1)
    shoot(m, 2)
    assert m.state is State.REVIEW
    m.handle(Event(Kind.DOWN))  # focus "Retake all 2"
    m.handle(Event(Kind.OK))
    assert m.state is State.COACHING and m.ctx.shots == [] and m.ctx.favourite is None
    assert coach_calls(booth) == [True, False, True]
    shoot(m, 3)
    assert m.state is State.COACHING  # a whole set again
    shoot(m, 4)
    m.handle(Event(Kind.KEEP))
    assert [s.number for s in booth.kept[0]] == [3, 4] and booth.kept[1] is None


def test_back_part_way_through_a_set_reviews_what_was_taken() -> None:
    m, booth = machine(3)
    m.handle(Event(Kind.START))
    first = shoot(m, 1)
    m.handle(Event(Kind.BACK))
    assert m.state is State.REVIEW and m.ctx.shots == [first]
    assert m.ctx.summary == ["eyes_open"]  # one photo: the single review
    m.handle(Event(Kind.KEEP))
    assert booth.kept == ([first], None)


def test_a_failed_still_mid_set_carries_on_with_the_set() -> None:
    m, booth = machine(3)
    m.handle(Event(Kind.START))
    shoot(m, 1)
    m.handle(Event(Kind.FIRE))
    m.handle(Event(Kind.CAPTURE_FAILED, data="The camera could not focus."))
    assert m.state is State.COACHING and len(m.ctx.shots) == 1
    assert coach_calls(booth) == [True, False, False]


def test_idle_timeout_mid_set_ends_the_session_and_forgets_the_set() -> None:
    m, booth = machine(3)
    m.handle(Event(Kind.START))
    shoot(m, 1)
    booth.t += 31  # nobody in front of the camera, no touch
    m.tick()
    assert m.state is State.WELCOME
    assert booth.calls[-1] == ("end",) and m.ctx.shots == []


def test_one_shot_presets_review_after_the_first_photo_as_before() -> None:
    m, booth = machine(1)
    m.handle(Event(Kind.START))
    shot = shoot(m, 1)
    assert m.state is State.REVIEW and m.ctx.shot is shot and m.ctx.summary == ["eyes_open"]
    m.handle(Event(Kind.RIGHT))  # arrows move between Keep it / Try again
    assert m.ctx.focus == 1 and m.ctx.favourite is None
    m.handle(Event(Kind.OK))
    assert m.state is State.COACHING
    assert coach_calls(booth) == [True, True]  # a retake starts afresh, as it always did
    m.handle(Event(Kind.BACK))
    assert m.state is State.WELCOME  # --preset: back leaves


def test_a_setup_fault_stops_new_sessions_but_never_a_photo_in_review() -> None:
    m, booth = machine(1)
    booth.fault = SetupFault("Models missing: face_landmarker.task")
    m.tick()
    assert m.state is State.SETUP  # from the welcome screen: nobody can start a session
    m.handle(Event(Kind.START))
    assert m.state is State.SETUP
    booth.fault = None
    m.tick()
    assert m.state is State.WELCOME  # fixed: open for guests again
    m.handle(Event(Kind.START))
    shoot(m, 1)
    booth.fault = SetupFault("the coach stopped")
    m.tick()
    assert m.state is State.REVIEW  # the sitter's photo is reviewed and kept first
    m.handle(Event(Kind.KEEP))
    m.tick()
    assert m.state is State.DONE and booth.kept is not None  # and handed over
    m.handle(Event(Kind.OK))
    m.tick()
    assert m.state is State.SETUP
