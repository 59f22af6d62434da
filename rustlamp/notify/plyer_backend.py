"""The fallback notifier: plyer shows a title and a body, with no buttons and no clicks."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import sys
import warnings
from pathlib import Path

from rustlamp.notify.base import ActionHandler, Message, NotifierStatus
from rustlamp.notify.markup import escape_text

log = logging.getLogger("rustlamp.notify")

BACKEND = "plyer"


def _plyer_implementation() -> str:
    """The name of plyer's notification class for this platform.

    plyer picks it on first use and, when that fails, prints a traceback and quietly falls back to a
    facade whose notify() raises NotImplementedError; catch both the noise and that fallback here.
    """
    noise = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stderr(noise):
        warnings.simplefilter("always")
        from plyer import notification
        from plyer.facades import Notification as Facade

        implementation: type = notification.__class__  # resolves plyer's lazy proxy
    for warning in caught:
        log.debug("plyer: %s", warning.message)
    if noise.getvalue():
        log.debug("plyer: %s", noise.getvalue().strip())
    if implementation is Facade:
        # plyer's last word says why, e.g. "notify-send not found."
        reasons = [str(w.message) for w in caught] + noise.getvalue().strip().splitlines()
        raise NotImplementedError(reasons[-1] if reasons else "no implementation for this platform")
    return implementation.__name__


BALLOON_TITLE = 63  # UTF-16 units, without the closing NUL
BALLOON_TEXT = 255


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` UTF-16 units, ending in an ellipsis when it was cut."""

    def units(part: str) -> int:
        return len(part.encode("utf-16-le")) // 2

    if units(text) <= limit:
        return text
    while units(text) > limit - 1:
        text = text[:-1]
    return text.rstrip() + "…"


class PlyerBackend:
    """A Notifier through plyer, for when desktop-notifier cannot start."""

    backend: str = BACKEND

    def __init__(self, app_name: str, on_action: ActionHandler, icon: Path | None = None) -> None:
        self._app_name = app_name
        self._on_action = on_action  # kept for the interface: plyer never reports anything back
        self._icon = icon
        self._ready = False
        self._escape_body = False

    async def start(self) -> NotifierStatus:
        self._ready = False
        try:
            implementation = _plyer_implementation()
        except (ImportError, NotImplementedError) as exc:
            return NotifierStatus(False, BACKEND, f"plyer cannot show notifications here ({exc}).")
        except Exception as exc:  # start() reports, it never raises
            log.warning("plyer could not start", exc_info=True)
            return NotifierStatus(False, BACKEND, f"plyer could not start: {exc}.")

        if sys.platform.startswith("linux"):
            # On Linux plyer talks to the same D-Bus service (directly or through notify-send), so it
            # is only worth choosing when that service answers; its capabilities also tell whether
            # the body is read as markup.
            from rustlamp.notify.desktop import ProbeError, probe_freedesktop_server

            try:
                info = await probe_freedesktop_server()
            except ProbeError as exc:
                return NotifierStatus(
                    False, BACKEND, f"No notification service answered on the D-Bus session bus ({exc})."
                )
            from rustlamp.notify.markup import may_read_markup

            self._escape_body = may_read_markup(info.name, info.capabilities, info.pid)

        self._ready = True
        return NotifierStatus(
            True,
            BACKEND,
            f"Notifications go through plyer ({implementation}), which shows text only: "
            "buttons and clicks on notifications are unavailable.",
        )

    async def show(self, message: Message) -> str | None:
        if not self._ready:
            log.warning("Not shown, the notifier is not started: %s", message.title)
            return None
        if message.buttons or message.click_key:
            log.debug("plyer cannot show buttons or report clicks; showing %r as text", message.title)
        body = escape_text(message.body) if self._escape_body else message.body
        title = message.title
        if sys.platform == "win32":
            # a balloon holds 63 characters of title and 255 of text (NOTIFYICONDATAW); plyer raises
            # on more, in a thread of its own, and nothing is shown
            title, body = clip(title, BALLOON_TITLE), clip(body, BALLOON_TEXT)
        try:
            from plyer import notification

            # plyer blocks (on Linux it may run notify-send), so keep it off the event loop.
            await asyncio.to_thread(
                notification.notify,
                title=title,
                message=body,
                app_name=self._app_name,
                app_icon=str(self._icon) if self._icon else "",
            )
        except Exception:
            log.exception("Could not show the notification %r through plyer", message.title)
        return None  # plyer gives no handle: what it shows cannot be withdrawn

    async def withdraw(self, shown: str) -> None:
        """plyer cannot take a notification back; the service's own timeout closes it."""

    async def close(self) -> None:
        self._ready = False
