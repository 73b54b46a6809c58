"""The kiosk's shutter handshake and its capture thread, in one place.

Three ways a photo starts, one still at a time:

- automatic: the pipeline's shutter fired; the booth posts FIRE, the state machine
  asks for the capture, and the frame the shutter fired on is taken;
- manual with a running coach: the pipeline is asked to press its shutter (so the
  photo is the best frame of its ring buffer) and the worker waits up to
  ``manual_wait_s`` for that shot, then takes the camera's picture as it is;
- manual without a coach (models failed): the camera's picture as it is.

The photo is taken and saved on a worker thread (a DSLR still takes seconds); what
happened comes back as an event through ``post``.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable

from coaching.pipeline import StepResult
from kiosk.states import Event, Kind

log = logging.getLogger(__name__)

Take = Callable[[StepResult | None, str], Event]


class Phase(str, enum.Enum):
    IDLE = "idle"
    AWAITING_SHOT = "awaiting_shot"  # manual: the pipeline was asked to press its shutter
    CAPTURING = "capturing"  # the worker thread is taking and saving the photo


class CaptureWorker:
    """Owns the handshake state; ``take(result, reason)`` runs on the worker thread."""

    def __init__(self, take: Take, post: Callable[[Event], None], clock: Callable[[], float],
                 *, manual_wait_s: float = 1.5) -> None:
        self._take = take
        self._post = post
        self._clock = clock
        self.manual_wait_s = manual_wait_s
        self.phase = Phase.IDLE
        self._deadline = 0.0
        self._fired: StepResult | None = None  # what the automatic shutter fired on

    @property
    def busy(self) -> bool:
        return self.phase is not Phase.IDLE

    def note_fire(self, result: StepResult) -> bool:
        """The automatic shutter fired; True when the kiosk should ask for the photo."""
        if self.busy:
            return False
        self._fired = result
        return True

    def take_fired(self) -> None:
        """Take the photo the automatic shutter fired on."""
        result, self._fired = self._fired, None
        self._start(result, "auto")

    def await_shot(self) -> None:
        """Manual press with a coach: wait for the pipeline's shot (see :meth:`poll`)."""
        if self.busy:
            return
        self.phase = Phase.AWAITING_SHOT
        self._deadline = self._clock() + self.manual_wait_s

    def take_now(self, reason: str = "manual") -> None:
        """Take the camera's picture as it is (no coach result to go with it)."""
        self._start(None, reason)

    def poll(self, fired: list[StepResult]) -> bool:
        """Once a frame with the pipeline's new shots; True when they were consumed by a
        waiting manual press (so they are not also automatic fires)."""
        if self.phase is not Phase.AWAITING_SHOT:
            return False
        if fired:
            self.phase = Phase.IDLE
            self._start(fired[-1], "manual")
        elif self._clock() > self._deadline:
            self.phase = Phase.IDLE
            self._start(None, "manual")
        return True

    def reset(self) -> None:
        """A clean slate after the failsafe screen: nothing pending, and a capture that
        never came back (a hung DSLR) no longer blocks the next sitter's photo."""
        self._fired = None
        self.phase = Phase.IDLE

    def drop_fired(self) -> None:
        self._fired = None

    def _start(self, result: StepResult | None, reason: str) -> None:
        if self.phase is Phase.CAPTURING:
            return
        self.phase = Phase.CAPTURING
        threading.Thread(target=self._run, args=(result, reason), name="capture",
                         daemon=True).start()

    def _run(self, result: StepResult | None, reason: str) -> None:
        try:
            ev = self._take(result, reason)
        except Exception as exc:  # noqa: BLE001 - reported to the sitter calmly
            # The reason is for the log; the sitter gets calm words in their language.
            log.exception("capture failed: %s", short_reason(exc))
            ev = Event(Kind.CAPTURE_FAILED, data="notice.picture_failed")
        finally:
            self.phase = Phase.IDLE
        self._post(ev)


def short_reason(exc: BaseException) -> str:
    """The first line of an error, short enough for the sitter's screen."""
    return str(exc).splitlines()[0][:80] if str(exc) else type(exc).__name__
