"""Hold and release for a bad moment that the OS can only be asked about, never told us of: a fullscreen
window or the person's do-not-disturb on Windows (SHQueryUserNotificationState, Focus Assist) and macOS
(the window list, Focus).

Asking on a timer all day would be polling. A bad moment only matters when a reminder is due, so the
runtime asks then (`look`): if the answer is "busy" the watcher says "hold" at once, before the reminder
is shown, and only while it holds does it ask again, every `poll_while_held` seconds, to say "release"
when the moment has passed (the core then shows the held reminder, once). Between reminders it costs
nothing: no timer, no thread.

A question that fails is not a reason to keep anyone from their rest reminder: a failure while holding
releases, and a failure at `look` holds nothing. Each is logged once until the question works again.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable

from rustlamp.desk.base import DeskEvent, Emit, send

log = logging.getLogger("rustlamp.desk")

POLL_WHILE_HELD = 10.0  # seconds: the held reminder comes at most this long after the moment ends

# True while busy; raises when it cannot tell. A coroutine function for questions asked over a socket.
BusyQuery = Callable[[], bool | Awaitable[bool]]


class AskedHoldWatcher:
    """A DeskWatcher for one question (`query`) with one hold reason ("fullscreen", "dnd", ...)."""

    def __init__(
        self, name: str, reason: str, query: BusyQuery, poll_while_held: float = POLL_WHILE_HELD
    ) -> None:
        self.name = name
        self.reason = reason
        self.note: str | None = None  # it works in full when it starts
        self._query = query
        self._poll = poll_while_held
        self._emit: Emit | None = None
        self._watch: asyncio.Task[None] | None = None
        self._failing = False
        self.holding = False

    async def start(self, emit: Emit) -> str | None:
        """Ask once, to learn whether the question works here at all; nothing is held yet."""
        try:
            await self._answer()
        except Exception as exc:
            return f"cannot be asked here ({exc or type(exc).__name__})"
        self._emit = emit
        return None

    async def look(self) -> None:
        """A reminder is due: hold it if this is a bad moment. Returns after any "hold" was emitted."""
        if self._emit is None or self.holding:
            return
        if await self._ask() is not True:
            return
        self._say(True)
        self._watch = asyncio.get_running_loop().create_task(self._until_free())

    async def close(self) -> None:
        self._emit = None
        watch, self._watch = self._watch, None
        if watch is not None:
            watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watch
        self.holding = False

    async def _until_free(self) -> None:
        while True:
            await asyncio.sleep(self._poll)
            if await self._ask() is not True:  # free, or no longer known: let the reminder come
                self._say(False)
                self._watch = None
                return

    async def _answer(self) -> bool:
        answer = self._query()
        if inspect.isawaitable(answer):
            answer = await answer
        return bool(answer)

    async def _ask(self) -> bool | None:
        try:
            busy = await self._answer()
        except Exception as exc:
            if not self._failing:
                log.warning("%s: cannot tell whether this is a bad moment (%s)", self.name, exc)
            self._failing = True
            return None
        if self._failing:
            log.info("%s: can be asked again", self.name)
            self._failing = False
        return busy

    def _say(self, busy: bool) -> None:
        self.holding = busy
        log.info("%s: %s %s", self.name, self.reason, "now: holding reminders" if busy else "ended")
        send(self._emit, DeskEvent("hold" if busy else "release", self.name, reason=self.reason))
