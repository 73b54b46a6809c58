"""``headshot-kiosk doctor`` in a subprocess, as staff run it before the doors open: a
booth that is ready (exit 0, every line ``ok``), and one with no models, no camera, no
display and a photo folder that cannot exist (exit 1, one ``FAIL`` line each with its
fix), never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _doctor(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", "doctor", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp / "cache"), XDG_DATA_HOME=str(tmp / "data"),
               XDG_CONFIG_HOME=str(tmp / "config"), SDL_AUDIODRIVER="dummy",
               PYGAME_HIDE_SUPPORT_PROMPT="1")
    env.update(extra)
    return env


def test_a_ready_booth_passes_every_check(tmp_path: Path, media: Path, shared: Path) -> None:
    proc = _doctor(["--source", f"replay:{media / 'single_face.mp4'}", "--out",
                    str(tmp_path / "photos")],
                   _env(tmp_path, HEADSHOT_KIOSK_MODELS=str(shared / "models"),
                        SDL_VIDEODRIVER="dummy"))
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    assert proc.stderr == ""
    lines = proc.stdout.splitlines()
    names = [ln.split(": ", 1)[0] for ln in lines[:-1]]
    assert names == ["ok    config", "ok    models",
                     f"ok    camera replay:{media / 'single_face.mp4'}", "ok    display",
                     "ok    audio", "ok    disk space", "ok    photo folder", "ok    clock"]
    assert lines[1] == ("ok    models: face_landmarker.task, pose_landmarker_full.task present "
                        f"and verified ({shared / 'models'})")
    assert lines[-1] == "8 checks: 0 failed, 0 warning(s); ready for guests"


def test_each_fault_is_one_fail_line_with_its_fix(tmp_path: Path) -> None:
    empty = tmp_path / "no-models"
    empty.mkdir()
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    env = _env(tmp_path, HEADSHOT_KIOSK_MODELS=str(empty))
    for name in ("SDL_VIDEODRIVER", "DISPLAY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR"):
        env.pop(name, None)
    proc = _doctor(["--source", "webcam:57", "--out", str(a_file / "photos")], env)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stdout + proc.stderr and proc.stderr == ""
    failed = {ln.split(": ", 1)[0][6:]: ln for ln in proc.stdout.splitlines()
              if ln.startswith("FAIL")}
    assert sorted(failed) == ["camera webcam:57", "display", "models", "photo folder"]
    assert failed["models"] == (
        "FAIL  models: Models missing: face_landmarker.task, pose_landmarker_full.task — fix: "
        "headshot-kiosk models fetch --from FOLDER (a USB stick with the files) or "
        f"headshot-kiosk models fetch (internet); they go in {empty} ($HEADSHOT_KIOSK_MODELS) "
        f"or {tmp_path / 'cache' / 'headshot-kiosk' / 'models'}")
    assert failed["camera webcam:57"].startswith("FAIL  camera webcam:57: no webcam at 57")
    assert failed["display"].startswith("FAIL  display: no display found (SDL fell back to "
                                        "its 'offscreen' driver")
    assert failed["photo folder"] == (f"FAIL  photo folder: {a_file / 'photos'} cannot be "
                                      "written (Not a directory) — fix: choose a writable "
                                      "folder with --out or storage.out_dir")
    assert all(" — fix: " in ln for ln in failed.values())
    assert proc.stdout.splitlines()[-1] == "8 checks: 4 failed, 0 warning(s)"
