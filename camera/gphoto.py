"""Tethered cameras (DSLR, mirrorless) through libgphoto2 (python-gphoto2).

Live view is ``capture_preview`` in a thread, capped at ``preview_max_fps``. A
still: pause live view, switch the viewfinder off where the camera has such a
setting, apply the still settings, ``trigger_capture``, wait for
GP_EVENT_FILE_ADDED (bounded), download the camera's own bytes untouched,
optionally delete them from the card, drain further events (JPG+RAW gives two
files), restore the preview settings and resume live view.

libgphoto2 is not thread-safe, so every call goes through one process-wide lock,
taken with a timeout so that a hung USB call elsewhere turns into CameraBusy
instead of a frozen kiosk. A camera object that was ``exit()``-ed is never
initialised again (that can crash the process): reconnecting means a new
:class:`GPhotoSource`, hence a new ``gphoto2.Camera()`` (see ``watchdog.py``).

``camera_factory`` exists so that tests can wrap the real (virtual) camera to
add what libgphoto2's virtual camera lacks, i.e. live view.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from camera.base import (
    CameraBusy,
    CameraDisconnected,
    CameraError,
    CameraNotFound,
    CameraSource,
    CaptureTimeout,
    Frame,
    LiveViewUnsupported,
    SourceState,
    Still,
)
from camera.frames import FrameMailbox, MailboxHealth, decode_image

log = logging.getLogger(__name__)

#: One lock for every libgphoto2 call in the process (the library is not thread-safe).
GPHOTO_LOCK = threading.RLock()
LOCK_TIMEOUT_S = 15.0

JPEG_SUFFIXES = (".jpg", ".jpeg")
HYBRID_HINT = "use hybrid:webcam:0+gphoto2 (webcam preview, stills from this camera)"

# libgphoto2 error codes (gphoto2.GP_ERROR_*), spelled out so that mapping them
# does not need the module imported.
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


@contextlib.contextmanager
def gphoto_lock(timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the process-wide libgphoto2 lock, or raise CameraBusy after ``timeout``."""
    if not GPHOTO_LOCK.acquire(timeout=timeout):
        raise CameraBusy("the camera is still busy with a previous command")
    try:
        yield
    finally:
        GPHOTO_LOCK.release()


@dataclass(frozen=True)
class DetectedCamera:
    model: str
    port: str


def detect_cameras() -> list[DetectedCamera]:
    """Cameras libgphoto2 sees now (model, port); never opens them."""
    import gphoto2 as gp

    with gphoto_lock():
        found = gp.Camera.autodetect()
        return [DetectedCamera(found.get_name(i), found.get_value(i))
                for i in range(found.count())]


def driver_has_preview(model: str) -> bool:
    """Whether libgphoto2's driver lists live view for ``model`` (the camera may still refuse)."""
    import gphoto2 as gp

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


def _find_widget(config: Any, name: str) -> Any | None:
    import gphoto2 as gp

    try:
        return config.get_child_by_name(name)
    except gp.GPhoto2Error:
        return None


def _coerce(widget: Any, name: str, value: Any) -> Any:
    """Turn a YAML value into what the widget type wants, checking choices."""
    import gphoto2 as gp

    kind = widget.get_type()
    if kind == gp.GP_WIDGET_TOGGLE:
        if isinstance(value, str):
            return 1 if value.strip().lower() in ("1", "on", "true", "yes") else 0
        return 1 if value else 0
    if kind == gp.GP_WIDGET_RANGE:
        lo, hi, _step = widget.get_range()
        v = float(value)
        if not lo <= v <= hi:
            raise CameraError(f"camera setting {name}: {value} is outside {lo:g}..{hi:g}")
        return v
    if kind in (gp.GP_WIDGET_RADIO, gp.GP_WIDGET_MENU):
        choices = [widget.get_choice(i) for i in range(widget.count_choices())]
        text = str(value)
        if text not in choices:
            match = [c for c in choices if c.lower() == text.lower()]
            if not match:
                shown = ", ".join(choices[:12]) + (" ..." if len(choices) > 12 else "")
                raise CameraError(f"camera setting {name}: {value!r} is not one of: {shown}")
            text = match[0]
        return text
    if kind == gp.GP_WIDGET_DATE:
        return int(value)
    return str(value)


