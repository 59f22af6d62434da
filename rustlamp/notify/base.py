"""The notifier interface the rest of rustlamp speaks; no notification library is imported here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

# Called with the key of the button the person pressed, or a Message's click_key for a click on its body.
ActionHandler = Callable[[str], None]


@dataclass(frozen=True)
class Button:
    key: str  # what the handler receives, e.g. "break" or "snooze:10m"
    label: str  # what the person reads


@dataclass(frozen=True)
class Message:
    title: str
    body: str  # plain text: backends escape it, so "<b>" and "&" show literally
    buttons: tuple[Button, ...] = ()
    click_key: str | None = None  # reported when the body itself is clicked


@dataclass(frozen=True)
class NotifierStatus:
    ok: bool
    backend: str  # "desktop-notifier", "plyer", "none"
    detail: str  # one clear sentence: what works, or what is missing and what to do


class Notifier(Protocol):
    """Shows messages; reports button presses and body clicks to the handler given when it was made."""

    backend: str

    async def start(self) -> NotifierStatus:
        """Find out whether notifications can be shown here; never raises."""
        ...

    async def show(self, message: Message) -> str | None:
        """Show one message; a failure is logged, never raised. Returns what withdraw() needs to take it
        off the screen again, or None when it cannot be withdrawn (or was not shown)."""
        ...

    async def withdraw(self, shown: str) -> None:
        """Take a message show() returned `shown` for off the screen (org.freedesktop.Notifications
        CloseNotification); one already gone is no problem. A backend that cannot does nothing."""
        ...

    async def close(self) -> None:
        """Release what start() acquired."""
        ...
