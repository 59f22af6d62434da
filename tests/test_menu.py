"""The tray's look as plain values: the menu, the tooltip and the lamp, in Dutch and English."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rustlamp.core.commands import ToggleAutostart, command_from_key
from rustlamp.core.menu import (
    PAUSE_CHOICES,
    WARMTH_LEVELS,
    Lamp,
    MenuItem,
    TrayView,
    lamp,
    menu,
    next_warmth_change,
    tooltip,
    warmth,
)

pytestmark = pytest.mark.windows

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 25, 14, 0, tzinfo=AMS)
EVERY = timedelta(minutes=45)


def view(**changes: object) -> TrayView:
    base: dict[str, object] = {
        "language": "en",
        "now": NOW,
        "last_rest": NOW - timedelta(minutes=10),
        "every": EVERY,
        "next_reminder": NOW + timedelta(minutes=35),
        "snoozed_until": None,
        "paused_until": None,
        "waiting": False,
        "snooze_choices": (timedelta(minutes=10), timedelta(hours=1)),
    }
    base.update(changes)
    return TrayView(**base)  # type: ignore[arg-type]


def labels(items: tuple[MenuItem, ...]) -> list[str]:
    return [item.label for item in items if not item.separator]


def find(items: tuple[MenuItem, ...], label: str) -> MenuItem:
    return next(item for item in items if item.label == label)


def leaves(items: tuple[MenuItem, ...]) -> list[MenuItem]:
    found: list[MenuItem] = []
    for item in items:
        found += leaves(item.children) if item.children else [item] if item.id else []
    return found


def test_the_english_menu() -> None:
    items = menu(view())
    assert labels(items) == [
        "Next reminder at 14:35",
        "Take a break now",
        "Check in…",
        "This week…",
        "Later",
        "Pause reminders",
        "Settings…",
        "About rustlamp",
        "Quit",
    ]
    assert not items[0].enabled  # the status line is information, not a button
    assert find(items, "Check in…").enabled and find(items, "This week…").enabled
    assert labels(find(items, "Later").children) == ["10 min", "1 hour", "No more today"]
    assert labels(find(items, "Pause reminders").children) == [
        "30 min",
        "1 hour",
        "2 hours",
        "Until tomorrow",
    ]


def test_the_dutch_menu() -> None:
    items = menu(view(language="nl"))
    assert labels(items) == [
        "Volgende herinnering om 14:35",
        "Nu even pauze",
        "Even inchecken…",
        "Deze week…",
        "Straks",
        "Even geen herinneringen",
        "Instellingen…",
        "Over rustlamp",
        "Afsluiten",
    ]
    assert labels(find(items, "Straks").children) == ["10 min", "1 uur", "Vandaag niet meer"]
    assert labels(find(items, "Even geen herinneringen").children) == [
        "30 min",
        "1 uur",
        "2 uur",
        "Tot morgen",
    ]


def test_the_dutch_menu_while_paused_offers_resume_and_no_snooze() -> None:
    items = menu(view(language="nl", paused_until=NOW + timedelta(hours=1)))
    assert labels(items)[0] == "Geen herinneringen tot 15:00"
    resume = find(items, "Herinneringen weer aan")
    assert resume.id == "resume" and not resume.children
    assert not find(items, "Straks").enabled
    paused = tooltip(view(language="nl", paused_until=NOW + timedelta(hours=1))).body
    assert paused == "Geen herinneringen tot 15:00"


def test_without_a_journal_there_is_no_week_to_look_back_on_but_a_check_in_still_is() -> None:
    items = menu(view(journal_kept=False))
    assert not find(items, "This week…").enabled
    assert find(items, "Check in…").enabled


def test_start_at_login_is_a_check_item_after_open_settings() -> None:
    for on in (True, False):
        items = menu(view(autostart=on))
        assert labels(items)[-4:] == ["Settings…", "Start at login", "About rustlamp", "Quit"]
        item = find(items, "Start at login")
        assert (item.id, item.checked, item.enabled, item.children) == ("autostart", on, True, ())
    dutch = menu(view(language="nl", autostart=True))
    assert labels(dutch)[-4:] == ["Instellingen…", "Starten bij inloggen", "Over rustlamp", "Afsluiten"]
    assert find(dutch, "Starten bij inloggen").checked is True


def test_where_starting_at_login_cannot_work_the_item_is_left_out() -> None:
    items = menu(view())  # autostart=None, the default
    assert "Start at login" not in labels(items)
    assert all(item.checked is None for item in items), "no other item is a check item"
    assert "Starten bij inloggen" not in labels(menu(view(language="nl", autostart=None)))


def test_during_a_call_the_status_line_says_reminders_wait_unless_paused() -> None:
    assert labels(menu(view(in_call=True)))[0] == "Reminders wait until your call is over"
    assert tooltip(view(in_call=True, snoozed_until=NOW + timedelta(minutes=10))).body == (
        "Reminders wait until your call is over"
    )
    assert labels(menu(view(language="nl", in_call=True)))[0] == "Herinneringen wachten tot na je gesprek"
    # a pause is the person's own choice and says more: it stays on the line
    paused = menu(view(in_call=True, paused_until=NOW + timedelta(hours=1)))
    assert labels(paused)[0] == "Reminders paused until 15:00"
    assert labels(menu(view(in_call=False)))[0] == "Next reminder at 14:35"


def test_times_on_another_day_say_so() -> None:
    tomorrow = view(snoozed_until=datetime(2026, 11, 26, 9, 45, tzinfo=AMS))
    assert tooltip(tomorrow).body == "Snoozed until 09:45 tomorrow"
    assert tooltip(replace(tomorrow, language="nl")).body == "Uitgesteld tot morgen 09:45"
    next_tomorrow = view(next_reminder=datetime(2026, 11, 26, 9, 45, tzinfo=AMS))
    assert tooltip(next_tomorrow).body == "Next reminder tomorrow at 09:45"
    assert tooltip(replace(next_tomorrow, language="nl")).body == "Volgende herinnering morgen om 09:45"
    later = view(language="nl", next_reminder=datetime(2026, 11, 30, 9, 45, tzinfo=AMS))
    assert tooltip(later).body == "Volgende herinnering ma 30 nov om 09:45"
    assert tooltip(replace(later, language="en")).body == "Next reminder on Mon 30 Nov at 09:45"
    paused = view(paused_until=datetime(2026, 11, 30, 9, 45, tzinfo=AMS))
    assert tooltip(paused).body == "Reminders paused until Mon 30 Nov, 09:45"
    assert tooltip(replace(paused, language="nl")).body == "Geen herinneringen tot ma 30 nov 09:45"
    assert tooltip(view(next_reminder=None)).body == "No reminders planned"


def test_every_menu_leaf_is_a_command_the_app_understands() -> None:
    for paused in (None, NOW + timedelta(hours=1)):
        for item in leaves(menu(view(paused_until=paused, autostart=False))):
            assert command_from_key(item.id, "tray") is not None, item
    assert command_from_key("autostart", "tray") == ToggleAutostart("tray")


def test_the_lamp_shows_paused_then_waiting_then_warmth() -> None:
    assert lamp(view(paused_until=NOW + timedelta(hours=1), waiting=True)) == Lamp("paused")
    assert lamp(view(waiting=True)) == Lamp("waiting")
    assert lamp(view(last_rest=NOW)) == Lamp("calm", 0)
    assert lamp(view(last_rest=NOW - EVERY)) == Lamp("calm", WARMTH_LEVELS - 1)
    assert Lamp("calm", 2).icon == "calm-2" and Lamp("paused").icon == "paused"


@given(st.integers(0, 3 * 24 * 3600), st.integers(10, 24 * 3600))
def test_the_lamp_warms_step_by_step_at_the_planned_moments(since_rest: int, every_s: int) -> None:
    every = timedelta(seconds=every_s)
    start = view(last_rest=NOW - timedelta(seconds=since_rest), every=every)
    level = warmth(start)
    assert 0 <= level < WARMTH_LEVELS
    change = next_warmth_change(start)
    if level == WARMTH_LEVELS - 1:
        assert change is None
        return
    assert change is not None and change > NOW
    just_before = view(last_rest=start.last_rest, every=every, now=change - timedelta(microseconds=1))
    at_change = view(last_rest=start.last_rest, every=every, now=change)
    assert warmth(just_before) == level
    assert warmth(at_change) == level + 1


@given(
    st.lists(st.integers(min_value=10, max_value=24 * 3600), min_size=1, max_size=6, unique=True),
    st.sampled_from(["nl", "en"]),
)
def test_every_duration_the_menu_shows_reads_back_as_what_it_does(seconds: list[int], language: str) -> None:
    """What the app shows is what it accepts: "1 uur 30 min" in the menu is "1 uur 30 min" in the file."""
    from rustlamp.core.commands import Pause, Snooze
    from rustlamp.core.durations import parse_duration

    choices = tuple(timedelta(seconds=s) for s in seconds)
    items = menu(view(language=language, snooze_choices=choices))
    checked = 0
    for item in leaves(items):
        command = command_from_key(item.id, "tray")
        if isinstance(command, (Snooze, Pause)) and command.delay is not None:
            assert parse_duration(item.label) == command.delay, item.label
            checked += 1
    assert checked == len(choices) + len(PAUSE_CHOICES)