class GPhotoSource(MailboxHealth, CameraSource):
    """One tethered camera; ``live_view=False`` for a stills-only role (hybrid mode)."""

    def __init__(self, model_or_port: str | None = None, *, live_view: bool = True,
                 preview_max_fps: float = 15.0, still_timeout: float = 10.0,
                 delete_from_card: bool = False, keep_raw: bool = True,
                 config: Mapping[str, Any] | None = None,
                 preview_config: Mapping[str, Any] | None = None,
                 still_config: Mapping[str, Any] | None = None,
                 preview_failures: int = 10, still_retries: int = 1,
                 camera_factory: Callable[[], Any] | None = None) -> None:
        self.wanted = model_or_port
        self.live_view = live_view
        self.preview_max_fps = preview_max_fps
        self.still_timeout = still_timeout
        self.delete_from_card = delete_from_card
        self.keep_raw = keep_raw
        self.config = dict(config or {})
        self.preview_config = dict(preview_config or {})
        self.still_config = dict(still_config or {})
        self.preview_failures = preview_failures
        self.still_retries = still_retries
        self.camera_factory = camera_factory
        self.name = f"gphoto2 {model_or_port}" if model_or_port else "gphoto2 camera"
        self.port = ""
        self.driver_preview = False
        self._camera: Any = None
        self._exited = False
        self._state = SourceState.CLOSED
        self._error: CameraError | None = None
        self._mailbox = FrameMailbox()
        self._stop = threading.Event()
        self._preview_paused = threading.Event()
        self._still_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._errors = 0
        self._viewfinder: str | None = None  # "viewfinder"/"eosviewfinder" when the camera has it

    # -- lifecycle ---------------------------------------------------------------------------
    def open(self) -> None:
        import gphoto2 as gp

        if self._exited:
            raise CameraError("internal: a closed GPhotoSource is never reopened; build a new one")
        self._state = SourceState.OPENING
        camera = None
        try:
            with gphoto_lock():
                found = gp.Camera.autodetect()
                cams = [DetectedCamera(found.get_name(i), found.get_value(i))
                        for i in range(found.count())]
                chosen = choose_camera(self.wanted, cams)
                camera = self.camera_factory() if self.camera_factory else gp.Camera()
                self._select(camera, chosen)
                try:
                    camera.init()
                except gp.GPhoto2Error as exc:
                    raise map_error(exc, "connecting", chosen.model) from None
                self._camera = camera
                self.name = chosen.model
                self.port = chosen.port
                self.driver_preview = self._driver_preview(camera)
                cfg = self._get_config()
                for vf in ("viewfinder", "eosviewfinder"):
                    if _find_widget(cfg, vf) is not None:
                        self._viewfinder = vf
                        break
                self._apply(self.config, "connecting")
                if self.live_view:
                    first = self._start_live_view()
            if self.live_view:
                self._mailbox.put(first)
                self._stop.clear()
                self._thread = threading.Thread(target=self._preview_loop, daemon=True,
                                                name="gphoto2-preview")
                self._thread.start()
            self._state = SourceState.LIVE
            log.info("gphoto2: %s on %s connected (live view %s)", self.name, self.port,
                     "on" if self.live_view else "off")
        except Exception as exc:
            err = map_error(exc, "connecting", self.name)
            self._error = err
            self._state = SourceState.FAILED
            self._exit_camera()
            if err is exc:
                raise
            raise err from None

    def _select(self, camera: Any, chosen: DetectedCamera) -> None:
        """Point ``camera`` at the chosen model and port (not just the first one found)."""
        import gphoto2 as gp

        abilities_list = gp.CameraAbilitiesList()
        abilities_list.load()
        camera.set_abilities(abilities_list[abilities_list.lookup_model(chosen.model)])
        ports = gp.PortInfoList()
        ports.load()
        camera.set_port_info(ports[ports.lookup_path(chosen.port)])

    def _driver_preview(self, camera: Any) -> bool:
        import gphoto2 as gp

        try:
            return bool(camera.get_abilities().operations & gp.GP_OPERATION_CAPTURE_PREVIEW)
        except gp.GPhoto2Error:
            return False

    def _start_live_view(self) -> Any:
        """First preview frame, or LiveViewUnsupported with the hybrid hint. Lock held."""
        import gphoto2 as gp

        no_preview = LiveViewUnsupported(
            f"{self.name} cannot stream a preview (no live view through libgphoto2); "
            f"{HYBRID_HINT}")
        if not self.driver_preview:
            raise no_preview
        self._apply(self.preview_config, "setting up live view")
        try:
            data = self._preview_bytes()
        except gp.GPhoto2Error as exc:
            if exc.code == GP_ERROR_NOT_SUPPORTED:
                raise no_preview from None
            raise map_error(exc, "starting live view", self.name) from None
        image = decode_image(data)
        if image is None:
            raise CameraError(f"{self.name} sent a live view frame that is not an image")
        return image

    def close(self) -> None:
        self._stop.set()
        self._mailbox.close()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=LOCK_TIMEOUT_S)
        self._thread = None
        self._exit_camera()
        if self._state != SourceState.FAILED:
            self._state = SourceState.CLOSED

    def _exit_camera(self) -> None:
        """``exit()`` once and forget the object (it must never be initialised again)."""
        camera, self._camera = self._camera, None
        self._exited = True
        if camera is None:
            return
        try:
            with gphoto_lock():
                camera.exit()
        except Exception as exc:  # noqa: BLE001 - closing a vanished camera may fail
            log.debug("gphoto2: exit failed: %s", exc)

    # -- live view ---------------------------------------------------------------------------
    def _preview_bytes(self) -> bytes:
        camera_file = self._camera.capture_preview()
        return bytes(memoryview(camera_file.get_data_and_size()))

    def _preview_loop(self) -> None:
        import gphoto2 as gp

        interval = 1.0 / self.preview_max_fps
        failures = 0
        while not self._stop.is_set():
            if self._preview_paused.is_set():
                self._stop.wait(0.01)
                continue
            started = time.monotonic()
            try:
                with gphoto_lock(2.0):
                    if self._camera is None:
                        return
                    if self._preview_paused.is_set():
                        continue
                    data = self._preview_bytes()
                image = decode_image(data)
                if image is None:
                    raise CameraError(f"{self.name} sent a live view frame that is not an image")
                failures = 0
                self._mailbox.put(image)
            except CameraBusy:
                continue
            except (gp.GPhoto2Error, CameraError) as exc:
                failures += 1
                self._errors += 1
                err = map_error(exc, "live view", self.name)
                log.debug("gphoto2: live view read failed (%d): %s", failures, err)
                if failures >= self.preview_failures or isinstance(err, CameraDisconnected):
                    self._error = err
                    self._state = SourceState.FAILED
                    log.warning("gphoto2: %s", err)
                    self._mailbox.close()
                    return
                self._stop.wait(0.1)
                continue
            delay = interval - (time.monotonic() - started)
            if delay > 0:
                self._stop.wait(delay)

    def latest_frame(self, after_index: int = -1) -> Frame | None:
        return self._mailbox.latest(after_index)

    def wait_frame(self, after_index: int = -1, timeout: float = 1.0) -> Frame | None:
        return self._mailbox.wait(after_index, timeout)

    @property
    def has_live_view(self) -> bool:
        return self.live_view

    # -- settings ----------------------------------------------------------------------------
    def _get_config(self) -> Any:
        return self._camera.get_config()

    def _apply(self, values: Mapping[str, Any], doing: str) -> None:
        """Set gphoto2 config values (lock held). Unknown names are logged, bad values raise."""
        import gphoto2 as gp

        if not values or self._camera is None:
            return
        try:
            cfg = self._get_config()
            changed = False
            for name, value in values.items():
                widget = _find_widget(cfg, name)
                if widget is None:
                    log.warning("gphoto2: %s has no setting %r (ignored)", self.name, name)
                    continue
                new = _coerce(widget, name, value)
                if widget.get_value() != new:
                    widget.set_value(new)
                    changed = True
            if changed:
                self._camera.set_config(cfg)
        except gp.GPhoto2Error as exc:
            raise map_error(exc, doing, self.name) from None

    def _set_viewfinder(self, on: bool) -> None:
        if self._viewfinder:
            try:
                self._apply({self._viewfinder: 1 if on else 0}, "switching the viewfinder")
            except CameraError as exc:
                log.debug("gphoto2: viewfinder %s: %s", "on" if on else "off", exc)

    # -- stills ------------------------------------------------------------------------------
    def capture_still(self) -> Still:
        """Trigger, wait for the file, download it untouched; retried ``still_retries`` times."""
        attempts = 1 + max(0, self.still_retries)
        for attempt in range(1, attempts + 1):
            try:
                return self._capture_once()
            except (CaptureTimeout, CameraBusy) as exc:
                if attempt >= attempts:
                    raise
                log.warning("gphoto2: %s; trying once more", exc)
                time.sleep(0.5)
        raise AssertionError("unreachable")

    def _capture_once(self) -> Still:
        import gphoto2 as gp

        with self._still_lock:
            if self._camera is None:
                raise self._error or CameraDisconnected(f"{self.name} is not connected")
            self._preview_paused.set()
            try:
                with gphoto_lock():
                    camera = self._camera
                    if camera is None:
                        raise CameraDisconnected(f"{self.name} is not connected")
                    try:
                        if self.live_view:
                            self._set_viewfinder(False)
                        self._apply(self.still_config, "setting up the still")
                        self._drain_stale(camera)
                        files = self._trigger_and_download(camera)
                    except gp.GPhoto2Error as exc:
                        raise map_error(exc, "taking a still", self.name) from None
                    finally:
                        self._restore_preview()
            finally:
                self._preview_paused.clear()
        main = next((f for f in files if f[0] in JPEG_SUFFIXES), files[0])
        extras = tuple(f for f in files if f is not main
                       and (self.keep_raw or f[0] in JPEG_SUFFIXES))
        return Still(data=main[1], extension=main[0], image=None, camera=self.name,
                     extra_files=extras)

    def _restore_preview(self) -> None:
        if not self.live_view or self._camera is None:
            return
        try:
            if self.still_config:
                self._apply(self.preview_config, "restoring live view settings")
        except CameraError as exc:
            log.warning("gphoto2: %s", exc)
        self._set_viewfinder(True)

    def _drain_stale(self, camera: Any) -> None:
        """Forget events left from before (e.g. a late file from a timed-out still)."""
        import gphoto2 as gp

        for _ in range(20):
            kind, data = camera.wait_for_event(1)
            if kind == gp.GP_EVENT_TIMEOUT:
                return
            if kind == gp.GP_EVENT_FILE_ADDED:
                log.info("gphoto2: ignoring an earlier file %s/%s", data.folder, data.name)

    def _trigger_and_download(self, camera: Any) -> list[tuple[str, bytes]]:
        import gphoto2 as gp

        camera.trigger_capture()
        deadline = time.monotonic() + self.still_timeout
        paths: list[tuple[str, str]] = []
        while not paths:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CaptureTimeout(
                    f"{self.name} took no picture within {self.still_timeout:g} s "
                    "(autofocus could not lock? lens cap on? card full?)")
            kind, data = camera.wait_for_event(max(1, int(min(remaining, 1.0) * 1000)))
            if kind == gp.GP_EVENT_FILE_ADDED:
                paths.append((data.folder, data.name))
        # JPG+RAW: the second file follows within a moment; collect it, then stop.
        drain_until = time.monotonic() + 3.0
        while time.monotonic() < drain_until:
            kind, data = camera.wait_for_event(300)
            if kind == gp.GP_EVENT_FILE_ADDED:
                paths.append((data.folder, data.name))
            elif kind == gp.GP_EVENT_TIMEOUT:
                break
        files = []
        for folder, name in paths:
            cam_file = camera.file_get(folder, name, gp.GP_FILE_TYPE_NORMAL)
            payload = bytes(memoryview(cam_file.get_data_and_size()))
            suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ".bin"
            files.append((suffix, payload))
            if self.delete_from_card:
                try:
                    camera.file_delete(folder, name)
                except gp.GPhoto2Error as exc:
                    log.warning("gphoto2: could not delete %s/%s from the card: %s",
                                folder, name, exc)
        sizes = [f"{name} ({len(payload) // 1024} KiB)"
                 for (_, name), (_, payload) in zip(paths, files, strict=True)]
        log.info("gphoto2: still from %s: %s", self.name, ", ".join(sizes))
        return files
