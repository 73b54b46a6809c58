"""The kiosk as the dashboard sees it (:class:`delivery.hooks.BoothRemote`).

The web server runs on its own thread and must never touch the UI's objects, so:
the UI thread publishes a status snapshot about once a second into a lock-guarded
slot (:meth:`KioskRemote.publish`), the server reads the newest one; a command from
the dashboard is put on the booth's event queue as a ``REMOTE`` event, which the UI
thread carries out like an operator's button (:meth:`kiosk.operator_desk.OperatorDesk.remote`).
"""

from __future__ import annotations

import queue
import shutil
import threading
from typing import Any

from kiosk.operator import verify_pin
from kiosk.states import Event, Kind

#: Commands the dashboard may send, and whether they take a value.
COMMANDS = {"shutter": False, "auto": True, "preset": True}


class KioskRemote:
    def __init__(self, events: queue.SimpleQueue[Event], pin_hash: str | None) -> None:
        self._events = events
        self._pin_hash = pin_hash
        self._lock = threading.Lock()
        self._status: dict[str, Any] = {"state": "starting"}

    def publish(self, status: dict[str, Any]) -> None:
        with self._lock:
            self._status = dict(status)

    def status(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._status)

    def check_pin(self, pin: str) -> bool:
        return bool(self._pin_hash) and verify_pin(pin, self._pin_hash or "")

    def command(self, action: str, value: str = "") -> bool:
        if action not in COMMANDS or (COMMANDS[action] and not value):
            return False
        self._events.put(Event(Kind.REMOTE, data=(action, value)))
        return True


def remote_status(booth: Any, machine: Any, screen_fps: float, problems: list[str],
                  out_dir: Any) -> dict[str, Any]:
    """The snapshot the dashboard shows (built on the UI thread, plain values only)."""
    src = booth.camera.source
    p = booth.pipeline
    st = p.stats() if p is not None else None
    try:
        du = shutil.disk_usage(out_dir)
        disk = {"free_gb": round(du.free / 1e9, 1), "free_pct": round(100 * du.free / du.total)}
    except OSError:
        disk = {"free_gb": None, "free_pct": None}
    errors = [e for e in [machine.ctx.error, *problems] if e]
    return {
        "state": machine.state.value,
        "camera": getattr(getattr(src, "state", None), "value", "none"),
        "camera_name": booth.camera.name,
        "coach_fps": None if st is None else round(st.fps, 1),
        "latency_p95_ms": None if st is None else round(st.latency_p95_ms, 1),
        "screen_fps": round(screen_fps, 1),
        "disk": disk,
        "last_error": errors[-1] if errors else "",
        "problems": problems,
        "preset": booth.preset_name,
        "presets": [c.key for c in machine.ctx.presets],
        "auto_shutter": not booth.auto_paused,
        "session": booth.session.id if booth.session is not None else "",
        "captures": booth.captures_saved,
    }
