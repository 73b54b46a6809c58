"""The health line: once per interval, the figures, disk and memory, warnings for trouble,
never an exception into the kiosk loop."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from kiosk.health import HealthMonitor, HealthSample


class Calls:
    def __init__(self, *samples: HealthSample) -> None:
        self.samples = list(samples)
        self.n = 0

    def __call__(self) -> HealthSample:
        self.n += 1
        return self.samples.pop(0)


def test_one_line_per_minute_with_the_figures(tmp_path: Path, caplog) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.health")
    mon = HealthMonitor(tmp_path, start=1000.0, low_disk_bytes=0)
    collect = Calls(HealthSample(fps=23.94, camera="live", captures=3, dropped=40,
                                 screen_fps=30.0, state="coaching"),
                    HealthSample(fps=22.0, camera="live", captures=5, dropped=61))
    for t in (1000.0, 1030.0, 1059.9):
        assert mon.tick(t, collect) is None
    assert collect.n == 0  # the figures are not even gathered before the minute is up
    line = mon.tick(1060.0, collect)
    assert line is not None and collect.n == 1
    assert line.startswith("health: up 1m00s; coach 23.9 fps; screen 30.0 fps; camera live; "
                           "state coaching; captures 3 (+3); dropped 40 (+40); restarts 0; disk ")
    free = shutil.disk_usage(tmp_path).free / 1e9
    assert f"disk {free:.1f} GB free" in line and " MB" in line.split("rss ")[1]
    assert mon.tick(1100.0, collect) is None
    line2 = mon.tick(1121.0, collect)
    assert "up 2m01s" in line2 and "captures 5 (+2)" in line2 and "dropped 61 (+21)" in line2
    records = [r for r in caplog.records if r.name == "kiosk.health"]
    assert [r.levelno for r in records] == [logging.INFO, logging.INFO]
    assert all("\n" not in r.getMessage() and len(r.getMessage()) < 300 for r in records)
    assert str(tmp_path) not in line  # no paths (they may hold a user name)


def test_trouble_is_a_warning(tmp_path: Path, caplog) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.health")
    mon = HealthMonitor(tmp_path, start=0.0, interval_s=60, low_disk_bytes=0)
    mon.tick(60, lambda: HealthSample(fps=0.0, camera="reconnecting"))
    mon.tick(120, lambda: HealthSample(fps=20.0, camera="live", restarts=1))
    mon.tick(180, lambda: HealthSample(fps=20.0, camera="live", restarts=1))
    low = HealthMonitor(tmp_path, start=0.0, low_disk_bytes=1 << 62)  # "nearly full"
    assert "GB free" in low.tick(60, lambda: HealthSample(camera="live")) and \
        caplog.records[-1].getMessage().split("; ")[-2].endswith("LOW")
    levels = [r.levelno for r in caplog.records if r.name == "kiosk.health"]
    assert levels == [logging.WARNING, logging.WARNING, logging.INFO, logging.WARNING]


def test_a_vanished_folder_or_a_failing_collector_never_raises(tmp_path: Path, caplog) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.health")
    gone = tmp_path / "usb-stick"
    mon = HealthMonitor(gone, start=0.0)
    line = mon.tick(61, lambda: HealthSample(camera="live"))
    assert "disk unknown (No such file or directory)" in line

    def broken() -> HealthSample:
        raise RuntimeError("pipeline gone")

    line = mon.tick(200, broken)
    assert line is not None and "camera none" in line
    assert any("could not gather" in r.getMessage() for r in caplog.records)


def test_a_hybrids_dslr_side_is_reported_on_its_own(tmp_path: Path, caplog) -> None:
    """The hybrid stays 'live' while its DSLR reconnects: the stills part says so, warned."""
    caplog.set_level(logging.INFO, logger="kiosk.health")
    mon = HealthMonitor(tmp_path, start=0.0, low_disk_bytes=0)
    away = mon.tick(60, lambda: HealthSample(camera="live", stills="reconnecting"))
    back = mon.tick(120, lambda: HealthSample(camera="live", stills="live"))
    single = mon.tick(180, lambda: HealthSample(camera="live"))
    assert "camera live; stills reconnecting; " in away and "camera live; stills live; " in back
    assert "stills" not in single  # a single camera has no separate stills side
    levels = [r.levelno for r in caplog.records if r.name == "kiosk.health"]
    assert levels == [logging.WARNING, logging.INFO, logging.INFO]
