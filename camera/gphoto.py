"""Tethered cameras (DSLR, mirrorless) through libgphoto2 (python-gphoto2).

Live view is ``capture_preview`` in a thread, capped at ``preview_max_fps``. A
still: pause live view, switch the viewfinder off where the camera has such a
setting, apply the still settings, ``trigger_capture``, wait for
GP_EVENT_FILE_ADDED (bounded), download the camera's own bytes untouched,
optionally delete them from the card, drain further events (JPG+RAW gives two
files), restore the preview settings and resume live view.

Every libgphoto2 call goes through one process-wide lock (``gphoto_lib``). A
camera object that was ``exit()``-ed is never initialised again (that can crash
the process): reconnecting means a new :class:`GPhotoSource`, hence a new
``gphoto2.Camera()`` (see ``watchdog.py``).

``camera_factory`` exists so that tests can wrap the real (virtual) camera to
add what libgphoto2's virtual camera lacks, i.e. live view.

The helpers live beside this module: ``gphoto_lib`` (lock, late import),
``gphoto_errors`` (error classification), ``gphoto_detect`` (finding cameras),
``gphoto_config`` (settings widgets), ``gphoto_stills`` (trigger and download);
the names other code imports from here are re-exported.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from camera.base import (
    CameraBusy,
    CameraDisconnected,
    CameraError,
    CameraSource,
    CaptureTimeout,
    Frame,
    LiveViewUnsupported,
    SourceState,
    Still,
    decode_image,
)
from camera.frames import FrameMailbox, MailboxHealth
from camera.gphoto_config import apply_config, find_viewfinder
from camera.gphoto_detect import (
    DetectedCamera,
    camera_has_preview,
    choose_camera,
    detect_cameras,
    driver_has_preview,
    select_camera,
)
from camera.gphoto_errors import CLAIMED_MESSAGE, GP_ERROR_NOT_SUPPORTED, map_error
from camera.gphoto_lib import GPHOTO_LOCK, LOCK_TIMEOUT_S, gphoto_lock, load_gphoto2
from camera.gphoto_stills import (
    JPEG_SUFFIXES,
    CameraFile,
    drain_stale_events,
    still_from_files,
    trigger_and_download,
)

__all__ = [
    "CLAIMED_MESSAGE", "GPHOTO_LOCK", "HYBRID_HINT", "JPEG_SUFFIXES", "LOCK_TIMEOUT_S",
    "DetectedCamera", "GPhotoSource", "choose_camera", "detect_cameras", "driver_has_preview",
    "gphoto_lock", "map_error",
]

log = logging.getLogger(__name__)

HYBRID_HINT = "use hybrid:webcam:0+gphoto2 (webcam preview, stills from this camera)"


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
        if self._exited:
            raise CameraError("internal: a closed GPhotoSource is never reopened; build a new one")
        self._state = SourceState.OPENING
        try:
            with gphoto_lock():
                self._connect()
                first = self._start_live_view() if self.live_view else None
            if first is not None:
                self._start_preview_thread(first)
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

    def _connect(self) -> None:
        """Find, select and ``init()`` a NEW camera object, then apply the config. Lock held."""
        gp = load_gphoto2()
        chosen = choose_camera(self.wanted, detect_cameras())
        camera = self.camera_factory() if self.camera_factory else gp.Camera()
        select_camera(camera, chosen)
        try:
            camera.init()
        except gp.GPhoto2Error as exc:
            raise map_error(exc, "connecting", chosen.model) from None
        self._camera = camera
        self.name = chosen.model
        self.port = chosen.port
        self.driver_preview = camera_has_preview(camera)
        self._viewfinder = find_viewfinder(camera.get_config())
        self._apply(self.config, "connecting")

    def _start_live_view(self) -> np.ndarray:
        """First preview frame, or LiveViewUnsupported with the hybrid hint. Lock held."""
        gp = load_gphoto2()
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
        return self._decode_preview(data)

    def _start_preview_thread(self, first: np.ndarray) -> None:
        self._mailbox.put(first)
        self._stop.clear()
        self._thread = threading.Thread(target=self._preview_loop, daemon=True,
                                        name="gphoto2-preview")
        self._thread.start()

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

    def _decode_preview(self, data: bytes) -> np.ndarray:
        image = decode_image(data)
        if image is None:
            raise CameraError(f"{self.name} sent a live view frame that is not an image")
        return image

    def _read_preview(self) -> bytes | None:
        """One live view frame's bytes; None when paused for a still. Raises when closed."""
        with gphoto_lock(2.0):
            if self._camera is None:
                raise _PreviewClosed
            if self._preview_paused.is_set():
                return None
            return self._preview_bytes()

    def _preview_loop(self) -> None:
        gp = load_gphoto2()
        interval = 1.0 / self.preview_max_fps
        failures = 0
        while not self._stop.is_set():
            if self._preview_paused.is_set():
                self._stop.wait(0.01)
                continue
            started = time.monotonic()
            try:
                data = self._read_preview()
                if data is None:
                    continue
                image = self._decode_preview(data)
                failures = 0
                self._mailbox.put(image)
            except _PreviewClosed:
                return
            except CameraBusy:
                continue
            except (gp.GPhoto2Error, CameraError) as exc:
                failures += 1
                if self._preview_failed(exc, failures):
                    return
                self._stop.wait(0.1)
                continue
            delay = interval - (time.monotonic() - started)
            if delay > 0:
                self._stop.wait(delay)

    def _preview_failed(self, exc: BaseException, failures: int) -> bool:
        """Count a failed live view read; True (and FAILED) once it is time to give up."""
        self._errors += 1
        err = map_error(exc, "live view", self.name)
        log.debug("gphoto2: live view read failed (%d): %s", failures, err)
        if failures < self.preview_failures and not isinstance(err, CameraDisconnected):
            return False
        self._error = err
        self._state = SourceState.FAILED
        log.warning("gphoto2: %s", err)
        self._mailbox.close()
        return True

    def latest_frame(self, after_index: int = -1) -> Frame | None:
        return self._mailbox.latest(after_index)

    def wait_frame(self, after_index: int = -1, timeout: float = 1.0) -> Frame | None:
        return self._mailbox.wait(after_index, timeout)

    @property
    def has_live_view(self) -> bool:
        return self.live_view

    # -- settings ----------------------------------------------------------------------------
    def _apply(self, values: Mapping[str, Any], doing: str) -> None:
        """Set gphoto2 config values (lock held). Unknown names are logged, bad values raise."""
        if not values or self._camera is None:
            return
        apply_config(self._camera, values, doing, self.name)

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
        with self._still_lock:
            if self._camera is None:
                raise self._error or CameraDisconnected(f"{self.name} is not connected")
            self._preview_paused.set()
            try:
                with gphoto_lock():
                    files = self._shoot()
            finally:
                self._preview_paused.clear()
        return still_from_files(files, keep_raw=self.keep_raw, camera=self.name)

    def _shoot(self) -> list[CameraFile]:
        """Live view aside, still settings on, one still, live view back. Lock held."""
        gp = load_gphoto2()
        camera = self._camera
        if camera is None:
            raise CameraDisconnected(f"{self.name} is not connected")
        try:
            if self.live_view:
                self._set_viewfinder(False)
            self._apply(self.still_config, "setting up the still")
            drain_stale_events(camera)
            return trigger_and_download(camera, timeout=self.still_timeout, model=self.name,
                                        delete_from_card=self.delete_from_card)
        except gp.GPhoto2Error as exc:
            raise map_error(exc, "taking a still", self.name) from None
        finally:
            self._restore_preview()

    def _restore_preview(self) -> None:
        if not self.live_view or self._camera is None:
            return
        try:
            if self.still_config:
                self._apply(self.preview_config, "restoring live view settings")
        except CameraError as exc:
            log.warning("gphoto2: %s", exc)
        self._set_viewfinder(True)


class _PreviewClosed(Exception):
    """The camera went away under the live view thread (closed): the thread ends quietly."""
