"""The booth's presets for this run: the loaded originals plus the operator's live edits.

An operator may widen or narrow a range from the overlay while a session runs; that
makes an adjusted copy for this run only (the YAML file is never changed), and "reset"
goes back to the original.
"""

from __future__ import annotations

import logging

from coaching.presets import Preset

log = logging.getLogger(__name__)


class PresetBook:
    """name -> Preset, the selected one, and this run's adjusted copies."""

    def __init__(self, presets: dict[str, Preset], first: str) -> None:
        self.originals = presets
        self.adjusted: dict[str, Preset] = {}
        self.name = first

    def current(self) -> Preset:
        return self.adjusted.get(self.name) or self.originals[self.name]

    def select(self, name: str) -> None:
        self.name = name

    @property
    def is_adjusted(self) -> bool:
        return self.name in self.adjusted

    def adjust(self, metric: str, end: str, delta: float) -> bool:
        """Move the ``end`` ("min"/"max") of ``metric``'s range by ``delta``; False when
        the preset does not judge it or the move would turn the range inside out."""
        preset = self.current()
        rng = getattr(preset.ranges, metric, None)
        if rng is None:
            return False
        lo, hi = rng.min, rng.max
        if end == "min":
            lo = (lo if lo is not None else (hi or 0.0) - 2 * delta) + delta
            if hi is not None and lo > hi:
                return False
            if rng.side is not None and lo < 0:
                lo = 0.0
        else:
            hi = (hi if hi is not None else (lo or 0.0) + 2 * delta) + delta
            if lo is not None and hi < lo:
                return False
        new_rng = rng.model_copy(update={"min": _round(lo), "max": _round(hi)})
        ranges = preset.ranges.model_copy(update={metric: new_rng})
        self.adjusted[self.name] = preset.model_copy(update={"ranges": ranges})
        log.info("operator: %s %s range now %s..%s for this run", self.name, metric,
                 new_rng.min, new_rng.max)
        return True

    def reset(self) -> None:
        self.adjusted.pop(self.name, None)


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 4)
