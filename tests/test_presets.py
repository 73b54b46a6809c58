"""Presets: the shipped ones load and follow GUIDE section 4; user presets override,
broken ones are skipped and reported; names and paths resolve; one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from coaching.presets import (
    SHIPPED_PRESETS,
    Preset,
    UnknownPreset,
    load_preset,
    load_presets,
    resolve_preset,
    user_presets_dir,
)
from coaching.yamlconfig import ConfigError

ROOT = Path(__file__).resolve().parent.parent
USE_CASES = {"passport", "linkedin", "corporate", "medical", "academic", "acting-commercial",
             "acting-theatrical", "speaker", "residency"}


def test_every_use_case_ships_and_validates() -> None:
    presets = load_presets(user=False)
    assert presets.errors == []
    assert set(presets) == USE_CASES
    for name, p in presets.items():
        assert p.name == name
        assert p.title and p.description and "\n" not in p.description
        assert p.eyes.required and p.look_at_camera  # GUIDE: in every preset
        assert p.hold_s <= 1.0 and p.shots >= 1
        assert presets.sources[name].parent == SHIPPED_PRESETS


def test_shipped_numbers_follow_the_guide() -> None:
    ps = load_presets(user=False)
    pp = ps["passport"].ranges
    assert (pp.yaw_deg.min, pp.yaw_deg.max) == (-5, 5)
    assert pp.head_height is None  # framing is the outputs' job (fits_outputs)
    assert "fits_outputs" in ps["passport"].gates()
    assert ps["passport"].mouth_closed is True
    li = ps["linkedin"].ranges
    assert (li.yaw_deg.min, li.yaw_deg.max, li.yaw_deg.side) == (5, 15, "either")
    assert (li.shoulder_turn_deg.min, li.shoulder_turn_deg.max) == (15, 35)
    assert (li.smile.min, li.smile.max) == (0.3, 0.7)
    assert ps["acting-commercial"].teeth_visible is True
    assert ps["acting-theatrical"].ranges.smile.max == 0.2
    assert ps["residency"].hold_s == 0.6


def test_gates_follow_the_coaching_order() -> None:
    p = load_presets(user=False)["linkedin"]
    gates = p.gates()
    assert gates.index("head_height") < gates.index("shoulder_turn_deg") < gates.index(
        "yaw_deg") < gates.index("pitch_deg") < gates.index("roll_deg") < gates.index(
        "smile") < gates.index("eyes_open")


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_user_folder_overrides_and_adds(tmp_path: Path) -> None:
    udir = user_presets_dir()
    assert str(udir).startswith(os.environ["XDG_CONFIG_HOME"])  # isolated by conftest
    _write(udir / "linkedin.yaml", "title: My LinkedIn\ndescription: Mine.\nhold_s: 1.5\n")
    _write(udir / "dating.yaml", "title: Dating\ndescription: Relaxed and warm.\n"
                                 "ranges:\n  smile: {min: 0.4}\n")
    _write(udir / "broken.yaml", "title: Broken\ndescription: x\nranges:\n  yaw_deg: {min: 9, "
                                 "max: 3}\n")
    try:
        ps = load_presets()
        assert ps["linkedin"].title == "My LinkedIn" and ps["linkedin"].hold_s == 1.5
        assert ps.sources["linkedin"] == udir / "linkedin.yaml"
        assert ps["dating"].ranges.smile.min == 0.4
        assert "broken" not in ps and "passport" in ps
        assert len(ps.errors) == 1
        msg = str(ps.errors[0])
        assert "\n" not in msg and "broken.yaml:4" in msg and "ranges.yaw_deg" in msg
        assert "min (9) is above max (3)" in msg
    finally:
        for f in udir.glob("*.yaml"):
            f.unlink()


def test_extra_dirs_and_files(tmp_path: Path) -> None:
    f = _write(tmp_path / "a" / "Studio_X.yaml", "name: studio\ntitle: Studio\n"
                                                 "description: d\n")
    g = _write(tmp_path / "b.yaml", "title: B\ndescription: d\n")
    ps = load_presets([tmp_path / "a", g, tmp_path / "missing"], user=False)
    assert ps["studio"].title == "Studio" and ps["b"].title == "B"
    assert ps.sources["studio"] == f
    assert any("missing" in str(e) and "no such file" in str(e) for e in ps.errors)


@pytest.mark.parametrize("text, where", [
    ("title: T\ndescription: d\nhold_s: 99\n", "x.yaml:3: hold_s: Input should be less"),
    ("title: T\ndescription: d\nranges:\n  yaw: {min: 1}\n", "x.yaml:4: ranges.yaw: unknown key"),
    ("title: T\ndescription: d\nranges:\n  pitch_deg: {min: 1, side: left}\n",
     "x.yaml:3: ranges: Value error, pitch_deg: 'side' applies only"),
    ("title: T\ndescription: d\nranges:\n  yaw_deg: {min: -3, side: either}\n",
     "x.yaml:4: ranges.yaw_deg: Value error, with 'side', min and max are magnitudes"),
    ("title: T\ndescription: d\nranges:\n  smile: {}\n",
     "x.yaml:4: ranges.smile: Value error, give min, max or both"),
    ("title: T\ndescription: d\norder: [framing, head_height]\n",
     "x.yaml:3: order: Value error, 'head_height' appears twice"),
    ("title: T\ndescription: d\norder: [smiles]\n", "x.yaml:3: order.0: Input should be"),
    ("title: T\ndescription: d\nshots: 0\n", "x.yaml:3: shots: Input should be greater"),
    ("description: d\n", "x.yaml:1: title: required key is missing"),
    ("title: T\ndescription: 'two\n\n  lines'\n", "x.yaml:2: description: Value error, must be"),
    ("name: Bad Name\ntitle: T\ndescription: d\n", "x.yaml:1: name: String should match"),
    ("title: [\n", "x.yaml:2: invalid YAML"),
    ("", "x.yaml: file is empty"),
])
def test_bad_presets_give_one_located_line(tmp_path: Path, text: str, where: str) -> None:
    path = _write(tmp_path / "x.yaml", text)
    with pytest.raises(ConfigError) as info:
        load_preset(path)
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith(str(tmp_path)) and where in msg, msg


def test_file_name_must_make_a_name(tmp_path: Path) -> None:
    path = _write(tmp_path / "My Preset.yaml", "title: T\ndescription: d\n")
    with pytest.raises(ConfigError, match="not a valid preset name"):
        load_preset(path)


def test_resolve_by_name_and_by_path(tmp_path: Path) -> None:
    assert resolve_preset("passport").name == "passport"
    assert resolve_preset("LinkedIn").name == "linkedin"
    path = _write(tmp_path / "mine.yaml", "title: Mine\ndescription: d\n")
    assert resolve_preset(str(path)).title == "Mine"
    with pytest.raises(UnknownPreset) as info:
        resolve_preset("pasport")
    msg = str(info.value)
    assert "unknown preset 'pasport'" in msg and "passport" in msg and "linkedin" in msg
    with pytest.raises(ConfigError, match="file not found"):
        resolve_preset(str(tmp_path / "nope.yaml"))


def test_preset_model_defaults_are_sane() -> None:
    p = Preset(title="T", description="d")
    assert p.gates() == ["eyes_open", "looking_at_camera"]
    assert p.tolerance("yaw_deg") == 4.0


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)


def test_presets_command_lists_names_and_errors(tmp_path: Path) -> None:
    _write(tmp_path / "bad.yaml", "title: Bad\ndescription: d\nhold_s: -1\n")
    r = _cli("presets", "--dir", str(tmp_path))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 9
    assert any(ln.startswith("passport") and "Passport / ID" in ln for ln in lines)
    assert "skipped:" in r.stderr and "bad.yaml:3: hold_s" in r.stderr
    assert "Traceback" not in r.stderr
    r = _cli("presets", "--json")
    data = json.loads(r.stdout)
    assert {p["name"] for p in data["presets"]} == USE_CASES and data["errors"] == []
