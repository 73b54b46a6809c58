"""The plugin hooks: what a plugin may watch and add after the shot.

A plugin is a class (or module) whose methods carry ``@hookimpl`` and are named after
the specs below; it implements only the hooks it needs. The kiosk calls every hook on a
plugin worker thread, never on the UI thread, each plugin on its own with a time limit:
a plugin that raises or hangs is logged and switched off for the rest of the day, and
the guest's photo (already on disk before any hook runs) is never at risk.

The arguments are plain, frozen data (paths, ids, dicts), not the kiosk's objects: a
plugin cannot reach into the app, and the typed state machine alone owns transitions.

A plugin class may declare ``name`` (its key under ``plugins:`` in the config) and a
pydantic ``Settings`` model; the kiosk validates ``plugins.<name>`` into it (unknown
keys and bad values are one-line ``file:line: key: reason`` errors) and constructs the
plugin as ``Plugin(settings)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import pluggy

PROJECT = "headshot_kiosk"
#: The entry-point group installed plugins register under (pyproject: entry-points).
ENTRY_POINT_GROUP = "headshot_kiosk.plugins"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class BoothRemote(Protocol):
    """What a plugin may ask of the running kiosk from any thread (the dashboard): read
    the newest status snapshot, check the operator PIN, and post a command. A command
    becomes an event the kiosk's UI thread carries out; nothing touches the UI here."""

    def status(self) -> dict[str, Any]: ...

    def check_pin(self, pin: str) -> bool: ...

    def command(self, action: str, value: str = "") -> bool: ...


@dataclass(frozen=True)
class BoothInfo:
    """The running kiosk, as a plugin sees it at start-up."""

    out_dir: Path  # where session folders go
    config: Any  # the validated kiosk.config.AppConfig (read only)
    app_version: str = ""
    presets: dict[str, Any] = field(default_factory=dict)  # name -> Preset (read only)
    remote: BoothRemote | None = None  # None outside the kiosk (tests, ``serve``)


@dataclass(frozen=True)
class SessionInfo:
    """One sitter's visit."""

    id: str
    folder: Path
    preset: str


@dataclass(frozen=True)
class PhotoInfo:
    """One photo on disk (the untouched original) and its record."""

    session: SessionInfo
    number: int
    image_path: Path
    sidecar_path: Path
    reason: str  # "auto" | "manual"
    still: bool  # the camera's own picture (else a preview frame)
    metrics: dict[str, Any] | None = None
    kept: bool | None = None
    favourite: bool | None = None


@dataclass(frozen=True)
class Deliverable:
    """Something the guest takes home: a file, a print job, a link, a line of text."""

    kind: Literal["file", "print", "link", "text"]
    label: str  # what the guest reads ("LinkedIn square", "Printed: 1 sheet")
    path: Path | None = None
    url: str = ""
    plugin: str = ""  # filled in by the kiosk


@dataclass(frozen=True)
class ScreenItem:
    """One line the done screen shows (and optionally a QR code of ``qr``)."""

    text: str
    qr: str = ""


@dataclass(frozen=True)
class Delivery:
    """What the plugins made of one kept set, sent back to the UI as an event."""

    session_id: str
    deliverables: tuple[Deliverable, ...] = ()
    items: tuple[ScreenItem, ...] = ()
    problems: tuple[str, ...] = field(default=())


class KioskSpec:
    """Hook specifications (the signatures plugins implement)."""

    @hookspec
    def kiosk_startup(self, booth: BoothInfo) -> None:
        """The kiosk started (before the first screen). Open what the plugin needs."""

    @hookspec
    def kiosk_shutdown(self) -> None:
        """The kiosk is closing: finish or drop pending work quickly."""

    @hookspec
    def message_catalogues(self) -> list[Path] | None:
        """Folders holding ``<language>.yaml`` message catalogues to add (called once at
        start-up); a key a plugin's catalogue lacks falls back to the shipped one."""

    @hookspec
    def state_changed(self, old: str, new: str, session: SessionInfo | None) -> None:
        """The screen changed (state names as in kiosk.states.State). Watch only."""

    @hookspec
    def session_started(self, session: SessionInfo) -> None:
        """A sitter chose a use and their session folder exists."""

    @hookspec
    def photo_saved(self, photo: PhotoInfo) -> None:
        """A photo and its record are on disk (runs on the after-capture worker)."""

    @hookspec
    def photos_kept(self, session: SessionInfo, photos: list[PhotoInfo],
                    favourite: PhotoInfo | None) -> list[Deliverable] | None:
        """The sitter kept these photos: return what they take home (crops, a print job,
        a hand-off link). Results from every plugin are gathered."""

    @hookspec
    def done_screen(self, session: SessionInfo,
                    deliverables: list[Deliverable]) -> list[ScreenItem] | None:
        """Lines (and QR codes) for the done screen, given everything delivered."""

    @hookspec
    def operator_status(self) -> list[str] | None:
        """Lines for the operator (overlay and dashboard), e.g. a printer out of paper;
        asked every few seconds. Return quickly: report what is known, never wait."""

    @hookspec
    def session_ended(self, session: SessionInfo) -> None:
        """The session is over (kept, abandoned or timed out)."""
