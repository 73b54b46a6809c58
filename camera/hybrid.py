"""Preview from one camera, stills from another (webcam preview + DSLR stills).

DSLR live view through libgphoto2 is slow (10-13 fps on many Canon bodies) and
some cameras have none; a webcam beside the DSLR gives a fluid preview for the
coach while the DSLR takes the picture. ``Still.camera`` names the stills camera.
"""

from __future__ import annotations

import dataclasses

from camera.base import CameraError, CameraSource, Frame, SourceState, SourceStats, Still

_SEVERITY = {SourceState.FAILED: 3, SourceState.RECONNECTING: 2, SourceState.OPENING: 1}


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
        """The worse of the two (a reconnecting DSLR means no stills), else the preview's."""
        p, s = self.preview.state, self.stills.state
        worst = max((p, s), key=lambda st: _SEVERITY.get(st, 0))
        return worst if _SEVERITY.get(worst, 0) else p

    @property
    def last_error(self) -> CameraError | None:
        return self.stills.last_error or self.preview.last_error

    def stats(self) -> SourceStats:
        a, b = self.preview.stats(), self.stills.stats()
        return dataclasses.replace(a, errors=a.errors + b.errors,
                                   reconnects=a.reconnects + b.reconnects)

    @property
    def has_live_view(self) -> bool:
        return self.preview.has_live_view
