"""Printing kept photos through CUPS as a built-in plugin (``printing``, ``printing:``).

Off unless ``printing.enabled``. When a sitter keeps photos, what to print is chosen on
the done screen hook (it sees every plugin's deliverables): the print sheet another
plugin made (a ``print`` deliverable), else the favourite, or every kept photo
(``printing.what``). Limits: ``per_session`` and ``per_day`` sheets (the day's count
survives a restart: it is read back from ``prints-DAY.jsonl``). Jobs go to a print
thread of their own, so neither the UI nor the plugin worker waits on CUPS; the thread
watches each job until CUPS reports it done (or ``job_timeout_s``) and logs it as
``printed`` or ``failed`` with the reason. Printer problems (off, paper out, not
accepting jobs, no such queue) never block the kiosk: the guest reads "ask a member of
staff", the operator sees the reason (dashboard, :meth:`PrintDesk.status`).
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from delivery.cups import Cups, PrinterError
from delivery.day_logs import append_line, print_log, read_lines
from delivery.hooks import BoothInfo, Deliverable, PhotoInfo, ScreenItem, SessionInfo, hookimpl

log = logging.getLogger(__name__)
POLL_S = 0.5


@dataclass
class PrintJob:
    id: str  # ours, until CUPS gives its own
    session: str
    file: str
    copies: int
    status: str = "waiting"  # waiting -> queued (CUPS has it) -> printed | failed
    reason: str = ""
    cups_job: str = ""
    at: str = ""


class PrintDesk:
    """The print thread, the limits and the counters (one per kiosk)."""

    def __init__(self, out_dir: Path, settings: Any, *,
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        self.out_dir = Path(out_dir)
        self.settings = settings
        self.cups = Cups(settings.printer, settings.options)
        self.today = today
        self.jobs: list[PrintJob] = []  # this run's, newest last (the dashboard's queue)
        self.last_error = ""
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[PrintJob | None] = queue.SimpleQueue()
        self._done = threading.Condition(self._lock)
        self._thread = threading.Thread(target=self._run, name="printing", daemon=True)
        self._thread.start()

    # -- asking -----------------------------------------------------------------------
    def sheets_today(self) -> int:
        recs = read_lines(print_log(self.out_dir, self.today())).records
        return sum(int(r.get("copies") or 1) for r in recs if r.get("status") == "queued")

    def sheets_for(self, session: str) -> int:
        with self._lock:
            return sum(j.copies for j in self.jobs
                       if j.session == session and j.status != "failed")

    def request(self, session: str, files: list[Path]) -> tuple[list[PrintJob], str]:
        """Queue ``files`` for ``session`` within the limits; returns the jobs and, when
        some were left out, why (one line for the operator)."""
        s = self.settings
        room = min(s.per_session - self.sheets_for(session), s.per_day - self.sheets_today())
        jobs: list[PrintJob] = []
        for path in files:
            if room < s.copies:
                why = ("this session's print limit is reached"
                       if self.sheets_for(session) + len(jobs) * s.copies >= s.per_session
                       else "today's print limit is reached")
                return jobs, why
            job = PrintJob(f"{session}/{path.name}", session, str(path), s.copies)
            with self._lock:
                self.jobs.append(job)
            self._queue.put(job)
            jobs.append(job)
            room -= s.copies
        return jobs, ""

    def status(self) -> dict[str, Any]:
        """For the dashboard: the printer's state, the queue, today's count."""
        try:
            st = self.cups.state()
            printer = {"name": st.name, "ready": st.ready, "detail": st.detail}
        except PrinterError as exc:
            printer = {"name": self.settings.printer or "(default)", "ready": False,
                       "detail": str(exc)}
        with self._lock:
            jobs = [asdict(j) for j in self.jobs[-20:]]
        return {"printer": printer, "jobs": jobs, "sheets_today": self.sheets_today(),
                "per_day": self.settings.per_day, "last_error": self.last_error}

    def wait_settled(self, timeout: float) -> bool:
        """Until no job is waiting or queued (tests, shutdown)."""
        with self._done:
            return self._done.wait_for(
                lambda: all(j.status in ("printed", "failed") for j in self.jobs), timeout)

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(5.0)

    # -- the print thread ---------------------------------------------------------------
    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            try:
                self._print(job)
            except Exception as exc:  # noqa: BLE001 - the print thread outlives every job
                log.exception("printing %s failed", job.file)
                self._settle(job, "failed", f"{type(exc).__name__}: {exc}"[:200])

    def _print(self, job: PrintJob) -> None:
        try:
            job.cups_job = self.cups.submit(Path(job.file), job.copies,
                                            f"headshot {job.session} {Path(job.file).name}")
        except PrinterError as exc:
            self._settle(job, "failed", str(exc))
            return
        self._record(job, "queued")
        deadline = time.monotonic() + self.settings.job_timeout_s
        while time.monotonic() < deadline:
            try:
                if self.cups.finished(job.cups_job):
                    self._settle(job, "printed")
                    return
            except PrinterError as exc:
                self.last_error = str(exc)
            time.sleep(POLL_S)  # CUPS has no push channel through lpstat
        try:
            detail = self.cups.state().detail
        except PrinterError as exc:
            detail = str(exc)
        self._settle(job, "failed", f"not printed after {self.settings.job_timeout_s:g} s "
                                    f"(printer: {detail})")

    def _record(self, job: PrintJob, status: str) -> None:
        with self._done:
            job.status = status
            job.at = dt.datetime.now().astimezone().isoformat(timespec="seconds")
            self._done.notify_all()
        try:
            append_line(print_log(self.out_dir, self.today()),
                        {"at": job.at, "session": job.session, "file": Path(job.file).name,
                         "copies": job.copies, "job": job.cups_job, "status": status,
                         "reason": job.reason})
        except OSError as exc:
            log.error("printing: could not write the print log: %s", exc)

    def _settle(self, job: PrintJob, status: str, reason: str = "") -> None:
        job.reason = reason
        if status == "failed":
            self.last_error = f"{Path(job.file).name}: {reason}"
            log.error("printing %s failed: %s", Path(job.file).name, reason)
        else:
            self.last_error = ""  # the printer works again
            log.info("printed %s (%s)", Path(job.file).name, job.cups_job)
        self._record(job, status)


def pick_files(what: str, photos: list[PhotoInfo], favourite: PhotoInfo | None,
               deliverables: list[Deliverable], sheet_outputs: tuple[str, ...] = ()
               ) -> list[Path]:
    """What to print for one kept set. A sheet is a ``print`` deliverable, or a file
    named after one of the preset's sheet outputs (``shot-001.sheet.jpg``), the
    favourite's first."""
    if what == "sheet":
        sheets = [Path(d.path) for d in deliverables if d.path is not None and (
            d.kind == "print" or any(Path(d.path).name.endswith(f".{n}.jpg")
                                     for n in sheet_outputs))]
        if favourite is not None:
            stem = favourite.image_path.stem + "."
            sheets.sort(key=lambda p: not p.name.startswith(stem))
        if sheets:
            return [sheets[0]]
    if what == "all":
        return [p.image_path for p in photos]
    pick = favourite or (photos[0] if photos else None)
    return [pick.image_path] if pick is not None else []


