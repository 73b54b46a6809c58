"""Which files a guest link serves, and opening one without trusting the request.

A link serves, from its own session folder only: each kept photo's original
(``shot-NNN.jpg``, its sidecar says ``kept: true``), files made from a kept photo
(``shot-NNN.<what>.jpg``, e.g. the deliverables plugin's crops) and the deliverable
files the plugins reported for that session (a print sheet). Never an unkept photo, a
sidecar, a RAW file, a hidden or temporary file, anything in another folder.

A request's name is checked against that list by exact string; the path is then
built from the folder, refused if it or the folder is a symlink, resolved and checked
to lie inside the session folder (``is_relative_to``), and opened with ``O_NOFOLLOW``.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")
SERVABLE = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
            ".webp": "image/webp", ".pdf": "application/pdf", ".tif": "image/tiff",
            ".tiff": "image/tiff"}
_SHOT = re.compile(r"^shot-(\d{3,})\.(?:([A-Za-z0-9_-]+)\.)?([A-Za-z0-9]+)$")


@dataclass(frozen=True)
class HandoffFile:
    name: str
    label: str  # what the guest reads
    kind: str  # "original" | "deliverable"
    size: int
    media_type: str

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/") and self.media_type != "image/tiff"


class Refused(Exception):
    """A request for a file the link does not serve (``str()`` says why, for the log)."""


def session_folder(out_dir: Path, session: str) -> Path:
    """The session's folder, refusing a symlinked or escaping one."""
    root = Path(out_dir).resolve()
    folder = root / session
    if folder.is_symlink() or not folder.is_dir():
        raise Refused(f"session folder {session} is gone or not a real folder")
    if not folder.resolve().is_relative_to(root):
        raise Refused(f"session folder {session} lies outside the output folder")
    return folder


def kept_numbers(folder: Path) -> set[int]:
    """Shot numbers whose sidecar says kept (an unreadable sidecar is not served)."""
    out: set[int] = set()
    for side in folder.glob("shot-*.json"):
        m = re.match(r"^shot-(\d{3,})\.json$", side.name)
        if not m or side.is_symlink():
            continue
        try:
            if json.loads(side.read_text(encoding="utf-8")).get("kept") is True:
                out.add(int(m.group(1)))
        except (OSError, ValueError, AttributeError):
            continue
    return out


def servable(folder: Path, extra: tuple[str, ...] = ()) -> list[HandoffFile]:
    """What the link to ``folder`` serves right now, originals first."""
    kept = kept_numbers(folder)
    found: list[HandoffFile] = []
    for p in sorted(folder.iterdir()):
        name = p.name
        ext = os.path.splitext(name)[1].lower()
        if not SAFE_NAME.match(name) or ext not in SERVABLE or p.is_symlink():
            continue
        m = _SHOT.match(name)
        if m and int(m.group(1)) in kept:
            what = m.group(2)
            label = f"Photo {int(m.group(1))}" + (f" — {what.replace('-', ' ')}" if what
                                                  else " (original)")
            kind = "deliverable" if what else "original"
        elif name in extra and not m:
            label, kind = _extra_label(name), "deliverable"
        else:
            continue
        try:
            st = p.lstat()
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            found.append(HandoffFile(name, label, kind, st.st_size, SERVABLE[ext]))
    found.sort(key=lambda f: (f.kind != "original", f.name))
    return found


def _extra_label(name: str) -> str:
    stem = os.path.splitext(name)[0].replace("-", " ").replace("_", " ")
    return stem[:1].upper() + stem[1:]


def open_checked(folder: Path, name: str, allowed: list[HandoffFile]) -> tuple[int, HandoffFile]:
    """An open file descriptor for ``name`` if the link serves it; raises Refused."""
    if not SAFE_NAME.match(name):
        raise Refused(f"not a plain file name: {name!r}")
    item = next((f for f in allowed if f.name == name), None)
    if item is None:
        raise Refused(f"{name} is not served by this link (not kept, or not there)")
    path = folder / name
    if path.is_symlink():
        raise Refused(f"{name} is a symlink")
    if not path.resolve(strict=True).is_relative_to(folder.resolve()):
        raise Refused(f"{name} lies outside its session folder")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise Refused(f"{name} is not a regular file")
    return fd, item
