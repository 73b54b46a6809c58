"""Retention: unkept photos deleted when a session ends, everything after a set time, kept
photos safe unless the age rule asks for all, active sessions and foreign files untouched.
Real session folders written by kiosk.storage."""

from __future__ import annotations

import errno
import json
import os
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from camera.base import Still
from delivery.retention import Retention
from kiosk.config import StorageSettings, load_config
from kiosk.storage import SessionStore


def image(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)


def shoot(store: SessionStore, n: int, keep: set[int] = frozenset(), *, end: bool = True,
          raw: bool = False):
    """A session of ``n`` shots; those numbered in ``keep`` are kept."""
    session = store.start("linkedin", source="replay:x.mp4", camera="test")
    for i in range(1, n + 1):
        if raw:
            ok, jpg = cv2.imencode(".jpg", image(i))
            still = Still(data=jpg.tobytes(), extension=".jpg", image=None, camera="dslr",
                          extra_files=((".cr2", b"RAW" * 100),))
            shot = session.save(still=still)
        else:
            shot = session.save(image=image(i))
        if i in keep:
            session.set_kept(shot, True)
        elif i % 2 == 0:
            session.set_kept(shot, False)  # an explicit "retake"; odd ones stay null
    if end:
        session.end()
    return session


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def later(hours: float):
    return lambda: time.time() + hours * 3600


def test_off_by_default_nothing_is_deleted(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    s = shoot(store, 3)
    r = Retention.from_settings(tmp_path, load_config().storage, clock=later(10_000))
    assert not r.enabled and "off" in r.describe()
    assert r.sweep().shots_deleted == 0 and r.session_ended(s).shots_deleted == 0
    assert r.tick(0.0) is False
    assert len(names(s.folder)) == 6


def test_unkept_photos_go_when_the_session_ends_kept_ones_stay(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    s = shoot(store, 4, keep={2}, raw=True)
    r = Retention(tmp_path, delete_unkept=True)
    rep = r.session_ended(s)
    assert rep.shots_deleted == 3 and rep.files_deleted == 9 and not rep.errors
    assert names(s.folder) == ["shot-002.cr2", "shot-002.jpg", "shot-002.json"]
    side = json.loads((s.folder / "shot-002.json").read_text())
    assert side["kept"] is True and side["extra_files"] == ["shot-002.cr2"]
    assert cv2.imread(str(s.folder / "shot-002.jpg")) is not None
    # a session with nothing kept disappears entirely, folder included (here on a
    # background thread, as the kiosk's render loop asks for it)
    s2 = shoot(store, 2)
    assert r.session_ended(s2, wait=False).shots_deleted == 0
    deadline = time.monotonic() + 10
    while s2.folder.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not s2.folder.exists()
    # the day's session log (no photos, no personal data) is left alone
    assert len(list(tmp_path.glob("sessions-*.jsonl"))) == 1


def test_sweep_spares_active_and_fresh_sessions_and_catches_abandoned_ones(
        tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    ended = shoot(store, 2)                      # in the session log: over
    abandoned = shoot(store, 2, end=False)       # the kiosk was killed mid-session
    active = shoot(store, 2, end=False)          # the sitter in front of the camera now
    fresh = store.start("linkedin")              # just started, empty folder
    r = Retention(tmp_path, delete_unkept=True, idle_grace_s=900)
    rep = r.sweep(active=[active.folder])
    assert not ended.folder.exists()
    assert len(names(abandoned.folder)) == 4     # changed seconds ago: maybe still running
    assert len(names(active.folder)) == 4 and fresh.folder.is_dir()
    assert rep.shots_deleted == 2
    # an hour later the abandoned session is over too (the active one is still skipped)
    r.clock = later(1)
    r.sweep(active=[active.folder])
    assert not abandoned.folder.exists() and len(names(active.folder)) == 4
    assert not fresh.folder.exists()             # empty and idle: removed


def test_age_rule_scope_all_includes_kept_photos(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    s = shoot(store, 3, keep={1, 3})
    r = Retention(tmp_path, delete_after_hours=24, scope="all", clock=later(23.9))
    assert r.sweep().shots_deleted == 0 and len(names(s.folder)) == 6
    r.clock = later(24.1)
    rep = r.sweep()
    assert rep.shots_deleted == 3 and not s.folder.exists()
    assert "all photos deleted after 24 h" in r.describe()


def test_age_rule_scope_unkept_never_touches_kept_photos(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    s = shoot(store, 3, keep={3})
    r = Retention(tmp_path, delete_after_hours=2, scope="unkept", clock=later(1000))
    assert r.sweep().shots_deleted == 2
    assert names(s.folder) == ["shot-003.jpg", "shot-003.json"]


def test_a_shot_without_a_readable_sidecar_is_never_called_unkept(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    s = shoot(store, 3)
    (s.folder / "shot-001.json").unlink()                 # killed between photo and record
    (s.folder / "shot-002.json").write_text("{not json")  # damaged record
    r = Retention(tmp_path, delete_unkept=True)
    rep = r.session_ended(s)
    assert rep.unknown_kept == 2 and rep.shots_deleted == 1
    assert names(s.folder) == ["shot-001.jpg", "shot-002.jpg", "shot-002.json"]
    # ... but the age rule with scope "all" takes them (by file time)
    r2 = Retention(tmp_path, delete_after_hours=1, clock=later(2))
    assert r2.sweep().shots_deleted == 2 and not s.folder.exists()


def test_only_session_folders_and_shot_files_are_touched(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    s = shoot(store, 1)
    (s.folder / "notes.txt").write_text("operator's file")
    other = tmp_path / "exports"
    other.mkdir()
    (other / "shot-001.jpg").write_bytes(b"not ours")
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "kiosk.log").write_text("x")
    r = Retention(tmp_path, delete_unkept=True, delete_after_hours=1, clock=later(5))
    r.sweep()
    assert names(s.folder) == ["notes.txt"]              # folder kept: not empty
    assert (other / "shot-001.jpg").exists() and (logs / "kiosk.log").exists()


def test_tick_sweeps_in_the_background_at_start_then_on_schedule(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    shoot(store, 2)
    settings = StorageSettings(delete_unkept=True, retention_sweep_min=5)
    r = Retention.from_settings(tmp_path, settings)
    assert r.sweep_every_s == 300
    assert r.tick(100.0) is True           # the start-up sweep
    r.wait(10)
    assert r.last_report is not None and r.last_report.shots_deleted == 2
    shoot(store, 1)
    assert r.tick(399.0) is False          # not due yet
    assert r.tick(400.0) is True
    r.wait(10)
    assert r.last_report.shots_deleted == 1
    assert not [p for p in tmp_path.iterdir() if p.is_dir()]


def test_a_failing_delete_is_reported_not_raised(tmp_path: Path, monkeypatch) -> None:
    store = SessionStore(tmp_path)
    s = shoot(store, 2)
    real_unlink = Path.unlink

    def fake_read_only_unlink(self, missing_ok=False):  # FakeReadOnly: root ignores chmod
        if self.suffix == ".jpg":
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", fake_read_only_unlink)
    rep = Retention(tmp_path, delete_unkept=True).sweep()
    assert len(rep.errors) == 2 and all("\n" not in e and "Read-only" in e for e in rep.errors)
    assert len(names(s.folder)) == 4 and rep.shots_deleted == 0  # each photo keeps its record


def test_scope_is_checked() -> None:
    with pytest.raises(ValueError):
        Retention(os.devnull, scope="some")
