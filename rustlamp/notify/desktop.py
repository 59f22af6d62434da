"""Native notifications with buttons and body clicks, through desktop-notifier.

On Linux that is the freedesktop.org notification service on the D-Bus session bus (dunst, GNOME Shell,
Plasma, ...); on Windows the WinRT toast center; on macOS the Notification Center (app bundles only).
"""

from __future__ import annotations

import asyncio
import logging
import platform
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_notifier import Button as DnButton
from desktop_notifier import Capability, DesktopNotifier, Icon
from desktop_notifier.main import get_backend_class

from rustlamp.notify.base import ActionHandler, Message, NotifierStatus
from rustlamp.notify.markup import escape_text

log = logging.getLogger("rustlamp.notify")

BACKEND = "desktop-notifier"
PROBE_TIMEOUT = 2.0  # seconds; a running service answers in milliseconds
SEND_TIMEOUT = 10.0
AUTHORISATION_TIMEOUT = 120.0  # macOS asks the person once; give them time to read the prompt

_SERVICE = "org.freedesktop.Notifications"
_PATH = "/org/freedesktop/Notifications"
# Action keys desktop-notifier itself uses on D-Bus; a button must not take them.
_RESERVED_KEYS = frozenset({"default", "inline-reply"})


# Windows errors that come without words (WinRT's, as Wine raises them)
_WINDOWS_ERRORS = {0x80040154: "class not registered"}


def os_error_words(exc: OSError) -> str:
    """The error as a line; a Windows error with no message of its own gets its code and, if known, a name."""
    winerror = getattr(exc, "winerror", None)
    if winerror is None or (exc.strerror or "").strip() not in ("", "<no description>"):  # ctypes' word
        return str(exc)
    code = winerror & 0xFFFFFFFF
    name = _WINDOWS_ERRORS.get(code)
    return f"Windows error 0x{code:08X}" + (f" ({name})" if name else "")


@dataclass(frozen=True)
class ServerInfo:
    """What a freedesktop.org notification service says about itself."""

    name: str
    vendor: str
    version: str
    capabilities: frozenset[str]
    pid: int | None = None  # the service's process, where the bus tells


class ProbeError(Exception):
    """No freedesktop.org notification service answered; the message says why, for a person."""


async def probe_freedesktop_server(timeout: float = PROBE_TIMEOUT) -> ServerInfo:
    """Ask the session bus's notification service for its name and capabilities.

    Raises ProbeError (never hangs longer than `timeout`) when there is no session bus, no service
    on it, or the service does not answer.
    """
    from dbus_fast import Message as DBusMessage
    from dbus_fast import MessageType
    from dbus_fast.aio import MessageBus

    bus: MessageBus | None = None

    async def call(member: str) -> list[Any]:
        assert bus is not None
        reply = await bus.call(
            DBusMessage(destination=_SERVICE, path=_PATH, interface=_SERVICE, member=member)
        )
        # dbus-fast returns error replies instead of raising them.
        if reply is None:
            raise ProbeError(f"{member} got no reply")
        if reply.message_type == MessageType.ERROR:
            text = reply.body[0] if reply.body else ""
            raise ProbeError(f"{reply.error_name}: {text}".rstrip(": "))
        return list(reply.body)

    async def ask() -> ServerInfo:
        nonlocal bus
        bus = await MessageBus().connect()
        name, vendor, version, *_ = await call("GetServerInformation")
        (capabilities,) = await call("GetCapabilities")
        return ServerInfo(
            str(name), str(vendor), str(version), frozenset(map(str, capabilities)), await pid()
        )

    async def pid() -> int | None:
        assert bus is not None
        reply = await bus.call(
            DBusMessage(
                destination="org.freedesktop.DBus",
                path="/org/freedesktop/DBus",
                interface="org.freedesktop.DBus",
                member="GetConnectionUnixProcessID",
                signature="s",
                body=[_SERVICE],
            )
        )
        if reply is None or reply.message_type == MessageType.ERROR or not reply.body:
            return None
        return int(reply.body[0])

    try:
        return await asyncio.wait_for(ask(), timeout)
    except ProbeError:
        raise
    except asyncio.TimeoutError:
        raise ProbeError(f"no answer within {timeout:g} s") from None
    except Exception as exc:  # no bus address, refused connection, bad auth, ...
        raise ProbeError(str(exc) or type(exc).__name__) from exc
    finally:
        if bus is not None:
            bus.disconnect()


