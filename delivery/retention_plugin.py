"""Retention as the kiosk's first built-in plugin (name ``retention``).

It sweeps at start-up and then every ``storage.retention_sweep_min`` on its own
thread (never the render loop), skipping the session in progress, and deletes an
ended session's unkept photos through the ``session_ended`` hook. Its settings stay
under ``storage:`` so existing config files keep working.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from delivery.hooks import BoothInfo, SessionInfo, hookimpl
from delivery.retention import Retention

log = logging.getLogger(__name__)


class RetentionPlugin:
    """The retention rules as a kiosk plugin; configured from ``storage:`` (kept there
    so existing config files work), so it has no ``plugins.retention`` settings."""

    name = "retention"

    def __init__(self) -> None:
        self.retention: Retention | None = None
        self._active: set[str] = set()
        self._stop = threading.Event()
        self._sweeper: threading.Thread | None = None

    @hookimpl
    def kiosk_startup(self, booth: BoothInfo) -> None:
        self.retention = Retention.from_settings(booth.out_dir, booth.config.storage)
        log.info("%s", self.retention.describe())
        if self.retention.enabled:
            self._sweeper = threading.Thread(target=self._sweep_loop, name="retention-sweep",
                                             daemon=True)
            self._sweeper.start()

    @hookimpl
    def kiosk_shutdown(self) -> None:
        self._stop.set()
        if self._sweeper is not None:
            self._sweeper.join(5.0)

    @hookimpl
    def session_started(self, session: SessionInfo) -> None:
        self._active.add(str(Path(session.folder).resolve()))

    @hookimpl
    def session_ended(self, session: SessionInfo) -> None:
        self._active.discard(str(Path(session.folder).resolve()))
        if self.retention is not None:
            self.retention.session_ended(session.folder)  # no-op unless delete_unkept

    def _sweep_loop(self) -> None:
        """The start-up sweep at once, then one every ``sweep_every_s``; never raises."""
        r = self.retention
        assert r is not None
        while not self._stop.is_set():
            try:
                r.sweep([Path(p) for p in list(self._active)])
            except Exception:  # noqa: BLE001 - a sweep must never take the kiosk down
                log.exception("retention: the sweep failed")
            self._stop.wait(r.sweep_every_s)
