"""Privacy retention: delete session photos after a set time, or the unkept ones at session end.

The kiosk runs these rules as its first built-in plugin
(:mod:`delivery.retention_plugin`).

Two rules, both off by default (``storage:`` in the app config):

- ``delete_unkept``: once a session is over, every shot whose sidecar does not say
  ``"kept": true`` is deleted (image, sidecar, RAW and other extra files). A shot whose
  sidecar is missing or unreadable cannot be shown to be unkept, so this rule keeps it.
- ``delete_after_hours`` (+ ``delete_after_scope``): a shot captured more than that
  many hours ago is deleted; scope ``all`` includes kept photos (the operator asked for
  every photo to go), scope ``unkept`` only the ones not kept. Age comes from the
  sidecar's ``captured_at``, else the newest file time of the shot.

A session is *over* when it is not one the caller names as active and either its
line is in a ``sessions-*.jsonl`` log (it ended normally) or nothing in its folder has
changed for ``idle_grace_s`` (the kiosk was killed mid-session). Active sessions are
never touched. Only ``YYYY-MM-DD_NNNN`` folders directly in the output folder and
``shot-NNN.*`` files in them are ever deleted; a folder is removed once it is empty.

:meth:`Retention.sweep` runs synchronously (start-up, tests, ``session_ended``);
:meth:`Retention.tick` is for the kiosk's loop: when a sweep is due it runs it on a
background thread, so the render loop never waits on the disk. Nothing here raises for
a file system problem: failures are logged (one line) and reported.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_SESSION_RE = re.compile(r"^\d{4}-\d{2}-\d{2}_\d{4,}$")
_SHOT_RE = re.compile(r"^shot-(\d+)\.")
_LOG_RE = re.compile(r"^sessions-\d{4}-\d{2}-\d{2}\.jsonl$")


@dataclass
class RetentionReport:
    """What one sweep did."""

    shots_deleted: int = 0
    files_deleted: int = 0
    folders_removed: int = 0
    shots_seen: int = 0
    unknown_kept: int = 0  # shots without a readable sidecar (kept by delete_unkept)
    errors: list[str] = field(default_factory=list)

    def add(self, other: RetentionReport) -> None:
        self.shots_deleted += other.shots_deleted
        self.files_deleted += other.files_deleted
        self.folders_removed += other.folders_removed
        self.shots_seen += other.shots_seen
        self.unknown_kept += other.unknown_kept
        self.errors.extend(other.errors)


@dataclass
class _Shot:
    number: int
    files: list[Path]
    sidecar: Path | None
    kept: bool | None  # None = unknown (no readable sidecar)
    captured: float  # epoch seconds


class Retention:
    """Applies the deletion rules to one output folder."""

    def __init__(self, out_dir: str | Path, *, delete_unkept: bool = False,
                 delete_after_hours: float | None = None, scope: str = "all",
                 sweep_every_s: float = 600.0, idle_grace_s: float = 900.0,
                 clock: Callable[[], float] = time.time) -> None:
        if scope not in ("all", "unkept"):
            raise ValueError(f"delete_after_scope must be 'all' or 'unkept', got {scope!r}")
        self.out_dir = Path(out_dir)
        self.delete_unkept = delete_unkept
        self.delete_after_hours = delete_after_hours
        self.scope = scope
        self.sweep_every_s = sweep_every_s
        self.idle_grace_s = idle_grace_s
        self.clock = clock
        self._next_due: float | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one sweep at a time
        self.last_report: RetentionReport | None = None

    @classmethod
    def from_settings(cls, out_dir: str | Path, storage: Any, **kw: Any) -> Retention:
        """Build from the config's ``storage:`` section (kiosk.config.StorageSettings)."""
        return cls(out_dir, delete_unkept=storage.delete_unkept,
                   delete_after_hours=storage.delete_after_hours,
                   scope=storage.delete_after_scope,
                   sweep_every_s=storage.retention_sweep_min * 60.0, **kw)

    @property
    def enabled(self) -> bool:
        return self.delete_unkept or self.delete_after_hours is not None

    def describe(self) -> str:
        """One line for the start-up log."""
        if not self.enabled:
            return "retention: off (photos are kept until someone deletes them)"
        parts = []
        if self.delete_unkept:
            parts.append("unkept photos deleted when the session ends")
        if self.delete_after_hours is not None:
            which = "all photos" if self.scope == "all" else "unkept photos"
            parts.append(f"{which} deleted after {self.delete_after_hours:g} h")
        return "retention: " + "; ".join(parts)

    # -- entry points ----------------------------------------------------------------
    def tick(self, now: float, active: Iterable[Path] = ()) -> bool:
        """Call every loop (``now`` = monotonic): starts a background sweep when due.

        The first call sweeps at once (the start-up sweep). Returns True when a sweep
        was started.
        """
        if not self.enabled:
            return False
        if self._next_due is not None and now < self._next_due:
            return False
        if self._thread is not None and self._thread.is_alive():
            return False
        self._next_due = now + self.sweep_every_s
        folders = [Path(p) for p in active]
        self._thread = threading.Thread(target=self._background, args=(folders,),
                                        name="retention-sweep", daemon=True)
        self._thread.start()
        return True

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a background sweep to finish (tests, shutdown)."""
        t = self._thread
        if t is not None:
            t.join(timeout)

    def _background(self, active: list[Path]) -> None:
        try:
            self.sweep(active)
        except Exception:  # noqa: BLE001 - a sweep must never take the kiosk down
            log.exception("retention: the sweep failed")

    def sweep(self, active: Iterable[Path] = ()) -> RetentionReport:
        """Apply the rules to every session folder except ``active`` ones."""
        report = RetentionReport()
        if not self.enabled:
            return report
        with self._lock:
            skip = {_key(p) for p in active}
            ended = self._ended_sessions(report)
            try:
                folders = sorted(p for p in self.out_dir.iterdir()
                                 if _SESSION_RE.match(p.name) and p.is_dir()
                                 and not p.is_symlink())
            except OSError as exc:
                report.errors.append(f"cannot list {self.out_dir}: {exc.strerror or exc}")
                log.warning("retention: %s", report.errors[-1])
                self.last_report = report
                return report
            for folder in folders:
                if _key(folder) in skip:
                    continue
                over = folder.name in ended or self._idle(folder)
                report.add(self._apply(folder, unkept_now=self.delete_unkept and over,
                                       why="session over", remove_empty=over))
        if report.shots_deleted or report.errors:
            log.info("retention: deleted %d photo(s) (%d files, %d empty session folders); "
                     "%d error(s)", report.shots_deleted, report.files_deleted,
                     report.folders_removed, len(report.errors))
        self.last_report = report
        return report

    def session_ended(self, folder: str | Path | Any, *, wait: bool = True) -> RetentionReport:
        """A session just ended: with ``delete_unkept``, delete its unkept shots now.

        ``folder``: the session folder, or a :class:`kiosk.storage.Session`.
        ``wait=False`` (the render loop): do it on a background thread (a running sweep
        holds the lock) and return an empty report at once.
        """
        path = Path(getattr(folder, "folder", folder))
        report = RetentionReport()
        if not self.delete_unkept:
            return report
        if not wait:
            threading.Thread(target=self._ended_background, args=(path,),
                             name="retention-session", daemon=True).start()
            return report
        with self._lock:
            report = self._apply(path, unkept_now=True, why="session ended",
                                 remove_empty=True)
        if report.shots_deleted:
            log.info("retention: session %s ended; deleted %d unkept photo(s)",
                     path.name, report.shots_deleted)
        return report

    def _ended_background(self, path: Path) -> None:
        try:
            self.session_ended(path)
        except Exception:  # noqa: BLE001 - never take the kiosk down
            log.exception("retention: deleting the ended session's photos failed")

    # -- internals -------------------------------------------------------------------
    def _apply(self, folder: Path, *, unkept_now: bool, why: str,
               remove_empty: bool) -> RetentionReport:
        """Delete what the rules say in one folder; an empty folder is removed only when
        its session is over (a session just started has an empty folder too)."""
        report = RetentionReport()
        try:
            shots = _shots(folder)
        except OSError as exc:
            report.errors.append(f"cannot read {folder.name}: {exc.strerror or exc}")
            log.warning("retention: %s", report.errors[-1])
            return report
        now = self.clock()
        for shot in shots:
            report.shots_seen += 1
            if shot.kept is None:
                report.unknown_kept += 1
            if self._due(shot, now, unkept_now):
                _delete_shot(folder, shot, report)
                log.debug("retention: shot %d of %s (%s)", shot.number, folder.name,
                          "unkept, " + why if unkept_now and shot.kept is False
                          else f"older than {self.delete_after_hours:g} h")
        if remove_empty:
            _remove_if_empty(folder, report)
        return report

    def _due(self, shot: _Shot, now: float, unkept_now: bool) -> bool:
        """Whether a rule deletes this shot now."""
        unkept = shot.kept is False
        if unkept_now and unkept:
            return True
        if self.delete_after_hours is None:
            return False
        old = now - shot.captured > self.delete_after_hours * 3600
        return old and (self.scope == "all" or unkept)

    def _idle(self, folder: Path) -> bool:
        """Nothing in the folder changed for ``idle_grace_s`` (a session left unended)."""
        try:
            newest = max((p.stat().st_mtime for p in folder.iterdir()),
                         default=folder.stat().st_mtime)
        except OSError:
            return False
        return self.clock() - newest > self.idle_grace_s

    def _ended_sessions(self, report: RetentionReport) -> set[str]:
        """Session ids with a line in any ``sessions-*.jsonl`` log."""
        ended: set[str] = set()
        try:
            logs = [p for p in self.out_dir.iterdir() if _LOG_RE.match(p.name)]
        except OSError:
            return ended
        for path in logs:
            try:
                with path.open(encoding="utf-8", errors="replace") as f:
                    for line in f:
                        try:
                            sid = json.loads(line).get("session")
                        except (ValueError, AttributeError):
                            continue  # a torn last line after a power cut
                        if isinstance(sid, str):
                            ended.add(sid)
            except OSError as exc:
                report.errors.append(f"cannot read {path.name}: {exc.strerror or exc}")
        return ended


def _delete_shot(folder: Path, shot: _Shot, report: RetentionReport) -> None:
    """Delete one shot's files, the sidecar last and only when the rest went: a photo
    never loses its record (a crash part-way leaves the record for the next sweep)."""
    ordered = [p for p in shot.files if p != shot.sidecar] + (
        [shot.sidecar] if shot.sidecar is not None else [])
    done = 0
    failed = False
    for p in ordered:
        if failed and p == shot.sidecar:
            break
        try:
            p.unlink()
            done += 1
        except FileNotFoundError:
            pass
        except OSError as exc:
            failed = True
            report.errors.append(f"cannot delete {folder.name}/{p.name}: "
                                 f"{exc.strerror or exc}")
            log.warning("retention: %s", report.errors[-1])
    report.files_deleted += done
    if done and not failed:
        report.shots_deleted += 1


def _remove_if_empty(folder: Path, report: RetentionReport) -> None:
    try:
        if not any(folder.iterdir()):
            folder.rmdir()
            report.folders_removed += 1
    except OSError:
        pass


def _key(p: Path) -> str:
    try:
        return str(Path(p).resolve())
    except OSError:
        return str(p)


def _shots(folder: Path) -> list[_Shot]:
    """The shots in a session folder, grouped by number (image, sidecar, extras)."""
    groups: dict[int, list[Path]] = {}
    for p in folder.iterdir():
        m = _SHOT_RE.match(p.name)
        if m and not p.is_dir():
            groups.setdefault(int(m.group(1)), []).append(p)
    shots = []
    for number, files in sorted(groups.items()):
        sidecar = next((p for p in files if p.suffix.lower() == ".json"), None)
        kept: bool | None = None
        captured: float | None = None
        if sidecar is not None:
            try:
                data = json.loads(sidecar.read_text(encoding="utf-8"))
                if isinstance(data, dict):
                    k = data.get("kept")
                    kept = bool(k) if k is not None else False
                    captured = _epoch(data.get("captured_at"))
            except (OSError, ValueError):
                kept = None
        if captured is None:
            captured = max(_mtime(p) for p in files)
        shots.append(_Shot(number, files, sidecar, kept, captured))
    return shots


def _epoch(text: Any) -> float | None:
    if not isinstance(text, str):
        return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    return dt.timestamp()  # naive times are local, as storage writes them


def _mtime(p: Path) -> float:
    try:
        return os.lstat(p).st_mtime
    except OSError:
        return time.time()

