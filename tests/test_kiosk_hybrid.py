"""The kiosk with a hybrid camera: preview from a replayed video, the photo from
libgphoto2's real virtual DSLR. The photo on disk must be the DSLR's own JPEG bytes.

``VCAMERADIR`` must be set before ``gphoto2`` is imported, so the session runs in a
subprocess: this file run as a script (``python tests/test_kiosk_hybrid.py VIDEO OUT``)
drives the app and prints one JSON line.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def test_hybrid_photo_is_the_dslrs_own_bytes(tmp_path: Path, media: Path) -> None:
    vcam = tmp_path / "vcam"
    vcam.mkdir()
    shutil.copy(media / "single_face.jpg", vcam / "portrait.jpg")
    env = {**os.environ, "VCAMERADIR": str(vcam), "SDL_VIDEODRIVER": "dummy",
           "SDL_AUDIODRIVER": "dummy"}
    proc = subprocess.run([sys.executable, __file__, str(media / "single_face.mp4"),
                           str(tmp_path / "out")], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=90)
    assert proc.returncode == 0, proc.stderr[-3000:]
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    assert r["history"][-3:] == ["capture", "review", "done"]
    photo = Path(r["path"])
    assert photo.suffix == ".jpg"
    want = hashlib.md5((vcam / "portrait.jpg").read_bytes()).hexdigest()
    assert hashlib.md5(photo.read_bytes()).hexdigest() == want  # untouched DSLR bytes
    side = json.loads(photo.with_suffix(".json").read_text())
    assert side["camera"] == "Nikon DSC D750" and side["kept"] is True
    assert side["source"].startswith("hybrid:")
    assert side["metrics"] is not None  # the metrics of the moment the shutter fired


def test_dslr_away_coaching_goes_on_and_the_preview_frame_is_kept(tmp_path: Path,
                                                                   media: Path) -> None:
    """The DSLR leaves the bus mid-session (a fake factory: the virtual camera cannot): the
    sitter is never shown the reconnecting screen, the shot is the best preview frame, and
    the operator overlay and the health line name the DSLR's state."""
    vcam = tmp_path / "vcam"
    vcam.mkdir()
    shutil.copy(media / "single_face.jpg", vcam / "portrait.jpg")
    env = {**os.environ, "VCAMERADIR": str(vcam), "SDL_VIDEODRIVER": "dummy",
           "SDL_AUDIODRIVER": "dummy"}
    proc = subprocess.run([sys.executable, __file__, "--dslr-away",
                           str(media / "single_face.mp4"), str(tmp_path / "out")], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0, proc.stderr[-3000:]
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "reconnecting" not in r["history"]
    assert r["history"][-3:] == ["capture", "review", "done"]
    assert r["camera"] == "live" and r["health_stills"] == "reconnecting"
    assert any(s.startswith("stills reconnecting (no gphoto2 camera found")
               for s in r["operator_stats"])
    photo = Path(r["path"])
    assert photo.is_file() and photo.read_bytes() != (media / "single_face.jpg").read_bytes()
    side = json.loads(photo.with_suffix(".json").read_text())
    assert side["camera"] == "replay single_face.mp4"  # the preview camera, not the DSLR
    assert side["kept"] is True


def _drive(app: Any, state: Any, timeout: float = 30) -> None:
    """Step the app until it reaches ``state`` (in the subprocess that runs a session)."""
    deadline = time.monotonic() + timeout
    while app.machine.state is not state:
        if time.monotonic() > deadline:
            raise SystemExit(f"stuck in {app.machine.state}: {app.machine.history}")
        app.step()
        time.sleep(0.01)


def _dslr_away(video: str, out: str) -> dict:
    """Like :func:`_session`, but the DSLR is unplugged once coaching has started."""
    sys.path.insert(0, str(ROOT))
    import pygame

    from camera.hybrid import HybridSource
    from camera.settings import CameraSettings
    from camera.sources import build_source, parse_source
    from camera.watchdog import WatchdogSource
    from kiosk.app import KioskApp
    from kiosk.config import load_config
    from kiosk.input import post
    from kiosk.states import Event, Kind, State
    from tests.gphoto_cases import VDIR, FakeUnpluggableFactory

    cfg = load_config()
    cfg.ui.shutter_sound = False
    s = CameraSettings()
    s.replay.realtime, s.replay.loop = True, True
    factory = FakeUnpluggableFactory()
    src = HybridSource(build_source(parse_source(f"replay:{video}"), s),
                       WatchdogSource(factory, name="gphoto2", backoff_initial=5.0))
    app = KioskApp(cfg, source=src, source_spec=f"hybrid:replay:{video}+gphoto2",
                   out_dir=Path(out), windowed=True, size=(960, 540), preset="linkedin")
    app.start()

    try:
        _drive(app, State.WELCOME)
        post(Event(Kind.START))
        _drive(app, State.COACHING)
        factory.unplugged = True
        shutil.move(VDIR, VDIR.with_name(VDIR.name + ".away"))
        post(Event(Kind.SHUTTER))
        _drive(app, State.REVIEW)
        shot = app.machine.ctx.shot
        for _ in range(20):  # a moment on the review screen with the DSLR still away
            app.step()
            time.sleep(0.01)
        sample = app._health_sample()
        stats = list(app._operator_view().stats)
        post(Event(Kind.KEEP))
        _drive(app, State.DONE)
        return {"path": shot.path, "history": [st.value for st in app.machine.history],
                "camera": sample.camera, "health_stills": sample.stills,
                "operator_stats": stats}
    finally:
        app.close()
        pygame.quit()


def _session(video: str, out: str) -> dict:
    sys.path.insert(0, str(ROOT))
    import pygame

    from kiosk.app import KioskApp
    from kiosk.config import load_config
    from kiosk.input import post
    from kiosk.states import Event, Kind, State

    cfg = load_config()
    cfg.ui.shutter_sound = False
    cfg.camera.watchdog.backoff_initial_s = 0.2
    app = KioskApp(cfg, source_spec=f"hybrid:replay:{video}+gphoto2", out_dir=Path(out),
                   windowed=True, size=(960, 540), preset="linkedin")
    app.start()

    try:
        _drive(app, State.WELCOME)
        post(Event(Kind.START))
        _drive(app, State.COACHING)
        post(Event(Kind.SHUTTER))
        _drive(app, State.REVIEW)
        shot = app.machine.ctx.shot
        post(Event(Kind.KEEP))
        _drive(app, State.DONE)
        return {"path": shot.path, "history": [s.value for s in app.machine.history]}
    finally:
        app.close()
        pygame.quit()


if __name__ == "__main__":
    if sys.argv[1] == "--dslr-away":
        print(json.dumps(_dslr_away(sys.argv[2], sys.argv[3])))
    else:
        print(json.dumps(_session(sys.argv[1], sys.argv[2])))
