"""The kiosk's records turned into the plain data the plugin hooks pass.

Plugins get frozen dataclasses (:mod:`delivery.hooks`), never the kiosk's live
objects; the job that runs ``photos_kept`` then ``done_screen`` for a kept set is
built here and runs on the plugin worker.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from delivery.hooks import Deliverable, Delivery, PhotoInfo, ScreenItem, SessionInfo
from kiosk.plugin_runner import Job, PluginRunner
from kiosk.states import Event, Kind, Shot
from kiosk.storage import SavedShot, Session


def session_info(session: Session) -> SessionInfo:
    return SessionInfo(id=session.id, folder=session.folder, preset=session.preset)


def photo_info(session: Session, saved: SavedShot, reason: str, still: bool,
               metrics: Any) -> PhotoInfo:
    if hasattr(metrics, "to_dict"):
        metrics = metrics.to_dict()
    return PhotoInfo(session=session_info(session), number=saved.number,
                     image_path=saved.image_path, sidecar_path=saved.sidecar_path,
                     reason=reason, still=still, metrics=metrics, kept=saved.kept,
                     favourite=saved.favourite)


def kept_job(plugins: PluginRunner, session: Session, shots: list[Shot],
             favourite: int | None, post: Callable[[Event], None]) -> Job:
    """``photos_kept`` for the saved shots, then ``done_screen`` with what they made;
    the result goes to the UI as one DELIVERED event."""
    info = session_info(session)
    records = [s for s in shots if s.record is not None]
    picked = shots[favourite] if favourite is not None and 0 <= favourite < len(shots) else None

    def job() -> None:
        photos = [_kept_photo(session, s) for s in records]
        # by identity: a Shot's == compares its image arrays, which raises
        at = next((i for i, r in enumerate(records) if r is picked), None)
        fav = photos[at] if at is not None else None
        made: list[Deliverable] = []
        for name, items in plugins.call("photos_kept", session=info, photos=photos,
                                        favourite=fav):
            made += [_tagged(d, name) for d in items if isinstance(d, Deliverable)]
        lines: list[ScreenItem] = []
        for _name, items in plugins.call("done_screen", session=info, deliverables=made):
            lines += [i for i in items if isinstance(i, ScreenItem)]
        post(Event(Kind.DELIVERED, data=Delivery(info.id, tuple(made), tuple(lines),
                                                 tuple(plugins.problems()))))

    return job


def _kept_photo(session: Session, shot: Shot) -> PhotoInfo:
    """A kept shot with what its sidecar says (read on the worker, not the UI thread)."""
    rec: SavedShot = shot.record
    try:
        side = json.loads(rec.sidecar_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        side = {}
    return photo_info(session, rec, str(side.get("reason", "")),
                      bool(side.get("camera_still")), side.get("metrics", shot.metrics))


def _tagged(d: Deliverable, plugin: str) -> Deliverable:
    return d if d.plugin else Deliverable(d.kind, d.label, d.path, d.url, plugin)
