"""Deliverables as a built-in plugin (name ``deliverables``): every saved photo gets its
preset's outputs (``shot-001.<output>.jpg`` and the print sheet) beside the original.

They are made in ``photo_saved``, which runs on the plugin worker, never the UI thread,
so the preview keeps its frame rate while a 24-megapixel still is cut. Each photo's
sidecar gains ``deliverables``: one entry per output with its file, pixel size, dpi,
the measured composition and whether it meets its rule (or the problems, and no file).
``photos_kept`` returns the files of the kept photos as :class:`Deliverable` items for
the done screen and the other plugins, and writes the sidecar entry again if the
kiosk's keep/retake update (a read-modify-write on the UI side) replaced it meanwhile.

Settings under ``plugins.deliverables``: ``segmenter`` (find the crown with the selfie
segmenter; off = the face-mesh ratio) and ``jpeg_quality``.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from coaching.files import update_json
from coaching.presets import Preset, UnknownPreset, resolve_preset
from coaching.yamlconfig import ConfigError
from delivery.deliverables import DeliverableMaker, Rendered
from delivery.hooks import BoothInfo, Deliverable, PhotoInfo, SessionInfo, hookimpl

log = logging.getLogger(__name__)


class DeliverablesSettings(BaseModel):
    """``plugins.deliverables`` in the app config."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    segmenter: bool = Field(True, description="crown from the selfie segmenter (else the mesh)")
    jpeg_quality: int = Field(92, ge=50, le=100, description="JPEG quality of the outputs")


class DeliverablesPlugin:
    """Makes each preset's outputs from every saved photo (off the UI thread)."""

    name = "deliverables"
    Settings = DeliverablesSettings

    def __init__(self, settings: DeliverablesSettings | None = None) -> None:
        self.settings = settings or DeliverablesSettings()
        self._maker: DeliverableMaker | None = None
        self._offline = False
        self._lock = threading.Lock()
        self._made: dict[Path, list[Rendered]] = {}  # original photo -> its outputs
        self._presets: dict[str, Preset] = {}

    @hookimpl
    def kiosk_startup(self, booth: BoothInfo) -> None:
        # The kiosk's own presets (shipped, user and --preset files); the models load on
        # the first photo, so start-up stays quick.
        self._presets = {k: v for k, v in booth.presets.items() if isinstance(v, Preset)}

    @hookimpl
    def kiosk_shutdown(self) -> None:
        with self._lock:
            if self._maker is not None:
                self._maker.close()
                self._maker = None

    @hookimpl
    def photo_saved(self, photo: PhotoInfo) -> None:
        self._make(photo)

    @hookimpl
    def photos_kept(self, session: SessionInfo, photos: list[PhotoInfo],
                    favourite: PhotoInfo | None) -> list[Deliverable]:
        del session, favourite
        out: list[Deliverable] = []
        for photo in photos:
            results = self._made.get(Path(photo.image_path))
            if results is None:  # not made yet (e.g. the plugin was off): make them now
                results = self._make(photo)
            else:
                _record(photo.sidecar_path, results)
            out += [Deliverable("file", r.title, r.path) for r in results
                    if r.path is not None]
        return out

    @hookimpl
    def session_ended(self, session: SessionInfo) -> None:
        folder = Path(session.folder)
        with self._lock:  # forget the session's photos: memory stays flat over a long day
            for image in [p for p in self._made if p.parent == folder]:
                del self._made[image]

    # -- work --------------------------------------------------------------------------
    def _make(self, photo: PhotoInfo) -> list[Rendered]:
        preset = self._presets.get(photo.session.preset) or _preset(photo.session.preset)
        if preset is None or not preset.outputs:
            return []
        with self._lock:
            if self._maker is None:
                self._maker = DeliverableMaker(offline=self._offline,
                                               segmenter=self.settings.segmenter,
                                               quality=self.settings.jpeg_quality)
            image = Path(photo.image_path)
            results = self._maker.render(image, preset, image.parent, stem=image.stem)
            self._made[image] = results
        for r in results:
            if r.path is None:
                log.info("deliverables: %s: %s not made: %s", image.name, r.output,
                         "; ".join(r.problems))
        _record(photo.sidecar_path, results)
        return results


def _preset(name: str) -> Preset | None:
    try:
        return resolve_preset(name)
    except (ConfigError, UnknownPreset) as exc:
        log.warning("deliverables: preset %s: %s", name, exc)
        return None


def sidecar_entries(results: list[Rendered]) -> list[dict[str, Any]]:
    """What the sidecar lists per output (file names, not paths: the folder moves)."""
    out = []
    for r in results:
        d = r.to_dict()
        d.pop("path", None)
        out.append(d)
    return out


def _record(sidecar: Path, results: list[Rendered]) -> None:
    """Add ``deliverables`` to the photo's sidecar (rewritten atomically)."""
    entries = sidecar_entries(results)

    def add(data: dict[str, Any]) -> bool:
        if data.get("deliverables") == entries:
            return False
        data["deliverables"] = entries
        return True

    try:  # under the sidecar lock: the kiosk marking the photo kept meanwhile is kept
        update_json(Path(sidecar), add)
    except (OSError, ValueError) as exc:
        log.warning("deliverables: cannot update %s: %s", sidecar, exc)
