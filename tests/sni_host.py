"""Playing the panel (an SNI host) over D-Bus from a test: calls, properties, signals, the menu's rows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus
from desktop import SNI_WATCHER

ITEM = "org.kde.StatusNotifierItem"
MENU = "com.canonical.dbusmenu"
PROPERTIES = "org.freedesktop.DBus.Properties"


class Host:
    """What a panel does over D-Bus, from the test: calls, properties, and the signals it receives."""

    def __init__(self, bus: MessageBus) -> None:
        self.bus = bus
        self.signals: list[Message] = []
        bus.add_message_handler(self._collect)

    def _collect(self, message: Message) -> None:
        if message.message_type == MessageType.SIGNAL:
            self.signals.append(message)

    async def call(
        self, destination: str, path: str, interface: str, member: str, signature: str = "", body: Any = ()
    ) -> Message:
        reply = await asyncio.wait_for(
            self.bus.call(
                Message(
                    destination=destination,
                    path=path,
                    interface=interface,
                    member=member,
                    signature=signature,
                    body=list(body),
                )
            ),
            5,
        )
        assert reply is not None
        return reply

    async def ok(self, *args: Any, **kwargs: Any) -> list[Any]:
        reply = await self.call(*args, **kwargs)
        # dbus-fast returns error replies rather than raising them
        assert reply.message_type == MessageType.METHOD_RETURN, (reply.error_name, reply.body)
        return list(reply.body)

    async def prop(self, destination: str, path: str, interface: str, name: str) -> Any:
        (value,) = await self.ok(destination, path, PROPERTIES, "Get", "ss", [interface, name])
        return value.value

    async def props(self, destination: str, path: str, interface: str) -> dict[str, Any]:
        (values,) = await self.ok(destination, path, PROPERTIES, "GetAll", "s", [interface])
        return {name: variant.value for name, variant in values.items()}

    async def registered_items(self) -> list[str]:
        items = await self.prop(
            SNI_WATCHER, "/StatusNotifierWatcher", SNI_WATCHER, "RegisteredStatusNotifierItems"
        )
        return list(items)

    async def listen(self, rule: str) -> None:
        await self.ok(
            "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "AddMatch", "s", [rule]
        )

    def received(self, member: str) -> list[Message]:
        return [m for m in self.signals if m.member == member]


@asynccontextmanager
async def connected_host(address: str | None = None) -> AsyncIterator[Host]:
    """A host on the bus at `address` (default: this process's session bus)."""
    bus = await MessageBus(bus_address=address).connect()
    try:
        yield Host(bus)
    finally:
        bus.disconnect()


def flatten(node: list[Any]) -> list[tuple[int, dict[str, Any], int]]:
    """(id, properties, depth) of every row below `node`, in menu order."""
    rows: list[tuple[int, dict[str, Any], int]] = []

    def walk(children: list[Variant], depth: int) -> None:
        for child in children:
            item_id, props, grandchildren = child.value
            rows.append((item_id, {k: v.value for k, v in props.items()}, depth))
            walk(grandchildren, depth + 1)

    walk(node[2], 0)
    return rows


def id_of(rows: list[tuple[int, dict[str, Any], int]], label: str) -> int:
    return next(item_id for item_id, props, _ in rows if props.get("label") == label)
