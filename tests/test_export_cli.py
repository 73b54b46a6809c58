"""``headshot-kiosk export`` end to end with the real models (in-process CLI); the outputs
are re-analysed by ``analyze`` and meet their rules."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

from coaching.presets import load_presets
from kiosk.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    rc = main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture()
def session(media: Path, tmp_path: Path) -> Path:
    """A session folder as the kiosk leaves it: an original, its sidecar, a derived file."""
    folder = tmp_path / "2026-12-03_0001"
    folder.mkdir()
    shutil.copy(media / "single_face.jpg", folder / "shot-001.jpg")
    (folder / "shot-001.json").write_text(json.dumps({"file": "shot-001.jpg",
                                                      "preset": "linkedin"}), encoding="utf-8")
    shutil.copy(media / "single_face.jpg", folder / "shot-001.old.jpg")  # derived: skipped
    return folder


def test_session_folder_with_its_own_preset_and_reanalysed_by_analyze(capsys, session) -> None:
    rc, out, err = run(capsys, "export", str(session), "--json")
    assert rc == 0, err
    recs = [json.loads(s) for s in out.strip().splitlines()]
    assert [(r["image"].rsplit("/", 1)[-1], r["output"]) for r in recs] == [
        ("shot-001.jpg", "square")]
    rec = recs[0]
    assert rec["preset"] == "linkedin" and rec["meets_rule"] and rec["problems"] == []
    path = Path(rec["path"])
    assert path == session / "shot-001.square.jpg"
    assert rec["size"] == [1200, 1200] and rec["dpi"] == 300
    assert set(rec["composition"]) == {"head", "eye_line", "headroom", "centre", "circle",
                                       "eye_px"}
    with Image.open(path) as im:
        assert im.size == (1200, 1200) and im.info["dpi"] == (300, 300)
    rule = load_presets(user=False)["linkedin"].outputs[0].rule
    rc, out, err = run(capsys, "analyze", "--json", str(path))
    assert rc == 0, err
    m = json.loads(out)["metrics"]
    assert rule.eye_line.lo - 0.02 <= m["eye_line"] <= rule.eye_line.hi + 0.02, m
    assert abs(m["face_center_x"]) <= rule.centre + 0.02, m
    assert abs(m["eye_line"] - rec["composition"]["eye_line"]) <= 0.02


def test_other_preset_one_output_into_a_folder_as_a_table(capsys, session, tmp_path) -> None:
    out_dir = tmp_path / "exports"
    rc, out, err = run(capsys, "export", str(session / "shot-001.jpg"), "--preset", "medical",
                       "--output", "square", "--out", str(out_dir))
    assert rc == 0, err
    assert [p.name for p in out_dir.iterdir()] == ["shot-001.square.jpg"]
    assert "square" in out and "1000x1000" in out and "yes" in out


def test_a_rule_that_cannot_be_met_is_reported_and_gets_no_file(capsys, session,
                                                                 tmp_path) -> None:
    out_dir = tmp_path / "id"
    rc, out, err = run(capsys, "export", str(session), "--preset", "passport", "--json",
                       "--out", str(out_dir))
    assert rc == 1
    recs = {r["output"]: r for r in map(json.loads, out.strip().splitlines())}
    assert set(recs) == {"icao", "us", "sheet"}
    assert all(r["path"] is None and not r["meets_rule"] for r in recs.values())
    lines = err.strip().splitlines()
    icao = next(s for s in lines if ": icao: " in s)
    assert "eye distance" in icao and "at least 90 px" in icao and "short by" in icao
    assert lines[-1] == "headshot-kiosk: 3 output(s) could not be made"
    assert not list(out_dir.glob("*.jpg"))


@pytest.mark.parametrize(("args", "needle"), [
    (["--preset", "glamour"], "--preset: unknown preset 'glamour'"),
    (["--preset", "passport", "--output", "a4"], "--output a4: preset passport has no such "
                                                 "output (it has: icao, us, sheet)"),
])
def test_bad_options_exit_2_in_one_line(capsys, session, args, needle) -> None:
    rc, _out, err = run(capsys, "export", str(session), *args)
    assert rc == 2
    assert err.count("\n") == 1 and needle in err, err


def test_unreadable_photo_and_photo_without_a_preset(capsys, session, tmp_path) -> None:
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8 not really")
    loose = tmp_path / "loose.jpg"
    shutil.copy(session / "shot-001.jpg", loose)
    rc, out, err = run(capsys, "export", str(bad), str(loose), "--json", "--preset", "linkedin")
    assert rc == 1
    lines = err.strip().splitlines()
    assert lines[0].startswith(f"headshot-kiosk: {bad}: ") and "corrupt JPEG" in lines[0]
    assert len(lines) == 2  # the good photo still made its square
    assert json.loads(out.splitlines()[1])["meets_rule"]
    rc, _out, err = run(capsys, "export", str(loose))
    assert rc == 1
    assert err.splitlines()[0] == (f"headshot-kiosk: {loose}: no sidecar names its preset: "
                                   "give --preset")
