"""The real-time pipeline: slots, clocks, and the threaded pipeline on a real replay
through the real models. Fakes only for faults (a model call that raises)."""

from __future__ import annotations

import threading
import time

import pytest

from camera.replay import ReplaySource
from coaching.pipeline import (
    CoachingStep,
    LatestSlot,
    Pipeline,
    PipelineSettings,
    VideoClock,
    percentile,
)
from coaching.presets import resolve_preset
from coaching.settings import AnalysisSettings, CoachSettings


@pytest.fixture(scope="module")
def preset():
    return resolve_preset("linkedin")


# --------------------------------------------------------------------------- pieces

def test_slot_keeps_only_the_newest_and_counts_what_was_overwritten() -> None:
    slot: LatestSlot[int] = LatestSlot()
    assert slot.get(0) is None
    slot.put(1)
    slot.put(2)  # 1 was never taken
    assert slot.dropped == 1
    assert slot.get(0) == (2, 2)
    assert slot.get(2) is None  # nothing newer
    slot.put(3)  # 2 was taken: not counted
    assert slot.dropped == 1
    assert slot.peek() == 3


def test_slot_wakes_a_waiter_on_put_and_on_close() -> None:
    slot: LatestSlot[str] = LatestSlot()
    got: list[object] = []
    t = threading.Thread(target=lambda: got.append(slot.get(0, timeout=10)))
    t.start()
    slot.put("frame")
    t.join(5)
    assert got == [(1, "frame")]
    t = threading.Thread(target=lambda: got.append(slot.get(1, timeout=10)))
    t.start()
    slot.close()
    t.join(5)
    assert not t.is_alive() and got[-1] is None


def test_video_clock_is_strictly_increasing_through_loops_and_repeats() -> None:
    clock = VideoClock()
    times = [0.0, 0.033, 0.033, 0.066, 2.4, 0.0, 0.033, 0.0001]  # repeat, then a loop
    stamps = [clock.stamp(t) for t in times]
    assert all(b > a for a, b in zip(stamps, stamps[1:], strict=False))
    # after the loop the spacing of the media is kept
    assert stamps[6] - stamps[5] == 33


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0
    assert percentile([], 50) != percentile([], 50)  # NaN


# --------------------------------------------------------------------------- step

def test_step_synchronous_with_its_own_pose_model(media, preset) -> None:
    from coaching.landmarks import FaceTracker, PoseTracker

    step = CoachingStep(preset, AnalysisSettings(), CoachSettings(),
                        face_tracker=FaceTracker("video", max_faces=2),
                        pose_tracker=PoseTracker("video"), pose_every=2,
                        pose_max_width=320)  # the pose model sees a downscaled copy
    try:
        with ReplaySource(media / "single_face.mp4", realtime=False) as src:
            results = [step.process(f) for _, f in zip(range(12), src.iter_frames(),
                                                        strict=False)]
    finally:
        step.close()
    assert [r.seq for r in results] == list(range(1, 13))
    assert all(r.metrics.faces == 1 for r in results)
    assert sum(r.pose_ms > 0 for r in results) == 6  # every 2nd frame
    assert all(r.pose_frame_index is not None for r in results)
    # the pose came from a 320 px copy but its coordinates are the frame's (normalised)
    assert all(r.metrics.shoulder_tilt_deg is not None for r in results)
    assert all(abs(r.metrics.shoulder_tilt_deg) < 10 for r in results)
    assert results[-1].state.status in ("calibrating", "adjusting", "hold")
    assert all(r.latency_ms >= r.face_ms for r in results)


# --------------------------------------------------------------------------- pipeline

def _pipeline_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("pipeline-")]


def test_pipeline_on_a_real_replay_in_order_with_drops_counted(media, preset) -> None:
    """Replayed (looping) 8x faster than real time, 240 fps: the pipeline cannot take
    every frame, so it skips to the newest and counts the rest."""
    src = ReplaySource(media / "single_face.mp4", realtime=True, loop=True, speed=8.0)
    results = []
    pipe = Pipeline(src, preset, settings=PipelineSettings(pose_max_width=320),
                    on_result=results.append)
    pipe.start()  # returns at once: models load in the background
    assert pipe.wait_ready(60), pipe.error
    with src:
        deadline = time.monotonic() + 60
        # wait for what is asserted below (a result carrying a pose), not only for a
        # count that a loaded machine may reach before the pose worker's result is used
        while (len(results) < 40 or pipe.stats(None).pose_frames < 3
               or not any(r.pose_frame_index is not None for r in list(results))) \
                and time.monotonic() < deadline:
            time.sleep(0.02)
        pipe.stop()
    stats = pipe.stats(None)
    assert _pipeline_threads() == []
    assert not pipe.running
    assert results, "no frame was coached"
    assert [r.seq for r in results] == list(range(1, len(results) + 1))
    indices = [r.frame.index for r in results]
    assert indices == sorted(set(indices))
    assert stats.frames == len(results)
    # every frame the source delivered was either coached or counted as dropped
    assert stats.dropped == indices[-1] - indices[0] + 1 - len(results)
    assert stats.dropped > 0
    assert stats.pose_frames > 0
    assert any(r.pose_frame_index is not None for r in results)
    assert sum(r.metrics.faces == 1 for r in results) >= 0.9 * len(results)
    assert stats.latency_p50_ms <= stats.latency_p95_ms


