"""The week window as a person meets it: run as the lamp runs it (`python -m rustlamp.ui.launch
rustlamp.ui.week_window --language L --entries -`, the entries on stdin), read through AT-SPI as a screen
reader reads it (the week day by day in words), driven with real keys (xdotool), judged by the JSON line it
prints, and screenshots for looks (both languages, light and dark, kept in artifacts/screenshots).
The test desktop has no window manager: closing is the WM_DELETE_WINDOW message a window manager sends,
and "minimised" is an unmapped window."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from atspi import Accessibility, AccessibleApp
from desktop import DesktopSession
from PIL import Image, ImageChops
from window_driver import (
    Window,
    colour_box,
    cover_and_raise,
    hidpi_x_server,
    minimise_and_bring_back,
    rgb,
    send_wm_delete,
    window_starter,
)

from rustlamp.core.entries import Entry
from rustlamp.core.entries_json import entries_to_json
from rustlamp.core.week import summarize_week, week_text
from rustlamp.ui.palette import DARK, LIGHT
from rustlamp.ui.week_picture import picture_colours, render_week
from rustlamp.ui.week_window import Options, parse_args

TITLES = {"nl": "Deze week", "en": "This week"}
SCREENSHOTS = Path(os.environ.get("RUSTLAMP_SCREENSHOTS", "artifacts/screenshots"))
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


DAYS = {
    "nl": [
        "maandag 6 mei: geen rustmomenten of check-ins",
        "dinsdag 7 mei: 2 rustmomenten",
        "woensdag 8 mei: geen rustmomenten of check-ins",
        "donderdag 9 mei: 2 rustmomenten, 1 check-in (adem: gejaagd)",
        "vrijdag 10 mei: 1 rustmoment (een poging)",
        "zaterdag 11 mei: 2 rustmomenten, 1 check-in (adem: rustig)",
        "zondag 12 mei, vandaag: 2 rustmomenten",
    ],
    "en": [
        "Monday 6 May: no rest moments or check-ins",
        "Tuesday 7 May: 2 rest moments",
        "Wednesday 8 May: no rest moments or check-ins",
        "Thursday 9 May: 2 rest moments, 1 check-in (breath: hurried)",
        "Friday 10 May: 1 rest moment (an attempt)",
        "Saturday 11 May: 2 rest moments, 1 check-in (breath: calm)",
        "Sunday 12 May, today: 2 rest moments",
    ],
}


def _near(a: tuple[int, ...], b: tuple[int, ...], tolerance: int = 4) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def _command(language: str, entries: str = "-") -> list[str]:
    args = [sys.executable, "-m", "rustlamp.ui.launch", "rustlamp.ui.week_window", "--language", language]
    return [*args, "--entries", entries, "--today", TODAY.isoformat()]


class Opened:
    def __init__(self, window: Window, seen: AccessibleApp) -> None:
        self.window = window
        self.seen = seen


@pytest.fixture
def open_window(
    accessible_desktop: DesktopSession, a11y: Accessibility, tmp_path: Path
) -> Iterator[Callable[..., Opened]]:
    """Start week windows with the entries on stdin ("--entries -"), as the lamp does; each is found by its
    title, has the keys and is on the accessibility bus."""
    with window_starter(accessible_desktop) as start_window:
        count = 0

        def start(
            language: str = "nl",
            scheme: str = "light",
            env: dict[str, str] | None = None,
            entries: str = ENTRIES_JSON,
        ) -> Opened:
            nonlocal count
            stdin = tmp_path / f"entries-{count}.json"
            count += 1
            stdin.write_text(entries, encoding="utf-8")
            with stdin.open() as entries_in:
                window = start_window(
                    _command(language),
                    TITLES[language],
                    {**(env or accessible_desktop.env), "RUSTLAMP_COLOR_SCHEME": scheme},
                    focus=env is None,
                    stdin=entries_in,
                    preexec_fn=lambda: signal.signal(signal.SIGUSR1, signal.SIG_IGN),  # as the lamp starts it
                )
            return Opened(window, a11y.window(window.process.pid))

        yield start


# ----- as a screen reader and the keyboard meet it -----------------------------------------------------


@pytest.mark.desktop
@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_screen_reader_reads_the_week_day_by_day_and_esc_closes(
    open_window: Callable[..., Opened], language: str
) -> None:
    opened = open_window(language)
    read = opened.seen.read()[1:]  # after the application itself
    assert read[0] == ("dialog", TITLES[language])
    shown = [node for node in read[1:] if node[0] != "list item"]
    assert shown == [
        ("image", week_text(language, "picture")),
        ("label", LINES[language]),
        ("list", week_text(language, "days")),
        ("push button", week_text(language, "close")),
    ]
    # Every day in words, oldest first: what the dots and their colours show, said without colour.
    assert opened.seen.names("list item") == DAYS[language]
    # The keys start on the week's first day, so it is read at once; the arrows go from day to day.
    opened.seen.wait_for_focus("list item", DAYS[language][0])
    opened.window.key("Down")
    opened.seen.wait_for_focus("list item", DAYS[language][1])
    opened.window.key("Tab")
    opened.seen.wait_for_focus("push button", week_text(language, "close"))
    opened.window.key("shift+Tab")
    opened.seen.wait_for_focus("list item", DAYS[language][1])
    opened.window.key("Escape")
    assert opened.window.result() == {"outcome": "closed"}


@pytest.mark.desktop
@pytest.mark.parametrize("keys", [["Return"], ["KP_Enter"], ["Tab", "space"]])
def test_enter_or_the_close_button_closes(open_window: Callable[..., Opened], keys: list[str]) -> None:
    opened = open_window("en")
    opened.window.key(*keys)
    assert opened.window.result() == {"outcome": "closed"}


@pytest.mark.desktop
def test_close_pressed_by_name_as_voice_control_does(open_window: Callable[..., Opened]) -> None:
    opened = open_window("nl")
    opened.seen.press("push button", "Sluiten")
    assert opened.window.result() == {"outcome": "closed"}


@pytest.mark.desktop
def test_the_window_managers_close_is_closed_too(
    open_window: Callable[..., Opened], accessible_desktop: DesktopSession
) -> None:
    opened = open_window("nl")
    send_wm_delete(accessible_desktop.env["DISPLAY"], opened.window.id)
    assert opened.window.result() == {"outcome": "closed"}


@pytest.mark.desktop
def test_an_empty_journal_is_a_quiet_week(open_window: Callable[..., Opened]) -> None:
    opened = open_window("en", entries="[]")
    assert opened.seen.names("label") == ["This week: no rest moments or check-ins yet"]
    days = opened.seen.names("list item")
    assert len(days) == 7 and {name.split(": ")[1] for name in days} == {"no rest moments or check-ins"}
    opened.window.key("Escape")
    assert opened.window.result() == {"outcome": "closed"}


@pytest.mark.desktop
def test_sigusr1_brings_the_window_back_raised_and_focused(open_window: Callable[..., Opened]) -> None:
    window = open_window("nl").window
    minimise_and_bring_back(window)
    cover_and_raise(window)
    assert window.process.poll() is None  # the signal did not end it
    window.key("Return")
    assert window.result() == {"outcome": "closed"}


@pytest.mark.desktop
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("language", ["nl", "en"])
def test_screenshots_centred_in_the_calm_colours_with_the_weeks_dots(
    open_window: Callable[..., Opened], accessible_desktop: DesktopSession, language: str, scheme: str
) -> None:
    """The screenshot set (both languages, light and dark), kept in artifacts/screenshots to look at."""
    opened = open_window(language, scheme)
    window = opened.window
    x, y, width, height = window.geometry()
    screen_width, screen_height = (int(v) for v in accessible_desktop.screen.split("x")[:2])
    assert abs(x + width / 2 - screen_width / 2) <= 1 and abs(y + height / 2 - screen_height / 2) <= 1
    picture = render_week(summarize_week(_journal(), TODAY), language, caption=False)
    assert (
        picture.width <= width <= picture.width + 60 and picture.height < height < 3 * picture.height
    )  # the days in words under it
    time.sleep(0.2)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = window.shot(window.desktop.tmp / "screen.png")
    shot.save(SCREENSHOTS / f"week-{language}-{scheme}.png")
    palette = DARK if scheme == "dark" else LIGHT
    assert shot.getpixel((5, 5)) == rgb(palette.background)
    colours = {colour for _, colour in shot.getcolors(maxcolors=1 << 24) or []}
    assert any(_near(colour, rgb(picture_colours(palette).rest)) for colour in colours), "no rest dot"
    window.key("Escape")
    assert window.result() == {"outcome": "closed"}


def _picture_is_drawn_at(shot: Image.Image, scale: float, language: str, palette: str) -> bool:
    """Whether the week's picture drawn at `scale` is in `shot` pixel for pixel (drawn at the screen's own
    resolution, so sharp: an enlarged picture would have soft edges and other sizes)."""
    colours = DARK if palette == "dark" else LIGHT
    picture = render_week(summarize_week(_journal(), TODAY), language, scale, caption=False, scheme=colours)
    rest = picture_colours(colours).rest
    in_picture, in_shot = colour_box(picture, rest), colour_box(shot, rest)
    if in_picture is None or in_shot is None:
        return False
    left, top = in_shot[0] - in_picture[0], in_shot[1] - in_picture[1]
    found = shot.crop((left, top, left + picture.width, top + picture.height))
    differs = ImageChops.difference(found, picture).convert("L").point(lambda v: 255 if v > 24 else 0)
    return sum(differs.histogram()[255:]) <= 0.002 * picture.width * picture.height


@pytest.mark.desktop
def test_at_192_dpi_the_window_is_twice_as_large_and_its_picture_sharp(
    open_window: Callable[..., Opened], accessible_desktop: DesktopSession
) -> None:
    """On a HiDPI desktop (192 dpi, Xft.dpi as GNOME and KDE set it) the window is twice as large and its
    picture is drawn at twice the pixels, not enlarged; a screenshot is kept to look at."""
    normal = open_window("nl").window
    _, _, width, height = normal.geometry()
    assert _picture_is_drawn_at(normal.shot(normal.desktop.tmp / "normal.png"), 1.0, "nl", "light")
    normal.key("Escape")
    assert normal.result() == {"outcome": "closed"}
    with hidpi_x_server() as display:
        window = open_window("nl", env={**accessible_desktop.env, "DISPLAY": display}).window
        x, y, large_width, large_height = window.first_geometry
        assert abs(large_width - 2 * width) <= 8 and abs(large_height - 2 * height) <= 8, (width, height)
        assert abs(x + large_width / 2 - 1280) <= 2 and abs(y + large_height / 2 - 800) <= 2  # centred
        time.sleep(0.2)
        shot = window.shot(window.desktop.tmp / "hidpi.png")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot.save(SCREENSHOTS / "week-nl-light-192dpi.png")
        assert _picture_is_drawn_at(shot, 2.0, "nl", "light")
        send_wm_delete(display, window.id)
        assert window.result() == {"outcome": "closed"}


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
