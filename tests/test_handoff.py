"""The guest hand-off through the real kiosk and a real uvicorn server on 127.0.0.1: a
replayed sitter takes a photo, retakes, keeps the second; the link from the done
screen's QR payload (also in the sidecar) serves exactly the kept photo's bytes, with
the security headers; unkept photos, sidecars, symlinks, traversal, wrong and expired
tokens, deleted photos, oversized and too many requests are refused. A port already
in use switches the plugin off for the day and the kiosk runs on."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from kiosk_driving import drive, easy_app, post

from kiosk.app import KioskApp
from kiosk.config import load_config
from kiosk.states import Kind, State

CONFIG = """handoff:
  enabled: true
  bind: 127.0.0.1:{port}
  link_ttl_min: 5
  rate_limit_per_min: {rate}
  bad_token_per_min: 10
"""


def make_app(tmp_path: Path, media: Path, port: int = 0, rate: int = 6000) -> KioskApp:
    cfg_file = tmp_path / "booth.yaml"
    cfg_file.write_text(CONFIG.format(port=port, rate=rate), encoding="utf-8")
    cfg = load_config(cfg_file)
    app = easy_app(cfg, media, tmp_path / "out", (1280, 720))
    return app


@pytest.fixture(scope="module")
def kept(tmp_path_factory, media: Path):
    """One session: photo 1 retaken (unkept), photo 2 kept; the app keeps serving."""
    tmp = tmp_path_factory.mktemp("handoff")
    app = make_app(tmp, media)
    drive(app, lambda a: a.machine.state is State.WELCOME)
    app.booth.set_auto_paused(True)
    post(Kind.START)
    for then in (Kind.RETAKE, Kind.KEEP):
        drive(app, lambda a: a.machine.state is State.COACHING and a.booth.last_result)
        post(Kind.SHUTTER)
        drive(app, lambda a: a.machine.state is State.REVIEW)
        post(then)
    drive(app, lambda a: a.machine.ctx.delivery is not None)
    yield app
    app.close()


def plugin(app: KioskApp):
    return app.loaded.manager.get_plugin("handoff")


def test_the_qr_link_serves_the_kept_photo_and_nothing_else(kept: KioskApp) -> None:
    view = kept.build_view(kept.clock())
    url = view.done_qr
    assert url.startswith("http://127.0.0.1:") and "/s/" in url
    assert any(t.startswith("Scan for your photos: 127.0.0.1:") for t in view.done_items)
    folder = Path(kept.booth.out_dir) / kept.machine.ctx.session_code
    side1 = json.loads((folder / "shot-001.json").read_text())
    side2 = json.loads((folder / "shot-002.json").read_text())
    assert side2["kept"] is True and side2["handoff_url"] == url
    assert side1["kept"] is not True and "handoff_url" not in side1
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 43  # 256 bits of secrets.token_urlsafe
    page = httpx.get(url)
    assert page.status_code == 200 and "shot-002.jpg" in page.text
    assert "shot-001" not in page.text and ".json" not in page.text
    h = page.headers
    assert "default-src 'none'" in h["content-security-policy"]
    assert h["x-content-type-options"] == "nosniff" and h["referrer-policy"] == "no-referrer"
    assert "no-store" in h["cache-control"] and h["x-frame-options"] == "DENY"
    photo = httpx.get(f"{url}/f/shot-002.jpg")
    assert photo.status_code == 200
    assert photo.content == (folder / "shot-002.jpg").read_bytes()
    assert photo.headers["content-type"] == "image/jpeg"
    assert photo.headers["content-disposition"].startswith("attachment")
    assert "no-store" in photo.headers["cache-control"]
    for refused in ("shot-001.jpg", "shot-002.json", ".shot-002.jpg", "sessions.jsonl"):
        assert httpx.get(f"{url}/f/{refused}").status_code == 404, refused
    assert httpx.get(url.rsplit("/s/", 1)[0] + "/healthz").text == "ok"


def test_traversal_and_symlinks_never_reach_the_file_system(kept: KioskApp) -> None:
    url = kept.build_view(kept.clock()).done_qr
    base = url.rsplit("/s/", 1)[0]
    folder = Path(kept.booth.out_dir) / kept.machine.ctx.session_code
    secret = folder.parent / "secret.jpg"
    secret.write_bytes(b"\xff\xd8 not yours")
    os.symlink(secret, folder / "shot-009.jpg")  # a kept-looking symlink out of the folder
    (folder / "shot-009.json").write_text('{"kept": true}')
    try:
        attempts = ["../secret.jpg", "..%2Fsecret.jpg", "%2e%2e%2fsecret.jpg",
                    "shot-009.jpg", "..%5Csecret.jpg", "shot-002.jpg%00.txt",
                    "%2Fetc%2Fpasswd", "....//secret.jpg"]
        with httpx.Client(base_url=base) as c:
            for a in attempts:
                r = c.get(f"{url}/f/{a}")
                assert r.status_code in (400, 404), a
                assert b"not yours" not in r.content and b"root:" not in r.content
            assert "shot-009" not in c.get(url).text
            raw = c.get(f"/s/{url.rsplit('/', 1)[1]}/../../secret.jpg")
            assert b"not yours" not in raw.content
    finally:
        (folder / "shot-009.jpg").unlink()
        (folder / "shot-009.json").unlink()


def test_wrong_expired_and_deleted_links(kept: KioskApp, tmp_path: Path) -> None:
    url = kept.build_view(kept.clock()).done_qr
    base, token = url.rsplit("/s/", 1)
    wrong = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert httpx.get(f"{base}/s/{wrong}").status_code == 404
    assert httpx.get(f"{base}/s/{wrong}/f/shot-002.jpg").status_code == 404
    assert httpx.get(f"{base}/").status_code == 200  # says "scan the code", lists nothing
    assert "2026" not in httpx.get(f"{base}/").text
    store = plugin(kept).service.links
    real = store.clock
    store.clock = lambda: real() + 5 * 60 + 1  # past link_ttl_min
    try:
        r = httpx.get(url)
        assert r.status_code == 410 and "expired" in r.text
        assert httpx.get(f"{url}/f/shot-002.jpg").status_code == 410
    finally:
        store.clock = real
    # retention deleted the photo: the link serves nothing more
    folder = Path(kept.booth.out_dir) / kept.machine.ctx.session_code
    photo = folder / "shot-002.jpg"
    keep = tmp_path / "shot-002.jpg"
    photo.rename(keep)
    try:
        assert httpx.get(url).status_code == 410
        assert httpx.get(f"{url}/f/shot-002.jpg").status_code in (404, 410)
    finally:
        keep.rename(photo)
    assert httpx.get(url).status_code == 200


def test_request_size_and_rate_limits(kept: KioskApp) -> None:
    url = kept.build_view(kept.clock()).done_qr
    base = url.rsplit("/s/", 1)[0]
    assert httpx.post(f"{base}/healthz", content=b"x" * 100_000).status_code == 413
    assert httpx.get(f"{base}/s/{'a' * 3000}").status_code == 414
    limits = plugin(kept).service.limits
    limits._bad.clear()  # the earlier tests' wrong tokens
    with httpx.Client(base_url=base) as c:
        codes = [c.get(f"/s/{'x' * 43}").status_code for _ in range(12)]
        assert codes[:10] == [404] * 10 and codes[10:] == [429] * 2  # guessing gets you banned
        assert c.get(url).status_code == 429  # for a minute, even with a good link
    limits._banned.clear()
    assert httpx.get(url).status_code == 200


def test_a_port_in_use_switches_the_plugin_off_and_the_kiosk_runs(tmp_path: Path,
                                                                 media: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        app = make_app(tmp_path, media, port=busy.getsockname()[1])
        try:
            assert app.plugins.is_disabled("handoff")
            (problem,) = app.plugins.problems()
            assert "could not listen on 127.0.0.1:" in problem and "\n" not in problem
            drive(app, lambda a: a.machine.state is State.WELCOME)
        finally:
            app.close()


def test_off_by_default(tmp_path: Path) -> None:
    cfg = load_config(None)
    assert cfg.handoff.enabled is False and cfg.handoff.bind.startswith("127.0.0.1:")


@pytest.mark.parametrize("bind,why", [("8765", "HOST:PORT"), ("example.com:80", "IP address"),
                                      ("127.0.0.1:99999", "HOST:PORT")])
def test_bad_bind_is_a_located_config_error(tmp_path: Path, bind: str, why: str) -> None:
    f = tmp_path / "c.yaml"
    f.write_text(f"handoff:\n  enabled: true\n  bind: '{bind}'\n")
    with pytest.raises(Exception) as err:
        load_config(f)
    msg = str(err.value)
    assert msg.startswith(f"{f}:3: handoff.bind:") and why in msg and "\n" not in msg


def test_serve_runs_the_server_on_its_own_over_a_photo_folder(kept: KioskApp) -> None:
    """``headshot-kiosk serve`` in a subprocess over the kiosk's folder: the same link
    works there (the link store is shared through the folder), /healthz answers."""
    out = Path(kept.booth.out_dir)
    token = kept.build_view(kept.clock()).done_qr.rsplit("/", 1)[1]
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "serve", "--photos", str(out),
                             "--bind", "127.0.0.1:0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()  # blocks until the server is up (or has failed)
        assert line.startswith(f"serving {out} at http://127.0.0.1:"), proc.stderr.read()
        base = line.split(" at ", 1)[1].split()[0]
        assert httpx.get(f"{base}/healthz").status_code == 200
        r = httpx.get(f"{base}/s/{token}/f/shot-002.jpg")
        assert r.content == (out / kept.machine.ctx.session_code / "shot-002.jpg").read_bytes()
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(20) == 130


def test_serve_errors_are_one_line(tmp_path: Path) -> None:
    cases = ((["--photos", str(tmp_path / "none")], "headshot-kiosk: no photo folder"),
             (["--photos", str(tmp_path), "--bind", "nowhere"], "headshot-kiosk: --bind"))
    for args, start in cases:
        r = subprocess.run([sys.executable, "-m", "kiosk", "serve", *args], capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 2 and r.stderr.startswith(start) and r.stderr.count("\n") == 1


def test_a_headless_run_keeps_its_photo_and_writes_the_link(tmp_path: Path, media: Path,
                                                           capsys) -> None:
    from delivery.handoff_links import LinkStore
    from kiosk.cli import main

    frames = tmp_path / "frames"
    frames.mkdir()
    for i in range(4):
        (frames / f"f{i}.jpg").write_bytes((media / "single_face.jpg").read_bytes())
    cfg = tmp_path / "c.yaml"
    cfg.write_text("handoff:\n  enabled: true\n  bind: 127.0.0.1:0\n"
                   "  public_url: http://192.168.4.1:8765\n")
    out = tmp_path / "out"
    assert main(["run", "--headless", "--config", str(cfg), "--source", f"replay:{frames}",
                 "--preset", "passport", "--out", str(out), "--shutter-at", "0.1"]) == 0
    printed = capsys.readouterr().out
    (side_path,) = out.glob("*/shot-001.json")
    side = json.loads(side_path.read_text())
    assert side["kept"] is True and side["handoff_url"].startswith("http://192.168.4.1:8765/s/")
    assert f"hand-off: {side['handoff_url']}" in printed
    found = LinkStore(out).lookup(side["handoff_url"].rsplit("/", 1)[1])
    assert found.link is not None and found.link.session == side_path.parent.name


def test_a_set_whose_favourite_is_not_the_first_photo_is_delivered(tmp_path: Path,
                                                                   media: Path) -> None:
    """kept_job with real saved shots and numpy images: the favourite (the 2nd photo)
    reaches photos_kept; comparing Shots by value used to raise (their images are arrays)
    and lost the whole delivery, QR code included."""
    import numpy as np

    from delivery.hooks import hookimpl
    from kiosk.hook_data import kept_job
    from kiosk.plugin_host import new_manager
    from kiosk.plugin_runner import PluginRunner
    from kiosk.states import Shot
    from kiosk.storage import SessionStore

    class Seen:
        name = "seen"
        favourite = None

        @hookimpl
        def photos_kept(self, session, photos, favourite):
            self.favourite = favourite
            return []

    session = SessionStore(tmp_path).start("linkedin")
    shots = []
    for n in range(3):
        img = np.full((48, 64, 3), 40 * n, np.uint8)
        rec = session.save(image=img)
        shots.append(Shot(image=img, path=str(rec.image_path), number=n + 1, record=rec))
    pm = new_manager()
    seen = Seen()
    pm.register(seen, name="seen")
    runner = PluginRunner(pm)
    got: list = []
    runner.submit_job(kept_job(runner, session, shots, 1, got.append))
    assert runner.wait_idle(20)
    runner.stop()
    assert got and got[0].kind is Kind.DELIVERED
    assert seen.favourite is not None and seen.favourite.number == 2
