"""mako's do-not-disturb (sway and other wlroots desktops): mako has "modes", switched with
`makoctl mode -a do-not-disturb`, and its documentation's do-not-disturb recipe is a mode of that name
that hides notifications. While it is on, rustlamp holds its reminders rather than send ones nobody
would see.

mako 1.7 (Debian 12) says nothing when a mode changes: its D-Bus interface (fr.emersion.Mako at
/fr/emersion/Mako, on mako's org.freedesktop.Notifications connection) can only be asked (ListModes).
So it is asked when a reminder is due, and while it holds every 10 s, as asked_hold.py does for
Windows and macOS: between reminders it costs nothing.
"""

from __future__ import annotations

import asyncio

from dbus_fast.aio import MessageBus

from rustlamp.desk.asked_hold import AskedHoldWatcher
from rustlamp.desk.base import Emit
from rustlamp.desk.dbus_call import CallFailed, call, disconnect

NAME = "mako-mode"
NOTIFICATIONS = "org.freedesktop.Notifications"
MAKO = "fr.emersion.Mako"
MAKO_PATH = "/fr/emersion/Mako"
DND_MODES = ("do-not-disturb", "dnd")  # the documented name, and the short one people use
CONNECT_TIMEOUT = 2.0
NO_SERVER = ("org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner")
NOT_MAKO = (
    "org.freedesktop.DBus.Error.UnknownMethod",
    "org.freedesktop.DBus.Error.UnknownObject",
    "org.freedesktop.DBus.Error.UnknownInterface",
)


class MakoModeWatcher(AskedHoldWatcher):
    """Holds while one of mako's active modes is a do-not-disturb one; see the module docstring."""

    def __init__(self, bus_address: str | None = None) -> None:
        super().__init__(NAME, "dnd", self._dnd_now)
        self._address = bus_address
        self._bus: MessageBus | None = None

    async def start(self, emit: Emit) -> str | None:
        try:
            self._bus = await asyncio.wait_for(
                MessageBus(bus_address=self._address).connect(), CONNECT_TIMEOUT
            )
        except Exception as exc:
            return f"no D-Bus session bus could be reached ({exc or 'no answer'})"
        reason = await super().start(emit)
        if reason is not None:
            await self.close()
        return reason

    async def close(self) -> None:
        await super().close()
        bus, self._bus = self._bus, None
        if bus is not None:
            await disconnect(bus)

    async def modes(self) -> list[str]:
        try:
            (modes,) = await call(self._bus, NOTIFICATIONS, MAKO_PATH, MAKO, "ListModes", autostart=False)
        except CallFailed as exc:
            if exc.error_name in NO_SERVER:
                raise OSError("no notification server is running") from None
            if exc.error_name in NOT_MAKO:
                raise OSError("the notification server is not mako") from None
            raise OSError(str(exc)) from None
        return [str(mode) for mode in modes]

    async def _dnd_now(self) -> bool:
        return any(mode in DND_MODES for mode in await self.modes())
