"""One D-Bus method call for every desk watcher: a bounded wait, and every way it can go wrong turned into
CallFailed (dbus-fast returns error replies instead of raising them), plus a bounded disconnect."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

from dbus_fast import Message, MessageFlag, MessageType
from dbus_fast.aio import MessageBus

CALL_TIMEOUT = 2.0  # seconds; a desktop service answers in milliseconds


class CallFailed(Exception):
    """A D-Bus call got an error reply or no reply in time. `error_name` is the D-Bus error, if any."""

    def __init__(self, message: str, error_name: str = "") -> None:
        super().__init__(message)
        self.error_name = error_name


async def call(
    bus: MessageBus | None,
    destination: str,
    path: str,
    interface: str,
    member: str,
    signature: str = "",
    body: Sequence[Any] = (),
    *,
    autostart: bool = True,
) -> list[Any]:
    """The reply's body; CallFailed when there is no bus, no answer in time, or an error reply.
    `autostart=False`: never start a service just to ask it."""
    if bus is None:
        raise CallFailed(f"{member}: not connected")
    message = Message(
        destination=destination,
        path=path,
        interface=interface,
        member=member,
        signature=signature,
        body=list(body),
        flags=MessageFlag.NONE if autostart else MessageFlag.NO_AUTOSTART,
    )
    try:
        reply = await asyncio.wait_for(bus.call(message), CALL_TIMEOUT)
    except asyncio.TimeoutError:
        raise CallFailed(f"{member}: no answer within {CALL_TIMEOUT:g} s") from None
    except Exception as exc:  # the connection went away, say
        raise CallFailed(f"{member}: {exc}") from exc
    if reply is None:
        raise CallFailed(f"{member}: no reply")
    if reply.message_type == MessageType.ERROR:
        text = reply.body[0] if reply.body and isinstance(reply.body[0], str) else ""
        raise CallFailed(f"{member}: {reply.error_name}: {text}".rstrip(": "), reply.error_name or "")
    return list(reply.body)


async def disconnect(bus: MessageBus) -> None:
    """Let go of the bus, waiting a moment at most for it to close."""
    bus.disconnect()
    with contextlib.suppress(Exception):
        await asyncio.wait_for(bus.wait_for_disconnect(), CALL_TIMEOUT)  # type: ignore[no-untyped-call]
