"""Preview from one camera, stills from another (webcam preview + DSLR stills).

DSLR live view through libgphoto2 is slow (10-13 fps on many Canon bodies) and
some cameras have none; a webcam beside the DSLR gives a fluid preview for the
coach while the DSLR takes the picture. ``Still.camera`` names the stills camera.

Health: the hybrid's :attr:`~HybridSource.state` is the PREVIEW's, because the preview
is what the sitter sees and the coach reads. A DSLR that is reconnecting (or gave up)
does not stop coaching: its health is reported on its own (:attr:`stills_state`,
:attr:`stills_error`) for the operator overlay and the health line. A still asked of
it meanwhile raises a :class:`CameraError` after one immediate reconnect try, and the
kiosk keeps the best preview frame instead: no photo is lost, none waits on a DSLR.
"""

from __future__ import annotations

import dataclasses

from camera.base import CameraError, CameraSource, Frame, SourceState, SourceStats, Still


class HybridSource(CameraSource):
    """``preview`` feeds frames and analysis; ``stills`` (may lack live view) takes pictures."""

    def __init__(self, preview: CameraSource, stills: CameraSource) -> None:
        self.preview = preview
        self.stills = stills

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"{self.preview.name} + {self.stills.name}"

    def open(self) -> None:
        self.preview.open()
        try:
            self.stills.open()
        except BaseException:
            self.preview.close()
            raise

    def close(self) -> None:
        try:
            self.stills.close()
        finally:
            self.preview.close()

    def latest_frame(self, after_index: int = -1) -> Frame | None:
        return self.preview.latest_frame(after_index)

    def wait_frame(self, after_index: int = -1, timeout: float = 1.0) -> Frame | None:
        return self.preview.wait_frame(after_index, timeout)

    def read_next(self, timeout: float = 1.0) -> Frame | None:
        return self.preview.read_next(timeout)

    def capture_still(self) -> Still:
        return self.stills.capture_still()

    @property
    def state(self) -> SourceState:
        """The preview's: while it is live the sitter is coached, whatever the DSLR does."""
        return self.preview.state

    @property
    def last_error(self) -> CameraError | None:
        """The preview's error first: it is what a RECONNECTING hybrid is waiting for."""
        return self.preview.last_error or self.stills.last_error

    @property
    def stills_state(self) -> SourceState:
        """The stills camera's own health (RECONNECTING here leaves :attr:`state` LIVE)."""
        return self.stills.state

    @property
    def stills_error(self) -> CameraError | None:
        """Why the stills camera is not live, or None while it is."""
        if self.stills.state is SourceState.LIVE:
            return None
        return self.stills.last_error

    def set_exposure_ev(self, ev: float) -> float:
        """The preview camera's exposure (the face is metered on the preview)."""
        setter = getattr(self.preview, "set_exposure_ev", None)
        return float(setter(ev)) if setter is not None else 0.0

    def stats(self) -> SourceStats:
        a, b = self.preview.stats(), self.stills.stats()
        return dataclasses.replace(a, errors=a.errors + b.errors,
                                   reconnects=a.reconnects + b.reconnects)

    @property
    def has_live_view(self) -> bool:
        return self.preview.has_live_view
