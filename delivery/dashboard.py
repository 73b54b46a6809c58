"""The operator dashboard (behind the operator PIN), as routes of the hand-off server.

``/operator``: the login form, or the dashboard: live status (screen, camera, coach
fps, disk, last error), today's counters (:mod:`delivery.stats`), the last photos,
remote shutter, automatic shutter on/off, preset switch and the print queue. Live
updates: server-sent events from ``/operator/events`` about once a second. Commands
(``POST /operator/command``, JSON ``{"action", "value"}``) go to the kiosk through
:class:`delivery.hooks.BoothRemote`, which turns them into events the UI thread carries
out. Every route but the login wants the session cookie; a POST from another origin
is refused (403).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import BaseRoute, Route

from delivery.cups import Cups, PrinterError
from delivery.dashboard_auth import COOKIE, OperatorLogin
from delivery.dashboard_page import DASHBOARD_JS, dashboard_page, login_page
from delivery.day_logs import print_log, read_lines
from delivery.handoff_files import HandoffFile, Refused, open_checked, session_folder
from delivery.handoff_links import SESSION_RE
from delivery.hooks import BoothRemote
from delivery.stats import day_stats

_PHOTO_RE = re.compile(r"^shot-\d{3,}\.(jpg|jpeg|png)$")
EVENT_EVERY_S = 1.0


def recent_photos(out_dir: Path, n: int = 6) -> list[dict[str, Any]]:
    """The newest ``n`` photos of today's sessions, newest first."""
    today = f"{dt.date.today():%Y-%m-%d}_"
    found: list[dict[str, Any]] = []
    folders = sorted((p for p in Path(out_dir).iterdir()
                      if p.is_dir() and not p.is_symlink() and p.name.startswith(today)
                      and SESSION_RE.match(p.name)), reverse=True)
    for folder in folders:
        for img in sorted((p for p in folder.iterdir() if _PHOTO_RE.match(p.name)),
                          reverse=True):
            try:
                kept = json.loads(img.with_suffix(".json").read_text()).get("kept") is True
            except (OSError, ValueError, AttributeError):
                kept = False
            found.append({"session": folder.name, "name": img.name, "kept": kept})
            if len(found) >= n:
                return found
    return found


