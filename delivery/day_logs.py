"""The per-day logs in the output folder, read and appended in one place.

``sessions-YYYY-MM-DD.jsonl`` is written by the kiosk (:mod:`kiosk.storage`), one line
per finished session; ``prints-YYYY-MM-DD.jsonl`` by the printing plugin, one line per
print job. Readers skip a line that does not parse (a power cut mid-append leaves at
most one) and say how many they skipped.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def session_log(out_dir: Path, day: dt.date) -> Path:
    return Path(out_dir) / f"sessions-{day:%Y-%m-%d}.jsonl"


def print_log(out_dir: Path, day: dt.date) -> Path:
    return Path(out_dir) / f"prints-{day:%Y-%m-%d}.jsonl"


@dataclass
class Lines:
    """The records of one log file and how many lines could not be read."""

    records: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0


def read_lines(path: Path) -> Lines:
    """Every JSON object line of ``path`` (none when the file does not exist)."""
    out = Lines()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return out
    for line in raw.splitlines():
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            out.skipped += 1
            continue
        if isinstance(rec, dict):
            out.records.append(rec)
        else:
            out.skipped += 1
    return out


def append_line(path: Path, record: dict[str, Any]) -> None:
    """Append one JSON line and fsync it (raises OSError for the caller to report)."""
    line = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
