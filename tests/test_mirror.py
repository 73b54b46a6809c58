"""Mirroring to S3 against a real S3 server run locally (moto's server mode, a
subprocess on 127.0.0.1): kept photos, their sidecars and deliverables and the day logs
arrive, unkept photos never do; the server killed in the middle of an upload and
brought back: the mirror retries and the file arrives; a restart (the power cut case)
sends only what is missing or changed."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import httpx
import pytest

from camera.base import Still
from delivery.day_logs import append_line, session_log
from delivery.handoff_settings import MirrorSettings
from delivery.mirror import Mirror
from kiosk.config import load_config
from kiosk.storage import SessionStore

BUCKET = "booth-photos"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class S3Server:
    """moto_server in a subprocess; ``kill`` and ``start`` again on the same port."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                                      "-p", str(self.port)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(self.url, timeout=1)
                break
            except httpx.HTTPError:
                assert self.proc.poll() is None, "moto_server exited"
                assert time.monotonic() < deadline, "moto_server did not start"
                time.sleep(0.1)
        self.client().create_bucket(Bucket=BUCKET)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def client(self):
        return boto3.client("s3", endpoint_url=self.url, region_name="us-east-1")

    def keys(self) -> dict[str, int]:
        got = self.client().list_objects_v2(Bucket=BUCKET).get("Contents", [])
        return {o["Key"]: o["Size"] for o in got}


@pytest.fixture()
def s3(monkeypatch):
    for k, v in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                 ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    server = S3Server()
    server.start()
    yield server
    server.kill()


def settings(s3: S3Server, **kw) -> MirrorSettings:
    return MirrorSettings(enabled=True, bucket=BUCKET, prefix="booth-1/", endpoint_url=s3.url,
                          scan_every_s=30, retry_initial_s=0.2, retry_max_s=1.0, **kw)


def a_session(out: Path, media: Path, big_bytes: int = 0) -> tuple[str, Path]:
    """A real session through the kiosk's storage: photo 1 not kept, photo 2 kept (with
    a deliverable made from it); the day's log line. Returns (id, kept photo)."""
    store = SessionStore(out)
    session = store.start("linkedin", source="replay", camera="test")
    data = (media / "single_face.jpg").read_bytes()
    s1 = session.save(still=Still(data=data, extension=".jpg", image=None, camera="test"))
    big = data + os.urandom(big_bytes) if big_bytes else data
    s2 = session.save(still=Still(data=big, extension=".jpg", image=None, camera="test"))
    session.set_kept(s1, False)
    session.set_kept(s2, True)
    (session.folder / "shot-002.square.jpg").write_bytes(data)
    session.end()
    return session.id, s2.image_path


def test_kept_photos_and_logs_arrive_unkept_ones_never(s3: S3Server, tmp_path: Path,
                                                       media: Path) -> None:
    out = tmp_path / "out"
    sid, kept = a_session(out, media)
    m = Mirror(out, settings(s3))
    m.start()
    try:
        assert m.idle.wait(60), m.last_error
    finally:
        m.stop()
    keys = s3.keys()
    day = f"sessions-{dt.date.today():%Y-%m-%d}.jsonl"
    assert set(keys) == {f"booth-1/{sid}/shot-002.jpg", f"booth-1/{sid}/shot-002.json",
                         f"booth-1/{sid}/shot-002.square.jpg", f"booth-1/{day}"}
    assert keys[f"booth-1/{sid}/shot-002.jpg"] == kept.stat().st_size
    body = s3.client().get_object(Bucket=BUCKET, Key=f"booth-1/{sid}/shot-002.jpg")["Body"]
    assert body.read() == kept.read_bytes()
    # a restart after a power cut: nothing is sent twice; a grown day log is sent again
    again = Mirror(out, settings(s3))
    assert again.pending() == []
    append_line(session_log(out, dt.date.today()), {"session": "x", "shots": 0})
    assert [p.name for p in again.pending()] == [day]


def test_the_server_going_away_mid_upload(s3: S3Server, tmp_path: Path, media: Path) -> None:
    out = tmp_path / "out"
    sid, kept = a_session(out, media, big_bytes=24_000_000)  # a multipart upload
    killed: list[int] = []

    def progress(n: int) -> None:
        if not killed:  # the first bytes are on their way: pull the plug
            killed.append(n)
            s3.kill()

    m = Mirror(out, settings(s3), progress=progress)
    m.start()
    try:
        deadline = time.monotonic() + 60
        while m.failures == 0:  # the upload failed because the server went away
            assert time.monotonic() < deadline, "the upload never failed"
            m.idle.wait(0.1)
        assert killed and m.last_error
        assert s3.proc.poll() is not None  # really gone
        s3.start()  # back (an empty server: the bucket is made again)
        m.wake()
        assert m.idle.wait(90), m.last_error
    finally:
        m.stop()
    assert s3.keys()[f"booth-1/{sid}/shot-002.jpg"] == kept.stat().st_size
    assert m.last_error == ""


def test_config_needs_a_bucket(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text("mirror:\n  enabled: true\n")
    with pytest.raises(Exception) as err:
        load_config(f)
    assert "mirror.enabled needs mirror.bucket" in str(err.value)


def test_any_rclone_remote_the_same_way(tmp_path: Path, media: Path) -> None:
    """Real rclone (Debian's, installed by .ci/run) to an on-the-fly local remote: what
    arrives is what S3 gets; a remote that cannot be written is retried until it can."""
    out, dest = tmp_path / "out", tmp_path / "nas"
    sid, kept = a_session(out, media)
    dest.write_text("a file where the folder should be")  # the remote is broken
    s = MirrorSettings(enabled=True, rclone_remote=f":local:{dest}", prefix="booth-1/",
                       scan_every_s=30, retry_initial_s=0.2, retry_max_s=1.0)
    m = Mirror(out, s)
    m.start()
    try:
        deadline = time.monotonic() + 60
        while m.failures == 0:
            assert time.monotonic() < deadline, "rclone never failed"
            m.idle.wait(0.1)
        assert m.last_error.startswith("RuntimeError: rclone:")
        dest.unlink()  # the remote is back
        m.wake()
        assert m.idle.wait(90), m.last_error
    finally:
        m.stop()
    got = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    day = f"sessions-{dt.date.today():%Y-%m-%d}.jsonl"
    assert got == sorted([f"booth-1/{sid}/shot-002.jpg", f"booth-1/{sid}/shot-002.json",
                          f"booth-1/{sid}/shot-002.square.jpg", f"booth-1/{day}"])
    assert (dest / "booth-1" / sid / "shot-002.jpg").read_bytes() == kept.read_bytes()
