"""One tethered still: trigger, wait for the file(s), download them untouched.

``trigger_capture`` then GP_EVENT_FILE_ADDED within a bound (autofocus that
cannot lock is the usual hang), then a short drain for a second file (JPG+RAW
gives two), then ``file_get`` of each, optionally deleting them from the card.
Events left over from before (a late file from a still that timed out) are
drained first so they are not mistaken for this one. Caller holds the
libgphoto2 lock.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from camera.base import CaptureTimeout, Still
from camera.gphoto_lib import load_gphoto2

log = logging.getLogger("camera.gphoto")

JPEG_SUFFIXES = (".jpg", ".jpeg")
RAW_DRAIN_S = 3.0  # how long the second file of a JPG+RAW pair may take to appear

CameraFile = tuple[str, bytes]  # (suffix such as ".jpg", the camera's own bytes)


def drain_stale_events(camera: Any) -> None:
    """Forget events left from before (e.g. a late file from a timed-out still)."""
    gp = load_gphoto2()
    for _ in range(20):
        kind, data = camera.wait_for_event(1)
        if kind == gp.GP_EVENT_TIMEOUT:
            return
        if kind == gp.GP_EVENT_FILE_ADDED:
            log.info("gphoto2: ignoring an earlier file %s/%s", data.folder, data.name)


def _wait_first_file(camera: Any, timeout: float, model: str) -> tuple[str, str]:
    """(folder, name) of the first file the camera adds, or CaptureTimeout after ``timeout``."""
    gp = load_gphoto2()
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise CaptureTimeout(
                f"{model} took no picture within {timeout:g} s "
                "(autofocus could not lock? lens cap on? card full?)")
        kind, data = camera.wait_for_event(max(1, int(min(remaining, 1.0) * 1000)))
        if kind == gp.GP_EVENT_FILE_ADDED:
            return (data.folder, data.name)


def _collect_more_files(camera: Any) -> list[tuple[str, str]]:
    """JPG+RAW: the second file follows within a moment; collect it, then stop."""
    gp = load_gphoto2()
    paths: list[tuple[str, str]] = []
    drain_until = time.monotonic() + RAW_DRAIN_S
    while time.monotonic() < drain_until:
        kind, data = camera.wait_for_event(300)
        if kind == gp.GP_EVENT_FILE_ADDED:
            paths.append((data.folder, data.name))
        elif kind == gp.GP_EVENT_TIMEOUT:
            break
    return paths


def _suffix(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ".bin"


def _download(camera: Any, folder: str, name: str, delete_from_card: bool) -> CameraFile:
    """One file's bytes, untouched; deleted from the card afterwards if asked (best effort)."""
    gp = load_gphoto2()
    cam_file = camera.file_get(folder, name, gp.GP_FILE_TYPE_NORMAL)
    payload = bytes(memoryview(cam_file.get_data_and_size()))
    if delete_from_card:
        try:
            camera.file_delete(folder, name)
        except gp.GPhoto2Error as exc:
            log.warning("gphoto2: could not delete %s/%s from the card: %s", folder, name, exc)
    return (_suffix(name), payload)


def trigger_and_download(camera: Any, *, timeout: float, model: str,
                         delete_from_card: bool) -> list[CameraFile]:
    """Trigger one still and return every file it produced, in the order they came."""
    camera.trigger_capture()
    paths = [_wait_first_file(camera, timeout, model)]
    paths += _collect_more_files(camera)
    files = [_download(camera, folder, name, delete_from_card) for folder, name in paths]
    sizes = [f"{name} ({len(payload) // 1024} KiB)"
             for (_, name), (_, payload) in zip(paths, files, strict=True)]
    log.info("gphoto2: still from %s: %s", model, ", ".join(sizes))
    return files


def still_from_files(files: list[CameraFile], *, keep_raw: bool, camera: str) -> Still:
    """The JPEG (else the first file) as the still; the rest ride along as extra files."""
    main = next((f for f in files if f[0] in JPEG_SUFFIXES), files[0])
    extras = tuple(f for f in files if f is not main and (keep_raw or f[0] in JPEG_SUFFIXES))
    return Still(data=main[1], extension=main[0], image=None, camera=camera, extra_files=extras)
