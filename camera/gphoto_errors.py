"""libgphoto2 errors as the camera exceptions a booth operator understands.

The codes are spelled out (gphoto2.GP_ERROR_*) so that classifying an error does
not need ``gphoto2`` imported. The two hangs peers see most, a desktop volume
monitor holding the USB device ("could not claim the USB device") and "PTP device
busy", become CameraBusy with a message that says what to do.
"""

from __future__ import annotations

from camera.base import CameraBusy, CameraDisconnected, CameraError, CaptureTimeout

GP_ERROR = -1
GP_ERROR_NOT_SUPPORTED = -6
GP_ERROR_IO = -7
GP_ERROR_TIMEOUT = -10
GP_ERROR_IO_INIT = -31
GP_ERROR_IO_READ = -34
GP_ERROR_IO_WRITE = -35
GP_ERROR_IO_USB_CLEAR_HALT = -51
GP_ERROR_IO_USB_FIND = -52
GP_ERROR_IO_USB_CLAIM = -53
GP_ERROR_IO_LOCK = -60
GP_ERROR_MODEL_NOT_FOUND = -105
GP_ERROR_CAMERA_BUSY = -110

_GONE = {GP_ERROR_IO, GP_ERROR_IO_INIT, GP_ERROR_IO_READ, GP_ERROR_IO_WRITE,
         GP_ERROR_IO_USB_CLEAR_HALT, GP_ERROR_IO_USB_FIND, GP_ERROR_MODEL_NOT_FOUND}

CLAIMED_MESSAGE = (
    "the camera is claimed by another program (a desktop photo importer?); close it "
    "(on Linux desktops: `gio mount -s gphoto2`) and replug the camera")


def map_error(exc: BaseException, doing: str, model: str = "the camera") -> CameraError:
    """A libgphoto2 error as the camera exception a booth operator understands."""
    if isinstance(exc, CameraError):
        return exc
    code = getattr(exc, "code", None)
    text = str(getattr(exc, "string", "") or exc).strip() or "unknown error"
    if code == GP_ERROR_IO_USB_CLAIM or "could not claim" in text.lower():
        return CameraBusy(CLAIMED_MESSAGE)
    if code == GP_ERROR_IO_LOCK:
        return CameraBusy(f"{model}'s USB port is locked by another program (a desktop photo "
                          "importer or a second kiosk?); close it and replug the camera")
    if code == GP_ERROR_CAMERA_BUSY or "busy" in text.lower():
        return CameraBusy(f"{model} is busy ({doing}); it will be tried again")
    if code == GP_ERROR_TIMEOUT:
        return CaptureTimeout(f"{model} did not answer in time ({doing})")
    if code in _GONE:
        return CameraDisconnected(
            f"{model} stopped answering ({doing}: {text}); check that it is switched on and "
            "the USB cable is in")
    return CameraError(f"{model} reported an error ({doing}): {text} [{code}]")
