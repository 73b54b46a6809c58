"""Config loading: valid default, one-line located errors, check-config exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import ConfigError, load_config


def test_default_config_is_valid() -> None:
    cfg = load_config()
    assert cfg.camera.source


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("camera:\n  sourc: x\n", 2, "camera.sourc: unknown key"),
        ("analysis:\n  max_faces: -3\n", 2, "analysis.max_faces"),
        ("ui: [1, 2\n", None, "invalid YAML"),
        ("- just\n- a list\n", 1, "expected a mapping"),
    ],
)
def test_broken_config_is_one_located_line(tmp_path: Path, text: str, line: int | None,
                                           fragment: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(bad)
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith(str(bad))
    assert fragment in msg
    if line is not None:
        assert f":{line}:" in msg


def test_check_config_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config"]) == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("coach:\n  persist_s: lots\n")
    assert main(["check-config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml:2: coach.persist_s" in err
    assert main(["check-config", str(tmp_path / "missing.yaml")]) == 2