def _disconnect(notifier: DesktopNotifier) -> None:
    # desktop-notifier 6.2 has no public way to close its D-Bus connection; without this each
    # start()/close() cycle would leave one open until the process ends.
    bus: Any = getattr(getattr(notifier, "_backend", None), "bus", None)
    if bus is not None:
        try:
            bus.disconnect()
        except Exception:
            log.debug("Closing desktop-notifier's D-Bus connection failed", exc_info=True)


def _service_id(notifier: DesktopNotifier, identifier: str) -> int | None:
    """The freedesktop.org service's id for desktop-notifier's `identifier` (D-Bus only; None elsewhere)."""
    ids: Any = getattr(
        getattr(notifier, "_backend", None), "_platform_to_interface_notification_identifier", None
    )
    try:
        found = ids.inverse.get(identifier) if ids is not None else None
    except Exception:
        return None
    return found if isinstance(found, int) else None


async def _close_on_the_bus(notifier: DesktopNotifier, service_id: int) -> None:
    interface: Any = getattr(getattr(notifier, "_backend", None), "interface", None)
    if interface is None:
        return
    try:
        await asyncio.wait_for(interface.call_close_notification(service_id), SEND_TIMEOUT)
    except Exception:  # closed already (the spec's error), or the service went away: gone either way
        log.debug("CloseNotification %s: already closed", service_id, exc_info=True)


