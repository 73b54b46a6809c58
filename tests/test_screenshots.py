"""``headshot-kiosk screenshots DIR``: the real app, a replayed person, one PNG per screen."""

from __future__ import annotations

from pathlib import Path

import pygame
import pytest

from kiosk.cli import main
from kiosk.commands.screenshots import SCREENS


def test_screenshots_writes_every_screen(tmp_path: Path, media: Path, capsys) -> None:
    out = tmp_path / "shots"
    rc = main(["screenshots", str(out), "--size", "1280x720", "--language", "de",
               "--source", f"replay:{media / 'single_face.mp4'}"])
    printed = capsys.readouterr().out.split()
    assert rc == 0
    assert sorted(p.name for p in out.glob("*.png")) == sorted(f"{s}.png" for s in SCREENS)
    assert printed == [str(out / f"{s}.png") for s in SCREENS]
    for name in SCREENS:
        img = pygame.image.load(str(out / f"{name}.png"))
        assert img.get_size() == (1280, 720)
        arr = pygame.surfarray.array3d(img)
        assert arr.std() > 10, f"{name}.png is nearly blank"
    # The live screens show the replayed person: welcome differs from the plain failsafe.
    welcome = pygame.surfarray.array3d(pygame.image.load(str(out / "welcome.png")))
    assert welcome.mean() > 40
    assert not list(tmp_path.glob("**/shot-*.jpg"))  # photos taken on the way are not kept


@pytest.mark.parametrize(("argv", "fragment"), [
    (["--size", "12x7"], "--size"),
    (["--source", "replay:/no/such/file.mp4"], "not found"),
    (["--preset", "nope"], "unknown preset"),
    (["--language", "zz"], "no message catalogue for language 'zz'"),
])
def test_screenshots_bad_input_is_one_line(tmp_path: Path, capsys, argv: list[str],
                                           fragment: str) -> None:
    assert main(["screenshots", str(tmp_path / "x"), *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and len(err.splitlines()) == 1
