"""The command line refuses bad input politely: unknown sources, unknown presets, missing
files and folders, a missing photo, a broken config: one line on stderr naming what is
wrong, a non-zero exit, never a traceback. And ``--offline`` with no models: one line,
and not a single network request.

Every case runs ``python -m kiosk ...`` in a subprocess (so a traceback would show), all
of them at once on a few threads to keep the wall time down.
"""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("HEADSHOT_KIOSK_SHARED", ROOT.parent / "shared")).resolve()
MODELS, MEDIA = SHARED / "models", SHARED / "media"
VIDEO = MEDIA / "single_face.mp4"
PHOTO = MEDIA / "single_face.jpg"


@dataclass
class Case:
    argv: list[str]
    mentions: tuple[str, ...]  # every one of these appears in the error line
    code: int | None = None    # expected exit code (None: any non-zero)
    lines: int = 1             # stderr lines (a batch command adds a summary line)


def _cases(tmp: Path) -> dict[str, Case]:
    empty = tmp / "empty-folder"
    empty.mkdir()
    a_file = tmp / "a-file"
    a_file.write_text("x")
    broken = tmp / "broken.yaml"
    broken.write_text("ui:\n  fps: 9000\n")
    bad_preset = tmp / "bad-preset.yaml"
    bad_preset.write_text("name: bad\ntitle: Bad\nranges:\n  yaw_deg: {min: high}\n")
    missing = tmp / "missing"
    unusable_out = a_file / "out"  # a folder inside a file cannot exist
    zero = tmp / "zero.mp4"
    zero.write_bytes(b"")
    corrupt = tmp / "corrupt.mp4"
    corrupt.write_bytes(VIDEO.read_bytes()[:5000])  # FFmpeg says "moov atom not found"
    junk = tmp / "junk-images"
    junk.mkdir()
    for name in ("a.jpg", "b.png"):
        (junk / name).write_text("not an image")
    out = str(tmp / "out")
    no_language = tmp / "no-language.yaml"  # a language without a catalogue (issue 20)
    no_language.write_text("coach:\n  persist_s: 0.8\n  language: zz\n")
    rp = f"replay:{VIDEO}"
    return {
        # unknown source strings
        "run-headless-source": Case(["run", "--headless", "--source", "tv:1", "--preset",
                                     "linkedin"], ("unknown camera source", "tv:1"), 2),
        "run-source": Case(["run", "--source", "tv:1"], ("unknown camera source", "tv:1"), 2),
        "bench-source": Case(["bench", "--source", "webcam:0"], ("replay:PATH", "webcam:0"), 2),
        "soak-source": Case(["soak", "--source", "tv:1", "--minutes", "1"],
                            ("replay:PATH", "tv:1"), 2),
        "messages-language": Case(["messages", "--check", "zz", "--no-fit"],
                                  ("no message catalogue", "'zz'"), 2),
        # unknown presets (by name and a broken preset file)
        "run-headless-preset": Case(["run", "--headless", "--source", rp, "--preset",
                                     "glamour"], ("unknown preset", "glamour"), 2),
        "run-preset": Case(["run", "--source", rp, "--preset", "glamour"],
                           ("unknown preset", "glamour"), 2),
        "bench-preset": Case(["bench", "--source", rp, "--preset", "glamour"],
                             ("unknown preset", "glamour"), 2),
        "soak-preset": Case(["soak", "--source", rp, "--preset", "glamour"],
                            ("unknown preset", "glamour"), 2),
        "soak-preset-file": Case(["soak", "--source", rp, "--preset", str(bad_preset)],
                                 ("bad-preset.yaml:1", "description"), 2),
        # missing files and folders
        "run-headless-missing-video": Case(["run", "--headless", "--source",
                                            f"replay:{missing}.mp4", "--preset", "linkedin"],
                                           ("not found", "missing.mp4"), 2),
        "run-headless-empty-folder": Case(["run", "--headless", "--source", f"replay:{empty}",
                                           "--preset", "linkedin"],
                                          ("holds no images", "empty-folder"), 2),
        "bench-missing-folder": Case(["bench", "--source", f"replay:{missing}"],
                                     ("not found", "missing"), 2),
        "soak-missing-video": Case(["soak", "--source", f"replay:{missing}.mp4"],
                                   ("not found", "missing.mp4"), 2),
        "run-headless-out": Case(["run", "--headless", "--source", rp, "--preset", "linkedin",
                                  "--out", str(unusable_out)], ("output folder", "a-file"), None),
        "soak-out": Case(["soak", "--source", rp, "--minutes", "0.1", "--out",
                          str(unusable_out)], ("output folder", "a-file"), 1),
        # replay sources that never give a frame: one line, exit 1, nothing native
        "run-headless-zero-byte": Case(["run", "--headless", "--source", f"replay:{zero}",
                                        "--preset", "linkedin", "--out", out],
                                       ("headshot-kiosk: cannot read video", "zero.mp4",
                                        "empty, corrupt"), 1),
        "run-headless-corrupt": Case(["run", "--headless", "--source", f"replay:{corrupt}",
                                      "--preset", "linkedin", "--out", out],
                                     ("cannot read video", "corrupt.mp4"), 1),
        "run-headless-unreadable-images": Case(
            ["run", "--headless", "--source", f"replay:{junk}", "--preset", "linkedin",
             "--out", out],
            ("replay folder", "junk-images", "none of its 2 image file(s) could be read"), 1),
        # no camera, and camera.watchdog.wait_for_camera: false (the default): stop
        "run-no-camera-no-wait": Case(
            ["run", "--windowed", "--source", "webcam:57", "--out", out],
            ("no camera: webcam:57", "no webcam at 57", "wait_for_camera is false"), 1),
        # a setting that validates must run: no catalogue = a config error with file:line
        "check-config-language": Case(["check-config", str(no_language)],
                                      ("no-language.yaml:3: coach.language: no message "
                                       "catalogue for language 'zz' (have: ",), 2),
        "run-headless-language": Case(["run", "--headless", "--source", rp, "--preset",
                                       "linkedin", "--config", str(no_language)],
                                      ("no-language.yaml:3: coach.language: no message "
                                       "catalogue for language 'zz'",), 2),
        "check-config-missing": Case(["check-config", str(missing / "app.yaml")],
                                     ("app.yaml",), 2),
        "check-config-broken": Case(["check-config", str(broken)],
                                    ("broken.yaml:2", "fps"), 2),
        "run-headless-config-broken": Case(["run", "--headless", "--source", rp, "--preset",
                                            "linkedin", "--config", str(broken)],
                                           ("broken.yaml:2", "fps"), 2),
        # analyze: a missing photo, an unknown preset, a missing preset folder
        "analyze-missing-photo": Case(["analyze", str(missing / "me.jpg")],
                                      ("me.jpg", "not found"), None, lines=2),
        "analyze-empty-folder": Case(["analyze", str(empty)],
                                     ("empty-folder: is an empty folder: no photos to analyse",),
                                     1, lines=2),
        "analyze-preset": Case(["analyze", str(PHOTO), "--preset", "glamour"],
                               ("unknown preset", "glamour"), None),
        "analyze-preset-dir": Case(["analyze", str(PHOTO), "--preset", "linkedin",
                                    "--preset-dir", str(missing)],
                                   ("--preset-dir", "missing"), 2),
    }


