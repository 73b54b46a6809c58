"""The hand-off web app's guest side (Starlette): health, a guest's page, their files.

Starlette is the small ASGI toolkit under FastAPI: routing, requests and streaming
responses without a template engine or an ORM, which is all a few pages need.

Routes: ``GET /healthz`` (200 "ok"), ``GET /`` (a line saying to scan the code: no
listing of anything), ``GET /s/{token}`` (the guest's page) and
``GET /s/{token}/f/{name}`` (one file, as an attachment; ``?view=1`` inline for the
page's previews). An unknown token is 404, an expired one 410, a session whose photos
are all gone (retention) 410, a file the link does not serve 404.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from delivery.handoff_files import Refused, open_checked, servable, session_folder
from delivery.handoff_links import LinkStore
from delivery.handoff_pages import GONE, SITE_CSS, message_page, session_page
from delivery.web_guard import Guard, Limits

log = logging.getLogger(__name__)
CHUNK = 1024 * 1024  # fewer, larger writes: less of the kiosk's interpreter per download


def _gone(why: str, status: int) -> HTMLResponse:
    title, text = GONE[why]
    return HTMLResponse(message_page(title, text), status_code=status)


class GuestSide:
    """The guest routes over one output folder and its link store."""

    def __init__(self, out_dir: Path, links: LinkStore, limits: Limits) -> None:
        self.out_dir = Path(out_dir)
        self.links = links
        self.limits = limits

    def routes(self) -> list[BaseRoute]:
        return [Route("/healthz", self.healthz), Route("/", self.home),
                Route("/static/site.css", self.css),
                Route("/s/{token}", self.session), Route("/s/{token}/f/{name}", self.file)]

    async def healthz(self, request: Request) -> Response:
        return PlainTextResponse("ok")

    async def home(self, request: Request) -> Response:
        return HTMLResponse(message_page("Headshot booth",
                                         "Scan the code on the booth's screen to get your "
                                         "photos."))

    async def css(self, request: Request) -> Response:
        return Response(SITE_CSS, media_type="text/css")

    def _open(self, request: Request) -> tuple[Response | None, Path | None, object]:
        token = request.path_params["token"]
        found = self.links.lookup(token)
        if found.link is None:
            if found.why == "unknown":
                self.limits.bad_token(request.client.host if request.client else "?")
                return _gone("unknown", 404), None, None
            return _gone("expired", 410), None, None
        try:
            folder = session_folder(self.out_dir, found.link.session)
        except Refused:
            return _gone("deleted", 410), None, None
        return None, folder, found.link

    async def session(self, request: Request) -> Response:
        fail, folder, link = self._open(request)
        if fail is not None:
            return fail
        files = servable(folder, link.extra)
        if not files:
            return _gone("deleted", 410)
        return HTMLResponse(session_page(request.path_params["token"], link.session, files,
                                         link.expires))

    async def file(self, request: Request) -> Response:
        fail, folder, link = self._open(request)
        if fail is not None:
            return fail
        name = request.path_params["name"]
        try:
            fd, item = open_checked(folder, name, servable(folder, link.extra))
        except (Refused, OSError) as exc:
            log.info("hand-off: refused a file request: %s", str(exc)[:200])
            return PlainTextResponse("Not found.", status_code=404)
        inline = request.query_params.get("view") == "1"
        disposition = "inline" if inline else f'attachment; filename="{item.name}"'
        return StreamingResponse(_chunks(fd), media_type=item.media_type,
                                 headers={"content-length": str(item.size),
                                          "content-disposition": disposition})


async def _chunks(fd: int) -> AsyncIterator[bytes]:
    try:
        while True:
            block = os.read(fd, CHUNK)
            if not block:
                return
            yield block
    finally:
        os.close(fd)


def build_app(out_dir: Path, links: LinkStore, limits: Limits,
              extra_routes: Callable[[], list[BaseRoute]] | None = None) -> Guard:
    """The whole ASGI app: guest routes (+ the dashboard's), inside the guard."""
    guest = GuestSide(out_dir, links, limits)
    routes = guest.routes() + (extra_routes() if extra_routes is not None else [])
    app = Starlette(routes=routes)
    return Guard(app, limits)
