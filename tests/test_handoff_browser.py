"""The hand-off page and the operator dashboard in a real browser: Debian's chromium
(``/usr/bin/chromium``, installed by ``.ci/run``; nothing downloaded) driven headless by
Playwright on a phone-sized viewport, against the real kiosk's server on 127.0.0.1.

Guest: the QR code drawn on the done screen decodes to the link; the page shows the
photo; Download gives the file's exact bytes; an expired link, a wrong token, another
session's token and traversal attempts get nothing. Operator: five wrong PINs lock the
login, the right one opens the dashboard, which fills from server-sent events and
drives the kiosk (auto shutter, preset, remote shutter) through events.

Screenshots go to ``$HEADSHOT_KIOSK_WEB_SHOTS`` when set (the README's are made so:
``HEADSHOT_KIOSK_WEB_SHOTS=docs/screenshots pytest tests/test_handoff_browser.py``),
else to a temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pygame
import pytest
from kiosk_driving import drive, easy_app, post
from playwright.sync_api import sync_playwright

from kiosk.app import KioskApp
from kiosk.config import load_config
from kiosk.operator import hash_pin
from kiosk.states import Kind, State

CHROMIUM = "/usr/bin/chromium"
PIN = "4711"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}


def keep_one(app: KioskApp) -> str:
    """One session, one photo kept; returns the QR payload of its done screen."""
    drive(app, lambda a: a.machine.state is State.WELCOME)
    post(Kind.START)
    drive(app, lambda a: a.machine.state is State.COACHING and a.booth.last_result)
    post(Kind.SHUTTER)
    drive(app, lambda a: a.machine.state is State.REVIEW)
    post(Kind.KEEP)
    drive(app, lambda a: a.machine.ctx.delivery is not None and a.machine.state is State.DONE)
    app.step()
    return app.build_view(app.clock()).done_qr


@pytest.fixture(scope="module")
def booth(tmp_path_factory, media: Path):
    tmp = tmp_path_factory.mktemp("web")
    cfg_file = tmp / "booth.yaml"
    # the rate limit has its own test (test_handoff.py); here one browser makes a day's
    # worth of requests in seconds, and 429s would depend on how fast the machine is
    cfg_file.write_text("handoff:\n  enabled: true\n  bind: 127.0.0.1:0\n"
                        "  rate_limit_per_min: 6000\n"
                        f"operator:\n  pin_hash: \"{hash_pin(PIN)}\"\n", encoding="utf-8")
    cfg = load_config(cfg_file)
    app = easy_app(cfg, media, tmp / "out", (1280, 720))
    app.booth.set_auto_paused(True)
    first = keep_one(app)
    seen = pygame.surfarray.array3d(app.surface).swapaxes(0, 1)  # the done screen drawn
    first_folder = Path(app.booth.out_dir) / app.machine.ctx.session_code
    post(Kind.OK)
    second = keep_one(app)
    second_folder = Path(app.booth.out_dir) / app.machine.ctx.session_code
    post(Kind.OK)
    drive(app, lambda a: a.machine.state is State.WELCOME)
    yield {"app": app, "urls": (first, second), "folders": (first_folder, second_folder),
           "screen": np.ascontiguousarray(seen)}
    app.close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture()
def shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("HEADSHOT_KIOSK_WEB_SHOTS") or tmp_path)


def test_the_guest_opens_the_qr_link_sees_and_downloads_the_photo(booth, browser,
                                                                  shots: Path) -> None:
    url = booth["urls"][0]
    decoded, _, _ = cv2.QRCodeDetector().detectAndDecode(booth["screen"])
    assert decoded == url  # the code on the screen is the link
    ctx = browser.new_context(accept_downloads=True, **PHONE)
    page = ctx.new_page()
    resp = page.goto(url)
    assert resp.status == 200 and page.inner_text("h1") == "Your photos"
    img = page.locator("ul.files img").first
    img.wait_for()
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth)")
    assert page.locator("ul.files li").count() == 1
    with page.expect_download() as dl:
        page.locator("a.button", has_text="Download").first.click()
    download = dl.value
    original = booth["folders"][0] / "shot-001.jpg"
    assert download.suggested_filename == "shot-001.jpg"
    assert Path(download.path()).read_bytes() == original.read_bytes()
    page.screenshot(path=str(shots / "handoff_guest.jpg"), type="jpeg", quality=80,
                    full_page=True)
    ctx.close()


def test_expired_wrong_other_and_traversal_links_show_nothing(booth, browser) -> None:
    first, second = booth["urls"]
    base = first.rsplit("/s/", 1)[0]
    ctx = browser.new_context(accept_downloads=True, **PHONE)
    page = ctx.new_page()
    wrong = page.goto(f"{base}/s/{'Q' * 43}")
    assert wrong.status == 404 and "Link not found" in page.inner_text("h1")
    # another session's token: its own photo only, never the first session's bytes
    page.goto(second)
    with page.expect_download() as dl:
        page.locator("a.button", has_text="Download").first.click()
    got = Path(dl.value.path()).read_bytes()
    mine, theirs = ((f / "shot-001.jpg").read_bytes() for f in reversed(booth["folders"]))
    assert got == mine
    if mine != theirs:  # the looping replay can hand both sessions the very same frame
        assert got != theirs
    assert booth["folders"][0].name not in page.content()
    for attempt in ("..%2F..%2Fhandoff-links.json", "%2e%2e/shot-001.json",
                    "shot-001.json", "..%2F" + booth["folders"][1].name + "%2Fshot-001.jpg"):
        r = page.goto(f"{second}/f/{attempt}")
        assert r.status in (400, 404), attempt
        assert b"links" not in r.body() and b'"kept"' not in r.body()
    store = booth["app"].loaded.manager.get_plugin("handoff").service.links
    real = store.clock
    store.clock = lambda: real() + 24 * 3600  # a day later: past link_ttl_min
    try:
        expired = page.goto(first)
        assert expired.status == 410 and "expired" in page.inner_text("h1")
    finally:
        store.clock = real
    ctx.close()


def test_the_operator_dashboard_behind_the_pin(booth, browser, shots: Path) -> None:
    app: KioskApp = booth["app"]
    base = booth["urls"][0].rsplit("/s/", 1)[0]
    ctx = browser.new_context(**PHONE)
    page = ctx.new_page()
    page.goto(f"{base}/operator")
    assert page.locator("#pin").count() == 1
    for i in range(5):
        page.fill("#pin", "0000")
        page.click("#login")
        page.wait_for_selector("#message")
        msg = page.inner_text("#message")
        assert msg == ("Locked for 30 s." if i == 4 else "Wrong PIN."), (i, msg)
    page.fill("#pin", PIN)  # right, but locked
    page.click("#login")
    assert page.inner_text("#message").startswith("Locked. Try again in")
    assert page.context.cookies() == []
    dash = _dashboard(app)
    dash.login.locked_until = 0.0  # the 30 s are over
    page.fill("#pin", PIN)
    page.click("#login")
    page.wait_for_selector("#shutter")
    cookie = page.context.cookies()[0]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/operator"
    _published(app, "welcome")
    page.wait_for_function("() => document.getElementById('l-state').textContent === 'welcome'")
    assert page.inner_text("#t-sessions") == "2" and page.inner_text("#t-kept") == "2"
    page.wait_for_function("() => document.querySelectorAll('#photos img').length === 2")
    # auto shutter on/off: a click on the phone, an event on the kiosk's UI thread
    assert app.booth.auto_paused
    # the button sends the opposite of what the page last heard: wait until it has heard
    page.wait_for_function(
        "() => document.getElementById('auto').textContent === 'Auto shutter: off'")
    page.click("#auto")
    drive(app, lambda a: not a.booth.auto_paused, timeout=15)
    page.select_option("#preset", "passport")
    drive(app, lambda a: a.booth.preset_name == "passport", timeout=15)
    # the remote shutter while a sitter is coached
    app.booth.set_auto_paused(True)
    post(Kind.START)
    drive(app, lambda a: a.machine.state is State.COACHING and a.booth.last_result)
    _published(app, "coaching")
    page.wait_for_function("() => !document.getElementById('shutter').disabled")
    page.screenshot(path=str(shots / "dashboard.jpg"), type="jpeg", quality=80,
                    full_page=True)
    page.click("#shutter")
    drive(app, lambda a: a.machine.state in (State.CAPTURE, State.REVIEW), timeout=15)
    # the session cookie is what opens it: another browser gets the login form
    other = browser.new_context(**PHONE).new_page()
    assert other.goto(f"{base}/operator/events").status == 401
    assert other.request.post(f"{base}/operator/command",
                              data='{"action": "shutter"}').status == 401
    ctx.close()


def _dashboard(app: KioskApp):
    """The dashboard behind the hand-off server (its login state)."""
    routes = app.loaded.manager.get_plugin("handoff").service.app.app.routes
    return next(r.endpoint.__self__ for r in routes if r.path == "/operator")


def _published(app: KioskApp, state: str) -> None:
    """Step the kiosk until the dashboard's snapshot says ``state``."""
    drive(app, lambda a: a.remote.status().get("state") == state, timeout=15)
