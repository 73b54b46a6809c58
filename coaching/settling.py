"""Whether the face is settled enough to photograph: talking is not a held smile.

A person speaking opens and closes the mouth several times a second, and the smile
blendshapes swing with every word, so one frame can read as a smile that nobody is
holding. :class:`MouthMotion` counts the mouth's open/close changes over the last
``window_s``; ``TALKING_CHANGES`` or more means talking, and the coach then neither
counts the expression as met nor starts the hold (the shutter waits for the words to
stop, not for a word in mid-flight).
"""

from __future__ import annotations

from collections import deque

__all__ = ["TALKING_CHANGES", "MouthMotion"]

#: Open/close changes within the window that mean "talking" (a held smile: none).
TALKING_CHANGES = 2


class MouthMotion:
    """Open/close changes of the mouth over the last ``window_s`` seconds."""

    def __init__(self, window_s: float = 1.0) -> None:
        self.window_s = window_s
        self._changes: deque[float] = deque()
        self._last: bool | None = None

    def reset(self) -> None:
        self._changes.clear()
        self._last = None

    def update(self, t: float, mouth_open: bool | None) -> bool:
        """Add one frame; True while the sitter is talking."""
        if mouth_open is not None:
            if self._last is not None and mouth_open != self._last:
                self._changes.append(t)
            self._last = mouth_open
        while self._changes and (t - self._changes[0] > self.window_s or t < self._changes[0]):
            self._changes.popleft()
        return len(self._changes) >= TALKING_CHANGES
