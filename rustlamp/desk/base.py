"""What every desk watcher reports, and how it is started."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol, runtime_checkable

log = logging.getLogger("rustlamp.desk")

EventKind = Literal[
    "idle",  # no keyboard or mouse input for `idle_for` (one event per threshold crossed)
    "active",  # input again after an "idle"
    "hold",  # a bad moment began (reason: "fullscreen", "dnd")
    "release",  # that bad moment ended
    "sleep",  # the machine is about to suspend
    "wake",  # it has resumed
    "lock",  # the screen was locked
    "unlock",  # and unlocked
]


@dataclass(frozen=True)
class DeskEvent:
    kind: EventKind
    source: str  # which watcher saw it, for the log: "x11-sync", "mutter", "logind", ...
    reason: str = ""  # for hold/release: "fullscreen" or "dnd"
    idle_for: timedelta | None = None  # for idle: the threshold crossed (or the idle time seen)
    # when the OS told it, where that can differ from when the loop hears it: a "sleep" handed over on
    # the way into a suspend may only be handled after the machine woke
    at: datetime | None = None


Emit = Callable[[DeskEvent], None]


def settle_from_thread(
    loop: asyncio.AbstractEventLoop, future: asyncio.Future[str | None], result: str | None
) -> None:
    """From a watcher's own thread: give `future` (a start() waiting on the loop) its result, unless it
    stopped waiting or the loop is gone."""

    def settle() -> None:
        if not future.done():
            future.set_result(result)

    with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
        loop.call_soon_threadsafe(settle)


def send(emit: Emit | None, event: DeskEvent) -> None:
    """Hand `event` to the runtime (None: nobody listens any more). A failing handler is logged, never
    thrown back into the watcher: that would stop its loop, its thread or an OS callback."""
    if emit is None:
        return
    try:
        emit(event)
    except Exception:
        log.exception("%s: the handler for %s failed", event.source, event.kind)


class DeskWatcher(Protocol):
    """One source of desk events. `start` returns a line for the log: None when the source works here,
    else why it is not available (then nothing is emitted and `close` is still safe to call).

    Watchers are event-driven where the platform allows: no periodic wake-ups while nothing changes.
    `emit` is called on the asyncio loop's thread."""

    name: str

    async def start(self, emit: Emit) -> str | None: ...

    async def close(self) -> None: ...


class IdleWatcher(DeskWatcher, Protocol):
    """An idle source emits "idle" once for each of `thresholds` as idle time crosses it (in order), and
    "active" at the first input after any "idle"."""

    def set_thresholds(self, thresholds: Sequence[timedelta]) -> None: ...


@runtime_checkable
class AskedWatcher(DeskWatcher, Protocol):
    """A hold/release source the OS cannot notify about: the runtime asks it with `look` when a reminder
    is due, and it emits "hold" before returning if this is a bad moment."""

    async def look(self) -> None: ...
