"""Session storage: bytes untouched, sidecars, atomic writes, numbering after a restart,
no overwrite, and disk full / read-only / vanished folders as one-line StorageErrors."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from camera.base import Still
from coaching.metrics import Metrics
from kiosk.storage import SessionStore, StorageError, write_atomic

ROOT = Path(__file__).resolve().parent.parent


def rgb_image(w: int = 64, h: int = 48) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([x * 4 % 256, y * 5 % 256, (x + y) * 2 % 256], axis=2).astype(np.uint8)


def jpeg_bytes() -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb_image()).save(buf, "JPEG", quality=80)
    return buf.getvalue() + b"camera-made"  # trailing bytes prove nobody re-encodes


def test_still_bytes_are_saved_untouched_with_a_sidecar(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    session = store.start("linkedin", source="gphoto2", camera="Nikon DSC D750")
    data = jpeg_bytes()
    still = Still(data=data, extension=".JPG", image=None, camera="Nikon DSC D750",
                  extra_files=((".nef", b"raw-bytes"),))
    m = Metrics(faces=1, yaw_deg=3.21234, smile=0.5)
    shot = session.save(still=still, metrics=m, frame_time_s=1.23456, reason="auto",
                        extra={"in_range": {"yaw_deg": True}})
    assert shot.image_path.name == "shot-001.jpg"
    assert shot.image_path.read_bytes() == data
    assert (shot.image_path.with_suffix(".nef")).read_bytes() == b"raw-bytes"
    side = json.loads(shot.sidecar_path.read_text())
    assert shot.sidecar_path.name == "shot-001.json"
    for key in ("preset", "captured_at", "source", "camera", "frame_time_s", "metrics",
                "app_version", "kept"):
        assert key in side
    assert side["preset"] == "linkedin" and side["camera"] == "Nikon DSC D750"
    assert side["frame_time_s"] == 1.2346 and side["kept"] is None
    assert side["metrics"] == m.to_dict() and set(side["metrics"]) == set(Metrics.names())
    assert side["in_range"] == {"yaw_deg": True} and side["extra_files"] == ["shot-001.nef"]
    assert side["captured_at"][:4].isdigit() and "T" in side["captured_at"]
    assert not [p for p in session.folder.iterdir() if p.name.startswith(".")]


def test_an_image_without_bytes_becomes_a_high_quality_jpeg(tmp_path: Path) -> None:
    session = SessionStore(tmp_path).start("passport", source="webcam:0")
    img = rgb_image(320, 240)
    shot = session.save(image=img, metrics={"faces": 1})
    back = np.asarray(Image.open(shot.image_path).convert("RGB")).astype(int)
    assert back.shape == img.shape
    assert np.abs(back - img).mean() < 3.0  # q95, 4:4:4
    still = Still(data=None, extension=".jpg", image=img, camera="webcam 0")
    shot2 = session.save(still=still)
    assert shot2.image_path.name == "shot-002.jpg"
    assert json.loads(shot2.sidecar_path.read_text())["camera"] == "webcam 0"


def test_numbering_continues_after_a_restart_and_never_overwrites(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    s1 = store.start("a")
    s1.save(image=rgb_image())
    s1.save(image=rgb_image())
    # A crash left a photo without its sidecar, and a half-written temporary file.
    (s1.folder / "shot-003.jpg").write_bytes(b"from before the crash")
    (s1.folder / ".shot-004.jpg.tmp-1a2b-3c4d5e6f").write_bytes(b"half")
    store2 = SessionStore(tmp_path)  # restart
    assert not (s1.folder / ".shot-004.jpg.tmp-1a2b-3c4d5e6f").exists()
    s2 = store2.start("a")
    assert s2.id.split("_")[0] == s1.id.split("_")[0]
    assert int(s2.id.split("_")[1]) == int(s1.id.split("_")[1]) + 1
    # Resuming into the old folder: numbering goes on after every existing stem.
    s1b = type(s1)(store2, s1.id, s1.folder, "a", "", "")
    shot = s1b.save(image=rgb_image())
    assert shot.number == 4
    assert (s1.folder / "shot-003.jpg").read_bytes() == b"from before the crash"


def test_a_name_taken_at_the_last_moment_is_not_overwritten(tmp_path: Path,
                                                            monkeypatch) -> None:
    session = SessionStore(tmp_path).start("a")
    (session.folder / "shot-001.jpg").write_bytes(b"someone else's")
    monkeypatch.setattr(SessionStore, "next_shot_number", staticmethod(lambda folder: 1))
    shot = session.save(image=rgb_image())
    assert shot.number == 2
    assert (session.folder / "shot-001.jpg").read_bytes() == b"someone else's"
    with pytest.raises(FileExistsError):
        write_atomic(session.folder / "shot-001.jpg", b"x")
    assert (session.folder / "shot-001.jpg").read_bytes() == b"someone else's"


def test_disk_full_is_one_line_and_leaves_no_debris(tmp_path: Path, monkeypatch) -> None:
    session = SessionStore(tmp_path).start("a")
    first = session.save(image=rgb_image())
    before = first.image_path.read_bytes()

    def fake_full_disk(fd: int, data) -> int:  # FakeFullDisk: os.write says ENOSPC
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", fake_full_disk)
    with pytest.raises(StorageError) as info:
        session.save(image=rgb_image())
    msg = str(info.value)
    assert "\n" not in msg and "the disk is full" in msg and str(session.folder) in msg
    monkeypatch.undo()
    names = sorted(p.name for p in session.folder.iterdir())
    assert names == ["shot-001.jpg", "shot-001.json"]  # no temp file, nothing half-written
    assert first.image_path.read_bytes() == before
    assert session.save(image=rgb_image()).number == 2  # space again: carries on


def test_sidecar_failure_keeps_the_photo_and_says_so(tmp_path: Path, monkeypatch) -> None:
    session = SessionStore(tmp_path).start("a")
    real_write = os.write
    calls = {"n": 0}

    def fake_fills_up(fd: int, data) -> int:  # FakeFillingDisk: the second file fails
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", fake_fills_up)
    with pytest.raises(StorageError, match=r"saved .*shot-001.jpg but not its record: the "
                                           r"disk is full"):
        session.save(image=rgb_image())
    monkeypatch.undo()
    assert (session.folder / "shot-001.jpg").stat().st_size > 0


def test_vanished_and_unusable_folders(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "out")
    session = store.start("a")
    kept = session.save(image=rgb_image())
    # The session folder is deleted while running (or its drive unplugged).
    shutil.rmtree(session.folder)
    with pytest.raises(StorageError, match="the folder is gone"):
        session.save(image=rgb_image())
    assert not session.folder.exists()  # not recreated behind the operator's back
    assert kept.number == 1
    # An output folder that cannot exist (below a file): read-only for root too.
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError) as info:
        SessionStore(blocker / "out")
    assert "\n" not in str(info.value) and "cannot use the output folder" in str(info.value)
    assert "is a file, not a folder" in str(info.value)


def test_read_only_folder(tmp_path: Path, monkeypatch) -> None:
    session = SessionStore(tmp_path).start("a")
    session.save(image=rgb_image())
    real_open = os.open

    def fake_read_only(path, flags, mode=0o777, **kw):  # FakeReadOnly: root ignores chmod
        if flags & os.O_CREAT:
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, mode, **kw)

    monkeypatch.setattr(os, "open", fake_read_only)
    with pytest.raises(StorageError, match="the disk is read-only"):
        session.save(image=rgb_image())
    with pytest.raises(StorageError, match="could not write the session log"):
        session.end()


def test_kept_flag_and_session_log(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    session = store.start("medical", source="replay:x.mp4", camera="replay x.mp4")
    a = session.save(image=rgb_image())
    b = session.save(image=rgb_image())
    session.set_kept(b, True)
    session.set_kept(a, False)
    assert json.loads(b.sidecar_path.read_text())["kept"] is True
    assert json.loads(a.sidecar_path.read_text())["kept"] is False
    rec = session.end()
    assert session.end() == {}  # once only
    logs = list(tmp_path.glob("sessions-*.jsonl"))
    assert len(logs) == 1
    line = json.loads(logs[0].read_text().splitlines()[0])
    assert line == rec
    assert line["shots"] == 2 and line["kept"] == 1 and line["preset"] == "medical"
    assert line["duration_s"] >= 0 and line["first_shot_s"] is not None
    store.start("x").end()
    assert len(logs[0].read_text().splitlines()) == 2


def test_favourite_of_a_set_in_the_sidecars_and_the_session_log(tmp_path: Path) -> None:
    store = SessionStore(tmp_path)
    session = store.start("acting-commercial")
    shots = [session.save(image=rgb_image()) for _ in range(3)]
    for i, shot in enumerate(shots):
        session.set_kept(shot, True, favourite=i == 1)
    sides = [json.loads(s.sidecar_path.read_text()) for s in shots]
    assert [s["kept"] for s in sides] == [True, True, True]
    assert [s["favourite"] for s in sides] == [False, True, False]
    rec = session.end()
    assert rec["shots"] == 3 and rec["kept"] == 3 and rec["favourite"] == "shot-002.jpg"
    # Without a pick (single shots, "keep all"): no favourite key, null in the log.
    single = store.start("linkedin")
    one = single.save(image=rgb_image())
    single.set_kept(one, True)
    assert "favourite" not in json.loads(one.sidecar_path.read_text())
    assert single.end()["favourite"] is None


def test_killed_while_writing_leaves_no_half_photo(tmp_path: Path) -> None:
    """A real process killed (SIGKILL) in the middle of writing a still."""
    script = f"""
import os, sys, time
sys.path.insert(0, {str(ROOT)!r})
real = os.write
def slow(fd, data):  # write in small pieces so the kill lands mid-file
    time.sleep(0.02)
    return real(fd, bytes(data[:512]))
os.write = slow
from kiosk.storage import SessionStore
s = SessionStore({str(tmp_path)!r}).start("a")
print(s.folder, flush=True)
s.save(still=__import__("camera.base", fromlist=["Still"]).Still(
    data=b"x" * 200000, extension=".jpg", image=None, camera="c"))
"""
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    folder = Path(proc.stdout.readline().strip())
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any(folder.iterdir()):
        time.sleep(0.02)
    time.sleep(0.1)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    leftovers = [p.name for p in folder.iterdir()]
    assert leftovers and all(n.startswith(".") for n in leftovers)  # only the temp file
    SessionStore(tmp_path)  # restart cleans up
    assert list(folder.iterdir()) == []
    s = SessionStore(tmp_path).start("a")
    assert s.folder != folder
