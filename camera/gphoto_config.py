"""Camera settings through libgphoto2's config widgets (``config:`` values from the YAML).

A YAML value is turned into what the widget type wants (toggle, range, radio or
menu choice, date, text) and checked against its range or choices, so a typo in
the config is a one-line error naming the setting instead of a silent no-op.
Caller holds the libgphoto2 lock.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from camera.base import CameraError
from camera.gphoto_errors import map_error
from camera.gphoto_lib import load_gphoto2

log = logging.getLogger("camera.gphoto")

#: Settings that switch the mirror/viewfinder, by camera family (Nikon-style, Canon EOS).
VIEWFINDER_SETTINGS = ("viewfinder", "eosviewfinder")


def find_widget(config: Any, name: str) -> Any | None:
    """The config widget called ``name``, or None if the camera has no such setting."""
    gp = load_gphoto2()
    try:
        return config.get_child_by_name(name)
    except gp.GPhoto2Error:
        return None


def find_viewfinder(config: Any) -> str | None:
    """The name of the camera's viewfinder switch, if it has one."""
    return next((vf for vf in VIEWFINDER_SETTINGS if find_widget(config, vf) is not None), None)


def _toggle(value: Any) -> int:
    if isinstance(value, str):
        return 1 if value.strip().lower() in ("1", "on", "true", "yes") else 0
    return 1 if value else 0


def _in_range(widget: Any, name: str, value: Any) -> float:
    lo, hi, _step = widget.get_range()
    v = float(value)
    if not lo <= v <= hi:
        raise CameraError(f"camera setting {name}: {value} is outside {lo:g}..{hi:g}")
    return v


def _choice(widget: Any, name: str, value: Any) -> str:
    """One of the widget's choices, matched exactly or else ignoring case."""
    choices = [widget.get_choice(i) for i in range(widget.count_choices())]
    text = str(value)
    if text in choices:
        return text
    match = [c for c in choices if c.lower() == text.lower()]
    if not match:
        shown = ", ".join(choices[:12]) + (" ..." if len(choices) > 12 else "")
        raise CameraError(f"camera setting {name}: {value!r} is not one of: {shown}")
    return match[0]


def coerce_value(widget: Any, name: str, value: Any) -> Any:
    """Turn a YAML value into what the widget type wants, checking choices."""
    gp = load_gphoto2()
    kind = widget.get_type()
    if kind == gp.GP_WIDGET_TOGGLE:
        return _toggle(value)
    if kind == gp.GP_WIDGET_RANGE:
        return _in_range(widget, name, value)
    if kind in (gp.GP_WIDGET_RADIO, gp.GP_WIDGET_MENU):
        return _choice(widget, name, value)
    if kind == gp.GP_WIDGET_DATE:
        return int(value)
    return str(value)


def apply_config(camera: Any, values: Mapping[str, Any], doing: str, model: str) -> None:
    """Set config values on ``camera`` (lock held). Unknown names are logged, bad values raise.

    The config is written back only if a value changed (each ``set_config`` is a
    USB round trip).
    """
    gp = load_gphoto2()
    try:
        cfg = camera.get_config()
        changed = False
        for name, value in values.items():
            widget = find_widget(cfg, name)
            if widget is None:
                log.warning("gphoto2: %s has no setting %r (ignored)", model, name)
                continue
            new = coerce_value(widget, name, value)
            if widget.get_value() != new:
                widget.set_value(new)
                changed = True
        if changed:
            camera.set_config(cfg)
    except gp.GPhoto2Error as exc:
        raise map_error(exc, doing, model) from None
