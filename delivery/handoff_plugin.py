"""The guest hand-off as a built-in plugin (name ``handoff``, configured by ``handoff:``).

Off unless ``handoff.enabled``. On ``kiosk_startup`` it starts the web server in a
background thread (a port that cannot be bound switches the plugin off for the day,
with the reason on the operator overlay; the kiosk runs on). When a sitter keeps
photos it makes their link, writes it into each kept photo's sidecar as
``handoff_url`` and returns it as a ``link`` deliverable; on the done screen it adds a
line with the address and a QR code of it. Deliverable files other plugins made in
the session folder (a print sheet) are added to what the link serves. With
``handoff.dashboard`` the same server carries the operator dashboard
(:mod:`delivery.dashboard`), talking to the kiosk through ``booth.remote``.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from coaching.files import write_atomic
from delivery.dashboard import Dashboard
from delivery.dashboard_auth import OperatorLogin
from delivery.handoff import HandoffService
from delivery.hooks import BoothInfo, Deliverable, PhotoInfo, ScreenItem, SessionInfo, hookimpl

log = logging.getLogger(__name__)
LABEL = "Your photos on your phone"


class HandoffPlugin:
    name = "handoff"

    def __init__(self) -> None:
        self.service: HandoffService | None = None
        self._tokens: dict[str, str] = {}  # session id -> token (this run)

    @hookimpl
    def kiosk_startup(self, booth: BoothInfo) -> None:
        cfg = booth.config.handoff
        if not cfg.enabled:
            return
        routes = None
        if cfg.dashboard:
            remote = booth.remote
            check = remote.check_pin if remote is not None and booth.config.operator.pin_hash \
                else None
            login = OperatorLogin(check, cfg.dashboard_session_min * 60.0)
            routes = Dashboard(booth.out_dir, booth.config, remote, login).routes
        service = HandoffService(booth.out_dir, cfg, extra_routes=routes)
        service.start()  # raises ServerError: the plugin is off for today, and says why
        self.service = service
        log.info("hand-off: guests' links start %s", service.base_url)

    @hookimpl
    def kiosk_shutdown(self) -> None:
        if self.service is not None:
            self.service.stop()

    @hookimpl
    def photos_kept(self, session: SessionInfo, photos: list[PhotoInfo],
                    favourite: PhotoInfo | None) -> list[Deliverable] | None:
        if self.service is None or not photos:
            return None
        token, url = self.service.new_link(session.id)
        self._tokens[session.id] = token
        for photo in photos:
            add_to_sidecar(photo.sidecar_path, "handoff_url", url)
        return [Deliverable("link", LABEL, url=url)]

    @hookimpl
    def done_screen(self, session: SessionInfo,
                    deliverables: list[Deliverable]) -> list[ScreenItem] | None:
        token = self._tokens.get(session.id)
        link = next((d for d in deliverables if d.kind == "link" and d.plugin == self.name
                     and d.url), None)
        if self.service is None or token is None or link is None:
            return None
        folder = Path(session.folder).resolve()
        extra = [d.path.name for d in deliverables
                 if d.path is not None and d.kind in ("file", "print")
                 and Path(d.path).resolve().parent == folder]
        if extra:
            self.service.links.add_extra(token, extra)
        shown = link.url.split("://", 1)[-1]
        return [ScreenItem(f"Scan for your photos: {shown}", qr=link.url)]


    @hookimpl
    def session_ended(self, session: SessionInfo) -> None:
        self._tokens.pop(session.id, None)  # the link lives on in the store; memory stays flat


def add_to_sidecar(path: Path, key: str, value: str) -> None:
    """Set one field of a photo's sidecar (rewritten atomically)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    data[key] = value
    write_atomic(Path(path), (json.dumps(data, indent=2, ensure_ascii=False) + "\n")
                 .encode("utf-8"), overwrite=True)
