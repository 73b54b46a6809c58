"""``headshot-kiosk soak``: a one-minute run of the real threaded pipeline over a looping
real-time replay, with forced captures saved through kiosk.storage; and the capture
verifier catching every kind of damage."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kiosk.cli import main
from kiosk.soak import REQUIRED_SIDECAR, verify_captures
from kiosk.storage import SessionStore


@pytest.mark.slow  # a one-minute soak: behind the slow marker
def test_one_minute_soak_reports_memory_stalls_and_verified_captures(media, tmp_path,
                                                                     capsys) -> None:
    out = tmp_path / "soak"
    code = main(["soak", "--source", f"replay:{media / 'single_face.mp4'}", "--minutes", "1",
                 "--warmup", "15", "--capture-every", "5", "--session-every", "20",
                 "--report-every", "10", "--out", str(out), "--json"])
    stdout, err = capsys.readouterr()
    lines = stdout.strip().splitlines()
    assert len(lines) == 1, stdout  # --json: one object, nothing else
    r = json.loads(lines[0])
    assert code == (0 if r["ok"] else 1) and r["ok"] == (r["failures"] == []), err
    # the run
    assert 59 <= r["seconds"] <= 75 and r["warmup_s"] == 15
    assert r["frames"] > 100 and r["fps"] > 2 and r["restarts"] == 0
    # memory: a series, medians of two windows after warm-up, the growth between them
    assert len(r["rss_series"]) >= 5 and all(mb > 50 for _, mb in r["rss_series"])
    assert abs(r["window_s"] - (r["seconds"] - 15) / 3) < 0.01  # a third of the measured time
    assert r["rss_first_mb"] > 50 and r["rss_last_mb"] > 50
    growth = 100 * (r["rss_last_mb"] - r["rss_first_mb"]) / r["rss_first_mb"]
    assert abs(growth - r["rss_growth_pct"]) < 0.01
    assert r["rss_growth_pct"] < 5, r["rss_series"]  # no leak visible within a minute
    assert r["rss_peak_mb"] >= r["rss_last_mb"]
    # stalls: measured by the watcher (the figure depends on the machine's load)
    assert 0 < r["max_stall_s"] < 60 and r["stalls"] >= 0
    assert r["result_gap_p99_ms"] > 0
    assert r["stalls"] == 0 or r["max_stall_s"] > 1.0
    # captures: forced every 5 s (plus any automatic ones), all on disk and verified
    assert r["captures_manual"] >= 10 and r["captures_fired"] == r["captures_written"]
    assert r["captures_verified"] == r["captures_written"] and r["capture_errors"] == []
    assert r["sessions"] >= 3
    photos = sorted(out.glob("*/shot-*.jpg"))
    assert len(photos) == r["captures_written"]
    for photo in photos:
        side = json.loads(photo.with_suffix(".json").read_text())
        assert all(k in side for k in REQUIRED_SIDECAR) and side["file"] == photo.name
    kept = [json.loads(p.with_suffix(".json").read_text())["kept"] for p in photos]
    assert kept.count(True) == (len(photos) + 1) // 2
    log_lines = [json.loads(x) for f in out.glob("sessions-*.jsonl")
                 for x in f.read_text().splitlines()]
    assert len(log_lines) == r["sessions"]
    assert sum(x["shots"] for x in log_lines) == r["captures_written"]


def _store_with_shots(tmp_path: Path, n: int = 4) -> tuple[Path, list]:
    store = SessionStore(tmp_path)
    session = store.start("linkedin", source="replay:x", camera="x")
    img = np.random.default_rng(1).integers(0, 255, (40, 60, 3), dtype=np.uint8)
    written = []
    for i in range(n):
        s = session.save(image=img, metrics={"yaw_deg": 1.0})
        kept = True if i % 2 == 0 else None
        if kept:
            session.set_kept(s, True)
        written.append((s.image_path, s.sidecar_path, kept))
    session.end()
    return session.folder, written


def test_verifier_accepts_good_captures_and_catches_damage(tmp_path: Path) -> None:
    folder, written = _store_with_shots(tmp_path, 6)
    errors: list[str] = []
    assert verify_captures(tmp_path, written, errors) == 6 and errors == []

    written[0][0].write_bytes(written[0][0].read_bytes()[:200])     # truncated photo
    written[1][1].write_text("{")                                    # torn sidecar
    side = json.loads(written[2][1].read_text())
    del side["metrics"]
    written[2][1].write_text(json.dumps(side))                       # field missing
    side = json.loads(written[3][1].read_text())
    side["kept"] = True
    written[3][1].write_text(json.dumps(side))                       # kept flag wrong
    written[4][0].unlink()                                           # vanished photo
    (folder / "shot-099.jpg").write_bytes(written[5][0].read_bytes())  # nobody wrote this
    errors = []
    assert verify_captures(tmp_path, written, errors) == 1
    text = "\n".join(errors)
    assert "shot-001.jpg: does not decode" in text
    assert "shot-002.jpg: sidecar unreadable" in text
    assert "shot-003.jpg: sidecar lacks metrics" in text
    assert "shot-004.jpg: sidecar kept=True, set None" in text
    assert "shot-005.jpg: unreadable" in text
    assert "shot-099.jpg: on disk but never written" in text
    assert len(errors) == 6 and all("\n" not in e for e in errors)
