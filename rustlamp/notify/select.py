"""Choose the best notifier this desktop offers: desktop-notifier, then plyer, then only the log."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from rustlamp.notify.base import ActionHandler, Message, Notifier, NotifierStatus

log = logging.getLogger("rustlamp.notify")

if sys.platform.startswith("linux"):
    NO_SERVICE_DETAIL = (
        "No notification service answered, so reminders only go to the log: start a notification "
        "daemon such as dunst, or your desktop's own; check that DBUS_SESSION_BUS_ADDRESS is set."
    )
else:
    NO_SERVICE_DETAIL = (
        "No notification service answered, so reminders only go to the log: check that notifications "
        "are allowed for this app in the system settings."
    )


class NullNotifier:
    """Shows nothing: writes each message to the log so a reminder is never silently lost."""

    backend: str = "none"

    def __init__(self, detail: str = NO_SERVICE_DETAIL) -> None:
        self._detail = detail

    async def start(self) -> NotifierStatus:
        return NotifierStatus(False, self.backend, self._detail)

    async def show(self, message: Message) -> str | None:
        log.info("Notification (nothing can show it): %s: %s", message.title, message.body)
        return None

    async def withdraw(self, shown: str) -> None:
        pass

    async def close(self) -> None:
        pass


NOTIFICATION_LAMP = "waiting"  # the lamp as it looks when a rest is due
NOTIFICATION_ICON_SIZE = 128


async def choose_notifier(
    app_name: str, on_action: ActionHandler, icon: Path | None = None
) -> tuple[Notifier, NotifierStatus]:
    """Start the first notifier that works here; never raises.

    The returned notifier is started (close() it when done). Its status says what works, or, for the
    NullNotifier, what is missing and what to do. `icon` defaults to the lamp, waiting: every
    notification carries it (the servers show it beside the text, or in their list).
    """
    balloon_icon = icon  # Windows' balloon (plyer) takes .ico files only, and raises on a PNG
    if icon is None:
        from rustlamp.tray.icons import ico_path, png_path

        icon = png_path(NOTIFICATION_LAMP, NOTIFICATION_ICON_SIZE)
        balloon_icon = ico_path(NOTIFICATION_LAMP) if sys.platform == "win32" else icon
    tried: list[NotifierStatus] = []
    ask_plyer = True

    # Imported here so that a desktop without desktop-notifier still gets plyer or the log.
    try:
        from rustlamp.notify.desktop import DesktopNotifierBackend
    except ImportError as exc:
        tried.append(NotifierStatus(False, "desktop-notifier", f"desktop-notifier is not installed ({exc})."))
    else:
        desktop = DesktopNotifierBackend(app_name, on_action, icon)
        status = await desktop.start()
        if status.ok:
            return desktop, status
        await desktop.close()
        tried.append(status)
        # plyer would ask the same D-Bus service, which just did not answer: asking again would only
        # double the wait on a bus where it hangs.
        ask_plyer = desktop.no_service_reason is None

    if ask_plyer:
        from rustlamp.notify.plyer_backend import PlyerBackend

        fallback = PlyerBackend(app_name, on_action, balloon_icon)
        status = await fallback.start()
        if status.ok:
            log.info("Using plyer: %s", tried[0].detail)
            return fallback, status
        await fallback.close()
        tried.append(status)

    for failed in tried:
        log.info("%s: %s", failed.backend, failed.detail)
    null = NullNotifier()
    return null, await null.start()
