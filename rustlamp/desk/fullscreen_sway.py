"""A fullscreen window on sway, followed through sway's IPC (see sway_ipc.py): reminders are held while
the focused window is fullscreen, as on X11 (fullscreen_x11.py), where a film or a presentation is.

sway sends an event when a window changes (focus, fullscreen, closing, moving) and when a workspace
does; only then is the tree read again and the focused window's path looked at. Between events the
connection is silent and the loop sleeps on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from rustlamp.desk.base import DeskEvent, Emit, send
from rustlamp.desk.sway_ipc import (
    GET_TREE,
    SHUTDOWN_EVENT,
    SUBSCRIBE,
    SwayConnection,
    SwayIpcError,
)

log = logging.getLogger("rustlamp.desk")

NAME = "sway-fullscreen"
REASON = "fullscreen"


def focused_is_fullscreen(tree: Any) -> bool:
    """Whether the focused node, or a container around it, is fullscreen (on its output or globally).
    Workspaces always say fullscreen_mode 1 (as i3 does): only windows and their containers count."""

    def walk(node: Any, fullscreen_above: bool) -> bool | None:
        window = node.get("type") in ("con", "floating_con")
        here = fullscreen_above or (window and bool(node.get("fullscreen_mode", 0)))
        if node.get("focused"):
            return here
        for child in [*node.get("nodes", []), *node.get("floating_nodes", [])]:
            found = walk(child, here)
            if found is not None:
                return found
        return None

    return bool(walk(tree, False))


class SwayFullscreenWatcher:
    """Holds while sway's focused window is fullscreen; see the module docstring."""

    name = NAME

    def __init__(self, socket: str | None = None) -> None:
        self._socket = socket
        self._events: SwayConnection | None = None
        self._queries: SwayConnection | None = None
        self._emit: Emit | None = None
        self._task: asyncio.Task[None] | None = None
        self.holding = False

    async def start(self, emit: Emit) -> str | None:
        await self.close()
        try:
            self._events = await SwayConnection.open(self._socket)
            self._queries = await SwayConnection.open(self._socket)
            reply = await self._events.request(SUBSCRIBE, json.dumps(["window", "workspace", "shutdown"]))
            if not reply.get("success"):
                raise SwayIpcError(f"sway refused the subscription ({reply})")
            busy = focused_is_fullscreen(await self._queries.request(GET_TREE))
        except (SwayIpcError, asyncio.TimeoutError, AttributeError) as exc:
            await self.close()
            return str(exc) or "sway did not answer"
        self._emit = emit
        self._set(busy)
        self._task = asyncio.get_running_loop().create_task(self._follow())
        return None

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._emit = None
        self.holding = False
        for connection in (self._events, self._queries):
            if connection is not None:
                await connection.close()
        self._events = self._queries = None

    async def _follow(self) -> None:
        events, queries = self._events, self._queries
        assert events is not None and queries is not None
        try:
            while True:
                kind, _ = await events.receive()
                if kind == SHUTDOWN_EVENT:
                    raise SwayIpcError("sway is shutting down")
                self._set(focused_is_fullscreen(await queries.request(GET_TREE)))
        except (SwayIpcError, asyncio.TimeoutError) as exc:
            log.warning("%s: %s; no longer watching", NAME, exc)
            self._set(False)  # nothing known any more: never keep a reminder back for it

    def _set(self, busy: bool) -> None:
        if busy == self.holding:
            return
        self.holding = busy
        if busy:
            log.info("%s: the focused window is fullscreen: holding reminders", NAME)
        else:
            log.info("%s: no fullscreen window has the focus any more: releasing reminders", NAME)
        send(self._emit, DeskEvent("hold" if busy else "release", NAME, reason=REASON))
