"""``headshot-kiosk bench``: runs the real pipeline and reports sane figures (no timed
assertions: speed depends on the machine)."""

from __future__ import annotations

import json

from kiosk.cli import main


def test_bench_json_reports_the_figures(media, capsys) -> None:
    code = main(["bench", "--source", f"replay:{media / 'single_face.mp4'}", "--frames", "40",
                 "--warmup", "5", "--baseline", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 1  # one JSON object, nothing else on stdout
    r = json.loads(lines[0])
    assert r["width"] == 640 and r["height"] == 360
    assert r["frames"] == 40 and r["dropped"] == 0  # unpaced: every frame is coached
    assert r["fps"] > 0 and r["baseline_fps"] > 0
    assert r["speedup"] == round(r["fps"] / r["baseline_fps"], 2) or abs(
        r["speedup"] - r["fps"] / r["baseline_fps"]) < 0.02
    assert 0 < r["latency_p50_ms"] <= r["latency_p95_ms"]
    assert 0 < r["baseline_latency_p50_ms"] <= r["baseline_latency_p95_ms"]
    assert r["pose_hz"] > 0
    assert r["rss_mb"] > 0 and r["cpu_percent"] > 0
    assert r["frames_in_memory"] == 40 and r["restarts"] == 0


def test_bench_text_output_resize_and_repeat(media, capsys) -> None:
    code = main(["bench", "--source", f"replay:{media / 'single_face.mp4'}", "--frames", "10",
                 "--warmup", "2", "--size", "320x180", "--max-preload", "5", "--repeat", "2"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "at 320x180" in out and "5 frames decoded into memory" in out
    assert "medians of 2 runs" in out and "run 1:" in out and "run 2:" in out
    assert "pipeline: 10 frames" in out and "latency p50" in out and "pose" in out


def test_bench_refuses_bad_sources_in_one_line(tmp_path, capsys) -> None:
    cases = {"webcam:0": ["--source", "webcam:0"],
             "nope.mp4": ["--source", f"replay:{tmp_path / 'nope.mp4'}"],
             "--size": ["--source", "replay:x.mp4", "--size", "big"],
             "no-such-preset": ["--source", "replay:x.mp4", "--preset", "no-such-preset"]}
    for what, argv in cases.items():
        try:
            code = main(["bench", *argv])
        except SystemExit as exc:  # argparse's own errors (after its usage lines)
            code = exc.code
        err = capsys.readouterr().err
        assert code == 2, argv
        assert "Traceback" not in err
        last = err.strip().splitlines()[-1]
        assert last.startswith("headshot-kiosk") and what in last, last
