"""A tethered camera's own settings, as libgphoto2 lists them: name, label, type, current
value, and the values it accepts (``headshot-kiosk cameras --settings``).

An operator writing ``camera.gphoto2.config`` / ``preview_config`` / ``still_config``
(ISO, shutter speed, aperture, white balance, exposure compensation, image format for
stills and for live view apart) needs the exact names and choices of *their* body; this
lists them, and :mod:`camera.gphoto_config` checks a config against the same choices.
"""

from __future__ import annotations

from typing import Any

from camera.gphoto_detect import DetectedCamera, select_camera
from camera.gphoto_errors import map_error
from camera.gphoto_lib import gphoto_lock, load_gphoto2

__all__ = ["camera_settings", "describe_settings"]

#: Settings a headshot booth most often sets (shown first in the text listing).
COMMON = ("iso", "shutterspeed", "shutterspeed2", "f-number", "aperture", "whitebalance",
          "exposurecompensation", "imageformat", "imagequality", "capturetarget",
          "viewfinder", "eosviewfinder", "liveviewsize")


def describe_settings(root: Any) -> list[dict[str, Any]]:
    """Every leaf widget under ``root`` (a camera's config tree) as a plain dict."""
    gp = load_gphoto2()
    kinds = {gp.GP_WIDGET_TEXT: "text", gp.GP_WIDGET_RANGE: "range",
             gp.GP_WIDGET_TOGGLE: "toggle", gp.GP_WIDGET_RADIO: "radio",
             gp.GP_WIDGET_MENU: "menu", gp.GP_WIDGET_BUTTON: "button",
             gp.GP_WIDGET_DATE: "date"}
    out: list[dict[str, Any]] = []

    def walk(widget: Any, section: list[str]) -> None:
        for i in range(widget.count_children()):
            child = widget.get_child(i)
            kind = child.get_type()
            if kind in (gp.GP_WIDGET_SECTION, gp.GP_WIDGET_WINDOW):
                walk(child, [*section, child.get_name()])
                continue
            entry: dict[str, Any] = {"name": child.get_name(), "label": child.get_label(),
                                     "section": "/".join(section),
                                     "type": kinds.get(kind, str(kind)),
                                     "readonly": bool(child.get_readonly())}
            try:
                entry["value"] = child.get_value() if kind != gp.GP_WIDGET_BUTTON else None
            except gp.GPhoto2Error:
                entry["value"] = None
            if kind in (gp.GP_WIDGET_RADIO, gp.GP_WIDGET_MENU):
                entry["choices"] = [child.get_choice(j) for j in range(child.count_choices())]
            elif kind == gp.GP_WIDGET_RANGE:
                lo, hi, step = child.get_range()
                entry["range"] = [lo, hi, step]
            out.append(entry)

    walk(root, [])
    common = {n: i for i, n in enumerate(COMMON)}
    out.sort(key=lambda e: (common.get(e["name"], len(COMMON)), e["section"], e["name"]))
    return out


def camera_settings(cam: DetectedCamera) -> list[dict[str, Any]]:
    """Open ``cam``, read its settings, close it (the libgphoto2 lock held throughout)."""
    gp = load_gphoto2()
    with gphoto_lock():
        camera = gp.Camera()
        try:
            select_camera(camera, cam)
            camera.init()
            return describe_settings(camera.get_config())
        except gp.GPhoto2Error as exc:
            raise map_error(exc, "reading the camera's settings", cam.model) from None
        finally:
            try:
                camera.exit()
            except gp.GPhoto2Error:
                pass
