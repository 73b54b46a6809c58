"""Is a live source still delivering? Stalls and crawling live view, from its frame count.

A source may look LIVE while it sends nothing (a driver wedged in a USB call) or
sends so slowly (a USB hub or a camera in trouble) that it is as useless to a
sitter as no preview. The watchdog asks this check after every poll and
reconnects when it names a reason.
"""

from __future__ import annotations

import time

from camera.base import CameraSource, SourceState


class LivenessCheck:
    """Tracks one connection's frame count; :meth:`reason` says why it needs a reconnect."""

    def __init__(self, stall_timeout: float, min_fps: float = 0.0,
                 slow_window: float = 10.0) -> None:
        self.stall_timeout = stall_timeout
        # Below min_fps over slow_window seconds = reconnect. 0 = off.
        self.min_fps = min_fps
        self.slow_window = slow_window
        self._progress_frames = -1
        self._progress_at = 0.0
        self._rate_mark: tuple[float, int] | None = None  # (time, frames) a window ago

    def restart(self) -> None:
        """A new connection: its frames count from now."""
        self._progress_frames = -1
        self._progress_at = time.monotonic()
        self._rate_mark = None

    def reason(self, inner: CameraSource) -> str | None:
        """Why ``inner`` needs a reconnect, or None if it is fine."""
        state = inner.state
        if state == SourceState.FAILED:
            err = inner.last_error
            return str(err) if err else f"{inner.name} failed"
        if state == SourceState.CLOSED:
            return f"{inner.name} closed unexpectedly"
        if state != SourceState.LIVE or not inner.has_live_view:
            return None
        frames = inner.stats().frames
        now = time.monotonic()
        if frames != self._progress_frames:
            self._progress_frames = frames
            self._progress_at = now
        elif now - self._progress_at > self.stall_timeout:
            return f"{inner.name} sent no picture for {self.stall_timeout:g} s"
        return self._crawl(inner.name, frames, now)

    def _crawl(self, name: str, frames: int, now: float) -> str | None:
        """A reason when live view ran below ``min_fps`` over the last ``slow_window`` s."""
        if self.min_fps <= 0:
            return None
        if self._rate_mark is None:
            self._rate_mark = (now, frames)
            return None
        since, frames_then = self._rate_mark
        if now - since < self.slow_window:
            return None
        fps = (frames - frames_then) / (now - since)
        self._rate_mark = (now, frames)
        if fps < self.min_fps:
            return (f"{name} live view slowed to {fps:.1f} fps "
                    f"(below {self.min_fps:g} fps for {self.slow_window:g} s)")
        return None
