"""End to end: ``headshot-kiosk run --headless`` on a hybrid source (a replayed video for the
coached preview, libgphoto2's virtual DSLR for the stills), in a subprocess because
``VCAMERADIR`` must be set before ``gphoto2`` is imported.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _cmd(media: Path, out: Path, shutter_at: str) -> list[str]:
    return [sys.executable, "-m", "kiosk", "--offline", "run", "--headless",
            "--source", f"hybrid:replay:{media / 'single_face.mp4'}+gphoto2",
            "--preset", "linkedin", "--shutter-at", shutter_at, "--out", str(out)]


def _shots(out: Path) -> list[tuple[Path, dict]]:
    return [(p.with_suffix(".jpg"), json.loads(p.read_text()))
            for p in sorted(out.glob("*/shot-*.json"))]


def test_hybrid_run_saves_the_dslr_jpeg_untouched(tmp_path: Path, media: Path) -> None:
    vcam = tmp_path / "vcam"
    vcam.mkdir()
    shutil.copy(media / "single_face.jpg", vcam / "portrait.jpg")
    out = tmp_path / "out"
    proc = subprocess.run(_cmd(media, out, "1.0"), cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "VCAMERADIR": str(vcam)}, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "72 frames" in proc.stdout and "CAPTURE manual #1" in proc.stdout
    [(image, sidecar)] = _shots(out)
    assert image.read_bytes() == (vcam / "portrait.jpg").read_bytes()
    assert sidecar["camera"] == "Nikon DSC D750"
    assert sidecar["metrics"]["faces"] == 1  # coached from the video preview


def test_hybrid_run_survives_the_dslr_vanishing_and_returning(tmp_path: Path,
                                                              media: Path) -> None:
    """The DSLR's pictures vanish once the run is going (the first still fails: the run keeps
    the preview frame and goes on) and are back for the second still, the DSLR's JPEG again.

    Virtual camera lore: it lists VCAMERADIR once per process, when the camera is first
    opened, and reads the listed file at each capture; so the folder must exist at launch
    and a capture fails with [-1] while it is away. A fresh Camera() does not re-list it.
    """
    vcam = tmp_path / "vcam"
    vcam.mkdir()
    shutil.copy(media / "single_face.jpg", vcam / "portrait.jpg")
    away = tmp_path / "away"
    out = tmp_path / "out"
    proc = subprocess.Popen(_cmd(media, out, "1.0,2.3"), cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "VCAMERADIR": str(vcam)})
    err_lines: list[str] = []

    def watch_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            err_lines.append(line)
            if "keeping the preview frame" in line and away.exists():
                away.rename(vcam)  # the camera is back

    watcher = threading.Thread(target=watch_stderr, daemon=True)
    watcher.start()
    assert proc.stdout is not None
    out_lines = []
    for line in proc.stdout:
        out_lines.append(line)
        if line.startswith("headless:"):  # the camera is open: now it goes away
            vcam.rename(away)
    proc.wait(timeout=120)
    watcher.join(5)
    stdout, stderr = "".join(out_lines), "".join(err_lines)
    assert proc.returncode == 0, stderr[-2000:]
    assert "reconnect" in stderr  # the watchdog said what it did
    assert "CAPTURE manual #2" in stdout and "end: 72 frames" in stdout
    shots = _shots(out)
    assert len(shots) == 2, stdout
    (first, first_meta), (second, second_meta) = shots
    assert first.read_bytes() != (media / "single_face.jpg").read_bytes()  # preview fallback
    assert first_meta["frame_time_s"] <= 1.0
    assert first_meta["camera"] == "replay single_face.mp4"  # the preview, not the DSLR
    assert second.read_bytes() == (media / "single_face.jpg").read_bytes()
    assert second_meta["camera"] == "Nikon DSC D750"
