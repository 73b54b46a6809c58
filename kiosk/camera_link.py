"""The kiosk's hold on its camera: opened in the background and retried until it is there.

The welcome screen must show while a DSLR wakes up or a webcam is still being plugged
in, so :class:`CameraLink` opens the source on a thread, retrying with a backoff of
2 s rising to 20 s (what photobooth peers use), and calls ``on_open`` once it works (the
booth starts its coaching pipeline there). It also words the reconnecting screen:
"No camera found" until the camera was ever seen, "Camera reconnecting…" after, and the
staff line under it (the error and the retry count).

Two faults end the retrying: a source that can never give a picture (a corrupt or
empty replay file, :class:`~camera.base.SourceUnreadable`) becomes :attr:`CameraLink.fault`
(the kiosk's set-up screen names it), and a camera absent at launch with
``camera.watchdog.wait_for_camera: false`` becomes :attr:`CameraLink.stopped` (the
kiosk stops with one line, as that setting says).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from camera.base import CameraError, CameraSource, Frame, SourceState, SourceUnreadable
from camera.settings import CameraSettings
from camera.sources import open_source
from kiosk.state_data import SetupFault

log = logging.getLogger(__name__)

#: First and last wait between attempts to open the camera (seconds).
RETRY_FIRST_S = 2.0
RETRY_MAX_S = 20.0


class CameraLink:
    """Opens ``spec`` (or an injected source) in the background and keeps it."""

    def __init__(self, spec: str, settings: CameraSettings, *,
                 source: CameraSource | None = None,
                 on_open: Callable[[CameraSource], None] | None = None) -> None:
        self.spec = spec
        self.kind = spec.split(":", 1)[0].strip().lower()
        self._settings = settings
        self._source = source
        self._injected = source is not None
        self._on_open = on_open
        self._lock = threading.Lock()
        self._error = ""
        self._ever_live = False
        self._stop = threading.Event()
        self._opener: threading.Thread | None = None
        self._tries = 0  # failed opens by this link (an injected source, or wait: false)
        #: a source that can never give a picture: the set-up screen says what to fix
        self.fault: SetupFault | None = None
        #: absent at launch with wait_for_camera false: the kiosk stops with this error
        self.stopped: CameraError | None = None
        self.wait = settings.watchdog.wait_for_camera

    def start(self) -> None:
        self._opener = threading.Thread(target=self._open_loop, name="camera-open",
                                        daemon=True)
        self._opener.start()

    def close(self) -> None:
        self._stop.set()
        src = self.source
        if src is not None:
            try:
                src.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                log.debug("closing the camera failed", exc_info=True)

    @property
    def source(self) -> CameraSource | None:
        with self._lock:
            return self._source

    @property
    def name(self) -> str:
        return getattr(self.source, "name", self.spec)

    def live(self) -> bool:
        """The camera delivers frames now. Once it has, a later loss reads as
        "reconnecting" rather than "no camera"."""
        src = self.source
        if src is None:
            return False
        try:
            live = src.state is SourceState.LIVE
        except Exception:  # noqa: BLE001 - a broken source is simply not live
            return False
        if live:
            self._ever_live = True
        return live

    def message(self) -> tuple[str, str]:
        """(title key, detail key) for the guest on the reconnecting screen: ``ui.camera.*``
        in the message catalogue. The error itself is for staff: :meth:`staff_line`."""
        if not self._ever_live:
            return "camera.none", "camera.none_detail"
        return "camera.reconnecting", "camera.reconnecting_detail"

    def staff_line(self) -> str:
        """For staff under the reconnecting screen: the error and how often it was tried."""
        src = self.source
        err = self._error
        e = getattr(src, "last_error", None) if src is not None else None
        if e is not None:
            err = str(e)
        tries = self._tries + int(getattr(src, "attempts", 0) or 0)
        if src is not None and getattr(src, "attempts", None) is not None:
            tries += 1  # the watchdog counts reconnects; its first open failed too
        nxt = getattr(src, "next_attempt_in", None) if src is not None else None
        parts = [f"camera {self.spec}" + (f": {err}" if err else "")]
        if tries:
            parts.append(f"tried {tries} time{'s' if tries != 1 else ''}")
        if isinstance(nxt, float):
            parts.append(f"next try in {nxt:.0f} s")
        return " · ".join(parts)

    def latest_frame(self) -> Frame | None:
        src = self.source
        if src is None:
            return None
        try:
            return src.latest_frame(-1)
        except Exception:  # noqa: BLE001 - no frame is the answer for a broken source
            return None

    def _make_source(self) -> CameraSource:
        settings = self._settings.model_copy(deep=True)
        settings.replay.loop = True  # a replayed demo never ends
        settings.replay.realtime = True
        return open_source(self.spec, settings)

    def _open_loop(self) -> None:
        delay = RETRY_FIRST_S
        while not self._stop.is_set():
            try:
                src = self._source if self._source is not None else self._make_source()
                src.open()
                with self._lock:
                    self._source = src
                self._error = ""
                if self._on_open is not None:
                    self._on_open(src)
                return
            except SourceUnreadable as exc:
                self._error = str(exc)
                self.fault = SetupFault(
                    f"The camera source gives no picture: {exc}",
                    ("Replace the file or folder, or set camera.source (or --source) to a "
                     "working camera, then restart the kiosk.",))
                log.error("camera %s: %s; not retrying (a file does not fix itself)",
                          self.spec, exc)
                return
            except CameraError as exc:
                self._error = str(exc)
                self._tries += 1
                if not self.wait:
                    self.stopped = exc
                    # INFO: the kiosk prints the one line itself when it stops
                    log.info("camera %s: %s; camera.watchdog.wait_for_camera is false, "
                             "so the kiosk stops", self.spec, exc)
                    return
                log.warning("camera %s: %s; trying again in %.0f s (try %d)", self.spec, exc,
                            delay, self._tries)
                if not self._injected:
                    self._source = None
            except Exception as exc:  # noqa: BLE001 - never let the opener die silently
                self._error = f"{type(exc).__name__}: {exc}"
                log.exception("camera %s could not be opened", self.spec)
            self._stop.wait(delay)
            delay = min(RETRY_MAX_S, delay * 2)
