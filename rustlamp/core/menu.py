"""What the tray shows: the lamp's look, the menu and the tooltip, as plain values built from the state.

Pure, so every label can be tested without a panel; the tray backends only draw what this returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from rustlamp.core.commands import (
    ABOUT_KEY,
    AUTOSTART_KEY,
    BREAK_KEY,
    CHECKIN_KEY,
    QUIT_KEY,
    RESUME_KEY,
    SETTINGS_KEY,
    WEEK_KEY,
    pause_key,
    snooze_key,
)
from rustlamp.core.texts import at_moment, human_duration, text, until_moment

WARMTH_LEVELS = 5  # 0 (just rested) .. 4 (a full `every` or more since the last rest)
PAUSE_CHOICES = (timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2))

LampState = Literal["calm", "waiting", "paused"]


@dataclass(frozen=True)
class Lamp:
    """How the lamp looks: calm (warming slowly with time since the last rest), waiting or paused."""

    state: LampState
    warmth: int = 0  # only for "calm"

    @property
    def icon(self) -> str:
        """The name of the prepared icon, e.g. 'calm-2', 'waiting', 'paused'."""
        return f"calm-{self.warmth}" if self.state == "calm" else self.state


@dataclass(frozen=True)
class MenuItem:
    id: str  # what the handler receives; "" for a separator or a submenu's own row
    label: str = ""
    enabled: bool = True
    children: tuple[MenuItem, ...] = ()
    separator: bool = False
    checked: bool | None = None  # a check item's state; None: not a check item


SEPARATOR = MenuItem("", separator=True)


@dataclass(frozen=True)
class Tooltip:
    title: str
    body: str


@dataclass(frozen=True)
class TrayView:
    """Everything the tray's look depends on."""

    language: str
    now: datetime
    last_rest: datetime
    every: timedelta
    next_reminder: datetime | None
    snoozed_until: datetime | None
    paused_until: datetime | None
    waiting: bool  # a reminder was shown and nobody has answered it yet
    snooze_choices: tuple[timedelta, ...]
    journal_kept: bool = True  # "This week" needs a journal to look back on
    autostart: bool | None = None  # starts at login; None: no such choice here (the item is left out)
    in_call: bool = False  # reminders are held because the microphone or a camera is in use


def warmth(view: TrayView) -> int:
    """0..4: how far the time since the last rest has come towards `every`."""
    elapsed = view.now - view.last_rest
    if elapsed <= timedelta(0):
        return 0
    return min(WARMTH_LEVELS - 1, int(elapsed / view.every * (WARMTH_LEVELS - 1)))


def next_warmth_change(view: TrayView) -> datetime | None:
    """When the lamp next warms a step, so the runtime can wake for it (planned, never polled)."""
    level = warmth(view)
    if level >= WARMTH_LEVELS - 1 or view.paused_until is not None:
        return None
    return view.last_rest + view.every * (level + 1) / (WARMTH_LEVELS - 1)


def lamp(view: TrayView) -> Lamp:
    if view.paused_until is not None:
        return Lamp("paused")
    if view.waiting:
        return Lamp("waiting")
    return Lamp("calm", warmth(view))


def status_line(view: TrayView) -> str:
    lang, now = view.language, view.now
    if view.paused_until is not None:
        return text(lang, "status_paused", until=until_moment(lang, view.paused_until, now))
    if view.in_call:
        return text(lang, "status_held_call")
    if view.snoozed_until is not None:
        return text(lang, "status_snoozed", until=until_moment(lang, view.snoozed_until, now))
    if view.next_reminder is not None:
        return text(lang, "status_next", at=at_moment(lang, view.next_reminder, now))
    return text(lang, "status_none")


def tooltip(view: TrayView) -> Tooltip:
    return Tooltip("rustlamp", status_line(view))


def menu(view: TrayView) -> tuple[MenuItem, ...]:
    lang = view.language
    paused = view.paused_until is not None
    snooze_items = (
        *(MenuItem(snooze_key(choice), human_duration(lang, choice)) for choice in view.snooze_choices),
        MenuItem(snooze_key(None), text(lang, "menu_rest_of_today")),
    )
    if paused:
        pause_entry = MenuItem(RESUME_KEY, text(lang, "menu_resume"))
    else:
        pause_items = tuple(
            MenuItem(pause_key(choice), human_duration(lang, choice)) for choice in PAUSE_CHOICES
        )
        pause_entry = MenuItem(
            "",
            text(lang, "menu_pause"),
            children=(*pause_items, MenuItem(pause_key(None), text(lang, "menu_until_tomorrow"))),
        )
    autostart = (
        (MenuItem(AUTOSTART_KEY, text(lang, "menu_autostart"), checked=view.autostart),)
        if view.autostart is not None
        else ()
    )
    return (
        MenuItem("", status_line(view), enabled=False),
        SEPARATOR,
        MenuItem(BREAK_KEY, text(lang, "menu_break")),
        MenuItem(CHECKIN_KEY, text(lang, "menu_checkin")),
        MenuItem(WEEK_KEY, text(lang, "menu_week"), enabled=view.journal_kept),
        MenuItem("", text(lang, "menu_snooze"), enabled=not paused, children=snooze_items),
        pause_entry,
        SEPARATOR,
        MenuItem(SETTINGS_KEY, text(lang, "menu_settings")),
        *autostart,
        MenuItem(ABOUT_KEY, text(lang, "menu_about")),
        MenuItem(QUIT_KEY, text(lang, "menu_quit")),
    )
