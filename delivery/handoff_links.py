"""Guest links: an unguessable token per kept session, its expiry, what it may serve.

A token is ``secrets.token_urlsafe(32)`` (256 bits); only its SHA-256 is stored, in
``OUT/handoff-links.json`` (owner-only, written atomically), so the store file alone
opens nothing. A link names its session folder and the extra deliverable files the
plugins reported (a print sheet); which photos it serves is decided at each request
from the folder itself (:mod:`delivery.handoff_files`), so a photo the retention rules
deleted is gone from the link at once. The kiosk and ``headshot-kiosk serve`` share the
file: the store reloads it when it changes on disk.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from coaching.files import write_atomic

STORE_NAME = "handoff-links.json"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # token_urlsafe(32)
SESSION_RE = re.compile(r"^\d{4}-\d{2}-\d{2}_\d{4,}$")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


@dataclass(frozen=True)
class Link:
    session: str  # the session folder's name under the output folder
    created: float  # time.time()
    expires: float
    extra: tuple[str, ...] = ()  # deliverable file names beside the photos

    def to_json(self) -> dict:
        return {"session": self.session, "created": self.created, "expires": self.expires,
                "extra": list(self.extra)}


@dataclass
class Lookup:
    """What a token opens: a live link, or why not (``expired``/``unknown``)."""

    link: Link | None
    why: str = ""


@dataclass
class LinkStore:
    out_dir: Path
    clock: Callable[[], float] = time.time
    _links: dict[str, Link] = field(default_factory=dict)
    _mtime: float = -1.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def path(self) -> Path:
        return Path(self.out_dir) / STORE_NAME

    def create(self, session: str, ttl_s: float) -> str:
        """A new token for ``session`` valid ``ttl_s``; returns the token itself."""
        if not SESSION_RE.match(session):
            raise ValueError(f"not a session folder name: {session!r}")
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            self._reload()
            self._links[token_hash(token)] = Link(session, now, now + ttl_s)
            self._save()
        return token

    def add_extra(self, token: str, names: list[str]) -> None:
        """Deliverable files (plain names in the session folder) the link may serve too."""
        with self._lock:
            self._reload()
            key = token_hash(token)
            old = self._links.get(key)
            if old is None:
                return
            extra = tuple(dict.fromkeys([*old.extra, *names]))
            self._links[key] = Link(old.session, old.created, old.expires, extra)
            self._save()

    def lookup(self, token: str) -> Lookup:
        if not TOKEN_RE.match(token):
            return Lookup(None, "unknown")
        with self._lock:
            self._reload()
            link = self._links.get(token_hash(token))
        if link is None:
            return Lookup(None, "unknown")
        if self.clock() >= link.expires:
            return Lookup(None, "expired")
        return Lookup(link)

    def live_sessions(self) -> set[str]:
        now = self.clock()
        with self._lock:
            self._reload()
            return {v.session for v in self._links.values() if v.expires > now}

    def prune(self, keep_s: float = 86_400.0) -> int:
        """Forget links expired more than ``keep_s`` ago (an expired one still says
        'expired' for a day rather than 'unknown'); returns how many."""
        now = self.clock()
        with self._lock:
            self._reload()
            old = [k for k, v in self._links.items() if v.expires + keep_s < now]
            for k in old:
                del self._links[k]
            if old:
                self._save()
        return len(old)

    # -- the file ----------------------------------------------------------------------
    def _reload(self) -> None:
        try:
            mtime = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return
        if mtime == self._mtime:
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            links = {k: Link(str(v["session"]), float(v["created"]), float(v["expires"]),
                             tuple(str(x) for x in v.get("extra", ())))
                     for k, v in data.get("links", {}).items()
                     if SESSION_RE.match(str(v.get("session", "")))}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return  # a damaged file opens nothing new; the next save rewrites it
        self._links, self._mtime = links, mtime

    def _save(self) -> None:
        data = json.dumps({"links": {k: v.to_json() for k, v in self._links.items()}},
                          indent=1).encode("utf-8")
        write_atomic(self.path, data, overwrite=True)
        os.chmod(self.path, 0o600)
        self._mtime = self.path.stat().st_mtime_ns
