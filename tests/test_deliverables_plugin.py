"""The deliverables plugin in the real kiosk: a kept photo gets its preset's outputs
beside the original, listed in its sidecar, and handed to the done screen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kiosk_driving import drive, post
from PIL import Image

from camera.replay import ReplaySource
from coaching.presets import Preset, load_preset, load_presets
from kiosk.app import AppOptions, KioskApp
from kiosk.cli import main
from kiosk.config import load_config
from kiosk.states import Kind, State

PASSPORT = Path(__file__).resolve().parents[1] / "config/presets/passport.yaml"


@pytest.fixture()
def presets(tmp_path: Path) -> dict[str, Preset]:
    """An easy-to-satisfy preset carrying the passport outputs (eye floor lowered to 60 px:
    the test video is a 640 x 360 webcam) and LinkedIn's square (which this close-up
    sitter cannot fill: the crop would leave the frame)."""
    text = PASSPORT.read_text(encoding="utf-8").replace("min_eye_px: 90", "min_eye_px: 60")
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    id_outputs = load_preset(tmp_path / "p.yaml").outputs
    square = load_presets(user=False)["linkedin"].outputs
    easy = Preset(name="easy-id", title="Easy ID", description="Anything goes.",
                  look_at_camera=False, hold_s=0.3, outputs=(*id_outputs, *square))
    return {"easy-id": easy}


def test_a_kept_photo_gets_its_deliverables_and_the_sidecar_lists_them(
        tmp_path: Path, media: Path, presets) -> None:
    cfg = load_config()
    cfg.ui.shutter_sound = False
    app = KioskApp(cfg, AppOptions(
        source=ReplaySource(media / "single_face.mp4", realtime=True, loop=True),
        source_spec="replay:" + str(media / "single_face.mp4"), out_dir=tmp_path / "out",
        windowed=True, size=(1280, 720), presets=presets, preset="easy-id"))
    app.start()
    try:
        assert "deliverables" in app.loaded.names
        drive(app, lambda a: a.machine.state is State.WELCOME)
        post(Kind.START)
        drive(app, lambda a: a.machine.state is State.COACHING and a.booth.last_result is not None)
        post(Kind.SHUTTER)
        drive(app, lambda a: a.machine.state is State.REVIEW)
        post(Kind.KEEP)
        drive(app, lambda a: a.machine.ctx.delivery is not None, timeout=60)
        delivery = app.machine.ctx.delivery
    finally:
        app.close()
    assert not delivery.problems, delivery.problems
    files = {d.path.name: d for d in delivery.deliverables if d.plugin == "deliverables"}
    assert set(files) == {"shot-001.icao.jpg", "shot-001.sheet.jpg"}, files
    folder = files["shot-001.icao.jpg"].path.parent
    assert (folder / "shot-001.jpg").is_file()  # the untouched original beside them
    side = json.loads((folder / "shot-001.json").read_text(encoding="utf-8"))
    assert side["kept"] is True
    entries = {e["output"]: e for e in side["deliverables"]}
    assert set(entries) == {"icao", "us", "sheet", "square"}
    icao = entries["icao"]
    assert icao["file"] == "shot-001.icao.jpg" and icao["meets_rule"]
    assert icao["size"] == [827, 1063] and icao["dpi"] == 600
    assert 0.711 <= icao["composition"]["head"] <= 0.80
    with Image.open(folder / "shot-001.icao.jpg") as im:
        assert im.size == (827, 1063) and im.info["dpi"] == (600, 600)
    sq = entries["square"]
    assert sq["file"] is None and not sq["meets_rule"]
    assert any("would leave the photo" in p for p in sq["problems"]), sq["problems"]
    assert not (folder / "shot-001.square.jpg").exists()
    assert entries["sheet"]["copies"] == 6


def _headless(tmp_path: Path, media: Path, preset: str, capsys) -> tuple[int, str, Path]:
    rc = main(["run", "--headless", "--source", f"replay:{media / 'single_face.mp4'}",
               "--preset", preset, "--out", str(tmp_path / "out"), "--shutter-at", "0.5"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    (folder,) = [p for p in (tmp_path / "out").iterdir() if p.is_dir()]
    return rc, out, folder


def test_headless_run_makes_the_id_deliverables_that_meet_their_rules(tmp_path, media,
                                                                      capsys) -> None:
    text = PASSPORT.read_text(encoding="utf-8").replace("min_eye_px: 90", "min_eye_px: 60")
    preset = tmp_path / "passport-webcam.yaml"
    preset.write_text(text.replace("name: passport", "name: passport-webcam"), encoding="utf-8")
    _rc, out, folder = _headless(tmp_path, media, str(preset), capsys)
    lines = [s for s in out.splitlines() if s.startswith("deliverable #1 ")]
    assert len(lines) == 3, out
    assert lines[0].startswith("deliverable #1 icao: 827x1063 600 dpi head 0.")
    assert lines[0].endswith("shot-001.icao.jpg")
    assert lines[2].endswith("shot-001.sheet.jpg")
    side = json.loads((folder / "shot-001.json").read_text(encoding="utf-8"))
    for e in side["deliverables"]:
        if e["file"] is not None:
            assert e["meets_rule"] and (folder / e["file"]).is_file()


def test_headless_shipped_passport_writes_no_id_photo_from_too_few_pixels(tmp_path, media,
                                                                          capsys) -> None:
    _rc, out, folder = _headless(tmp_path, media, "passport", capsys)
    assert "deliverable #1 icao: 827x1063 600 dpi" in out
    assert "NOT MADE: eye distance 69 px from real pixels, rule at least 90 px" in out
    assert sorted(p.name for p in folder.iterdir()) == ["shot-001.jpg", "shot-001.json"]
