"""The render loop's clock work: holding the frame rate, and measuring it."""

from __future__ import annotations

import time
from dataclasses import dataclass


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
