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
import time
import tkinter as tk
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from desktop import DesktopSession, extra_display
from PIL import Image

from rustlamp.core.entries import Entry
from rustlamp.core.entries_json import entries_to_json
from rustlamp.core.week import summarize_week, summary_line
from rustlamp.ui.palette import BACKGROUND
from rustlamp.ui.week_picture import REST, render_week
from rustlamp.ui.week_window import WINDOW_CLASS, Options, WeekWindow, parse_args

TITLES = {"nl": "Deze week", "en": "This week"}
TODAY = date(2024, 5, 12)
CEST = timezone(timedelta(hours=2))
WAIT = 10.0


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


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _near(a: tuple[int, ...], b: tuple[int, ...], tolerance: int = 4) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


def _until(check: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        time.sleep(0.02)
    return value


def _command(language: str, entries: str = "-") -> list[str]:
    args = [sys.executable, "-m", "rustlamp.ui.week_window", "--language", language, "--entries", entries]
    return [*args, "--today", TODAY.isoformat()]


@dataclass
class Window:
    desktop: DesktopSession
    process: subprocess.Popen[str]
    id: str
    title: str
    env: dict[str, str]

    def run(self, args: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, env=self.env, capture_output=True, text=True, check=check, timeout=30)

    def key(self, *keys: str) -> None:
        assert self.focused(), "the week window lost the focus"
        self.run(["xdotool", "key", "--delay", "60", *keys])

    def result(self, timeout: float = WAIT) -> dict[str, Any]:
        try:
            out, err = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGABRT)  # faulthandler then shows where it was stuck
            out, err = self.process.communicate()
            raise AssertionError(f"the window did not end within {timeout:g} s:\n{err}") from None
        assert self.process.returncode == 0, err
        lines = out.splitlines()
        assert len(lines) == 1, out
        result: dict[str, Any] = json.loads(lines[0])
        return result

    def geometry(self) -> tuple[int, int, int, int]:
        shell = self.run(["xdotool", "getwindowgeometry", "--shell", self.id]).stdout
        values = dict(line.split("=", 1) for line in shell.split())
        return int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"])

    def visible(self) -> bool:
        search = ["xdotool", "search", "--onlyvisible", "--name", f"^{self.title}$"]
        return self.id in self.run(search, check=False).stdout.split()

    def focused(self) -> bool:
        return self.run(["xdotool", "getwindowfocus", "-f"], check=False).stdout.strip() == self.id

    def shot(self, path: Path) -> Image.Image:
        self.run(["import", "-window", "root", str(path)])
        x, y, width, height = self.geometry()
        return Image.open(path).convert("RGB").crop((x, y, x + width, y + height))


@pytest.fixture
def open_window(desktop: DesktopSession, tmp_path: Path) -> Iterator[Callable[..., Window]]:
    """Start week windows on the test desktop with the entries on stdin ("--entries -"), as the lamp does."""
    started: list[subprocess.Popen[str]] = []

    def start(language: str = "nl", env: dict[str, str] | None = None, entries: str = ENTRIES_JSON) -> Window:
        env = env or desktop.env
        stdin = tmp_path / f"entries-{len(started)}.json"
        stdin.write_text(entries, encoding="utf-8")
        with stdin.open() as entries_in:
            process = subprocess.Popen(
                _command(language),
                env={**env, "PYTHONFAULTHANDLER": "1"},
                stdin=entries_in,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                preexec_fn=lambda: signal.signal(signal.SIGUSR1, signal.SIG_IGN),  # as the lamp starts it
            )
        started.append(process)
        search = ["xdotool", "search", "--onlyvisible", "--name", f"^{TITLES[language]}$"]

        def find() -> list[str]:
            assert process.poll() is None, process.communicate()
            return subprocess.run(search, env=env, capture_output=True, text=True).stdout.split()

        found = _until(find, f"a visible window titled {TITLES[language]!r}")
        window = Window(desktop, process, found[0], TITLES[language], env)
        _until(window.focused, "the window has the keyboard focus")
        return window

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()  # by PID: a test that failed half-way
        process.communicate()


def _send_wm_delete(display_name: str, window: str) -> None:
    """What a window manager does when the person clicks the close button."""
    from Xlib import X, display, protocol

    connection = display.Display(display_name)
    try:
        target = connection.create_resource_object("window", int(window))
        protocols = connection.intern_atom("WM_PROTOCOLS")
        delete = connection.intern_atom("WM_DELETE_WINDOW")
        assert delete in target.get_full_property(protocols, X.AnyPropertyType).value
        event = protocol.event.ClientMessage(
            window=target, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0])
        )
        target.send_event(event, event_mask=X.NoEventMask)
        connection.sync()
    finally:
        connection.close()


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
    assert _rgb(BACKGROUND) in colours
    assert any(_near(colour, _rgb(REST)) for colour in colours), "no rest dot on screen"
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
        _send_wm_delete(desktop.env["DISPLAY"], window.id)
    else:
        desktop.run(["xdotool", "windowclose", window.id])  # XDestroyWindow: gone without asking
    assert window.result() == {"outcome": "closed"}


@pytest.mark.desktop
def test_an_empty_journal_is_a_quiet_week(open_window: Callable[..., Window]) -> None:
    window = open_window("en", entries="[]")
    window.key("Escape")
    assert window.result() == {"outcome": "closed"}


@pytest.mark.desktop
def test_sigusr1_brings_the_window_back_raised_and_focused(
    open_window: Callable[..., Window], desktop: DesktopSession
) -> None:
    from Xlib import X, display

    window = open_window("nl")
    panel = desktop.run(["xdotool", "search", "--onlyvisible", "--name", "^panel$"]).stdout.split()[0]
    desktop.run(["xdotool", "windowunmap", "--sync", window.id])
    desktop.run(["xdotool", "windowfocus", "--sync", panel])
    assert not window.visible() and not window.focused()
    window.process.send_signal(signal.SIGUSR1)
    _until(window.visible, "the window is mapped again")
    _until(window.focused, "the window has the focus again")

    connection = display.Display(desktop.env["DISPLAY"])
    try:
        root = connection.screen().root
        x, y, width, height = window.geometry()
        cover = root.create_window(x, y, width, height, 0, X.CopyFromParent, override_redirect=True)
        cover.map()
        connection.sync()

        def stacking() -> list[int]:
            return [child.id for child in root.query_tree().children]  # bottom to top

        assert stacking().index(cover.id) > stacking().index(int(window.id))
        window.process.send_signal(signal.SIGUSR1)
        _until(lambda: stacking().index(int(window.id)) > stacking().index(cover.id), "raised above")
        cover.destroy()
        connection.sync()
    finally:
        connection.close()

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
    _send_wm_delete(hidpi_display, window.id)
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
