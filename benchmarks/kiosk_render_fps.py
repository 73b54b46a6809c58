"""Kiosk render rate while coaching: the real app on SDL's dummy display.

    python benchmarks/kiosk_render_fps.py [--source VIDEO] [--size 1920x1080] [--frames 300]

Runs the real :class:`kiosk.app.KioskApp` (real pipeline and models, camera =
a replayed video at its own pace; default: ``single_face.mp4`` upscaled to
1280x720 into a temporary file), walks it to the coaching screen, then times
``app.step()`` (events, state machine, view, draw, display flip) three ways:

- ``uncapped``: steps back to back: the most the loop can draw while the
  pipeline works beside it;
- ``capped30``: paced at 30 fps by the kiosk's own FramePacer, as it runs on a booth;
- ``draw_only``: the coaching screen drawn from a fixed view with the pipeline
  stopped (the render cost by itself).

Prints one JSON object. The dummy driver does no real presentation, so
``flip`` costs ~0 here; a real display adds a vsync-bound buffer swap.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("HEADSHOT_KIOSK_MODELS", str(ROOT.parent / "shared" / "models"))

# After the variables above: pygame and the model registry read them.
import cv2  # noqa: E402
import pygame  # noqa: E402

from kiosk.app import KioskApp  # noqa: E402
from kiosk.config import load_config  # noqa: E402
from kiosk.input import post  # noqa: E402
from kiosk.pacing import FramePacer  # noqa: E402
from kiosk.screens import draw_view  # noqa: E402
from kiosk.states import Event, Kind, State  # noqa: E402


def make_720p(src: Path, dst: Path) -> None:
    """``src`` upscaled to 1280x720: a booth webcam's frame size, not the clip's 640x360."""
    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    out = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps, (1280, 720))
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        out.write(cv2.resize(frame, (1280, 720), interpolation=cv2.INTER_CUBIC))
    out.release()
    cap.release()


def timed(step: Callable[[], object], n: int, cap_fps: int = 0) -> dict[str, float]:
    """``n`` calls of ``step`` (paced at ``cap_fps`` if > 0): rate and step times."""
    pacer = FramePacer(cap_fps)
    times = []
    t0 = time.perf_counter()
    for _ in range(n):
        a = time.perf_counter()
        step()
        times.append((time.perf_counter() - a) * 1000.0)
        pacer.wait()
    elapsed = time.perf_counter() - t0
    times.sort()
    return {"fps": round(n / elapsed, 1), "step_p50_ms": round(statistics.median(times), 2),
            "step_p95_ms": round(times[int(0.95 * (n - 1))], 2), "frames": n}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=None, help="video to replay as the camera")
    ap.add_argument("--size", default="1920x1080")
    ap.add_argument("--frames", type=int, default=300)
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        video = args.source
        if video is None:
            video = Path(tmp) / "single_face_720p.mp4"
            make_720p(ROOT.parent / "shared" / "media" / "single_face.mp4", video)
        cfg = load_config()
        cfg.camera.replay.loop = True
        cfg.ui.shutter_sound = False
        app = KioskApp(cfg, source_spec=f"replay:{video}", preset="linkedin",
                       out_dir=Path(tmp) / "out", windowed=True, size=(w, h))
        app.start()
        try:
            deadline = time.monotonic() + 60
            while app.machine.state is not State.WELCOME and time.monotonic() < deadline:
                app.step()
                time.sleep(0.01)
            post(Event(Kind.START))
            while (app.machine.state is not State.COACHING or app.booth.last_result is None) \
                    and time.monotonic() < deadline:
                app.step()
                time.sleep(0.01)
            assert app.machine.state is State.COACHING, app.machine.state
            app.booth.auto_paused = True  # stay on the coaching screen
            app.booth.pipeline.set_auto_shutter(False)
            frame = app.booth.latest_frame()
            report = {"display": f"{w}x{h}", "camera": f"{frame.width}x{frame.height}",
                      "cpus": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2)}
            timed(app.step, 30)  # warm-up
            report["uncapped"] = timed(app.step, args.frames)
            report["capped30"] = timed(app.step, args.frames, 30)
            ps = app.booth.pipeline.stats(window_s=5.0)
            report["pipeline"] = {"fps": round(ps.fps, 1),
                                  "latency_p95_ms": round(ps.latency_p95_ms, 1),
                                  "pose_hz": round(ps.pose_hz, 1)}
            view = app.build_view(app.clock())
            app.booth.pipeline.stop()

            def draw() -> None:
                draw_view(app.renderer, view)
                pygame.display.flip()

            # A new frame key each time, so the camera frame is converted every draw.
            keys = iter(range(10**9))

            def draw_new_frame() -> None:
                view.frame_key = ("bench", next(keys))
                draw()

            report["draw_only"] = timed(draw_new_frame, args.frames)
        finally:
            app.close()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
