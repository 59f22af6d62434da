"""sway's IPC, the little we use: a request and its reply, and a subscription to events.

The socket is $SWAYSOCK. Every message is the magic "i3-ipc", the payload's length and the message type
(both 32-bit, the host's byte order), then the payload (JSON). Replies carry the request's type; events
carry a type with the high bit set (window 0x80000003, workspace 0x80000000, shutdown 0x80000006).
sway-ipc(7) documents it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import struct
from typing import Any

MAGIC = b"i3-ipc"
HEADER = struct.Struct("=6sII")

GET_WORKSPACES = 1
SUBSCRIBE = 2
GET_TREE = 4
GET_VERSION = 7

EVENT = 0x80000000
WORKSPACE_EVENT = EVENT | 0
WINDOW_EVENT = EVENT | 3
SHUTDOWN_EVENT = EVENT | 6

TIMEOUT = 2.0  # seconds for a reply; sway answers in milliseconds


class SwayIpcError(Exception):
    """No sway here, or its socket said something we cannot read."""


def socket_path() -> str:
    path = os.environ.get("SWAYSOCK", "")
    if not path:
        raise SwayIpcError("this is not a sway session (SWAYSOCK is not set)")
    return path


class SwayConnection:
    """One connection to sway's IPC socket."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    @classmethod
    async def open(cls, path: str | None = None) -> SwayConnection:
        where = path or socket_path()
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_unix_connection(where), TIMEOUT)
        except (OSError, asyncio.TimeoutError) as exc:
            raise SwayIpcError(f"sway's IPC socket {where} does not answer ({exc or 'no answer'})") from None
        return cls(reader, writer)

    async def request(self, kind: int, payload: str = "") -> Any:
        """Send a request and return its reply (parsed JSON). Only for connections without events."""
        self.send(kind, payload)
        reply_kind, reply = await asyncio.wait_for(self.receive(), TIMEOUT)
        if reply_kind != kind:
            raise SwayIpcError(f"sway answered message type {reply_kind} to a request of type {kind}")
        return reply

    def send(self, kind: int, payload: str = "") -> None:
        data = payload.encode()
        self._writer.write(HEADER.pack(MAGIC, len(data), kind) + data)

    async def receive(self) -> tuple[int, Any]:
        """The next message: (type, parsed JSON). Raises SwayIpcError when sway closed the socket."""
        try:
            header = await self._reader.readexactly(HEADER.size)
            magic, length, kind = HEADER.unpack(header)
            if magic != MAGIC:
                raise SwayIpcError("sway's IPC socket sent something that is not an IPC message")
            payload = await self._reader.readexactly(length)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            raise SwayIpcError(f"sway closed its IPC socket ({exc})") from None
        try:
            return kind, json.loads(payload)
        except ValueError:
            raise SwayIpcError(f"sway sent a message of type {kind} that is not JSON") from None

    async def close(self) -> None:
        self._writer.close()
        with contextlib.suppress(OSError):
            await self._writer.wait_closed()
