"""``headshot-kiosk analyze`` end to end with the real models (in-process CLI)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from coaching.metrics import Metrics
from coaching.photo_analyzer import PhotoAnalyzer
from kiosk.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    rc = main(["analyze", *args])
    out, err = capsys.readouterr()
    return rc, out, err


def test_json_lines_with_metrics(capsys, media) -> None:
    rc, out, err = run(capsys, "--json", str(media / "single_face.jpg"),
                       str(media / "multi_face.jpg"))
    assert rc == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 2
    one, many = (json.loads(s) for s in lines)
    assert one["image"].endswith("single_face.jpg") and one["faces"] == 1
    assert set(one["metrics"]) == set(Metrics.names())
    assert one["metrics"]["smiling"] is True and one["metrics"]["yaw_deg"] is not None
    assert one["size"] == [572, 562]
    assert many["faces"] == 5
    assert "preset" not in one


def test_preset_gives_in_range_ready_and_prompt(capsys, media, tmp_path) -> None:
    rc, out, err = run(capsys, "--json", "--preset", "passport", str(media / "single_face.jpg"))
    assert rc == 0, err
    rec = json.loads(out)
    assert rec["preset"] == "passport"
    assert isinstance(rec["ready"], bool) and rec["ready"] is False  # a broad smile
    assert rec["in_range"] and all(isinstance(v, bool) for v in rec["in_range"].values())
    assert rec["prompt"]["text"] and rec["prompt"]["metric"]
    # a preset given as a path to its YAML file
    from coaching.presets import SHIPPED_PRESETS

    copy = tmp_path / "mine.yaml"
    shutil.copy(SHIPPED_PRESETS / "linkedin.yaml", copy)
    rc, out, _ = run(capsys, "--json", "--preset", str(copy), str(media / "single_face.jpg"))
    assert rc == 0 and json.loads(out)["preset"]


def test_table_and_no_face(capsys, media) -> None:
    rc, out, err = run(capsys, str(media / "single_face.jpg"), str(media / "BWPictureHuman.jpg"))
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["photo", "faces", "yaw", "pitch"]
    row = next(line for line in lines if "single_face.jpg" in line)
    assert row.split()[1] == "1"
    empty = next(line for line in lines if "BWPictureHuman.jpg" in line)
    assert empty.split()[1] == "0" and empty.split()[2] == "-"


def test_bad_files_get_one_line_each_and_the_rest_is_analysed(capsys, media, tmp_path) -> None:
    text = tmp_path / "notes.jpg"
    text.write_text("not a photo at all\n")
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    missing = tmp_path / "missing.jpg"
    rc, out, err = run(capsys, "--json", str(text), str(media / "single_face.jpg"), str(empty),
                       str(missing))
    assert rc == 1
    recs = [json.loads(s) for s in out.strip().splitlines()]
    assert [("error" in r) for r in recs] == [True, False, True, True]
    assert recs[1]["faces"] == 1
    err_lines = [s for s in err.splitlines() if s.startswith("headshot-kiosk: ")]
    for bad in (text, empty, missing):
        named = [s for s in err_lines if str(bad) in s]
        assert len(named) == 1, err
    assert "Traceback" not in err
    assert "3 of 4" in err


def test_annotate_writes_copies(capsys, media, tmp_path) -> None:
    out_dir = tmp_path / "ann"
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((240, 320, 3), 127, np.uint8))
    rc, out, err = run(capsys, "--annotate", str(out_dir), "--preset", "linkedin",
                       str(media / "single_face.jpg"), str(blank))
    assert rc == 0, err
    files = sorted(p.name for p in out_dir.iterdir())
    assert files == ["blank_annotated.jpg", "single_face_annotated.jpg"]
    img = cv2.imread(str(out_dir / "single_face_annotated.jpg"))
    src = cv2.imread(str(media / "single_face.jpg"))
    assert img.shape == src.shape
    assert (cv2.absdiff(img, src) > 40).mean() > 0.01  # something was drawn
    assert "ready" in out.splitlines()[0]


def test_folder_argument_and_progress(capsys, media, tmp_path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    src = media / "single_face.jpg"
    for i in range(6):
        shutil.copy(src, folder / f"p{i}.jpg")
    (folder / "readme.txt").write_text("ignored: not a photo suffix")
    rc, out, err = run(capsys, "--json", "--no-pose", str(folder))
    assert rc == 0, err
    assert len(out.strip().splitlines()) == 6
    assert "analyze: 6/6" in err  # progress on stderr for more than five photos


@pytest.mark.parametrize(("args", "needle"), [
    (["--preset", "no-such-preset"], "no-such-preset"),
    (["--annotate", "__FILE__"], "not a folder"),
])
def test_bad_options_exit_2(capsys, media, tmp_path, args, needle) -> None:
    args = [str(tmp_path / "f.txt") if a == "__FILE__" else a for a in args]
    (tmp_path / "f.txt").write_text("x")
    rc, out, err = run(capsys, *args, str(media / "single_face.jpg"))
    assert rc == 2
    assert needle in err and len(err.strip().splitlines()) == 1
    assert out == ""


def test_broken_config_exits_2_with_file_and_line(capsys, media, tmp_path) -> None:
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("analysis:\n  smile_threshold: 3\n")
    rc, _, err = run(capsys, "--config", str(cfg), str(media / "single_face.jpg"))
    assert rc == 2
    line = err.strip()
    assert len(line.splitlines()) == 1
    assert "bad.yaml:2" in line and "smile_threshold" in line


def test_unknown_config_key_is_refused(capsys, media, tmp_path: Path) -> None:
    cfg = tmp_path / "typo.yaml"
    cfg.write_text("analysis:\n  smile_treshold: 0.3\n")
    rc, _, err = run(capsys, "--config", str(cfg), str(media / "single_face.jpg"))
    assert rc == 2 and "smile_treshold" in err


def test_missing_model_offline_is_one_line(capsys, media, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HEADSHOT_KIOSK_MODELS", str(tmp_path / "no-models"))
    rc = main(["--offline", "analyze", str(media / "single_face.jpg")])
    _, err = capsys.readouterr()
    assert rc == 1
    assert len(err.strip().splitlines()) == 1 and "face_landmarker.task" in err


def test_the_numbers_panel_of_a_group_photo_covers_no_face(capsys, media, tmp_path) -> None:
    """multi_face.jpg has a face in the top-left corner, where the panel used to go: it
    now goes to the corner that covers no face (issue 20)."""
    out_dir = tmp_path / "ann"
    rc, _, err = run(capsys, "--annotate", str(out_dir), "--no-pose",
                     str(media / "multi_face.jpg"))
    assert rc == 0, err
    img = cv2.imread(str(out_dir / "multi_face_annotated.jpg")).astype(float)
    src = cv2.imread(str(media / "multi_face.jpg")).astype(float)
    rgb = cv2.cvtColor(src.astype(np.uint8), cv2.COLOR_BGR2RGB)
    with PhotoAnalyzer(pose=None) as analyzer:
        faces = analyzer.analyze(rgb).faces
    assert len(faces) == 5
    h, w = src.shape[:2]
    ratio = (img.mean(axis=2) + 1) / (src.mean(axis=2) + 1)  # 0.4 under the panel
    dark = ratio < 0.55
    assert dark.mean() > 0.05  # the panel is there
    for face in faces:
        x0, y0 = (face.landmarks[:, :2].min(axis=0) * (w, h)).astype(int)
        x1, y1 = (face.landmarks[:, :2].max(axis=0) * (w, h)).astype(int)
        assert dark[y0:y1, x0:x1].mean() < 0.05, (x0, y0, x1, y1)  # no face under it
