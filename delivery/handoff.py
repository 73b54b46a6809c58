"""The hand-off service: the link store, the limits and the web server, together.

Used by the kiosk's ``handoff`` plugin (in-process, started on ``kiosk_startup``) and by
``headshot-kiosk serve`` (on its own over a photo folder). It makes a guest's link
(:meth:`HandoffService.new_link`) and knows the address phones reach it at.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from pathlib import Path

from starlette.routing import BaseRoute

from delivery.handoff_app import build_app
from delivery.handoff_links import LinkStore
from delivery.handoff_settings import HandoffSettings, split_bind
from delivery.web_guard import Limits
from delivery.web_server import WebServer

log = logging.getLogger(__name__)


def this_machine_address() -> str:
    """The address other devices on the booth's network reach this machine at: the
    source address of the default route (a UDP "connect" sends nothing)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.254.254.254", 9))
            return str(s.getsockname()[0])
    except OSError:
        return "127.0.0.1"


class HandoffService:
    def __init__(self, out_dir: Path, settings: HandoffSettings, *,
                 extra_routes: Callable[[], list[BaseRoute]] | None = None,
                 bind: str | None = None) -> None:
        self.out_dir = Path(out_dir)
        self.settings = settings
        self.host, port = split_bind(bind or settings.bind)
        self.links = LinkStore(self.out_dir)
        self.limits = Limits(rate_per_min=settings.rate_limit_per_min,
                             bad_token_per_min=settings.bad_token_per_min,
                             max_body=settings.max_request_bytes)
        self.app = build_app(self.out_dir, self.links, self.limits, extra_routes)
        self.server = WebServer(self.app, self.host, port,
                                max_connections=settings.max_connections)

    def start(self) -> None:
        self.links.prune()
        self.server.start()

    def stop(self) -> None:
        self.server.stop()

    @property
    def base_url(self) -> str:
        if self.settings.public_url:
            return self.settings.public_url.rstrip("/")
        host = self.host
        if host in ("0.0.0.0", "::"):
            host = this_machine_address()
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.server.port}"

    def new_link(self, session: str) -> tuple[str, str]:
        """(token, full URL) for a session's kept photos, valid ``link_ttl_min``."""
        token = self.links.create(session, self.settings.link_ttl_min * 60.0)
        return token, f"{self.base_url}/s/{token}"