class Dashboard:
    def __init__(self, out_dir: Path, config: Any, remote: BoothRemote | None,
                 login: OperatorLogin) -> None:
        self.out_dir = Path(out_dir)
        self.config = config
        self.remote = remote
        self.login = login
        self._printer: tuple[float, dict[str, Any] | None] = (-1e9, None)

    def routes(self) -> list[BaseRoute]:
        return [Route("/operator", self.home), Route("/static/dashboard.js", self.script),
                Route("/operator/login", self.do_login, methods=["POST"]),
                Route("/operator/logout", self.do_logout, methods=["POST"]),
                Route("/operator/events", self.events),
                Route("/operator/status", self.status_json),
                Route("/operator/command", self.command, methods=["POST"]),
                Route("/operator/photo/{session}/{name}", self.photo)]

    # -- pages ---------------------------------------------------------------------------
    def _in(self, request: Request) -> bool:
        return self.login.valid(request.cookies.get(COOKIE))

    async def home(self, request: Request) -> Response:
        if not self._in(request):
            return HTMLResponse(login_page())
        return HTMLResponse(dashboard_page())

    async def script(self, request: Request) -> Response:
        return Response(DASHBOARD_JS, media_type="text/javascript")

    async def do_login(self, request: Request) -> Response:
        if not _same_origin(request):
            return PlainTextResponse("Forbidden.", status_code=403)
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        pin = (form.get("pin") or [""])[0].strip()
        result = await run_in_threadpool(self.login.login, pin)
        if result.session is None:
            return HTMLResponse(login_page(result.message), status_code=401)
        resp = RedirectResponse("/operator", status_code=303)
        resp.set_cookie(COOKIE, result.session, max_age=int(self.login.session_s),
                        path="/operator", httponly=True, samesite="strict")
        return resp

    async def do_logout(self, request: Request) -> Response:
        self.login.logout(request.cookies.get(COOKIE))
        resp = RedirectResponse("/operator", status_code=303)
        resp.delete_cookie(COOKIE, path="/operator")
        return resp

    # -- live data -----------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        live = self.remote.status() if self.remote is not None else {
            "state": "kiosk not running here"}
        today = day_stats(self.out_dir, dt.date.today(), self.config.coach.language)
        return {"live": live, "today": today.to_dict(), "photos": recent_photos(self.out_dir),
                "printing": self._printing()}

    def _printing(self) -> dict[str, Any]:
        p = self.config.printing
        recs = read_lines(print_log(self.out_dir, dt.date.today())).records
        latest: dict[str, dict] = {}
        for r in recs:  # one line per job: its newest status
            latest[f"{r.get('session')}/{r.get('file')}/{r.get('job')}"] = r
        jobs = list(latest.values())[-10:][::-1]
        at, printer = self._printer
        if p.enabled and time.monotonic() - at > 5.0:  # lpstat at most every 5 s
            try:
                st = Cups(p.printer, p.options).state()
                printer = {"name": st.name, "ready": st.ready, "detail": st.detail}
            except PrinterError as exc:
                printer = {"name": p.printer or "(default)", "ready": False, "detail": str(exc)}
            self._printer = (time.monotonic(), printer)
        return {"enabled": p.enabled, "printer": printer if p.enabled else None, "jobs": jobs}

    async def status_json(self, request: Request) -> Response:
        if not self._in(request):
            return PlainTextResponse("Log in first.", status_code=401)
        return Response(json.dumps(await run_in_threadpool(self.status)),
                        media_type="application/json")

    async def events(self, request: Request) -> Response:
        if not self._in(request):
            return PlainTextResponse("Log in first.", status_code=401)
        sid = request.cookies.get(COOKIE)

        async def stream():
            while self.login.valid(sid) and not await request.is_disconnected():
                data = json.dumps(await run_in_threadpool(self.status))
                yield f"data: {data}\n\n"
                await asyncio.sleep(EVENT_EVERY_S)

        return StreamingResponse(stream(), media_type="text/event-stream")

    async def command(self, request: Request) -> Response:
        if not self._in(request):
            return PlainTextResponse("Log in first.", status_code=401)
        if not _same_origin(request):
            return PlainTextResponse("Forbidden.", status_code=403)
        if request.headers.get("content-type", "").split(";")[0] != "application/json":
            return PlainTextResponse("Commands are JSON.", status_code=415)
        if self.remote is None:
            return PlainTextResponse("The kiosk is not running here.", status_code=409)
        try:
            body = json.loads(await request.body())
            action, value = str(body.get("action", "")), str(body.get("value", ""))
        except (ValueError, AttributeError):
            return PlainTextResponse("Bad command.", status_code=400)
        if not self.remote.command(action, value):
            return PlainTextResponse("Unknown command.", status_code=400)
        return Response(status_code=204)

    async def photo(self, request: Request) -> Response:
        if not self._in(request):
            return PlainTextResponse("Log in first.", status_code=401)
        session, name = request.path_params["session"], request.path_params["name"]
        if not SESSION_RE.match(session) or not _PHOTO_RE.match(name):
            return PlainTextResponse("Not found.", status_code=404)
        try:
            folder = session_folder(self.out_dir, session)
            size = (folder / name).lstat().st_size
            ext = name.rsplit(".", 1)[1]
            item = HandoffFile(name, name, "original", size,
                               "image/png" if ext == "png" else "image/jpeg")
            fd, item = open_checked(folder, name, [item])
        except (Refused, OSError):
            return PlainTextResponse("Not found.", status_code=404)
        with open(fd, "rb") as f:
            data = f.read()
        return Response(data, media_type=item.media_type)


def _same_origin(request: Request) -> bool:
    """A POST naming another origin is refused. (Under ``Referrer-Policy: no-referrer``
    a browser's own form POST says ``Origin: null``; the session cookie is
    ``SameSite=Strict`` and commands must be JSON, which no cross-site form can send.)"""
    origin = request.headers.get("origin")
    return origin in (None, "null") or \
        origin.split("://", 1)[-1] == request.headers.get("host", "")
