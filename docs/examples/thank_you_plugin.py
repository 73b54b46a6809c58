"""An example kiosk plugin: a thank-you note beside every kept set, and a line for the guest.

Enable it in the config (this folder must be importable, e.g. on PYTHONPATH)::

    plugins:
      load: ["thank_you_plugin:ThankYouPlugin"]
      thank_you:
        studio: "Studio Nord"
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from delivery.hooks import Deliverable, PhotoInfo, ScreenItem, SessionInfo, hookimpl


class ThankYouPlugin:
    name = "thank_you"  # its settings live under plugins.thank_you

    class Settings(BaseModel):
        model_config = ConfigDict(extra="forbid")
        studio: str = Field("our studio", min_length=1, max_length=60)

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.saved: list[Path] = []

    @hookimpl
    def photo_saved(self, photo: PhotoInfo) -> None:
        self.saved.append(photo.image_path)  # runs on the plugin worker, never the UI

    @hookimpl
    def photos_kept(self, session: SessionInfo, photos: list[PhotoInfo],
                    favourite: PhotoInfo | None) -> list[Deliverable]:
        note = session.folder / "thank-you.txt"
        names = ", ".join(p.image_path.name for p in photos)
        note.write_text(f"Thank you for visiting {self.settings.studio}! Kept: {names}\n",
                        encoding="utf-8")
        return [Deliverable("file", "Thank-you note", path=note)]

    @hookimpl
    def done_screen(self, session: SessionInfo,
                    deliverables: list[Deliverable]) -> list[ScreenItem]:
        return [ScreenItem(f"Thank you for visiting {self.settings.studio}!")]
