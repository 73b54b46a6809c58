"""``headshot-kiosk stats``: a real kiosk session (a replayed person coached through the
real models, a retake, a kept photo) logged by the kiosk and counted from its log; a
day's log with prints and a torn line; bad days as one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kiosk_driving import drive, post

from camera.replay import ReplaySource
from coaching.presets import load_presets
from delivery.day_logs import append_line, print_log, session_log
from delivery.stats import day_stats, parse_day
from kiosk.app import AppOptions, KioskApp
from kiosk.cli import main
from kiosk.config import load_config
from kiosk.states import Kind, State


def test_a_real_session_with_a_retake_is_counted(tmp_path: Path, media: Path, capsys) -> None:
    cfg = load_config(None)
    cfg.ui.shutter_sound = False
    out = tmp_path / "out"
    app = KioskApp(cfg, AppOptions(
        source=ReplaySource(media / "single_face.mp4", realtime=True, loop=True),
        source_spec="replay:x", out_dir=out, windowed=True, size=(960, 540),
        presets=load_presets(user=False), preset="passport"))
    app.start()
    try:
        drive(app, lambda a: a.machine.state is State.WELCOME)
        app.booth.set_auto_paused(True)  # the operator's switch: only our presses shoot
        post(Kind.START)
        # coached until the sitter has seen a prompt (the passport preset asks for one)
        drive(app, lambda a: a.machine.state is State.COACHING and a.booth._prompt is not None
              and a.clock() - a.booth._prompt[1] > 0.5)
        post(Kind.SHUTTER)
        drive(app, lambda a: a.machine.state is State.REVIEW)
        post(Kind.RETAKE)
        drive(app, lambda a: a.machine.state is State.COACHING and a.booth.last_result)
        post(Kind.SHUTTER)
        drive(app, lambda a: a.machine.state is State.REVIEW)
        post(Kind.KEEP)
        drive(app, lambda a: a.machine.state is State.DONE)
        post(Kind.OK)
        drive(app, lambda a: a.machine.state is State.WELCOME)
    finally:
        app.close()
    assert main(["stats", "--out", str(out), "--json"]) == 0
    st = json.loads(capsys.readouterr().out)
    assert (st["sessions"], st["photos"], st["kept"], st["retakes"]) == (1, 2, 1, 1)
    assert st["median_first_photo_s"] > 0
    assert st["stuck_prompts"] and st["stuck_prompts"][0]["longest_s"] > 0
    assert st["stuck_prompts"][0]["text"]  # the catalogue's words, not just the key
    assert main(["stats", "today", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "1 sessions, 2 photos, 1 kept, 1 retakes, 0 prints" in text
    assert "stuck on longest:" in text


def test_prints_medians_and_a_torn_line(tmp_path: Path) -> None:
    day = parse_day("2026-11-27")
    for first, prompts in ((4.0, {"pitch_deg.down": 3.5}), (10.0, {"pitch_deg.down": 9.0,
                                                                     "smile.more": 2.0}),
                           (6.0, {})):
        append_line(session_log(tmp_path, day), {"session": "s", "shots": 2, "kept": 1,
                                                 "retakes": 1, "first_shot_s": first,
                                                 "prompts": prompts})
    with session_log(tmp_path, day).open("a") as f:
        f.write('{"session": "torn')  # a power cut mid-line
    append_line(print_log(tmp_path, day), {"status": "printed", "copies": 2})
    append_line(print_log(tmp_path, day), {"status": "failed", "copies": 1})
    st = day_stats(tmp_path, day)
    assert (st.sessions, st.photos, st.kept, st.retakes) == (3, 6, 3, 3)
    assert (st.prints, st.print_failures, st.skipped_lines) == (2, 1, 1)
    assert st.median_first_photo_s == 6.0
    assert [(p.key, p.longest_s, p.sessions) for p in st.stuck_prompts] == [
        ("pitch_deg.down", 9.0, 2), ("smile.more", 2.0, 1)]
    assert day_stats(tmp_path, parse_day("2026-11-28")).sessions == 0  # no log: zeros


@pytest.mark.parametrize("day", ["2026-13-01", "tomorrow-ish", "27.11.2026"])
def test_a_bad_day_is_one_line(day: str, tmp_path: Path, capsys) -> None:
    assert main(["stats", day, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith("headshot-kiosk: not a day:") and day in err


def test_a_missing_folder_is_one_line(tmp_path: Path, capsys) -> None:
    assert main(["stats", "--out", str(tmp_path / "nope")]) == 2
    assert capsys.readouterr().err.strip().startswith("headshot-kiosk: no output folder")
