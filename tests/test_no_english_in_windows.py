"""No English is left in a Dutch or German window, as a screen reader finds it: each window (break, check-in,
week, settings, the lamp's own popup menu with its submenus) opened in turn in the language, every name,
description and text on the accessibility bus (AT-SPI) collected, and none of them is one of the English
source's messages (rustlamp/locale/rustlamp.pot, a message with {fields} matched with any value in them),
unless the translation says the very same (a name like rustlamp)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from atspi import Accessibility, AccessibleApp, until, walk
from desktop import DesktopSession
from test_break_window import SNOOZES
from test_break_window import TITLES as BREAK_TITLES
from test_checkin_window import TITLES as CHECKIN_TITLES
from test_week_window import ENTRIES_JSON, TODAY
from window_driver import window_starter

from rustlamp.core.catalog import HEADER, SOURCE_LANGUAGE, catalog, placeholders, read_messages
from rustlamp.core.content import load_content
from rustlamp.core.menu import TrayView, menu
from rustlamp.core.week import week_text
from rustlamp.ui.contract import MenuRequest
from rustlamp.ui.settings_words import SETTINGS_TEXTS

pytestmark = pytest.mark.desktop

SOURCE = Path(__file__).resolve().parent.parent / "rustlamp" / "locale" / "rustlamp.pot"


def english_patterns(language: str) -> list[tuple[str, re.Pattern[str]]]:
    """(key, pattern) for every English source message that reads differently in `language`: the message
    whole, its {fields} standing for any words. Messages that are only {fields} and punctuation say nothing
    English and are left out."""
    words = catalog(language)
    found = []
    for message in read_messages(SOURCE.read_text(encoding="utf-8"), SOURCE.name):
        if message.key in (HEADER, "language.name"):  # the settings list each language in its own words
            continue
        for source in filter(None, (message.source, message.source_plural)):
            pattern = re.compile(
                "".join(".+" if part in placeholders(source) else re.escape(part) for part in _split(source)),
                re.DOTALL,
            )
            if not re.search(r"[A-Za-z]{2}", re.sub(r"\{[^{}]*\}", "", source)):
                continue
            translated = words.words[message.key]
            forms = (translated,) if isinstance(translated, str) else translated
            if any(pattern.fullmatch(form) for form in forms):
                continue  # the translation says the same here ("rustlamp", "{count} min")
            found.append((message.key, pattern))
    return found


def _split(source: str) -> list[str]:
    return [part for part in re.split(r"(\{[^{}]*\})", source) if part]


def said(app: AccessibleApp) -> set[str]:
    """Everything a screen reader can read in a window, shown or not: names, descriptions, texts."""
    return {
        words.strip()
        for node in walk(app.tree())
        for words in (node["name"], node["description"], node.get("text", ""))
        if words and words.strip()
    }


def english_in(everything: set[str], language: str) -> list[str]:
    patterns = english_patterns(language)
    return sorted(
        f"{words!r} ({key})" for words in everything for key, pattern in patterns if pattern.fullmatch(words)
    )


def the_menu(language: str) -> bytes:
    now = datetime(2026, 12, 7, 14, 0, tzinfo=timezone.utc)
    view = TrayView(
        language=language,
        now=now,
        last_rest=now - timedelta(minutes=20),
        every=timedelta(minutes=45),
        next_reminder=now + timedelta(minutes=25),
        snoozed_until=None,
        paused_until=None,
        waiting=False,
        snooze_choices=(timedelta(minutes=10), timedelta(minutes=30)),
        autostart=True,
    )
    return MenuRequest(items=menu(view), x=20, y=20, timeout=timedelta(seconds=60)).stdin()


@pytest.fixture
def windows_opened(
    accessible_desktop: DesktopSession, a11y: Accessibility, tmp_path: Path
) -> Iterator[object]:
    with window_starter(accessible_desktop) as start_window:

        def open_all(language: str) -> dict[str, set[str]]:
            python = [sys.executable, "-m", "rustlamp.ui.launch"]
            prompt = load_content(language).prompts[0]
            pace = [
                "--length",
                "120",
                "--inhale",
                "4",
                "--exhale",
                "6",
                "--prompt",
                prompt,
                "--offer-checkin",
            ]
            config = tmp_path / "config.toml"
            config.write_text(
                f'language = "{language}"\n[routines.morning]\nat = "08:00"\n', encoding="utf-8"
            )
            entries = tmp_path / "entries.json"
            entries.write_text(ENTRIES_JSON, encoding="utf-8")
            today = ["--today", TODAY.isoformat()]
            windows = {
                "break": (
                    [*python, "rustlamp.ui.break_window", "--language", language, *pace]
                    + [word for seconds in SNOOZES for word in ("--snooze", str(seconds))],
                    BREAK_TITLES[language],
                ),
                "check-in": (
                    [*python, "rustlamp.ui.checkin_window", "--language", language],
                    CHECKIN_TITLES[language],
                ),
                "week": (
                    [
                        *python,
                        "rustlamp.ui.week_window",
                        "--language",
                        language,
                        "--entries",
                        str(entries),
                        *today,
                    ],
                    week_text(language, "title"),
                ),
                "settings": (
                    [*python, "rustlamp.ui.settings_window", "--language", language, "--config", str(config)],
                    SETTINGS_TEXTS[language]["title"],
                ),
            }
            found: dict[str, set[str]] = {}
            for name, (command, title) in windows.items():
                window = start_window(command, title, focus=False)
                app = a11y.window(window.process.pid)
                until(lambda: title in said(app), f"the {name} window named {title!r} on the bus")  # noqa: B023
                found[name] = said(app)
                window.process.terminate()
                window.process.wait(timeout=30)
            a11y.ready()
            popup = subprocess.Popen(
                [*python, "rustlamp.ui.popup_menu", "--x", "20", "--y", "20", "--menu", "-"],
                env=accessible_desktop.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            try:
                assert popup.stdin is not None
                popup.stdin.write(the_menu(language))
                popup.stdin.close()
                app = a11y.window(popup.pid)
                quit_words = catalog(language).word("app.menu_quit")
                until(lambda: quit_words in said(app), f"the menu with {quit_words!r} on the bus")
                found["menu"] = said(app)
            finally:
                popup.kill()
                popup.wait(timeout=30)
            return found

        yield open_all


@pytest.mark.parametrize("language", ["nl", "de"])
def test_no_english_is_read_aloud_in_a_window(windows_opened, language: str) -> None:  # type: ignore[no-untyped-def]
    found: dict[str, set[str]] = windows_opened(language)
    words = catalog(language)
    # each window was read, in its language: its own words are there
    assert words.word("app.menu_checkin") in found["menu"]
    assert SETTINGS_TEXTS[language]["title"] in found["settings"]
    assert all(len(seen) >= 5 for seen in found.values()), {name: len(seen) for name, seen in found.items()}
    left = {name: english_in(seen, language) for name, seen in found.items()}
    assert left == {name: [] for name in found}, f"English in a {language} window"


def test_the_check_finds_english_words() -> None:
    assert english_in({"Take a break now", "Later (10 min)", "rustlamp", "Nu even pauze"}, "nl") == [
        "'Later (10 min)' (app.button_snooze)",
        "'Take a break now' (app.button_break)",
        "'Take a break now' (app.menu_break)",
    ]
    assert english_in({"Take a break now"}, SOURCE_LANGUAGE) == []
