"""Finding tethered cameras: what libgphoto2 sees, which one was asked for, what it can do.

Nothing here opens a camera; :func:`select_camera` only points a new
``gphoto2.Camera()`` at the chosen model and port before its ``init()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from camera.base import CameraNotFound
from camera.gphoto_lib import gphoto_lock, load_gphoto2


@dataclass(frozen=True)
class DetectedCamera:
    model: str
    port: str


def detect_cameras() -> list[DetectedCamera]:
    """Cameras libgphoto2 sees now (model, port); never opens them."""
    gp = load_gphoto2()
    with gphoto_lock():
        found = gp.Camera.autodetect()
        return [DetectedCamera(found.get_name(i), found.get_value(i))
                for i in range(found.count())]


def driver_has_preview(model: str) -> bool:
    """Whether libgphoto2's driver lists live view for ``model`` (the camera may still refuse)."""
    gp = load_gphoto2()
    with gphoto_lock():
        abilities_list = gp.CameraAbilitiesList()
        abilities_list.load()
        idx = abilities_list.lookup_model(model)
        abilities = abilities_list[idx]
        return bool(abilities.operations & gp.GP_OPERATION_CAPTURE_PREVIEW)


def choose_camera(wanted: str | None, found: list[DetectedCamera]) -> DetectedCamera:
    """Pick by exact port, exact model, or model substring (case-insensitive)."""
    if not found:
        raise CameraNotFound(
            "no gphoto2 camera found: is it switched on, set to PTP/tethering and connected "
            "by USB?")
    if not wanted:
        return found[0]
    w = wanted.strip().lower()
    for pick in (lambda c: c.port.lower() == w, lambda c: c.model.lower() == w,
                 lambda c: w in c.model.lower()):
        for cam in found:
            if pick(cam):
                return cam
    listed = "; ".join(f"{c.model} ({c.port})" for c in found)
    raise CameraNotFound(f"no gphoto2 camera matches {wanted!r}; found: {listed}")


def select_camera(camera: Any, chosen: DetectedCamera) -> None:
    """Point ``camera`` at the chosen model and port (not just the first one found)."""
    gp = load_gphoto2()
    abilities_list = gp.CameraAbilitiesList()
    abilities_list.load()
    camera.set_abilities(abilities_list[abilities_list.lookup_model(chosen.model)])
    ports = gp.PortInfoList()
    ports.load()
    camera.set_port_info(ports[ports.lookup_path(chosen.port)])


def camera_has_preview(camera: Any) -> bool:
    """Whether an initialised camera's driver offers live view (False if it cannot say)."""
    gp = load_gphoto2()
    try:
        return bool(camera.get_abilities().operations & gp.GP_OPERATION_CAPTURE_PREVIEW)
    except gp.GPhoto2Error:
        return False
