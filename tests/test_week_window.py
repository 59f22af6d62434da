"""The week window as a program on the test desktop's Xvfb, run as the lamp runs it
(`python -m rustlamp.ui.week_window --language L --entries -`, the entries on stdin), found by its
title, driven with real X input (xdotool) and judged by the JSON line it prints and by screenshots.
The test desktop has no window manager: closing is the WM_DELETE_WINDOW message a window manager sends,
and "minimised" is an unmapped window."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tkinter as tk
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from desktop import DesktopSession, extra_display
from window_driver import (
    Window,
    cover_and_raise,
    minimise_and_bring_back,
    rgb,
    send_wm_delete,
    window_starter,
)

from rustlamp.core.entries import Entry
from rustlamp.core.entries_json import entries_to_json
from rustlamp.core.week import summarize_week, summary_line
from rustlamp.ui.palette import BACKGROUND
from rustlamp.ui.week_picture import REST, render_week
from rustlamp.ui.week_window import WINDOW_CLASS, Options, WeekWindow, parse_args

TITLES = {"nl": "Deze week", "en": "This week"}
TODAY = date(2024, 5, 12)
CEST = timezone(timedelta(hours=2))


def _journal() -> list[Entry]:
    def at(back: int, hour: int, minute: int = 0) -> datetime:
        day = TODAY - timedelta(days=back)
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CEST)

    journal = [
        Entry(at(back, 9 + i), "break", {"outcome": "done"}) for back in (0, 1, 3, 5) for i in range(2)
    ]
    journal += [
        Entry(at(2, 14), "break", {"outcome": "attempt"}),
        Entry(at(6, 10), "break", {"outcome": "later"}),
    ]
    journal += [
        Entry(at(1, 8, 30), "checkin", {"breath": "calm"}),
        Entry(at(3, 16), "checkin", {"breath": "hurried"}),
    ]
    journal.append(Entry(at(30, 12), "break", {"outcome": "done"}))  # long ago: not this week
    return journal


ENTRIES_JSON = json.dumps(entries_to_json(_journal()))
LINES = {
    "nl": "Deze week: 9 rustmomenten (waarvan 1 poging), 2 check-ins",
    "en": "This week: 9 rest moments (1 of them an attempt), 2 check-ins",
}


def _near(a: tuple[int, ...], b: tuple[int, ...], tolerance: int = 4) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def _command(language: str, entries: str = "-") -> list[str]:
    args = [sys.executable, "-m", "rustlamp.ui.week_window", "--language", language, "--entries", entries]
    return [*args, "--today", TODAY.isoformat()]


@pytest.fixture
def open_window(desktop: DesktopSession, tmp_path: Path) -> Iterator[Callable[..., Window]]:
    """Start week windows on the test desktop with the entries on stdin ("--entries -"), as the lamp does."""
    with window_starter(desktop) as start_window:
        count = 0

        def start(
            language: str = "nl", env: dict[str, str] | None = None, entries: str = ENTRIES_JSON
        ) -> Window:
            nonlocal count
            stdin = tmp_path / f"entries-{count}.json"
            count += 1
            stdin.write_text(entries, encoding="utf-8")
            with stdin.open() as entries_in:
                return start_window(
                    _command(language),
                    TITLES[language],
                    env,
                    stdin=entries_in,
                    preexec_fn=lambda: signal.signal(signal.SIGUSR1, signal.SIG_IGN),  # as the lamp starts it
                )

        yield start


# ----- the real window ---------------------------------------------------------------------------------


@pytest.mark.desktop
@pytest.mark.parametrize("language", ["nl", "en"])
def test_esc_closes_and_the_window_is_centred_with_its_title_class_and_picture(
    open_window: Callable[..., Window], desktop: DesktopSession, tmp_path: Path, language: str
) -> None:
    window = open_window(language)
    assert desktop.run(["xdotool", "getwindowname", window.id]).stdout.strip() == TITLES[language]
    assert window.id in desktop.run(["xdotool", "search", "--class", WINDOW_CLASS]).stdout.split()
    x, y, width, height = window.geometry()
    screen_width, screen_height = (int(v) for v in desktop.screen.split("x")[:2])
    assert abs(x + width / 2 - screen_width / 2) <= 1 and abs(y + height / 2 - screen_height / 2) <= 1
    # About the picture's width (Xvfb says ~100 dpi, a little over 96) and not much taller than it.
    picture = render_week(summarize_week(_journal(), TODAY), language, caption=False)
    assert picture.width <= width <= picture.width + 60 and picture.height < height < picture.height + 160
    # On screen: the cream window with the week's dusk-blue dots in it.
    shot = window.shot(tmp_path / f"week-{language}.png")
    colours = {colour for _, colour in shot.getcolors(maxcolors=1 << 24) or []}
    assert rgb(BACKGROUND) in colours
    assert any(_near(colour, rgb(REST)) for colour in colours), "no rest dot on screen"
    window.key("Escape")
    assert window.result() == {"outcome": "closed"}


@pytest.mark.desktop
@pytest.mark.parametrize("keys", [["Return"], ["KP_Enter"], ["space"]])
def test_enter_or_the_close_button_closes(open_window: Callable[..., Window], keys: list[str]) -> None:
    window = open_window("en")
    window.key(*keys)  # space presses the focused Close button
    assert window.result() == {"outcome": "closed"}


@pytest.mark.desktop
@pytest.mark.parametrize("how", ["wm_delete", "destroyed"])
def test_closing_it_otherwise_is_closed_too(
    open_window: Callable[..., Window], desktop: DesktopSession, how: str
) -> None:
    window = open_window("nl")
    if how == "wm_delete":
        send_wm_delete(desktop.env["DISPLAY"], window.id)
    else:
        desktop.run(["xdotool", "windowclose", window.id])  # XDestroyWindow: gone without asking
    assert window.result() == {"outcome": "closed"}


@pytest.mark.desktop
def test_an_empty_journal_is_a_quiet_week(open_window: Callable[..., Window]) -> None:
    window = open_window("en", entries="[]")
    window.key("Escape")
    assert window.result() == {"outcome": "closed"}


@pytest.mark.desktop
def test_sigusr1_brings_the_window_back_raised_and_focused(open_window: Callable[..., Window]) -> None:
    window = open_window("nl")
    minimise_and_bring_back(window)
    cover_and_raise(window)

    assert window.process.poll() is None  # the signal did not end it
    window.key("Return")
    assert window.result() == {"outcome": "closed"}


@pytest.fixture
def hidpi_display() -> Iterator[str]:
    with extra_display("2560x1600x24", "-dpi", "192") as display:
        yield display


@pytest.mark.desktop
def test_at_192_dpi_it_is_twice_as_large(
    open_window: Callable[..., Window], desktop: DesktopSession, hidpi_display: str
) -> None:
    window = open_window("en", env={**desktop.env, "DISPLAY": hidpi_display})
    x, y, width, height = window.geometry()
    picture = render_week(summarize_week(_journal(), TODAY), "en", caption=False)
    assert 1.9 * picture.width <= width <= 2.1 * picture.width + 60
    assert abs(x + width / 2 - 1280) <= 1 and abs(y + height / 2 - 800) <= 1
    send_wm_delete(hidpi_display, window.id)
    assert window.result() == {"outcome": "closed"}


@pytest.mark.desktop
@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_label_says_the_summary_line(desktop: DesktopSession, language: str) -> None:
    """The window built in this process on the test display: its label is the sentence screen readers get."""
    options = Options(language=language, entries=tuple(_journal()), today=TODAY)
    root = tk.Tk(screenName=desktop.display, className=WINDOW_CLASS)
    window = WeekWindow(root, options)
    try:
        root.update()
        assert window.line.cget("text") == LINES[language] == summary_line(window.summary, language)
        assert root.title() == TITLES[language]
        assert window.close_button.cget("text") == {"nl": "Sluiten", "en": "Close"}[language]
        assert (
            window.photo.width() == render_week(window.summary, language, window.scale, caption=False).width
        )
        assert root.attributes("-topmost") == 0  # never forced on top
    finally:
        window.ending = True
        root.destroy()


# ----- arguments and entries -----------------------------------------------------------------------------


def test_arguments_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "entries.json"
    path.write_text(ENTRIES_JSON, encoding="utf-8")
    options = parse_args(["--language", "en", "--entries", str(path), "--today", "2024-05-12"])
    assert options == Options("en", tuple(_journal()), TODAY)
    default_today = parse_args(["--language", "nl", "--entries", str(path)]).today
    assert default_today == datetime.now().astimezone().date()


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ("not json", "is not JSON"),
        ('{"at": 1}', "the entries must be a JSON list"),
        ('[{"at": "2024-05-12T09:00:00", "kind": "break"}]', "entry 1: 'at' must carry its offset"),
        (
            '[{"at": "2024-05-12T09:00:00+02:00", "kind": "break", "detail": {"outcome": "maybe"}}]',
            "entry 1:",
        ),
    ],
)
def test_bad_entries_are_status_2_with_the_reason(content: str, complaint: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run(_command("nl"), input=content, env=env, capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout) == (2, "")
    assert complaint in done.stderr


def test_a_missing_file_and_a_bad_date_are_status_2(tmp_path: Path) -> None:
    for args in (
        ["--language", "nl", "--entries", str(tmp_path / "nowhere.json")],
        ["--language", "nl", "--entries", "-", "--today", "12 May"],
        ["--language", "de", "--entries", "-"],
    ):
        with pytest.raises(SystemExit) as stopped:
            parse_args(args)
        assert stopped.value.code == 2


def test_the_entries_are_read_as_utf8_whatever_the_locale() -> None:
    note = Entry(datetime(2024, 5, 12, 9, 0, tzinfo=CEST), "checkin", {"note": "Even één moment — ☕"})
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["PYTHONIOENCODING"] = "ascii"  # a locale that knows no letter beyond ASCII
    data = json.dumps(entries_to_json([note]), ensure_ascii=False).encode("utf-8")
    done = subprocess.run(_command("nl"), input=data, env=env, capture_output=True, timeout=30)
    # It got as far as looking for a display: the entries were fine.
    assert done.returncode == 2 and done.stderr.startswith(b"week_window:"), done.stderr
    bad = subprocess.run(_command("nl"), input=b"[\xff]", env=env, capture_output=True, timeout=30)
    assert bad.returncode == 2 and b"cannot read the entries from stdin" in bad.stderr, bad.stderr


def test_no_display_is_status_2_with_nothing_on_stdout() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run(_command("en"), input="[]", env=env, capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout) == (2, "")
    assert "week_window:" in done.stderr
