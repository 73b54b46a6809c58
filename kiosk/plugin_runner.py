"""Calling plugin hooks so that no plugin can take the kiosk down.

Every hook call is queued to one plugin worker thread (never the UI thread); there
each plugin's implementation runs on its own short-lived thread and is waited for up to
``plugins.hook_timeout_s``. A plugin that raises or does not return in time is logged
with the reason and switched off for the rest of the day (it is back tomorrow, or after
a restart), and the operator overlay shows a line for it. Results go back to the UI as
events through the app's existing event queue.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pluggy

log = logging.getLogger(__name__)

Job = Callable[[], None]


@dataclass(frozen=True)
class Disabled:
    """A plugin switched off for the day, and why (one line, for the operator)."""

    day: dt.date
    reason: str


class PluginRunner:
    """The plugin worker: ``submit`` hooks from any thread, ``call`` them at start/stop."""

    def __init__(self, pm: pluggy.PluginManager, *, timeout_s: float = 20.0,
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        self.pm = pm
        self.timeout_s = timeout_s
        self._today = today
        self._disabled: dict[str, Disabled] = {}
        self._lock = threading.Lock()
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._idle = threading.Condition()
        self._pending = 0
        self._worker = threading.Thread(target=self._run, name="plugins", daemon=True)
        self._worker.start()

    # -- calling -----------------------------------------------------------------------
    def submit(self, hook: str, then: Callable[[list[tuple[str, Any]]], None] | None = None,
               **kwargs: Any) -> None:
        """Call ``hook`` on the worker; ``then`` gets the gathered results there."""
        def job() -> None:
            results = self.call(hook, **kwargs)
            if then is not None:
                then(results)

        self.submit_job(job)

    def submit_job(self, job: Job) -> None:
        """Run ``job`` (which calls hooks through :meth:`call`) on the worker."""
        with self._idle:
            self._pending += 1
        self._jobs.put(job)

    def call(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call ``hook`` on each enabled plugin now, on this thread, each guarded by the
        time limit. Returns (plugin name, result) for every non-None result, first
        registered first."""
        caller = getattr(self.pm.hook, hook)
        results: list[Any] = []
        for impl in caller.get_hookimpls():
            name = impl.plugin_name
            if self.is_disabled(name):
                continue
            args = [kwargs[a] for a in impl.argnames]
            ok, value = self._guarded(name, hook, impl.function, args)
            if ok and value is not None:
                results.append((name, value))
        return results

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until every submitted job has run (tests, shutdown)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def stop(self, timeout: float = 5.0) -> None:
        self.wait_idle(timeout)
        self._jobs.put(None)
        self._worker.join(timeout)

    # -- health ------------------------------------------------------------------------
    def is_disabled(self, name: str) -> bool:
        with self._lock:
            d = self._disabled.get(name)
            if d is not None and d.day != self._today():
                del self._disabled[name]  # a new day: give it another chance
                log.info("plugin %s: back on for a new day", name)
                return False
            return d is not None

    def problems(self) -> list[str]:
        """One line per plugin switched off today, for the operator overlay."""
        with self._lock:
            items = list(self._disabled.items())
        return [f"plugin {n} off for today: {d.reason}" for n, d in items
                if self.is_disabled(n)]

    def disable(self, name: str, reason: str) -> None:
        with self._lock:
            self._disabled[name] = Disabled(self._today(), reason)
        log.error("plugin %s switched off for today: %s", name, reason)

    # -- internals ---------------------------------------------------------------------
    def _guarded(self, name: str, hook: str, fn: Callable[..., Any],
                 args: list[Any]) -> tuple[bool, Any]:
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["value"] = fn(*args)
            except BaseException as exc:  # noqa: BLE001 - reported below, never raised
                box["error"] = exc

        t = threading.Thread(target=target, name=f"plugin-{name}-{hook}", daemon=True)
        t.start()
        t.join(self.timeout_s)
        if t.is_alive():
            self.disable(name, f"{hook} did not return within {self.timeout_s:g} s")
            return False, None
        if "error" in box:
            exc = box["error"]
            log.error("plugin %s: %s raised", name, hook, exc_info=exc)
            self.disable(name, f"{hook} raised {type(exc).__name__}: {exc}".splitlines()[0][:160])
            return False, None
        return True, box.get("value")

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            try:
                job()
            except Exception:  # noqa: BLE001 - the worker outlives every job
                log.exception("plugin job failed")
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()
