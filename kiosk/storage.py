"""Session records on disk: never lose a photo, never overwrite one.

Layout under the output folder::

    OUT/2026-11-27_0003/shot-001.jpg      the still exactly as the camera made it
    OUT/2026-11-27_0003/shot-001.json     its sidecar (preset, metrics, camera, times ...)
    OUT/2026-11-27_0003/shot-001.cr2      any extra file the camera produced (RAW)
    OUT/sessions-2026-11-27.jsonl         one line per finished session

Every file is written to a hidden temporary file in the same folder, flushed and
fsync-ed, then linked (or renamed) into place and the folder fsync-ed: a power cut
leaves either the whole file or nothing under the final name. New names are
claimed exclusively (a hard link fails if the name exists), so nothing is ever
overwritten, and numbering continues after a restart by scanning what is there.
Leftover temporary files from a killed process are removed when a store opens.

Any failure (disk full, read-only or vanished folder) raises :class:`StorageError`
with one plain line; files already saved are never touched. A vanished session
folder is not recreated: it may be an unplugged USB drive, and writing to its empty
mount point would hide the photos on the system disk.
"""

from __future__ import annotations

import errno
import json
import os
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from camera.frames import encode_jpeg
from coaching.files import (  # write_atomic stays importable from here: tests use it
    TEMP_NAME_RE,
    fsync_dir,
    update_json,
    write_all,
    write_atomic,
)
from kiosk import __version__

_SESSION_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})_(\d{4,})$")
_SHOT_RE = re.compile(r"^shot-(\d+)\.")


class StorageError(Exception):
    """A photo or record could not be written; ``str()`` is one line for the operator."""


def _reason(exc: OSError) -> str:
    code = exc.errno
    if code == errno.ENOSPC or code == getattr(errno, "EDQUOT", -1):
        return "the disk is full"
    if code == errno.EROFS:
        return "the disk is read-only"
    if code in (errno.EACCES, errno.EPERM):
        return "permission denied (read-only folder?)"
    if code == errno.ENOTDIR:
        return "part of the path is a file, not a folder"
    if code == errno.ENOENT:
        return "the folder is gone (deleted or unplugged?)"
    return exc.strerror or str(exc)


def _json_bytes(obj: Any) -> bytes:
    return (json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def _now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="milliseconds")


@dataclass
class SavedShot:
    """One still on disk."""

    number: int
    image_path: Path
    sidecar_path: Path
    extra_paths: tuple[Path, ...] = ()
    kept: bool | None = None
    favourite: bool | None = None  # the sitter's pick of a multi-shot set


