"""Screen lock from the desktop's screensaver service, on the D-Bus session bus.

`ActiveChanged(b)` of org.freedesktop.ScreenSaver (KDE Plasma, Xfce's xfce4-screensaver, LXQt, ...) and of
org.gnome.ScreenSaver (GNOME Shell): true → "lock", false → "unlock", with the source
"freedesktop-screensaver" or "gnome-screensaver". "Active" means the screensaver or lock screen is up;
where locking is switched off that is a blanked screen rather than a locked one, but either way nobody is
looking, which is what the core wants to know.

Only names that have an owner get a match rule; NameOwnerChanged tells us when one starts later (a
screensaver started after us at login) or goes away. A screensaver that goes away while active cannot
say "inactive" any more, so that counts as "unlock" (an X11 locker that dies leaves the screen open).
On GNOME, org.freedesktop.ScreenSaver is often gsd-screensaver-proxy, which only passes inhibitions on
and never sends ActiveChanged; the org.gnome name reports there instead.

Events come only on a change, per source; duplicates across sources and with logind are fine: the core
treats a second "lock" while locked as nothing. When a screensaver is already active at start (or when it
appears), one "lock" comes at once. No polling: between signals nothing runs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from dbus_fast import BusType, Message

from rustlamp.desk.dbus_call import CallFailed
from rustlamp.desk.logind import BusWatcher

log = logging.getLogger("rustlamp.desk")


@dataclass(frozen=True)
class ScreenSaver:
    bus_name: str
    path: str  # where GetActive is asked; ActiveChanged is taken from any path (KDE has two)
    interface: str
    source: str  # DeskEvent.source


SCREENSAVERS = (
    ScreenSaver(
        "org.freedesktop.ScreenSaver",
        "/org/freedesktop/ScreenSaver",
        "org.freedesktop.ScreenSaver",
        "freedesktop-screensaver",
    ),
    ScreenSaver(
        "org.gnome.ScreenSaver",
        "/org/gnome/ScreenSaver",
        "org.gnome.ScreenSaver",
        "gnome-screensaver",
    ),
)


class ScreenSaverWatcher(BusWatcher):
    """DeskWatcher for "lock"/"unlock" from screensaver services; see the module docstring.

    `bus_address` overrides the session bus (else $DBUS_SESSION_BUS_ADDRESS). `subscribed` holds the bus
    names whose ActiveChanged we listen to (those that had an owner at some point since start)."""

    name = "screensaver"
    followed = "the screensaver"
    bus_type = BusType.SESSION
    bus_label = "session"

    def __init__(
        self, bus_address: str | None = None, screensavers: tuple[ScreenSaver, ...] = SCREENSAVERS
    ) -> None:
        super().__init__(bus_address)
        self.screensavers = screensavers
        self.subscribed: set[str] = set()
        self._active: dict[str, bool] = {}  # source -> active
        self._news: dict[str, int] = {}  # source -> ActiveChanged seen; see _read_active

    def _forget(self) -> None:
        self.subscribed = set()
        self._active = {}
        self._news = {}

    async def _start(self) -> str | None:
        problem = await self._connect()
        if problem is not None:
            return f"{problem}, so the screensaver is not followed"
        present = []
        for saver in self.screensavers:
            if await self._follow(saver.bus_name):
                present.append(saver.bus_name)
                await self._appeared(saver)
        names = " nor ".join(s.bus_name for s in self.screensavers)
        if not present:
            self.note = f"neither {names} is on the session bus yet; it is followed when one starts"
            log.debug("screensaver: %s", self.note)  # `note` is logged by the caller
        else:
            log.info("screensaver: following %s", ", ".join(present))
        return None

    async def _appeared(self, saver: ScreenSaver) -> None:
        """A screensaver has an owner: listen to it (once) and read whether it is active now."""
        if saver.bus_name not in self.subscribed:
            self.subscribed.add(saver.bus_name)
            await self._add_match(
                f"type='signal',sender='{saver.bus_name}',interface='{saver.interface}',member='ActiveChanged'"
            )
        await self._read_active(saver)

    async def _read_active(self, saver: ScreenSaver) -> None:
        owner = self.owner(saver.bus_name)
        if not owner:
            return
        news = self._news.get(saver.source, 0)
        try:
            (active,) = await self._call(owner, saver.path, saver.interface, "GetActive")
        except (CallFailed, ValueError) as exc:  # gsd-screensaver-proxy has no GetActive, for one
            log.debug("screensaver: %s cannot say whether it is active: %s", saver.bus_name, exc)
            return
        # An ActiveChanged handled while we waited is newer than this answer; so is a new owner.
        if self._news.get(saver.source, 0) == news and self.owner(saver.bus_name) == owner:
            self._set_active(saver, bool(active))

    def _owner_changed(self, name: str, new_owner: str) -> None:
        for saver in self.screensavers:
            if saver.bus_name != name:
                continue
            self._news[saver.source] = self._news.get(saver.source, 0) + 1
            if self._active.get(saver.source, False):
                log.info("screensaver: %s went away while active; the screen counts as unlocked", name)
                self._set_active(saver, False)
            if new_owner:
                log.info("screensaver: %s is on the session bus", name)
                self._later(self._appeared(saver))

    def _on_signal(self, message: Message) -> None:
        if message.member != "ActiveChanged" or message.signature != "b" or not message.sender:
            return
        for saver in self.screensavers:
            if message.interface == saver.interface and message.sender == self.owner(saver.bus_name):
                self._news[saver.source] = self._news.get(saver.source, 0) + 1
                self._set_active(saver, bool(message.body[0]))

    def _set_active(self, saver: ScreenSaver, active: bool) -> None:
        if active != self._active.get(saver.source, False):
            self._active[saver.source] = active
            self._emit("lock" if active else "unlock", saver.source)
