"""Calls into camera drivers that may never return, run with a bound.

A USB call stuck in a driver blocks its thread for good; the kiosk must not be
that thread. The call runs in a daemon thread; the caller waits at most
``timeout`` seconds and, if it did not finish, abandons it (the thread is left
behind and dies with the process).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class Outcome(Generic[T]):
    """What a bounded call did: finished (with a value or an exception) or not in time."""

    finished: bool = False
    value: T | None = None
    error: BaseException | None = None


def call_bounded(fn: Callable[[], T], timeout: float, thread_name: str) -> Outcome[T]:
    """Run ``fn`` in a daemon thread; wait at most ``timeout`` s for it. Never raises."""
    out: Outcome[T] = Outcome()
    done = threading.Event()

    def run() -> None:
        try:
            out.value = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            out.error = exc
        finally:
            done.set()

    threading.Thread(target=run, daemon=True, name=thread_name).start()
    out.finished = done.wait(timeout)
    return out