def _run(argv: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def _env(base: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "HEADSHOT_KIOSK_MODELS": str(MODELS),
        "XDG_CONFIG_HOME": str(base / "config"), "XDG_DATA_HOME": str(base / "data"),
        "XDG_CACHE_HOME": str(base / "cache"),
        "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy",
        "PYGAME_HIDE_SUPPORT_PROMPT": "1",
    })
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess]:
    tmp = tmp_path_factory.mktemp("cli-errors")
    cases = _cases(tmp)
    env = _env(tmp)
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {name: pool.submit(_run, c.argv, env) for name, c in cases.items()}
        return {name: f.result() for name, f in futures.items()}


def _case_names() -> list[str]:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        return list(_cases(Path(d)))


@pytest.mark.parametrize("name", _case_names())
def test_bad_input_is_one_line_and_a_non_zero_exit(name: str, results, tmp_path) -> None:
    case = _cases(tmp_path)[name]
    proc = results[name]
    err = proc.stderr.strip()
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    assert proc.returncode != 0, (proc.stdout, proc.stderr)
    if case.code is not None:
        assert proc.returncode == case.code, (proc.returncode, err)
    lines = err.splitlines()
    assert len(lines) == case.lines, err
    assert all(line.startswith("headshot-kiosk") or line.startswith("invalid:")
               for line in lines), err
    for word in case.mentions:
        assert word in lines[0], (word, lines[0])


# --------------------------------------------------------------------------- --offline