@dataclass
class Session:
    """One sitter's visit: a folder of shots and, at the end, a line in the day's log."""

    store: SessionStore
    id: str
    folder: Path
    preset: str
    source: str
    camera: str
    language: str = ""  # the guest's language (the kiosk's words, the voice)
    started_at: str = field(default_factory=_now_iso)
    started_mono: float = field(default_factory=time.monotonic)
    shots: list[SavedShot] = field(default_factory=list)
    first_shot_s: float | None = None
    ended: bool = False
    #: times the sitter asked for another go (a retake, or back from a review)
    retakes: int = 0
    #: prompt key -> the longest stretch (s) it stayed on screen (what a sitter got stuck on)
    prompts: dict[str, float] = field(default_factory=dict)

    def note_prompt(self, key: str, seconds: float) -> None:
        """A prompt shown for ``seconds`` in one stretch; keeps each key's longest."""
        if seconds > self.prompts.get(key, 0.0):
            self.prompts[key] = seconds

    def save(self, *, still: Any = None, image: Any = None, metrics: Any = None,
             frame_time_s: float | None = None, reason: str = "auto",
             camera: str | None = None, extra: dict[str, Any] | None = None,
             jpeg_quality: int = 95) -> SavedShot:
        """Save one still and its sidecar.

        ``still`` (a :class:`camera.base.Still`): its ``data`` bytes are written
        untouched, else its ``image`` is encoded; ``image``: an RGB array encoded as
        JPEG (quality ``jpeg_quality``). ``metrics``: a Metrics (``to_dict``) or a dict.
        ``extra``: more sidecar fields (in_range, readiness, best-frame metrics ...).
        """
        data, ext, extras = self._encode(still, image, jpeg_quality)
        cam = camera or getattr(still, "camera", None) or self.camera
        if hasattr(metrics, "to_dict"):
            metrics = metrics.to_dict()
        img_path: Path | None = None
        try:
            number = self.store.next_shot_number(self.folder)
            while True:
                candidate = self.folder / f"shot-{number:03d}{ext}"
                try:
                    write_atomic(candidate, data)
                    img_path = candidate
                    break
                except FileExistsError:
                    number += 1
            stem = f"shot-{number:03d}"
            extra_paths = []
            for x_ext, x_data in extras:
                p = self.folder / f"{stem}{x_ext}"
                write_atomic(p, x_data)
                extra_paths.append(p)
            sidecar = {
                "file": img_path.name,
                "session": self.id,
                "number": number,
                "preset": self.preset,
                "language": self.language,
                "captured_at": _now_iso(),
                "source": self.source,
                "camera": cam,
                "frame_time_s": None if frame_time_s is None else round(float(frame_time_s), 4),
                "reason": reason,
                "metrics": metrics,
                "app_version": self.store.app_version,
                "kept": None,
                "extra_files": [p.name for p in extra_paths],
                **(extra or {}),
            }
            side_path = self.folder / f"{stem}.json"
            write_atomic(side_path, _json_bytes(sidecar))
        except OSError as exc:
            if img_path is not None:  # the photo is safe; only its record is missing
                raise StorageError(f"saved {img_path} but not its record: "
                                   f"{_reason(exc)}") from None
            raise StorageError(f"could not save the photo in {self.folder}: "
                               f"{_reason(exc)}") from None
        shot = SavedShot(number, img_path, side_path, tuple(extra_paths))
        self.shots.append(shot)
        if self.first_shot_s is None:
            self.first_shot_s = time.monotonic() - self.started_mono
        return shot

    @staticmethod
    def _encode(still: Any, image: Any, quality: int
                ) -> tuple[bytes, str, tuple[tuple[str, bytes], ...]]:
        extras: tuple[tuple[str, bytes], ...] = ()
        if still is not None:
            extras = tuple(getattr(still, "extra_files", ()) or ())
            if getattr(still, "data", None):
                ext = (still.extension or ".jpg").lower()
                if not ext.startswith("."):
                    ext = "." + ext
                return bytes(still.data), ext, extras
            image = still.image
        if image is None:
            raise StorageError("nothing to save: the still has neither bytes nor an image")
        return encode_jpeg(image, quality), ".jpg", extras

    def set_kept(self, shot: SavedShot, kept: bool, *, favourite: bool | None = None) -> None:
        """Record the sitter's keep/retake in the sidecar (rewritten atomically);
        ``favourite`` (a set of several shots): whether this is the one they picked."""
        def mark(data: dict[str, Any]) -> None:
            data["kept"] = bool(kept)
            if favourite is not None:
                data["favourite"] = bool(favourite)

        try:  # under the sidecar lock: a plugin adding its deliverables never undoes it
            update_json(shot.sidecar_path, mark)
        except OSError as exc:
            raise StorageError(f"could not update {shot.sidecar_path.name}: "
                               f"{_reason(exc)}") from None
        except ValueError:
            raise StorageError(f"{shot.sidecar_path} is not valid JSON") from None
        shot.kept = bool(kept)
        if favourite is not None:
            shot.favourite = bool(favourite)

    def end(self) -> dict[str, Any]:
        """Close the session: one JSON line in ``sessions-YYYY-MM-DD.jsonl``."""
        if self.ended:
            return {}
        self.ended = True
        record = {
            "session": self.id,
            "started_at": self.started_at,
            "ended_at": _now_iso(),
            "duration_s": round(time.monotonic() - self.started_mono, 2),
            "first_shot_s": None if self.first_shot_s is None else round(self.first_shot_s, 2),
            "preset": self.preset,
            "language": self.language,
            "source": self.source,
            "camera": self.camera,
            "shots": len(self.shots),
            "kept": sum(1 for s in self.shots if s.kept),
            "favourite": next((s.image_path.name for s in self.shots if s.favourite), None),
            "files": [s.image_path.name for s in self.shots],
            "retakes": self.retakes,
            "prompts": {k: round(v, 2) for k, v in sorted(self.prompts.items())},
            "app_version": self.store.app_version,
        }
        self.store.append_log(record)
        return record


class SessionStore:
    """The output folder: creates session folders and keeps the per-day session log."""

    def __init__(self, out_dir: str | Path, app_version: str = __version__) -> None:
        self.out_dir = Path(out_dir).expanduser()
        self.app_version = app_version
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot use the output folder {self.out_dir}: "
                               f"{_reason(exc)}") from None
        if not self.out_dir.is_dir():
            raise StorageError(f"the output folder {self.out_dir} is not a folder")
        self.cleanup_partial()

    def cleanup_partial(self) -> int:
        """Remove temporary files a killed process left behind; returns how many."""
        removed = 0
        try:
            folders = [self.out_dir] + [p for p in self.out_dir.iterdir() if p.is_dir()]
            for folder in folders:
                for p in folder.iterdir():
                    if TEMP_NAME_RE.match(p.name) and p.is_file():
                        p.unlink()
                        removed += 1
        except OSError:
            pass  # best effort: a read-only archive is still readable
        return removed

    def start(self, preset: str, source: str = "", camera: str = "",
              language: str = "") -> Session:
        """A new session folder ``YYYY-MM-DD_NNNN`` (numbering continues per day)."""
        day = datetime.now().strftime("%Y-%m-%d")
        try:
            n = 1 + max((int(m.group(2)) for p in self.out_dir.iterdir()
                         if (m := _SESSION_RE.match(p.name)) and m.group(1) == day),
                        default=0)
            while True:
                folder = self.out_dir / f"{day}_{n:04d}"
                try:
                    folder.mkdir()
                    break
                except FileExistsError:
                    n += 1
            fsync_dir(self.out_dir)
        except OSError as exc:
            raise StorageError(f"cannot start a session in {self.out_dir}: "
                               f"{_reason(exc)}") from None
        return Session(self, folder.name, folder, preset, source, camera, language)

    @staticmethod
    def next_shot_number(folder: Path) -> int:
        return 1 + max((int(m.group(1)) for p in folder.iterdir()
                        if (m := _SHOT_RE.match(p.name))), default=0)

    def append_log(self, record: dict[str, Any]) -> Path:
        """Append one JSON line to today's session log (fsync-ed)."""
        path = self.out_dir / f"sessions-{datetime.now():%Y-%m-%d}.jsonl"
        line = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                write_all(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise StorageError(f"could not write the session log {path.name}: "
                               f"{_reason(exc)}") from None
        return path
