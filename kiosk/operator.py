"""Operator mode: the PIN (stored only as a salted hash) and the overlay's state.

The PIN is hashed with scrypt (``hashlib.scrypt``; PBKDF2-SHA256 where the
Python build lacks scrypt) and a random 16-byte salt; the config holds
``operator.pin_hash`` such as ``scrypt$16384$8$1$<salt>$<hash>`` (base64). The
PIN itself is never stored or logged. After 5 wrong PINs the pad locks for 30 s
so a guest cannot try all 10 000 four-digit PINs at a booth.

Drawing lives in ``kiosk/screens/operator.py``; this module is the logic.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import logging
import os
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

PIN_MIN, PIN_MAX = 4, 12
_SCRYPT = (2**14, 8, 1)
_PBKDF2_ROUNDS = 600_000
MAX_FAILURES = 5
LOCKOUT_S = 30.0


class PinError(ValueError):
    """A PIN or a stored hash that cannot be used; ``str()`` is one line."""


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def check_pin_format(pin: str) -> None:
    if not (pin.isdigit() and PIN_MIN <= len(pin) <= PIN_MAX):
        raise PinError(f"the PIN must be {PIN_MIN} to {PIN_MAX} digits")


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    """A storable hash of ``pin`` (digits only, 4..12)."""
    check_pin_format(pin)
    salt = salt or os.urandom(16)
    if hasattr(hashlib, "scrypt"):
        n, r, p = _SCRYPT
        dk = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=32)
        return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(dk)}"
    dk = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, _PBKDF2_ROUNDS)
    return f"pbkdf2_sha256${_PBKDF2_ROUNDS}${_b64(salt)}${_b64(dk)}"


def parse_hash(stored: str) -> tuple[str, tuple[int, ...], bytes, bytes]:
    """Split a stored hash; raises PinError naming what is wrong (never echoing it)."""
    parts = stored.strip().split("$")
    try:
        if parts[0] == "scrypt" and len(parts) == 6:
            params = tuple(int(x) for x in parts[1:4])
            return "scrypt", params, base64.b64decode(parts[4], validate=True), \
                base64.b64decode(parts[5], validate=True)
        if parts[0] == "pbkdf2_sha256" and len(parts) == 4:
            return "pbkdf2_sha256", (int(parts[1]),), base64.b64decode(parts[2], validate=True), \
                base64.b64decode(parts[3], validate=True)
    except ValueError:
        pass
    raise PinError("not a PIN hash made by 'headshot-kiosk set-pin' "
                   "(expected scrypt$N$r$p$salt$hash or pbkdf2_sha256$rounds$salt$hash)")


def verify_pin(pin: str, stored: str) -> bool:
    """Constant-time check of ``pin`` against ``stored``; False for any malformed input."""
    try:
        algo, params, salt, expected = parse_hash(stored)
    except PinError:
        return False
    if algo == "scrypt":
        n, r, p = params
        got = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=len(expected))
    else:
        got = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, params[0], dklen=len(expected))
    return hmac.compare_digest(got, expected)


class Mode(str, enum.Enum):
    CLOSED = "closed"
    PIN = "pin"  # the keypad is up
    OPEN = "open"  # unlocked: numbers and controls
    NO_PIN = "no_pin"  # no PIN configured: says how to set one


class Action(str, enum.Enum):
    """What the unlocked overlay asks the app to do."""

    SHUTTER = "shutter"
    TOGGLE_AUTO = "toggle_auto"
    TOGGLE_VOICE = "toggle_voice"
    TOGGLE_THEME = "toggle_theme"
    PRESET_PREV = "preset_prev"
    PRESET_NEXT = "preset_next"
    ROW_UP = "row_up"
    ROW_DOWN = "row_down"
    LOW_DOWN = "low_down"
    LOW_UP = "low_up"
    HIGH_DOWN = "high_down"
    HIGH_UP = "high_up"
    RESET_RANGES = "reset_ranges"
    FULL_FRAME = "full_frame"  # review: the whole camera frame <-> the deliverable
    CLOSE = "close"
    QUIT = "quit"


@dataclass
class OperatorPanel:
    """State of the operator overlay. ``allow_without_pin`` = windowed/dev runs."""

    pin_hash: str | None
    allow_without_pin: bool = False
    mode: Mode = Mode.CLOSED
    entered: str = ""
    message: str = ""
    failures: int = 0
    locked_until: float = 0.0
    row: int = 0
    auto_paused: bool = False
    opened_at: float = 0.0
    unlocked: bool = field(default=False)  # True once the PIN was right this run

    @property
    def visible(self) -> bool:
        return self.mode is not Mode.CLOSED

    def request(self, now: float) -> None:
        """The operator gesture: show the keypad (or the panel if already unlocked)."""
        self.opened_at = now
        self.entered = ""
        self.message = ""
        if self.unlocked or (not self.pin_hash and self.allow_without_pin):
            self.mode = Mode.OPEN
        elif not self.pin_hash:
            self.mode = Mode.NO_PIN
        else:
            self.mode = Mode.PIN

    def close(self) -> None:
        self.mode = Mode.CLOSED
        self.entered = ""
        self.unlocked = False  # the next opening asks again: a guest may be next

    def type_digit(self, d: str, now: float) -> None:
        if self.mode is Mode.PIN and d.isdigit() and len(self.entered) < PIN_MAX:
            self.entered += d

    def backspace(self) -> None:
        self.entered = self.entered[:-1]

    def submit(self, now: float) -> bool:
        """Check the typed PIN. Wrong 5 times -> locked for 30 s."""
        if self.mode is not Mode.PIN:
            return False
        if now < self.locked_until:
            self.message = f"Locked. Try again in {int(self.locked_until - now) + 1} s"
            self.entered = ""
            return False
        ok = bool(self.pin_hash) and verify_pin(self.entered, self.pin_hash or "")
        self.entered = ""
        if ok:
            self.failures = 0
            self.mode = Mode.OPEN
            self.unlocked = True
            self.message = ""
            log.info("operator mode unlocked")
            return True
        self.failures += 1
        log.warning("wrong operator PIN (%d in a row)", self.failures)
        if self.failures >= MAX_FAILURES:
            self.locked_until = now + LOCKOUT_S
            self.failures = 0
            self.message = f"Locked for {int(LOCKOUT_S)} s"
        else:
            self.message = "Wrong PIN"
        return False
