"""Speaking the coach's prompts aloud (``ui.speak_prompts``), each once.

The coach already paces its prompts (a fault must last before it shows, and a prompt
stays up long enough to read); the voice follows what is on screen and says each new
line once, and between the shots of a set it says the "Photo 1 of 3 saved" line.
"""

from __future__ import annotations

from coaching.messages import load_catalogue
from kiosk.booth import Booth
from kiosk.screens.shots import saved_text
from kiosk.states import State, StateMachine
from kiosk.view_model import coach_words, set_progress


class PromptVoice:
    """Says the coaching screen's line when it changes."""

    def __init__(self, booth: Booth) -> None:
        self.booth = booth
        self.last_spoken = ""

    def tick(self, machine: StateMachine, now: float) -> None:
        sounds = self.booth.sounds
        if not sounds.speak_enabled or machine.state is not State.COACHING:
            return
        res = self.booth.last_result
        words = load_catalogue(self.booth.cfg.coach.language)
        msg = coach_words(words, res.state) if res is not None and res.state is not None else ""
        progress = set_progress(self.booth, machine, now, words)
        if progress is not None and progress.saved:
            msg = saved_text(words, progress)
        if msg and msg != self.last_spoken:
            self.last_spoken = msg
            sounds.say(msg)