class PrintingPlugin:
    name = "printing"

    def __init__(self) -> None:
        self.desk: PrintDesk | None = None
        self._presets: dict[str, Any] = {}
        self._kept: dict[str, tuple[list[PhotoInfo], PhotoInfo | None]] = {}

    @hookimpl
    def kiosk_startup(self, booth: BoothInfo) -> None:
        if booth.config.printing.enabled:
            self._presets = dict(booth.presets)
            self.desk = PrintDesk(booth.out_dir, booth.config.printing)

    @hookimpl
    def kiosk_shutdown(self) -> None:
        if self.desk is not None:
            self.desk.stop()

    @hookimpl
    def operator_status(self) -> list[str] | None:
        if self.desk is None or not self.desk.last_error:
            return None
        return [f"printing: {self.desk.last_error}"]

    @hookimpl
    def photos_kept(self, session: SessionInfo, photos: list[PhotoInfo],
                    favourite: PhotoInfo | None) -> None:
        if self.desk is not None:
            self._kept = {session.id: (photos, favourite)}  # only the newest set matters

    @hookimpl
    def done_screen(self, session: SessionInfo,
                    deliverables: list[Deliverable]) -> list[ScreenItem] | None:
        if self.desk is None or session.id not in self._kept:
            return None
        photos, favourite = self._kept.pop(session.id)
        preset = self._presets.get(session.preset)
        sheets = tuple(o.name for o in getattr(preset, "outputs", None) or ()
                       if getattr(o, "kind", "") == "sheet")
        files = pick_files(self.desk.settings.what, photos, favourite, deliverables, sheets)
        jobs, why = self.desk.request(session.id, files)
        if why:
            log.warning("printing: %s (session %s)", why, session.id)
        if not jobs:
            return [ScreenItem("Printing is not available right now — please ask a member "
                               "of staff.")]
        sheets = sum(j.copies for j in jobs)
        return [ScreenItem(f"Printing {sheets} sheet{'s' if sheets > 1 else ''} — collect "
                           "it at the printer.")]