class _RecordingHandler(http.server.BaseHTTPRequestHandler):
    """A model "mirror" on 127.0.0.1 that counts requests and has nothing (404)."""

    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        type(self).requests.append(self.path)
        self.send_error(404)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def mirror():
    _RecordingHandler.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RecordingHandler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _RecordingHandler.requests
    finally:
        server.shutdown()
        server.server_close()


def test_offline_with_no_models_fails_in_one_line_without_touching_the_network(
        tmp_path: Path, mirror) -> None:
    url, requests = mirror
    no_models = tmp_path / "no-models"
    no_models.mkdir()
    env = _env(tmp_path, HEADSHOT_KIOSK_MODELS=str(no_models),
               HEADSHOT_KIOSK_MODEL_BASE_URL=url)
    rp = f"replay:{VIDEO}"
    commands = {
        "run --headless": ["--offline", "run", "--headless", "--source", rp, "--preset",
                           "linkedin", "--out", str(tmp_path / "out")],
        "bench": ["--offline", "bench", "--source", rp, "--frames", "5"],
        "soak": ["--offline", "soak", "--source", rp, "--minutes", "0.1"],
        "analyze": ["--offline", "analyze", str(PHOTO)],
    }
    with ThreadPoolExecutor(max_workers=4) as pool:
        procs = {k: pool.submit(_run, argv, env) for k, argv in commands.items()}
        procs = {k: f.result() for k, f in procs.items()}
    for what, proc in procs.items():
        err = proc.stderr.strip()
        assert proc.returncode != 0 and "Traceback" not in proc.stderr, (what, err)
        assert len(err.splitlines()) == 1, (what, err)
        assert "face_landmarker.task" in err and "--offline" in err, (what, err)
    assert requests == []  # not one request reached the mirror

    # The same without --offline does ask the mirror (so the check above means something).
    proc = _run(commands["bench"][1:], env)
    assert proc.returncode != 0 and "HTTP 404" in proc.stderr, proc.stderr
    assert requests and requests[0].endswith("face_landmarker.task")


def test_the_offline_switch_reaches_a_pipeline_that_was_not_told(tmp_path: Path, mirror,
                                                                  monkeypatch) -> None:
    """``--offline`` is process-wide: the kiosk's pipeline loads its models on worker
    threads without an ``offline`` argument, and still never reaches the network."""
    from camera.replay import ReplaySource
    from coaching import models
    from coaching.pipeline import Pipeline
    from coaching.presets import resolve_preset
    from kiosk.cli import main

    url, requests = mirror
    no_models = tmp_path / "no-models"
    no_models.mkdir()
    monkeypatch.setenv("HEADSHOT_KIOSK_MODELS", str(no_models))
    monkeypatch.setenv("HEADSHOT_KIOSK_MODEL_BASE_URL", url)
    assert main(["--offline", "presets"]) == 0
    assert models._offline_forced is False  # restored after the command
    models.set_offline(True)
    try:
        with ReplaySource(VIDEO, realtime=True, loop=True) as src:
            pipe = Pipeline(src, resolve_preset("linkedin"))
            pipe.start()
            assert not pipe.wait_ready(30)
            pipe.stop()
    finally:
        models.set_offline(False)
    assert pipe.error is not None and "--offline" in pipe.error and "\n" not in pipe.error
    assert requests == []


def test_no_display_is_one_line_saying_how_to_run(tmp_path: Path) -> None:
    """SDL falls back to its off-screen driver without a display: the kiosk would run
    invisibly (only SDL's XDG_RUNTIME_DIR complaint on the terminal). One line instead."""
    env = _env(tmp_path)
    for name in ("SDL_VIDEODRIVER", "DISPLAY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR"):
        env.pop(name, None)
    proc = _run(["run", "--windowed", "--source", f"replay:{VIDEO}", "--out",
                 str(tmp_path / "out")], env)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert proc.stderr.splitlines() == [
        "headshot-kiosk: no display found (SDL fell back to its 'offscreen' driver, so nothing "
        "would be seen): run it on a screen (a desktop session, or DISPLAY / WAYLAND_DISPLAY "
        "set), use 'run --headless' for no screen, or set SDL_VIDEODRIVER=dummy to run "
        "without one on purpose"]
    assert "Traceback" not in proc.stdout
    # SDL's own complaint went to the log file, not the terminal (fd 2 is routed there)
    log = (tmp_path / "out" / "logs" / "kiosk.log").read_text()
    assert "INFO native: error: XDG_RUNTIME_DIR is invalid or not set" in log
