"""``headshot-kiosk cameras [--json] [--quick] [--settings [CAMERA]]``: the webcams and
gphoto2 cameras attached now; ``--settings`` lists a tethered camera's own settings with
the values each accepts (for ``camera.gphoto2.config`` / ``preview_config`` /
``still_config``).

Webcams: each ``/dev/video*`` node on Linux (indices 0..3 elsewhere) is opened
briefly for one frame; nodes that give none (UVC metadata nodes, devices in use)
are listed with the reason. gphoto2 cameras:
model and port from autodetect, whether libgphoto2's driver lists live view,
and (unless ``--quick``) whether the camera really streams a preview: drivers
list it for whole families of bodies, and some bodies (and libgphoto2's virtual
camera) refuse. Every probe runs with a time limit, so nothing here hangs.
"""

from __future__ import annotations

import argparse
import glob
import json
import re
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import cv2

from camera.base import LiveViewUnsupported
from camera.webcam import _quiet_opencv

T = TypeVar("T")
PROBE_TIMEOUT_S = 4.0


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="one JSON object on stdout")
    p.add_argument("--quick", action="store_true",
                   help="do not open the cameras (no resolution, live view only as the "
                        "driver lists it)")
    p.add_argument("--settings", nargs="?", const="", default=None, metavar="CAMERA",
                   help="list a gphoto2 camera's settings and their choices (the first "
                        "camera, or the one whose port or model matches CAMERA)")


