"""A source wrapper that survives unplugs: reconnect with backoff, bounded stills.

The watchdog owns a factory, not a source: every (re)connect builds a NEW
source, hence for gphoto2 a new ``gphoto2.Camera()`` (initialising one that was
``exit()``-ed can crash the process). A monitor thread notices a source that
FAILED (read failures, unplug), CLOSED by itself, or delivered no frame for
``stall_timeout`` seconds; it logs why, switches to RECONNECTING and retries
after ``backoff_initial`` seconds, doubling up to ``backoff_max``. While
reconnecting ``latest_frame`` returns None: the UI shows "camera reconnecting"
and never sees an exception.

Stills: a still that times out or finds the camera busy is retried once on the
same connection; one that fails otherwise (disconnect, unknown camera error)
triggers one immediate reconnect and one retry. Every still call runs with a hard
bound (``still_call_timeout``): a USB call stuck in the driver is abandoned,
reported as CaptureTimeout, and the source is rebuilt.

Frame indices are the watchdog's own and keep rising across reconnects, so a
consumer's ``after_index`` stays valid.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable

from camera.base import (
    CameraBusy,
    CameraDisconnected,
    CameraError,
    CameraSource,
    CaptureTimeout,
    Frame,
    LiveViewUnsupported,
    SourceState,
    SourceStats,
    Still,
)
from camera.bounded import call_bounded
from camera.liveness import LivenessCheck

log = logging.getLogger(__name__)


class WatchdogSource(CameraSource):
    """Wraps sources built by ``factory`` and keeps one connected."""

    def __init__(self, factory: Callable[[], CameraSource], *, name: str = "camera",
                 backoff_initial: float = 2.0, backoff_max: float = 20.0,
                 stall_timeout: float = 5.0, min_fps: float = 0.0, slow_window: float = 10.0,
                 max_attempts: int | None = None,
                 wait_for_camera: bool = False, still_call_timeout: float = 30.0,
                 still_retry_pause: float = 0.5, poll_interval: float = 0.05,
                 close_timeout: float = 5.0) -> None:
        self.factory = factory
        self._name = name
        self.backoff_initial = backoff_initial
        self.backoff_max = max(backoff_max, backoff_initial)
        # Live view that stalls or crawls is as useless to a sitter as none.
        self._liveness = LivenessCheck(stall_timeout, min_fps, slow_window)
        self.max_attempts = max_attempts
        self.wait_for_camera = wait_for_camera
        self.still_call_timeout = still_call_timeout
        self.still_retry_pause = still_retry_pause
        self.poll_interval = poll_interval
        self.close_timeout = close_timeout

        self._lock = threading.RLock()
        self._connect_lock = threading.Lock()  # one connect/reconnect at a time
        self._still_lock = threading.Lock()
        self._stop = threading.Event()
        self._monitor: threading.Thread | None = None
        self._inner: CameraSource | None = None
        self._generation = 0
        self._state = SourceState.CLOSED
        self._error: CameraError | None = None
        self._reason = ""
        self._live_view = True

        self._delay = backoff_initial
        self._next_attempt = 0.0
        self._attempts = 0
        self._reconnects = 0
        self._errors = 0

        self._out_index = -1
        self._frames_before = 0  # frames read by earlier connections
        self._last_key: tuple[int, int] | None = None
        self._last_out: Frame | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def name(self) -> str:  # type: ignore[override]
        inner = self._inner
        return inner.name if inner is not None else self._name

    def open(self) -> None:
        with self._lock:
            if self._state not in (SourceState.CLOSED, SourceState.FAILED):
                return
            self._stop.clear()
            self._state = SourceState.OPENING
        try:
            self._connect()
        except LiveViewUnsupported as exc:
            self._set_failed(exc)
            raise
        except Exception as exc:  # noqa: BLE001 - any fault of a driver is a camera fault
            err = _as_camera_error(exc)
            if not self.wait_for_camera:
                self._set_failed(err)
                raise err from None
            log.warning("%s: %s; waiting for the camera", self._name, err)
            self._begin_reconnect(str(err), close_old=False)
        self._monitor = threading.Thread(target=self._watch, daemon=True,
                                         name=f"watchdog-{self._name}")
        self._monitor.start()

    def close(self) -> None:
        self._stop.set()
        monitor = self._monitor
        if monitor is not None and monitor is not threading.current_thread():
            monitor.join(timeout=self.close_timeout)
        self._monitor = None
        with self._lock:
            inner, self._inner = self._inner, None
            self._state = SourceState.CLOSED
        if inner is not None:
            self._close_bounded(inner)

    def _set_failed(self, err: CameraError) -> None:
        with self._lock:
            self._error = err
            self._state = SourceState.FAILED

    # -- connecting --------------------------------------------------------------------------
    def _connect(self) -> bool:
        """Build a new source and open it; it becomes the current one. False: already live."""
        with self._connect_lock:
            with self._lock:
                if self._inner is not None and self._state == SourceState.LIVE:
                    return False  # another thread reconnected meanwhile
            src = self.factory()
            try:
                src.open()
            except BaseException:
                self._close_bounded(src)
                raise
            with self._lock:
                if self._stop.is_set():
                    stale = src
                else:
                    stale = None
                    self._inner = src
                    self._generation += 1
                    self._name = src.name
                    self._live_view = src.has_live_view
                    self._state = SourceState.LIVE
                    self._error = None
                    self._liveness.restart()
                    self._attempts = 0
                    self._delay = self.backoff_initial
            if stale is not None:
                self._close_bounded(stale)
            return stale is None

    def _close_bounded(self, src: CameraSource) -> None:
        """Close ``src`` but never wait more than ``close_timeout`` (a driver may hang)."""
        def close_quietly() -> None:
            try:
                src.close()
            except Exception as exc:  # noqa: BLE001 - closing a dead device may fail
                log.debug("%s: closing the old connection failed: %s", self._name, exc)

        if not call_bounded(close_quietly, self.close_timeout, f"close-{self._name}").finished:
            log.warning("%s: the old connection did not close within %.0f s; left behind",
                        self._name, self.close_timeout)

    def _begin_reconnect(self, reason: str, close_old: bool = True,
                         now: bool = False) -> None:
        with self._lock:
            if self._state == SourceState.RECONNECTING or self._stop.is_set():
                return
            old, self._inner = self._inner, None
            if old is not None:
                self._frames_before += _frames_of(old)
            self._state = SourceState.RECONNECTING
            self._reason = reason
            self._error = CameraDisconnected(reason)
            self._errors += 1
            self._delay = self.backoff_initial
            self._next_attempt = time.monotonic() + (0.0 if now else self._delay)
        log.warning("%s: %s; reconnecting %s", self._name, reason,
                    "now" if now else f"in {self._delay:.1f} s")
        if old is not None and close_old:
            self._close_bounded(old)

    def _try_reconnect(self) -> None:
        if time.monotonic() < self._next_attempt:
            return
        self._attempts += 1
        attempt = self._attempts
        try:
            built = self._connect()
        except Exception as exc:  # noqa: BLE001
            err = _as_camera_error(exc)
            with self._lock:
                if self._state != SourceState.RECONNECTING:
                    return
                self._error = err
                if self.max_attempts is not None and attempt >= self.max_attempts:
                    self._state = SourceState.FAILED
                    log.error("%s: giving up after %d reconnect attempts: %s",
                              self._name, attempt, err)
                    return
                self._delay = min(self._delay * 2, self.backoff_max)
                self._next_attempt = time.monotonic() + self._delay
            log.warning("%s: reconnect attempt %d failed: %s; next try in %.1f s",
                        self._name, attempt, err, self._delay)
            return
        if not built:
            return
        with self._lock:
            self._reconnects += 1
        log.warning("%s: reconnected after %d attempt(s) (was: %s)", self.name, attempt,
                    self._reason)

    # -- monitor -----------------------------------------------------------------------------
    def _watch(self) -> None:
        while not self._stop.wait(self.poll_interval):
            try:
                with self._lock:
                    state, inner = self._state, self._inner
                if state == SourceState.RECONNECTING:
                    self._try_reconnect()
                elif state == SourceState.LIVE and inner is not None:
                    reason = self._liveness.reason(inner)
                    if reason:
                        self._begin_reconnect(reason)
            except Exception:  # noqa: BLE001 - the monitor must outlive any bug below it
                log.exception("%s: watchdog check failed", self._name)

    # -- frames ------------------------------------------------------------------------------
    def latest_frame(self, after_index: int = -1) -> Frame | None:
        with self._lock:
            inner = self._inner
            if inner is None or self._state not in (SourceState.LIVE, SourceState.ENDED):
                return None
            gen = self._generation
            inner_after = self._inner_after(after_index, gen)
        try:
            frame = inner.latest_frame(inner_after)
        except Exception as exc:  # noqa: BLE001 - never raise into the UI thread
            log.debug("%s: reading a frame failed: %s", self._name, exc)
            return None
        with self._lock:
            out = self._renumber(frame, gen)
        if out is None or out.index <= after_index:
            return None
        return out

    def _inner_after(self, after_index: int, gen: int) -> int:
        """The inner index to ask after: the last one handed out if the caller has seen it
        on this connection, else -1 (so the newest frame comes back). Lock held."""
        last_out, last_key = self._last_out, self._last_key
        if (last_out is not None and after_index >= last_out.index
                and last_key is not None and last_key[0] == gen):
            return last_key[1]
        return -1

    def _renumber(self, frame: Frame | None, gen: int) -> Frame | None:
        """``frame`` under the watchdog's own rising index (the last one if not new). Lock held."""
        if frame is not None and gen == self._generation:
            key = (gen, frame.index)
            if key != self._last_key:
                self._out_index += 1
                self._last_key = key
                self._last_out = dataclasses.replace(frame, index=self._out_index)
        return self._last_out

    @property
    def state(self) -> SourceState:
        with self._lock:
            inner, state = self._inner, self._state
        if state == SourceState.LIVE and inner is not None and inner.state == SourceState.ENDED:
            return SourceState.ENDED
        return state

    @property
    def last_error(self) -> CameraError | None:
        return self._error

    @property
    def has_live_view(self) -> bool:
        return self._live_view

    @property
    def attempts(self) -> int:
        """Failed (re)connect attempts since the camera was last live (operator line)."""
        return self._attempts

    @property
    def next_attempt_in(self) -> float | None:
        """Seconds until the next reconnect attempt, None unless reconnecting."""
        with self._lock:
            if self._state != SourceState.RECONNECTING:
                return None
            return max(0.0, self._next_attempt - time.monotonic())

    @property
    def reconnect_reason(self) -> str:
        """Why the last reconnect started (for the log and the operator screen)."""
        return self._reason

    def set_exposure_ev(self, ev: float) -> float:
        """The camera inside's exposure, in stops (0 while it is away or has no control)."""
        setter = getattr(self._inner, "set_exposure_ev", None)
        return float(setter(ev)) if setter is not None else 0.0

    def stats(self) -> SourceStats:
        inner = self._inner
        base = inner.stats() if inner is not None else SourceStats()
        frames = self._frames_before + (_frames_of(inner) if inner is not None else 0)
        return dataclasses.replace(base, frames=frames, errors=base.errors + self._errors,
                                   reconnects=self._reconnects)

    # -- stills ------------------------------------------------------------------------------
    def capture_still(self) -> Still:
        """A still with one retry; raises CaptureTimeout / CameraError, never hangs."""
        with self._still_lock:
            try:
                return self._still_once()
            except LiveViewUnsupported:
                raise
            except (CaptureTimeout, CameraBusy) as exc:
                log.warning("%s: %s; retrying the still once", self.name, exc)
                self._stop.wait(self.still_retry_pause)
                with self._lock:
                    abandoned = self._inner is None
                if abandoned:  # the call hung and was abandoned: retry on a new connection
                    self._reconnect_now(str(exc))
                try:
                    return self._still_once()
                except CameraDisconnected:
                    raise exc from None
            except CameraError as exc:
                log.warning("%s: still failed: %s; reconnecting and retrying once",
                            self.name, exc)
                self._reconnect_now(f"a still failed: {exc}")
                return self._still_once()

    def _reconnect_now(self, reason: str) -> None:
        """One immediate reconnect (bounded by the source's own open timeouts)."""
        self._begin_reconnect(reason, now=True)
        with self._lock:
            self._next_attempt = 0.0
        self._try_reconnect()

    def _still_once(self) -> Still:
        with self._lock:
            inner, gen = self._inner, self._generation
        if inner is None:
            why = f" ({self._error})" if self._error else ""
            raise CameraDisconnected(f"{self.name} is reconnecting{why}; no picture was taken")
        outcome = call_bounded(inner.capture_still, self.still_call_timeout,
                               f"still-{self._name}")
        if not outcome.finished:
            with self._lock:
                current = self._generation == gen
            if current:
                self._begin_reconnect(
                    f"a still did not return within {self.still_call_timeout:g} s")
            raise CaptureTimeout(
                f"{self.name} did not deliver the picture within "
                f"{self.still_call_timeout:g} s; the camera is being reconnected")
        if outcome.error is not None:
            raise _as_camera_error(outcome.error)
        return outcome.value  # type: ignore[return-value]


def _frames_of(src: CameraSource) -> int:
    try:
        return src.stats().frames
    except Exception:  # noqa: BLE001 - a dead source may fail even this
        return 0


def _as_camera_error(exc: BaseException) -> CameraError:
    if isinstance(exc, CameraError):
        return exc
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return CameraError(f"camera fault: {text}")
