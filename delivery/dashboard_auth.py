"""The dashboard's login: the operator PIN (the same salted hash as the kiosk's operator
panel, checked by the kiosk), a session cookie, and the same lockout.

After :data:`MAX_FAILURES` wrong PINs in a row every login is refused for
:data:`LOCKOUT_S` seconds (the operator panel's numbers), whoever tries. A login is a
random 256-bit session id in an ``HttpOnly``, ``SameSite=Strict`` cookie scoped to
``/operator``; only its hash is kept, in memory, for ``dashboard_session_min``.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

MAX_FAILURES = 5
LOCKOUT_S = 30.0
COOKIE = "hk_operator"


def _h(sid: str) -> str:
    return hashlib.sha256(sid.encode("ascii", "replace")).hexdigest()


@dataclass
class LoginResult:
    session: str | None  # the new cookie value, or None
    message: str = ""


@dataclass
class OperatorLogin:
    check_pin: Callable[[str], bool] | None  # None: no PIN set, the dashboard stays shut
    session_s: float = 1800.0
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    locked_until: float = 0.0
    _sessions: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def login(self, pin: str) -> LoginResult:
        """Runs the (slow, scrypt) check; call it off the event loop."""
        now = self.clock()
        if self.check_pin is None:
            return LoginResult(None, "No operator PIN is set: run 'headshot-kiosk set-pin'.")
        with self._lock:
            if now < self.locked_until:
                return LoginResult(None, f"Locked. Try again in "
                                         f"{int(self.locked_until - now) + 1} s.")
        ok = pin.isdigit() and len(pin) <= 12 and self.check_pin(pin)
        with self._lock:
            if not ok:
                self.failures += 1
                log.warning("dashboard: wrong operator PIN (%d in a row)", self.failures)
                if self.failures >= MAX_FAILURES:
                    self.failures = 0
                    self.locked_until = now + LOCKOUT_S
                    return LoginResult(None, f"Locked for {int(LOCKOUT_S)} s.")
                return LoginResult(None, "Wrong PIN.")
            self.failures = 0
            sid = secrets.token_urlsafe(32)
            self._sessions = {k: v for k, v in self._sessions.items() if v > now}
            self._sessions[_h(sid)] = now + self.session_s
        log.info("dashboard: operator logged in")
        return LoginResult(sid)

    def valid(self, sid: str | None) -> bool:
        if not sid:
            return False
        with self._lock:
            until = self._sessions.get(_h(sid))
            return until is not None and until > self.clock()

    def logout(self, sid: str | None) -> None:
        if sid:
            with self._lock:
                self._sessions.pop(_h(sid), None)