class DesktopNotifierBackend:
    """The Notifier for desktops whose notification service desktop-notifier can reach."""

    backend: str = BACKEND

    def __init__(self, app_name: str, on_action: ActionHandler, icon: Path | None = None) -> None:
        self._app_name = app_name
        self._on_action = on_action
        self._icon = icon
        self._notifier: DesktopNotifier | None = None
        self._escape_body = False  # True when the service reads the body as markup
        # the service's own id of each notification we showed, for withdraw(): desktop-notifier forgets it
        # once a button was pressed, though the notification may still be on screen
        self._service_ids: dict[str, int] = {}
        # Why no freedesktop.org notification service answered, when that is why start() failed.
        self.no_service_reason: str | None = None

    async def start(self) -> NotifierStatus:
        try:
            return await self._start()
        except Exception as exc:  # start() reports, it never raises
            # the OS said no (Wine: WinRT's toasts are not registered): one line; anything else is a bug
            why = os_error_words(exc) if isinstance(exc, OSError) else str(exc)
            log.warning("desktop-notifier could not start: %s", why, exc_info=not isinstance(exc, OSError))
            await self.close()
            return NotifierStatus(False, BACKEND, f"desktop-notifier could not start: {why}.")

    async def _start(self) -> NotifierStatus:
        await self.close()
        self.no_service_reason = None
        backend_class = get_backend_class()
        if backend_class.__name__ == "DummyNotificationCenter":
            where = "outside an app bundle" if platform.system() == "Darwin" else "on this system"
            return NotifierStatus(False, BACKEND, f"desktop-notifier cannot show notifications {where}.")

        info: ServerInfo | None = None
        if backend_class.__name__ == "DBusDesktopNotifier":
            try:
                info = await probe_freedesktop_server()
            except ProbeError as exc:
                self.no_service_reason = str(exc)
                return NotifierStatus(
                    False, BACKEND, f"No notification service answered on the D-Bus session bus ({exc})."
                )
            # The spec lets a service that advertises body-markup read the body as XML-ish markup; dunst
            # may read it without saying so (rustlamp.notify.markup).
            from rustlamp.notify.markup import may_read_markup

            self._escape_body = may_read_markup(info.name, info.capabilities, info.pid)

        notifier = DesktopNotifier(
            app_name=self._app_name, app_icon=Icon(path=self._icon) if self._icon else None
        )
        try:
            if info is None and not await asyncio.wait_for(notifier.has_authorisation(), PROBE_TIMEOUT):
                granted = await asyncio.wait_for(notifier.request_authorisation(), AUTHORISATION_TIMEOUT)
                if not granted:
                    return NotifierStatus(
                        False, BACKEND, "Notifications are turned off for this app in the system settings."
                    )
            # On D-Bus this also connects and subscribes to button and click signals, so the very
            # first notification's buttons already work.
            capabilities = await asyncio.wait_for(notifier.get_capabilities(), PROBE_TIMEOUT)
        except Exception as exc:
            _disconnect(notifier)
            who = f"{info.name} answered, but" if info else "The notification center was found, but"
            reason = "it did not answer in time" if isinstance(exc, asyncio.TimeoutError) else str(exc)
            return NotifierStatus(False, BACKEND, f"{who} desktop-notifier could not use it: {reason}.")

        self._notifier = notifier
        where = f"{info.name} {info.version}".strip() if info else "the system notification center"
        if Capability.BUTTONS not in capabilities:
            how = "without buttons, which it does not offer"
        elif Capability.ON_CLICKED not in capabilities:
            how = "with buttons, but it does not report clicks on the text"
        else:
            how = "with buttons and clicks"
        return NotifierStatus(True, BACKEND, f"Notifications go to {where}, {how}.")

    def _handler(self, key: str) -> Callable[[], None]:
        def handle() -> None:
            # Runs on the asyncio loop inside desktop-notifier's signal handling: an exception here
            # must be logged, and must not reach (and stop) the loop or the D-Bus reader.
            try:
                self._on_action(key)
            except Exception:
                log.exception("The handler for notification action %r failed", key)

        return handle

    async def show(self, message: Message) -> str | None:
        notifier = self._notifier
        if notifier is None:
            log.warning("Not shown, the notifier is not started: %s", message.title)
            return None
        # Only the body may be markup (the summary is plain text by the spec).
        body = escape_text(message.body) if self._escape_body else message.body
        buttons = []
        used: set[str] = set()
        for button in message.buttons:
            if button.key in _RESERVED_KEYS or button.key in used:
                # desktop-notifier makes up a unique id; on_pressed still reports our key
                buttons.append(DnButton(title=button.label, on_pressed=self._handler(button.key)))
            else:
                # Our key as the D-Bus action key keeps what the service (and a test) sees readable.
                buttons.append(
                    DnButton(title=button.label, on_pressed=self._handler(button.key), identifier=button.key)
                )
            used.add(button.key)

        dispatched = False

        def on_dispatched() -> None:
            nonlocal dispatched
            dispatched = True

        try:
            identifier = await asyncio.wait_for(
                notifier.send(
                    title=message.title,
                    message=body,
                    buttons=buttons,
                    on_clicked=self._handler(message.click_key) if message.click_key is not None else None,
                    on_dispatched=on_dispatched,
                ),
                SEND_TIMEOUT,
            )
        except Exception:
            log.exception("Could not show the notification %r", message.title)
            return None
        if not dispatched:
            # desktop-notifier logs the cause on its own logger and carries on; say it here too.
            log.warning("The notification service did not take the notification %r", message.title)
            return None
        service_id = _service_id(notifier, identifier)
        if service_id is not None:
            self._service_ids[identifier] = service_id
            while len(self._service_ids) > 32:  # ones never withdrawn (routines, about) need not be kept
                del self._service_ids[next(iter(self._service_ids))]
        return identifier

    async def withdraw(self, shown: str) -> None:
        notifier = self._notifier
        if notifier is None:
            return
        service_id = self._service_ids.pop(shown, None)
        try:
            # CloseNotification on D-Bus. desktop-notifier forgets its id once a button was pressed (and
            # raises KeyError), so then we ask the service ourselves, with the id it gave
            await asyncio.wait_for(notifier.clear(shown), SEND_TIMEOUT)
        except KeyError:
            if service_id is not None:
                await _close_on_the_bus(notifier, service_id)
        except Exception:
            log.warning("Could not withdraw notification %s", shown, exc_info=True)

    async def close(self) -> None:
        notifier, self._notifier = self._notifier, None
        if notifier is not None:
            _disconnect(notifier)
