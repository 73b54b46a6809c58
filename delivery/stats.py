"""A day at the booth in numbers, from the logs the kiosk already writes.

Counts sessions, photos, kept photos, retakes and prints, the median time from a
session's start to its first photo, and the prompts sitters were stuck on longest (each
session logs, per prompt, the longest stretch it stayed on screen). The same figures
feed ``headshot-kiosk stats`` and the operator dashboard.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from coaching.messages import load_catalogue
from delivery.day_logs import print_log, read_lines, session_log

_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: How many "stuck on" prompts to report.
TOP_PROMPTS = 5


class DayError(ValueError):
    """A day that cannot be read as one; ``str()`` is one line."""


def parse_day(text: str | None, today: dt.date | None = None) -> dt.date:
    """``YYYY-MM-DD``, ``today`` (also None) or ``yesterday``."""
    base = today or dt.date.today()
    if text is None or text == "today":
        return base
    if text == "yesterday":
        return base - dt.timedelta(days=1)
    if not _DAY_RE.match(text):
        raise DayError(f"not a day: {text!r} (want YYYY-MM-DD, 'today' or 'yesterday')")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise DayError(f"not a day: {text!r} ({exc})") from None


@dataclass(frozen=True)
class StuckPrompt:
    key: str
    text: str
    longest_s: float  # the longest single stretch any sitter saw it
    sessions: int  # sessions that saw it


@dataclass
class DayStats:
    day: str
    sessions: int = 0
    photos: int = 0
    kept: int = 0
    retakes: int = 0
    prints: int = 0  # sheets printed (copies of jobs the printer accepted)
    print_failures: int = 0
    median_first_photo_s: float | None = None
    stuck_prompts: list[StuckPrompt] = field(default_factory=list)
    skipped_lines: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _num(v: Any) -> float:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else 0.0


def day_stats(out_dir: Path, day: dt.date, language: str = "en") -> DayStats:
    """The figures for ``day`` from ``out_dir``'s logs (zeros for a day without any)."""
    sessions = read_lines(session_log(out_dir, day))
    prints = read_lines(print_log(out_dir, day))
    st = DayStats(day=day.isoformat(), skipped_lines=sessions.skipped + prints.skipped)
    firsts: list[float] = []
    longest: dict[str, float] = {}
    seen: dict[str, int] = {}
    for rec in sessions.records:
        st.sessions += 1
        st.photos += int(_num(rec.get("shots")))
        st.kept += int(_num(rec.get("kept")))
        st.retakes += int(_num(rec.get("retakes")))
        if isinstance(rec.get("first_shot_s"), (int, float)):
            firsts.append(float(rec["first_shot_s"]))
        prompts = rec.get("prompts")
        for key, secs in (prompts.items() if isinstance(prompts, dict) else ()):
            longest[key] = max(longest.get(key, 0.0), _num(secs))
            seen[key] = seen.get(key, 0) + 1
    for rec in prints.records:
        if rec.get("status") == "printed":
            st.prints += int(_num(rec.get("copies")) or 1)
        elif rec.get("status") == "failed":
            st.print_failures += 1
    if firsts:
        st.median_first_photo_s = round(statistics.median(firsts), 2)
    cat = load_catalogue(language)
    top = sorted(longest, key=lambda k: (-longest[k], k))[:TOP_PROMPTS]
    st.stuck_prompts = [StuckPrompt(k, _prompt_text(cat, k), round(longest[k], 1), seen[k])
                        for k in top]
    return st


def _prompt_text(cat: Any, key: str) -> str:
    try:
        return cat.prompt(key, 1.0) if cat.has(key) else key
    except Exception:  # noqa: BLE001 - a key from an older catalogue: show the key
        return key


def format_text(st: DayStats) -> str:
    """The figures as a few readable lines (``headshot-kiosk stats``)."""
    first = "-" if st.median_first_photo_s is None else f"{st.median_first_photo_s:.1f} s"
    lines = [f"{st.day}: {st.sessions} sessions, {st.photos} photos, {st.kept} kept, "
             f"{st.retakes} retakes, {st.prints} prints"
             + (f" ({st.print_failures} failed)" if st.print_failures else ""),
             f"median time to first photo: {first}"]
    if st.stuck_prompts:
        lines.append("stuck on longest:")
        lines += [f"  {p.longest_s:5.1f} s  {p.text}  ({p.sessions} sessions)"
                  for p in st.stuck_prompts]
    if st.skipped_lines:
        lines.append(f"({st.skipped_lines} unreadable log lines skipped)")
    return "\n".join(lines)