def _bounded(fn: Callable[[], T], timeout: float) -> tuple[T | None, str | None]:
    """Run ``fn`` in a daemon thread; (result, None), or (None, why) on error or timeout."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            box["error"] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        return None, f"no answer within {timeout:g} s"
    return box.get("value"), box.get("error")


def _v4l_name(dev: str) -> str:
    try:
        return Path(f"/sys/class/video4linux/{Path(dev).name}/name").read_text().strip()
    except OSError:
        return ""


def list_webcams(probe: bool = True) -> list[dict[str, Any]]:
    """Webcams as dicts: device, index, name; probed: picture (bool), width/height/fps."""
    if sys.platform.startswith("linux"):
        devices: list[str | int] = sorted(
            glob.glob("/dev/video*"), key=lambda d: int(re.sub(r"\D", "", d) or 0))
    else:
        devices = list(range(4))
    found = []
    for dev in devices:
        index = int(re.sub(r"\D", "", dev) or 0) if isinstance(dev, str) else dev
        entry: dict[str, Any] = {"device": str(dev), "index": index,
                                 "name": _v4l_name(dev) if isinstance(dev, str) else ""}
        if probe:
            info, err = _bounded(lambda d=dev: _probe_webcam(d), PROBE_TIMEOUT_S)
            if info is None and isinstance(dev, int):
                continue  # nothing at that index
            entry["picture"] = info is not None
            if info is not None:
                entry.update(info)
            else:  # a UVC metadata node, a device in use, or one that hangs
                entry["error"] = err or "no picture (a metadata node, or in use by another " \
                                        "program)"
        found.append(entry)
    return found


def _probe_webcam(dev: str | int) -> dict[str, Any] | None:
    """One frame from ``dev``: its size and the fps it claims; None if it gives none."""
    _quiet_opencv()
    cap = cv2.VideoCapture(dev, cv2.CAP_V4L2) if sys.platform.startswith("linux") \
        else cv2.VideoCapture(dev)
    try:
        if not cap.isOpened():
            return None
        ok, frame = cap.read()
        if not ok or frame is None:
            return None
        return {"width": int(frame.shape[1]), "height": int(frame.shape[0]),
                "fps": round(float(cap.get(cv2.CAP_PROP_FPS) or 0.0), 2)}
    finally:
        cap.release()


def list_gphoto_cameras(probe: bool = True) -> tuple[list[dict[str, Any]], str | None]:
    """gphoto2 cameras as dicts; second value: why listing failed (None if it worked)."""
    try:
        from camera import gphoto  # optional: python-gphoto2 may not be installed
    except ImportError as exc:
        return [], f"python-gphoto2 is not installed ({exc})"
    detected, err = _bounded(gphoto.detect_cameras, PROBE_TIMEOUT_S * 2)
    if detected is None:
        return [], err
    out = []
    for cam in detected:
        claimed, cerr = _bounded(lambda m=cam.model: gphoto.driver_has_preview(m),
                                 PROBE_TIMEOUT_S)
        entry: dict[str, Any] = {"model": cam.model, "port": cam.port,
                                 "live_view_driver": bool(claimed), "live_view": None}
        if cerr:
            entry["error"] = cerr
        if not claimed:
            entry["live_view"] = False
        elif probe:
            live, perr = _bounded(lambda c=cam: _probe_live_view(c.port),
                                  PROBE_TIMEOUT_S * 3)
            entry["live_view"] = live
            if perr:
                entry["error"] = perr
        out.append(entry)
    return out, None


def _probe_live_view(port: str) -> bool:
    """Open the camera on ``port`` and ask for one preview frame (True if one arrives)."""
    from camera.gphoto import GPhotoSource  # optional; only reached when gphoto imported

    src = GPhotoSource(port, live_view=True, preview_failures=1)
    try:
        src.open()
    except LiveViewUnsupported:
        return False
    finally:
        src.close()
    return True


def run(args: argparse.Namespace) -> int:
    if args.settings is not None:
        return _settings(args.settings or None, args.json)
    probe = not args.quick
    webcams = list_webcams(probe)
    cams, gerr = list_gphoto_cameras(probe)
    if args.json:
        doc: dict[str, Any] = {"webcams": webcams, "gphoto2": cams}
        if gerr:
            doc["gphoto2_error"] = gerr
        print(json.dumps(doc, indent=2))
        return 0
    print("Webcams:")
    if not webcams:
        print("  none found")
    for w in webcams:
        size = f"{w['width']}x{w['height']}" if "width" in w else ""
        label = f"webcam:{w['index']}"
        extra = "  ".join(x for x in (w.get("name", ""), size, w.get("error", "")) if x)
        print(f"  {label:<12} {w['device']:<14} {extra}")
    print("gphoto2 cameras:")
    if gerr:
        print(f"  cannot list: {gerr}")
    elif not cams:
        print("  none found (switched on? USB mode PTP? claimed by a desktop photo importer?)")
    for c in cams:
        if c["live_view"] is True:
            lv = "live view: yes"
        elif c["live_view"] is False:
            lv = ("live view: no (use hybrid:webcam:0+gphoto2)" if not c["live_view_driver"]
                  else "live view: no (the driver lists it, the camera refused; "
                       "use hybrid:webcam:0+gphoto2)")
        else:
            lv = "live view: listed by the driver (not probed)"
        print(f"  {c['model']:<24} {c['port']:<14} {lv}")
        if c.get("error"):
            print(f"    {c['error']}")
    return 0


def _settings(wanted: str | None, as_json: bool) -> int:
    """``--settings``: every setting of one tethered camera, with its choices."""
    try:
        from camera import gphoto_detect, gphoto_settings  # optional: python-gphoto2
    except ImportError as exc:
        print(f"headshot-kiosk: cameras --settings: python-gphoto2 is not installed ({exc})",
              file=sys.stderr)
        return 1
    found, err = _bounded(gphoto_detect.detect_cameras, PROBE_TIMEOUT_S * 2)
    try:
        cam = gphoto_detect.choose_camera(wanted, found or [])
    except Exception as exc:  # noqa: BLE001 - CameraNotFound: one line
        print(f"headshot-kiosk: cameras --settings: {err or exc}", file=sys.stderr)
        return 1
    settings, serr = _bounded(lambda: gphoto_settings.camera_settings(cam),
                              PROBE_TIMEOUT_S * 3)
    if settings is None:
        print(f"headshot-kiosk: cameras --settings: {cam.model} ({cam.port}): {serr}",
              file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps({"model": cam.model, "port": cam.port, "settings": settings},
                         indent=2))
        return 0
    print(f"{cam.model} ({cam.port}): {len(settings)} settings "
          "(put them under camera.gphoto2.config, preview_config or still_config)")
    for s in settings:
        ro = " (read-only)" if s["readonly"] else ""
        value = "" if s["value"] is None else f" = {s['value']}"
        print(f"  {s['name']:<22} {s['type']:<6} {s['label']}{value}{ro}")
        if "choices" in s:
            shown = ", ".join(s["choices"][:16]) + (" ..." if len(s["choices"]) > 16 else "")
            print(f"  {'':<22} choices: {shown}")
        elif "range" in s:
            lo, hi, step = s["range"]
            print(f"  {'':<22} range: {lo:g} .. {hi:g} step {step:g}")
    return 0
