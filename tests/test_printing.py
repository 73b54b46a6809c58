"""Printing through a real CUPS: Debian's cups-pdf queue (``kiosk-pdf``, set up by
``.ci/run``; this module starts the scheduler and adds the queue when they are missing),
a kept photo from a real kiosk session printed to a PDF, the limits, the day's counter,
and the real printer faults CUPS can be put in (off with a reason such as "paper out",
not accepting jobs, no such queue), none of which blocks the caller."""

from __future__ import annotations

import datetime as dt
import os
import pwd
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from kiosk_driving import drive, easy_app, post

from delivery.handoff_settings import PrintSettings
from delivery.printing import PrintDesk
from delivery.stats import day_stats
from kiosk.config import load_config
from kiosk.states import Kind, State

QUEUE = "kiosk-pdf"
PPD = "lsb/usr/cups-pdf/CUPS-PDF_noopt.ppd"


def _sh(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture(scope="module")
def cups_pdf() -> Path:
    """The cups-pdf queue, enabled and accepting; returns the folder its PDFs land in."""
    if "is running" not in _sh("lpstat", "-r").stdout:
        _sh("cupsd")
        deadline = time.monotonic() + 20
        while "is running" not in _sh("lpstat", "-r").stdout:
            assert time.monotonic() < deadline, "the CUPS scheduler did not start"
            time.sleep(0.2)
    if _sh("lpstat", "-p", QUEUE).returncode != 0:
        r = _sh("lpadmin", "-p", QUEUE, "-v", "cups-pdf:/", "-E", "-m", PPD)
        assert r.returncode == 0, r.stderr
    _sh("cupsenable", QUEUE)
    _sh("cupsaccept", QUEUE)
    return Path(pwd.getpwuid(os.getuid()).pw_dir) / "PDF"


def settings(**kw) -> PrintSettings:
    return PrintSettings(enabled=True, printer=QUEUE, job_timeout_s=60, **kw)


def photo(tmp_path: Path, media: Path, name: str = "shot-001.jpg") -> Path:
    src = next(p for p in sorted((media).glob("*.jpg")))
    dst = tmp_path / name
    shutil.copyfile(src, dst)
    return dst


def test_a_photo_prints_to_the_pdf_queue_and_is_counted(cups_pdf: Path, tmp_path: Path,
                                                        media: Path) -> None:
    desk = PrintDesk(tmp_path, settings(copies=2, per_session=4))
    try:
        jobs, why = desk.request("2026-12-03_0001", [photo(tmp_path, media)])
        assert why == "" and len(jobs) == 1
        assert desk.wait_settled(90)
        job = jobs[0]
        assert job.status == "printed", job.reason
        assert job.cups_job.startswith(f"{QUEUE}-")
        pdfs = [p for p in cups_pdf.glob("*.pdf") if "2026-12-03_0001" in p.name]
        assert pdfs and pdfs[0].read_bytes()[:5] == b"%PDF-"
        st = desk.status()
        assert st["printer"]["ready"] and st["sheets_today"] == 2
        assert day_stats(tmp_path, dt.date.today()).prints == 2
    finally:
        desk.stop()


def test_limits_per_session_and_per_day(cups_pdf: Path, tmp_path: Path, media: Path) -> None:
    desk = PrintDesk(tmp_path, settings(per_session=1, per_day=2))
    try:
        a, b = photo(tmp_path, media, "shot-001.jpg"), photo(tmp_path, media, "shot-002.jpg")
        jobs, why = desk.request("2026-12-03_0001", [a, b])
        assert len(jobs) == 1 and why == "this session's print limit is reached"
        desk.request("2026-12-03_0002", [a])
        assert desk.wait_settled(90)
        jobs, why = desk.request("2026-12-03_0003", [a])
        assert jobs == [] and why == "today's print limit is reached"
        assert desk.sheets_today() == 2
        # a restart reads the day's count back from the print log
        again = PrintDesk(tmp_path, settings(per_session=1, per_day=2))
        assert again.request("2026-12-03_0004", [a]) == ([], "today's print limit is reached")
        again.stop()
    finally:
        desk.stop()


@pytest.mark.parametrize("fault,expect", [
    (("cupsdisable", "-r", "paper out", QUEUE), f"printer {QUEUE} is off: paper out"),
    (("cupsreject", QUEUE), "not accepting jobs"),
])
def test_printer_faults_are_reported_and_never_block(cups_pdf: Path, tmp_path: Path,
                                                     media: Path, fault, expect) -> None:
    desk = PrintDesk(tmp_path, settings())
    assert _sh(*fault).returncode == 0
    try:
        t0 = time.monotonic()
        jobs, why = desk.request("2026-12-03_0001", [photo(tmp_path, media)])
        assert time.monotonic() - t0 < 5  # queued for the print thread, not printed here
        assert desk.wait_settled(60)
        assert jobs[0].status == "failed" and expect in jobs[0].reason
        assert "\n" not in jobs[0].reason and expect in desk.status()["last_error"]
        assert day_stats(tmp_path, dt.date.today()).print_failures == 1
    finally:
        _sh("cupsenable", QUEUE)
        _sh("cupsaccept", QUEUE)
        desk.stop()


def test_no_such_printer(cups_pdf: Path, tmp_path: Path, media: Path) -> None:
    desk = PrintDesk(tmp_path, PrintSettings(enabled=True, printer="no-such-printer"))
    try:
        jobs, _ = desk.request("2026-12-03_0001", [photo(tmp_path, media)])
        assert desk.wait_settled(60)
        assert "no printer 'no-such-printer'" in jobs[0].reason
        assert desk.status()["printer"]["ready"] is False
    finally:
        desk.stop()


def test_the_kiosk_prints_the_favourite_and_shows_a_printer_fault(cups_pdf: Path,
                                                                 tmp_path: Path,
                                                                 media: Path) -> None:
    cfg_file = tmp_path / "booth.yaml"
    cfg_file.write_text(f"printing:\n  enabled: true\n  printer: {QUEUE}\n  what: favourite\n")
    cfg = load_config(cfg_file)
    app = easy_app(cfg, media, tmp_path / "out", (960, 540))
    desk = app.loaded.manager.get_plugin("printing").desk

    def keep_one() -> None:
        drive(app, lambda a: a.machine.state is State.WELCOME)
        post(Kind.START)
        drive(app, lambda a: a.machine.state is State.COACHING and a.booth.last_result)
        post(Kind.SHUTTER)
        drive(app, lambda a: a.machine.state is State.REVIEW)
        post(Kind.KEEP)
        drive(app, lambda a: a.machine.ctx.delivery is not None)
        assert "Printing 1 sheet — collect it at the printer." in [
            i.text for i in app.machine.ctx.delivery.items]
        assert desk.wait_settled(90)
        post(Kind.OK)

    try:
        app.booth.set_auto_paused(True)
        keep_one()
        (job,) = desk.jobs
        assert job.status == "printed" and job.file.endswith("shot-001.jpg"), job.reason
        assert _sh("cupsdisable", "-r", "paper out", QUEUE).returncode == 0
        keep_one()  # the printer is off: the kiosk carries on, the operator is told
        assert desk.jobs[-1].status == "failed"
        line = f"printing: shot-001.jpg: printer {QUEUE} is off: paper out"
        drive(app, lambda a: line in a._operator_view().stats)
        drive(app, lambda a: line in a.remote.status()["problems"])  # and the dashboard
    finally:
        _sh("cupsenable", QUEUE)
        app.close()


def test_the_sheet_is_the_deliverable_named_after_a_sheet_output(tmp_path: Path) -> None:
    from delivery.hooks import Deliverable, PhotoInfo, SessionInfo
    from delivery.printing import pick_files

    s = SessionInfo("2026-12-03_0001", tmp_path, "passport")
    photos = [PhotoInfo(s, n, tmp_path / f"shot-00{n}.jpg", tmp_path / f"shot-00{n}.json",
                        "manual", False) for n in (1, 2)]
    made = [Deliverable("file", "ICAO 35 x 45 mm", tmp_path / "shot-001.icao.jpg"),
            Deliverable("file", "Print sheet", tmp_path / "shot-001.sheet.jpg"),
            Deliverable("file", "Print sheet", tmp_path / "shot-002.sheet.jpg")]
    assert pick_files("sheet", photos, photos[1], made, ("sheet",)) == [
        tmp_path / "shot-002.sheet.jpg"]  # the favourite's sheet
    assert pick_files("sheet", photos, None, made, ()) == [photos[0].image_path]  # no sheet
    assert pick_files("all", photos, None, made) == [p.image_path for p in photos]
    assert pick_files("favourite", photos, photos[1], made) == [photos[1].image_path]
