"""Every shipped preset, headless over the real replayed sitter (slow: nine runs).

A photo either gets each deliverable and it meets its rule, or the deliverable is not
written and the reason is recorded; and in that case the coach was asking the sitter
to move (the run's timeline shows the framing prompt), never silent about it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coaching.presets import load_presets
from kiosk.cli import main

FRAMING_WORDS = ("Step back", "Step closer", "Move", "step back", "step closer")


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(load_presets(user=False)))
def test_each_shipped_preset_delivers_to_its_rules_or_coaches_toward_them(
        name: str, media: Path, tmp_path: Path, capsys) -> None:
    rc = main(["run", "--headless", "--preset", name, "--shutter-at", "2.0", "--source",
               f"replay:{media / 'single_face.mp4'}", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert rc == 0, out
    sidecar = json.loads(next(tmp_path.glob("*/shot-001.json")).read_text())
    made = sidecar["deliverables"]
    assert made, "no deliverables recorded"
    for d in made:
        if d["meets_rule"]:
            path = Path(d["file"])
            assert path.is_file() and path.stat().st_size > 0
        else:
            assert d["file"] is None and d["problems"], d  # nothing written, reason kept
            assert any(w in out for w in FRAMING_WORDS), out  # and the sitter was coached
    ids = [d for d in made if d["output"] in ("icao", "us") and not d["meets_rule"]]
    for d in ids:  # no ID photo is ever padded out of a frame that cannot hold it
        assert d["file"] is None