class FakeFlakyFace:
    """A face tracker that raises on chosen calls (a native fault), counted over all
    instances."""

    calls = 0
    label = "face"

    def __init__(self, real, fail_on: set[int]) -> None:
        self.real, self.fail_on = real, fail_on

    def detect(self, rgb, timestamp_ms=None):
        type(self).calls += 1
        if type(self).calls in self.fail_on:
            raise RuntimeError(f"injected {self.label}-model fault")
        return self.real.detect(rgb, timestamp_ms)

    def close(self) -> None:
        self.real.close()


class FakeFlakyPose(FakeFlakyFace):
    calls = 0
    label = "pose"


def _run_flaky(media, preset, face_fail: set[int], pose_fail: set[int]):
    from coaching.landmarks import FaceTracker, PoseTracker

    FakeFlakyFace.calls = FakeFlakyPose.calls = 0
    builds = {"step": 0, "pose": 0}

    def step_factory() -> CoachingStep:
        builds["step"] += 1
        return CoachingStep(preset, face_tracker=FakeFlakyFace(FaceTracker("video"), face_fail))

    def pose_factory():
        builds["pose"] += 1
        return FakeFlakyPose(PoseTracker("video"), pose_fail)

    src = ReplaySource(media / "single_face.mp4", realtime=True, loop=True, speed=2.0)
    results = []
    pipe = Pipeline(src, preset, settings=PipelineSettings(restart_backoff_s=0.05),
                    step_factory=step_factory, pose_factory=pose_factory,
                    on_result=results.append)
    with src, pipe:
        assert pipe.wait_ready(60), pipe.error
        deadline = time.monotonic() + 30
        while (len(results) < 25 or pipe.stats(None).pose_frames < 8) \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        stats = pipe.stats(None)
    assert _pipeline_threads() == []
    assert len(results) >= 25 and stats.pose_frames >= 8
    seqs = [r.seq for r in results]
    assert seqs == list(range(1, len(seqs) + 1))  # numbering carries over a restart
    return stats, builds


def test_a_frame_that_raises_is_skipped_and_counted(media, preset, caplog) -> None:
    stats, builds = _run_flaky(media, preset, face_fail={5}, pose_fail={3})
    assert stats.errors == 2 and stats.restarts == 0
    assert builds == {"step": 1, "pose": 1}  # the models were kept
    messages = [r.getMessage() for r in caplog.records]
    assert any("injected face-model fault" in m for m in messages)
    assert any("injected pose-model fault" in m for m in messages)


def test_a_worker_that_keeps_failing_is_restarted_with_fresh_models(media, preset,
                                                                    caplog) -> None:
    stats, builds = _run_flaky(media, preset, face_fail={5, 6, 7}, pose_fail={3, 4, 5})
    assert stats.restarts == 2 and stats.errors == 6
    assert builds == {"step": 2, "pose": 2}
    assert any("restarting" in r.getMessage() for r in caplog.records)


def test_a_model_that_cannot_load_is_reported_not_retried(media, preset) -> None:
    calls = {"n": 0}

    def broken() -> CoachingStep:
        calls["n"] += 1
        raise FileNotFoundError("face_landmarker.task is missing")

    def broken_pose() -> None:
        raise FileNotFoundError("pose_landmarker_full.task is missing")

    src = ReplaySource(media / "single_face.mp4", realtime=True)
    pipe = Pipeline(src, preset, step_factory=broken, pose_factory=broken_pose)
    with src, pipe:
        assert not pipe.wait_ready(10)
        assert pipe.error is not None and "face_landmarker.task is missing" in pipe.error
        time.sleep(0.2)
    assert calls["n"] == 1


def test_manual_shutter_preset_switch_and_new_sitter(media, preset) -> None:
    src = ReplaySource(media / "single_face.mp4", realtime=True, loop=True)
    pipe = Pipeline(src, preset)
    with src, pipe:
        assert pipe.wait_ready(60), pipe.error
        first = pipe.wait_result(0, 10)
        assert first is not None
        pipe.press_shutter()
        deadline = time.monotonic() + 10
        shots = []
        while not shots and time.monotonic() < deadline:
            shots = pipe.captures()
            time.sleep(0.02)
        assert len(shots) == 1 and shots[0].shot.reason == "manual"
        assert shots[0].shot.frame is not None
        pipe.set_preset(resolve_preset("passport"))
        pipe.reset_session()
        later = pipe.wait_result(shots[0].seq + 3, 10)
        assert later is not None and later.seq > shots[0].seq
        assert pipe.captures() == []
    assert _pipeline_threads() == []


def test_pose_rate_adapts_to_idle_time_and_latency(preset) -> None:
    pipe = Pipeline(None, preset, settings=PipelineSettings(pose_min_hz=15, pose_max_hz=20,
                                                            latency_target_ms=40))
    assert pipe.stats().pose_target_hz == 15  # starts at the minimum
    for _ in range(10):  # a 30 fps camera, face thread idle half the time, low latency
        pipe._adapt_pose_rate(0.5, 20.0)
    assert pipe.stats(None).pose_target_hz == 20
    pipe._adapt_pose_rate(0.5, 45.0)  # latency over the target: back off
    assert pipe.stats(None).pose_target_hz == 18
    for _ in range(10):  # saturated (frames always waiting): the minimum, never below
        pipe._adapt_pose_rate(0.0, 20.0)
    assert pipe.stats(None).pose_target_hz == 15
    pipe._adapt_pose_rate(0.5, 35.0)  # idle but latency not comfortably low: hold
    assert pipe.stats(None).pose_target_hz == 15
