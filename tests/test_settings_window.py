"""The settings window on the test desktop's Xvfb: real X input (xdotool keys and typing), real files.

Most tests run the window as the app runs it (`python -m rustlamp.ui.settings_window --language ...
--config FILE`) and judge it by the file it leaves behind and the JSON line it prints. Where a test must
read what the window shows (a problem's words, a field's value), the window is built inside the test
process on the same display and still driven by xdotool: the test pumps Tk's events between keys.
Screenshots of every tab in both languages are kept in the test's tmp folder (see the last tests).
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading
import time
import tkinter as tk
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from tkinter import ttk
from typing import Any

import pytest
from desktop import DesktopSession, extra_display
from PIL import Image
from window_driver import (
    Window,
    colour_box,
    minimise_and_bring_back,
    send_wm_delete,
    until,
    window_starter,
)

from rustlamp.core.config import DAY_NAMES, Problem, load_settings, parse_settings
from rustlamp.settings_file import REMOVE
from rustlamp.ui.palette import FOCUS
from rustlamp.ui.settings_window import (
    SETTINGS_TEXTS,
    TAB_KEYS,
    TAB_MARK,
    WINDOW_CLASS,
    RoutineRow,
    SettingsWindow,
    TextField,
    comma_list,
    home_short,
    line_list,
    note_text,
    owner_key,
    parse_args,
    problem_text,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

TITLES = {language: words["title"] for language, words in SETTINGS_TEXTS.items()}
SAVED = {"outcome": "saved"}
CLOSED = {"outcome": "closed"}
SETTLE = 0.4  # seconds to let a window take keys it was sent before judging that nothing happened

HAND_WRITTEN = """\
# My rustlamp settings, written by hand.
language = "auto"
mood = "calm"            # not a rustlamp key: it stays

[reminders]
every = "45m"   # a gentle pace
start = 08:30:00         # a TOML time, not a string
days = ["mon", "tue", "wed", "thu", "fri"]
snooze = ["10m", "30m"]

# the mornings
[routines.morning]
at = "08:00"
prompt = "Twee minuten ademen."

[routines."tea time"]
at = "15:30"
days = ["sat", "sun"]
colour = "green"         # unknown here too
"""


def _command(language: str, config: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "rustlamp.ui.settings_window",
        "--language",
        language,
        "--config",
        str(config),
    ]


def _private_env(desktop: DesktopSession, home: Path) -> dict[str, str]:
    """The desktop's env with a runtime and config folder of this test's own."""
    runtime, config = home / "runtime", home / "config"
    for folder in (runtime, config):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return {**desktop.env, "XDG_RUNTIME_DIR": str(runtime), "XDG_CONFIG_HOME": str(config)}


def _changed(path: Path, before: str | None) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return path.read_text(encoding="utf-8") != before
        except FileNotFoundError:
            return False

    return check


@pytest.fixture
def open_settings(desktop: DesktopSession) -> Iterator[Callable[..., Window]]:
    """Start settings windows on the test desktop; each is found by its exact title and has the focus."""
    with window_starter(desktop) as start_window:

        def start(language: str, config: Path, env: dict[str, str] | None = None) -> Window:
            return start_window(_command(language, config), TITLES[language], env)

        yield start


# ----- the window inside the test process, for reading what it shows ----------------------------------


@dataclass
class Live:
    """A SettingsWindow in this process, on the test display, driven with real X input."""

    root: tk.Tk
    window: SettingsWindow
    desktop: DesktopSession

    def pump(self, seconds: float = 0.1) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.root.update()
            time.sleep(0.01)

    def until(self, check: Callable[[], Any], what: str) -> Any:
        def pumped() -> Any:
            self.root.update()
            return check()

        return until(pumped, what)

    def focused(self) -> bool:
        found = self.desktop.run(["xdotool", "getwindowfocus", "-f"], check=False).stdout.strip()
        return found == str(self.x_window())

    def x_window(self) -> int:
        """The toplevel's X window as xdotool sees it: the wrapper Tk puts around the window's own."""
        from Xlib import display

        connection = display.Display(self.desktop.display)
        try:
            inner = connection.create_resource_object("window", self.root.winfo_id())
            return int(inner.query_tree().parent.id)
        finally:
            connection.close()

    def key(self, *keys: str) -> None:
        # One at a time, with Tk's idle work done in between, as a running window does it between a
        # person's keys: a tab changed by one key is on screen (mapped) before the next key moves on.
        for key in keys:
            assert self.focused(), "the settings window lost the focus"
            self.desktop.run(["xdotool", "key", key])
            self.pump(0.04)
        self.pump()

    def type(self, text: str) -> None:
        assert self.focused(), "the settings window lost the focus"
        self.desktop.run(["xdotool", "type", "--delay", "20", text])
        self.pump()


@pytest.fixture
def live(
    desktop: DesktopSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Live]]:
    """Build settings windows in this process; the app channel and start-at-login point at tmp_path."""
    env = _private_env(desktop, tmp_path / "home")
    for key in ("XDG_RUNTIME_DIR", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(key, env[key])
    built: list[Live] = []

    def build(language: str, config: Path, autostart: Any = None) -> Live:
        root = tk.Tk(screenName=desktop.display, className=WINDOW_CLASS)
        window = SettingsWindow(root, language, config, autostart=autostart)
        result = Live(root, window, desktop)
        built.append(result)
        until(lambda: (root.update(), result.focused())[1], "the window has the keyboard focus")
        return result

    yield build
    for each in built:
        each.window.ending = True  # our own destroy, not one from outside
        each.root.destroy()


def _core_problem(text: str, path: Path, key: str) -> Problem:
    """The problem `rustlamp config check` finds for `key` in `text`."""
    found = [p for p in parse_settings(text, str(path)).problems if p.key == key]
    assert len(found) == 1, found
    return found[0]


# ----- saving by keyboard ----------------------------------------------------------------------------


class FakeApp:
    """A stand-in for the running app's control socket that records what it is told."""

    def __init__(self, runtime: Path) -> None:
        folder = runtime / "rustlamp"
        folder.mkdir(mode=0o700)
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(folder / "control.sock"))
        self.server.listen()
        self.server.settimeout(20)
        self.told: list[str] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            connection, _ = self.server.accept()
        except OSError:
            return
        with connection:
            data = b""
            while not data.endswith(b"\n"):
                data += connection.recv(4096)
            self.told.append(json.loads(data)["command"])
            connection.sendall(b'{"ok": true}\n')

    def close(self) -> None:
        self.server.close()


@pytest.mark.desktop
def test_every_changed_by_keyboard_changes_only_that_line_and_the_app_is_told(
    open_settings: Callable[..., Window], desktop: DesktopSession, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    env = _private_env(desktop, tmp_path / "home")
    app = FakeApp(Path(env["XDG_RUNTIME_DIR"]))
    try:
        window = open_settings("en", config, env)
        window.key("ctrl+Tab", "Tab")  # the Reminders tab; into its first field, its text selected
        window.type("30m")
        window.key("Return")
        until(_changed(config, HAND_WRITTEN), "the file is saved")
        window.key("Escape")  # nothing unsaved now: it closes without asking
        assert window.result() == SAVED
        until(lambda: app.told, "the app is told to read the file again")
        assert app.told == ["reload"]
    finally:
        app.close()
    # only that line differs; comments, the TOML time and the unknown keys are as they were
    assert config.read_text(encoding="utf-8") == HAND_WRITTEN.replace(
        'every = "45m"   # a gentle pace', 'every = "30m"   # a gentle pace'
    )


@pytest.mark.desktop
def test_a_wrong_value_shows_the_cores_words_beside_its_field_and_save_stays_off(
    live: Callable[..., Live], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    shown = live("en", config)
    window = shown.window
    every_note = window.notes["reminders.every"]
    assert not every_note.label.winfo_ismapped()
    # Problems the file has already: an unknown key a field does not own goes to the line at the bottom,
    # with the words `config check` prints; one inside a routine stands under that routine.
    mood = _core_problem(HAND_WRITTEN, config, "mood")
    assert problem_text(mood) in window.elsewhere.cget("text")
    assert str(mood) == f"{config}:3: {problem_text(mood)}"
    tea = next(row for row in window.routines if row.name == "tea time")
    colour = _core_problem(HAND_WRITTEN, config, 'routines."tea time".colour')
    assert tea.note.label.cget("text") == f"colour: warning: {colour.message}"  # which key, in the row

    shown.key("ctrl+Tab", "Tab")
    shown.type("banana")
    shown.until(every_note.label.winfo_ismapped, "the note under `every`")
    expected = _core_problem(HAND_WRITTEN.replace('"45m"', '"banana"'), config, "reminders.every")
    assert every_note.label.cget("text") == expected.message_in("en")  # plainly, for a person
    assert every_note.label.cget("text") == (
        "'banana' is not a duration; allowed: a duration from 10 sec to 24 hours, "
        "like 45 min or 1 hour 30 min"
    )
    assert expected.message.startswith("'banana' is not a duration")  # config check: precisely
    assert str(window.save_button.cget("state")) == "disabled"
    tab_text = window.notebook.tab(1, "text")
    assert tab_text == SETTINGS_TEXTS["en"]["tab_reminders"] + TAB_MARK  # the tab says where to look
    shown.key("Return")  # Enter saves... nothing, while there is an error
    shown.pump(SETTLE)
    assert config.read_text(encoding="utf-8") == HAND_WRITTEN

    shown.key("Tab", "shift+Tab")  # out and back in: the text is selected again
    shown.type("20m")
    shown.until(lambda: not every_note.label.winfo_ismapped(), "the note goes")
    assert window.notebook.tab(1, "text") == SETTINGS_TEXTS["en"]["tab_reminders"]
    assert str(window.save_button.cget("state")) == "normal"
    assert window.changes() == {("reminders", "every"): "20m"}
    shown.key("Return")
    shown.until(lambda: window.status.cget("text") == SETTINGS_TEXTS["en"]["saved"], "it says Saved")
    assert config.read_text(encoding="utf-8") == HAND_WRITTEN.replace('"45m"', '"20m"')
    assert window.changes() == {} and str(window.save_button.cget("state")) == "disabled"


@pytest.mark.desktop
def test_a_dutch_window_says_the_cores_problems_in_dutch(live: Callable[..., Live], tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    shown = live("nl", config)
    window = shown.window
    mood = _core_problem(HAND_WRITTEN, config, "mood")
    assert "mood: let op: onbekende naam, rustlamp slaat hem over; namen die hier kunnen: language, " in (
        window.elsewhere.cget("text")
    )
    assert problem_text(mood, "nl") in window.elsewhere.cget("text")
    tea = next(row for row in window.routines if row.name == "tea time")
    assert tea.note.label.cget("text") == (
        "colour: let op: onbekende naam, rustlamp slaat hem over; namen die hier kunnen: "
        "at, days, prompt, enabled, kind"
    )

    every_note = window.notes["reminders.every"]
    shown.key("ctrl+Tab", "Tab")
    shown.type("banana")
    shown.until(every_note.label.winfo_ismapped, "the note under `every`")
    assert every_note.label.cget("text") == (
        "'banana' is geen duur; wat wel kan: een duur van 10 sec tot 24 uur, zoals 45 min of 1 uur 30 min"
    )
    expected = _core_problem(HAND_WRITTEN.replace('"45m"', '"banana"'), config, "reminders.every")
    assert every_note.label.cget("text") == expected.message_in("nl") != expected.message
    assert str(window.save_button.cget("state")) == "disabled"
    shown.key("Tab", "shift+Tab")
    shown.type("20m")
    shown.until(lambda: not every_note.label.winfo_ismapped(), "the note goes")


@pytest.mark.desktop
def test_days_and_routines_by_keyboard(open_settings: Callable[..., Window], tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    window = open_settings("nl", config)
    window.key("ctrl+Tab", *["Tab"] * 6, "space")  # Herinneringen: every, start, end, ma, di, wo: off
    window.key("ctrl+Tab", "ctrl+Tab")  # Routines; the focus goes to its first box, "morning"
    window.key(*["Tab"] * 9, "Return")  # past its time and seven days to Verwijderen: removed
    window.key("Tab", "Tab")  # from tea time's Verwijderen past its words to the new routine's name
    window.type("avond")
    window.key("Return")  # added; the focus is in its time, selected
    window.type("21:30")
    window.key(*["Tab"] * 6, "space")  # ma di wo do vr za: no Saturdays
    window.key("Return")
    until(_changed(config, HAND_WRITTEN), "the file is saved")
    window.key("Escape")
    assert window.result() == SAVED

    text = config.read_text(encoding="utf-8")
    settings = parse_settings(text, str(config)).settings
    assert settings is not None
    assert settings.reminders.days == frozenset({0, 1, 3, 4})
    assert [r.name for r in settings.routines] == ["tea time", "avond"]
    tea, evening = settings.routines
    assert (tea.at.isoformat("minutes"), tea.days, tea.enabled) == ("15:30", frozenset({5, 6}), True)
    assert evening.at.isoformat("minutes") == "21:30"
    assert evening.days == frozenset(range(7)) - {5} and evening.enabled
    assert "Twee minuten ademen." not in text  # morning went with its prompt
    assert 'colour = "green"         # unknown here too' in text  # tea time as it was


@pytest.mark.desktop
def test_a_routine_removed_and_added_again_is_no_change_and_names_are_checked(
    live: Callable[..., Live], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    window = live("nl", config).window
    words = SETTINGS_TEXTS["nl"]
    window.remove_routine("morning")
    assert window.changes() == {("routines", "morning"): REMOVE}
    window.new_routine_var.set("morning")
    window.add_routine()  # back as it was in the file, prompt and all
    assert window.changes() == {} and [r.name for r in window.routines] == ["tea time", "morning"]
    window.new_routine_var.set("tea time")
    window.add_routine()
    assert window.new_routine_note.label.cget("text") == words["routine_name_taken"]
    window.new_routine_var.set("  ")
    window.add_routine()
    assert window.new_routine_note.label.cget("text") == words["routine_name_empty"]
    window.new_routine_var.set("walk")
    window.add_routine()
    assert window.changes() == {("routines", "walk", "at"): "12:00"}  # the defaults are left out
    window.remove_routine("walk")
    assert window.changes() == {}  # never written, so nothing to take out


# ----- a routine's own words ------------------------------------------------------------------------------

PAST_A_ROUTINE = 11  # Tab stops in a routine: its box, time, seven days, Remove, words


def _routine(window: SettingsWindow, name: str) -> RoutineRow:
    return next(row for row in window.routines if row.name == name)


def _placeholder_shows(row: RoutineRow) -> bool:
    """Whether the muted words inside the routine's words entry show (they say rustlamp picks them)."""
    hint = SETTINGS_TEXTS["en"]["routine_prompt_hint"], SETTINGS_TEXTS["nl"]["routine_prompt_hint"]
    return any(isinstance(w, tk.Label) and w.cget("text") in hint and w.winfo_ismapped() for w in row.widgets)


@pytest.mark.desktop
def test_a_routines_words_show_and_an_edit_changes_only_that_line(
    live: Callable[..., Live], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    shown = live("en", config)
    window = shown.window
    morning, tea = _routine(window, "morning"), _routine(window, "tea time")
    assert morning.prompt_entry.get() == "Twee minuten ademen." and not _placeholder_shows(morning)
    assert tea.prompt_entry.get() == "" and _placeholder_shows(tea)  # empty: rustlamp picks the words
    assert SETTINGS_TEXTS["en"]["routine_prompt"] in _texts(window.routine_rows)
    assert not window.routine_scrollbar.winfo_ismapped()  # two routines fit: nothing to scroll

    shown.key("ctrl+Tab", "ctrl+Tab", "ctrl+Tab", "Tab")  # Routines; its first box: morning's
    shown.key(*["Tab"] * (PAST_A_ROUTINE * 2 - 1))  # through morning and tea time, its words untouched
    assert shown.root.focus_get() is tea.prompt_entry
    assert window.changes() == {}  # only looked at: nothing to write
    shown.key(*["shift+Tab"] * PAST_A_ROUTINE)  # back to morning's words, their text selected
    assert shown.root.focus_get() is morning.prompt_entry
    shown.type("Drie keer rustig ademen.")
    assert window.changes() == {("routines", "morning", "prompt"): "Drie keer rustig ademen."}
    shown.key("Return")
    shown.until(_changed(config, HAND_WRITTEN), "the file is saved")
    assert config.read_text(encoding="utf-8") == HAND_WRITTEN.replace(
        'prompt = "Twee minuten ademen."', 'prompt = "Drie keer rustig ademen."'
    )
    assert window.changes() == {}


@pytest.mark.desktop
def test_a_routines_words_cleared_take_the_prompt_out_of_the_file(
    live: Callable[..., Live], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    shown = live("nl", config)
    window = shown.window
    morning = _routine(window, "morning")
    shown.key("ctrl+Tab", "ctrl+Tab", "ctrl+Tab", "Tab")
    shown.key(*["Tab"] * (PAST_A_ROUTINE - 1))  # morning's words, selected
    assert shown.root.focus_get() is morning.prompt_entry
    shown.key("BackSpace")
    assert morning.prompt_entry.get() == "" and _placeholder_shows(morning)
    assert window.changes() == {("routines", "morning", "prompt"): REMOVE}  # out, not an empty string
    shown.key("Return")
    shown.until(_changed(config, HAND_WRITTEN), "the file is saved")
    assert config.read_text(encoding="utf-8") == HAND_WRITTEN.replace('prompt = "Twee minuten ademen."\n', "")


@pytest.mark.desktop
def test_a_problem_with_a_routines_words_stands_in_its_note_until_they_are_put_right(
    live: Callable[..., Live], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    written = HAND_WRITTEN.replace('prompt = "Twee minuten ademen."', 'prompt = ""   # to do')
    config.write_text(written, encoding="utf-8")
    shown = live("en", config)
    window = shown.window
    morning = _routine(window, "morning")
    problem = _core_problem(written, config, "routines.morning.prompt")
    assert problem.severity == "error"
    assert morning.note.label.winfo_ismapped()
    assert morning.note.label.cget("text") == f"prompt: {problem.message}"  # as the other keys' problems
    assert window.notebook.tab(3, "text") == SETTINGS_TEXTS["en"]["tab_routines"] + TAB_MARK
    assert str(window.save_button.cget("state")) == "disabled"

    shown.key("ctrl+Tab", "ctrl+Tab", "ctrl+Tab", "Tab")
    shown.key(*["Tab"] * (PAST_A_ROUTINE - 1))
    assert shown.root.focus_get() is morning.prompt_entry
    shown.type("Look out of the window.")
    shown.until(lambda: not morning.note.label.winfo_ismapped(), "the note goes")
    assert window.notebook.tab(3, "text") == SETTINGS_TEXTS["en"]["tab_routines"]
    shown.key("Return")
    shown.until(_changed(config, written), "the file is saved")
    assert config.read_text(encoding="utf-8") == written.replace(
        'prompt = ""   # to do', 'prompt = "Look out of the window."   # to do'
    )


@pytest.mark.desktop
def test_a_new_routine_gets_a_prompt_only_when_words_were_typed(
    open_settings: Callable[..., Window], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    window = open_settings("nl", config)
    window.key("ctrl+Tab", "ctrl+Tab", "ctrl+Tab", "Tab")  # Routines; morning's box
    window.key(*["Tab"] * (PAST_A_ROUTINE * 2))  # past morning and tea time to the new routine's name
    window.type("avond")
    window.key("Return")  # added; the focus is in its time, selected
    window.type("21:30")
    window.key(*["Tab"] * 9)  # past its seven days and Verwijderen to its words
    window.type("Even naar buiten kijken.")
    window.key("Tab")  # the new routine's name again
    window.type("nacht")
    window.key("Return")
    window.type("23:00")  # and no words
    window.key("Return")
    until(_changed(config, HAND_WRITTEN), "the file is saved")
    window.key("Escape")
    assert window.result() == SAVED

    text = config.read_text(encoding="utf-8")
    assert text.startswith(HAND_WRITTEN)  # every line as it was; the new ones come after
    routines = tomllib.loads(text)["routines"]
    assert routines["avond"] == {"at": "21:30", "prompt": "Even naar buiten kijken."}
    assert routines["nacht"] == {"at": "23:00"}  # no prompt key: rustlamp picks the words
    settings = parse_settings(text, str(config)).settings
    assert settings is not None
    assert [(r.name, r.prompt) for r in settings.routines] == [
        ("morning", "Twee minuten ademen."),
        ("tea time", None),
        ("avond", "Even naar buiten kijken."),
        ("nacht", None),
    ]


# ----- many routines: the rows scroll --------------------------------------------------------------------

MANY_ROUTINES = 12
MANY = "# twelve small moments\n" + "".join(
    f'\n[routines.r{n:02d}]   # number {n}\nat = "{5 + n:02d}:00"   # as it was\n'
    + ('prompt = "Even opstaan."\n' if n % 4 == 0 else "")
    for n in range(1, MANY_ROUTINES + 1)
)


def _screen_box(widget: tk.Misc) -> tuple[int, int, int, int]:
    x, y = widget.winfo_rootx(), widget.winfo_rooty()
    return x, y, x + widget.winfo_width(), y + widget.winfo_height()


def _shows_focused(shown: Live, entry: tk.Entry, shot: Path) -> bool:
    """Whether the screen shows `entry` whole, with the ochre ring of the keyboard focus: the ring's
    pixels are exactly the entry's box, and that box lies inside the routines' visible part."""
    shown.desktop.screenshot(shot)
    ring = colour_box(Image.open(shot).convert("RGB"), FOCUS)
    view = _screen_box(shown.window.routine_canvas)
    box = _screen_box(entry)
    inside = view[0] <= box[0] and view[1] <= box[1] and box[2] <= view[2] and box[3] <= view[3]
    return ring == box and inside


@pytest.mark.desktop
def test_with_many_routines_the_rows_scroll_and_tab_reaches_every_time(
    live: Callable[..., Live], desktop: DesktopSession, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(MANY, encoding="utf-8")
    shown = live("en", config)
    window, root = shown.window, shown.root
    screen_width, screen_height = (int(v) for v in desktop.screen.split("x")[:2])

    def within_screen() -> bool:
        x, y, right, bottom = _screen_box(root)
        return min(x, y) >= 0 and right <= screen_width and bottom <= screen_height

    shots = tmp_path / "shots"
    shots.mkdir()
    shown.pump(0.2)
    placed = root.winfo_geometry()
    shown.key("ctrl+Tab", "ctrl+Tab", "ctrl+Tab")
    shown.pump(0.2)
    assert within_screen()
    assert root.winfo_geometry() == placed  # the scroll bar came without moving or widening anything
    # The rows ask for more room than the screen has: they scroll, with the scroll bar beside them.
    assert window.routine_canvas.winfo_height() < window.routine_rows.winfo_reqheight()
    assert window.routine_scrollbar.winfo_ismapped()
    desktop.screenshot(shots / "routines-top.png")

    shown.key("Tab")  # the first routine's box
    for index, row in enumerate(window.routines):
        if index:
            shown.key(*["Tab"] * (PAST_A_ROUTINE - 1))  # from the time before to this routine's box
        shown.key("Tab")
        assert root.focus_get() is row.at_entry, row.name
        assert _shows_focused(shown, row.at_entry, shots / f"{row.name}.png"), row.name
        shown.type(f"{6 + index:02d}:30")  # Tab selected its text: typing replaces it
    assert within_screen()
    shown.key("Return")
    shown.until(_changed(config, MANY), "the file is saved")
    expected = MANY
    for n in range(1, MANY_ROUTINES + 1):
        expected = expected.replace(f'at = "{5 + n:02d}:00"', f'at = "{5 + n:02d}:30"')
    assert config.read_text(encoding="utf-8") == expected  # only the times, comments and all kept

    # A routine added at the bottom is scrolled into view with the focus in its time; the window stays
    # within the screen.
    shown.key(*["Tab"] * (PAST_A_ROUTINE - 1))  # from the last time past its days, Remove and words
    assert root.focus_get() is window.new_routine_entry
    shown.type("late")
    shown.key("Return")
    new = _routine(window, "late")
    assert root.focus_get() is new.at_entry
    assert _shows_focused(shown, new.at_entry, shots / "late.png")
    assert within_screen() and root.winfo_geometry() == placed
    print(f"screenshots: {shots}")


@pytest.mark.desktop
def test_the_mouse_wheel_scrolls_the_routines_only_over_them(
    live: Callable[..., Live], desktop: DesktopSession, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(MANY, encoding="utf-8")
    shown = live("nl", config)
    window = shown.window
    canvas = window.routine_canvas
    shown.key("ctrl+Tab", "ctrl+Tab", "ctrl+Tab")
    shown.pump(0.2)

    def wheel(widget: tk.Misc, button: int, notches: int = 1) -> None:
        """Turn the wheel (X11: button 4 up, 5 down) over the middle of `widget`; one xdotool, so the
        move and the clicks come in order (and no `--sync`, which waits forever when the pointer is
        there already)."""
        x, y, right, bottom = _screen_box(widget)
        middle = [str((x + right) // 2), str((y + bottom) // 2)]
        clicks = ["click", "--repeat", str(notches), "--delay", "20", str(button)]
        desktop.run(["xdotool", "mousemove", *middle, *clicks])
        shown.pump()

    assert canvas.yview()[0] == 0
    wheel(window.new_routine_entry, 5)  # not over the routines: nothing moves
    assert canvas.yview()[0] == 0
    wheel(window.routines[1].at_entry, 5)  # down
    down = canvas.yview()[0]
    assert down > 0
    wheel(canvas, 5)
    assert canvas.yview()[0] > down
    wheel(canvas, 5, notches=40)  # far down: it stops at the last row
    assert canvas.yview()[1] == 1
    wheel(canvas, 4, notches=40)  # and back up to the first
    assert canvas.yview()[0] == 0

    # With the keyboard in the first routine, the wheel still takes the rows away from it (no snapping
    # back to the focus); the next Tab brings the focus into view again.
    shown.key("Tab", "Tab")
    first = window.routines[0]
    assert shown.root.focus_get() is first.at_entry
    wheel(canvas, 5, notches=10)
    shown.pump(0.3)
    assert canvas.yview()[0] > 0
    assert _screen_box(first.at_entry)[3] <= _screen_box(canvas)[1]  # out of view, above it
    shown.key("Tab")  # its Monday
    assert canvas.yview()[0] == 0  # in view again, with the column names


@pytest.mark.desktop
def test_a_file_changed_on_disk_is_never_overwritten_and_reload_shows_it(
    live: Callable[..., Live], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    shown = live("en", config)
    window = shown.window
    shown.key("ctrl+Tab", "ctrl+Tab", "Tab")  # the Break tab's first field: the length
    shown.type("7m")
    hand_edit = HAND_WRITTEN.replace('"45m"', '"2h"')
    config.write_text(hand_edit, encoding="utf-8")  # meanwhile, in an editor
    shown.key("Return")
    shown.until(lambda: window.status.cget("text") == SETTINGS_TEXTS["en"]["changed_on_disk"], "it says so")
    assert config.read_text(encoding="utf-8") == hand_edit
    assert window.reload_button.winfo_ismapped()
    assert window.changes() == {("break", "length"): "7m"}  # the edit is still there until Reload

    shown.key(*["Tab"] * 6)  # past the other Break fields to Reload, under the tabs
    assert shown.root.focus_get() is window.reload_button
    shown.key("space")
    shown.until(lambda: window.changes() == {}, "the edits are let go")
    every = next(f for f in window.fields if f.path == ("reminders", "every"))
    length = next(f for f in window.fields if f.path == ("break", "length"))
    assert isinstance(every, TextField) and isinstance(length, TextField)
    assert (every.var.get(), length.var.get()) == ("2h", "5m")
    assert window.status.cget("text") == SETTINGS_TEXTS["en"]["reloaded"]
    assert str(window.save_button.cget("state")) == "disabled"
    assert config.read_text(encoding="utf-8") == hand_edit


@pytest.mark.desktop
def test_with_no_file_yet_saving_creates_it_0600_with_only_the_changed_key(
    open_settings: Callable[..., Window], tmp_path: Path
) -> None:
    config = tmp_path / "new" / "config.toml"
    window = open_settings("en", config)
    window.key("ctrl+Tab", "Tab")
    window.type("20m")
    window.key("Return")
    until(config.exists, "the file is made")
    window.key("Escape")
    assert window.result() == SAVED
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert tomllib.loads(config.read_text(encoding="utf-8")) == {"reminders": {"every": "20m"}}


@pytest.mark.desktop
def test_start_at_login_is_switched_without_touching_the_file(
    open_settings: Callable[..., Window], desktop: DesktopSession, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    env = _private_env(desktop, tmp_path / "home")
    entry = Path(env["XDG_CONFIG_HOME"]) / "autostart" / "rustlamp.desktop"
    window = open_settings("nl", config, env)
    window.key(*["Tab"] * 4, "space", "Return")  # past the three languages: start at login; save
    until(entry.exists, "the autostart entry is written")
    window.key("Escape")
    assert window.result() == SAVED
    assert not config.exists()  # no setting changed, so no file


# ----- closing ------------------------------------------------------------------------------------------


@pytest.mark.desktop
def test_esc_with_nothing_changed_closes_and_touches_nothing(
    open_settings: Callable[..., Window], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    before = config.stat().st_mtime_ns
    window = open_settings("nl", config)
    window.key("ctrl+Tab", "Tab")
    window.type("45m")  # the same value again is no change
    window.key("Escape")
    assert window.result() == CLOSED
    assert config.stat().st_mtime_ns == before and config.read_text(encoding="utf-8") == HAND_WRITTEN


@pytest.mark.desktop
def test_esc_with_changes_asks_once_keep_editing_or_discard(
    open_settings: Callable[..., Window], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    window = open_settings("en", config)
    window.key("ctrl+Tab", "Tab")
    window.type("20m")
    before = window.shot(tmp_path / "before.png")
    window.key("Escape")
    time.sleep(SETTLE)
    assert window.process.poll() is None  # it asks instead
    until(lambda: window.shot(tmp_path / "asking.png") != before, "the question shows")
    window.key("Escape")  # Esc again: keep editing
    time.sleep(SETTLE)
    assert window.process.poll() is None
    send_wm_delete(window.env["DISPLAY"], window.id)  # the window manager's close asks too
    time.sleep(SETTLE)
    assert window.process.poll() is None
    window.key("Tab", "Return")  # from Keep editing to Discard
    assert window.result() == CLOSED
    assert config.read_text(encoding="utf-8") == HAND_WRITTEN


# ----- a file the window cannot read, and opening the file ---------------------------------------------


@pytest.mark.desktop
def test_a_file_that_is_not_toml_opens_read_only_and_reload_takes_it_up_once_mended(
    live: Callable[..., Live], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    broken = HAND_WRITTEN.replace('every = "45m"', "every = 45m")
    config.write_text(broken, encoding="utf-8")
    shown = live("nl", config)
    window = shown.window
    (problem,) = parse_settings(broken, str(config)).problems
    assert window.read_only
    # as `config check` prints it, file and line too, in the window's language (tomllib's detail is English)
    assert problem.line_in("nl") in window.notice.cget("text")
    assert "not valid TOML" in str(problem)
    assert f"{config}:6: geen geldige TOML: " in window.notice.cget("text")
    assert not window.notebook.winfo_ismapped() and not window.save_button.winfo_ismapped()
    assert shown.root.focus_get() is window.open_button
    shown.key("Return")  # Enter on a button presses it (here: the editor, which the test has none of)
    shown.key("Escape")
    assert window.finished and window.outcome() == CLOSED
    assert config.read_text(encoding="utf-8") == broken

    config.write_text(HAND_WRITTEN, encoding="utf-8")
    window.reload()
    shown.pump()
    assert not window.read_only and window.notebook.winfo_ismapped()
    assert window.changes() == {}


@pytest.mark.desktop
def test_a_file_that_is_not_utf8_opens_read_only_with_the_words_of_config_check(
    live: Callable[..., Live], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(b'[reminders]\nevery = "45m" # caf\xe9\n')
    window = live("en", config).window
    (problem,) = load_settings(config).problems
    assert window.read_only and str(problem) in window.notice.cget("text")
    assert "is not UTF-8 text" in str(problem)


@pytest.mark.desktop
def test_a_bom_and_windows_line_endings_stay_as_they_were(live: Callable[..., Live], tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    written = "\ufeff" + HAND_WRITTEN.replace("\n", "\r\n")
    config.write_bytes(written.encode("utf-8"))
    shown = live("en", config)
    assert not shown.window.read_only  # `config check` reads it, so the window does too
    shown.key("ctrl+Tab", "Tab")
    shown.type("30m")
    shown.key("Return")
    shown.until(_changed(config, written), "the file is saved")
    assert config.read_bytes().decode("utf-8") == written.replace('"45m"', '"30m"')


@pytest.mark.desktop
def test_open_the_file_makes_it_from_the_example_and_hands_it_to_the_desktop(
    live: Callable[..., Live], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opener = tmp_path / "bin" / "xdg-open"
    opener.parent.mkdir()
    opener.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >>{tmp_path / "opened.txt"}\n')
    opener.chmod(0o755)
    monkeypatch.setenv("PATH", f"{opener.parent}{os.pathsep}{os.environ['PATH']}")
    config = tmp_path / "settings" / "config.toml"
    shown = live("en", config)
    window = shown.window
    shown.key("shift+Tab", "shift+Tab")  # from the tabs back round: Close, then (Save is off) Open
    assert shown.root.focus_get() is window.open_button
    shown.key("space")
    example = (resources.files("rustlamp") / "config.example.toml").read_text(encoding="utf-8")
    assert config.read_text(encoding="utf-8") == example
    until(lambda: (tmp_path / "opened.txt").exists(), "the desktop's opener is started")
    assert (tmp_path / "opened.txt").read_text().splitlines() == [str(config)]
    assert window.status.cget("text") == SETTINGS_TEXTS["en"]["opened"]
    assert window.reload_button.winfo_ismapped()
    assert window.snapshot.text == example  # what it made is what the window now edits
    assert window.changes() == {}


# ----- bringing back, size, words, screenshots ---------------------------------------------------------


@pytest.mark.desktop
def test_sigusr1_brings_the_window_back_and_focused(
    open_settings: Callable[..., Window], tmp_path: Path
) -> None:
    window = open_settings("en", tmp_path / "config.toml")
    minimise_and_bring_back(window)
    assert window.process.poll() is None  # the signal did not end it
    window.key("Escape")
    assert window.result() == CLOSED


def _texts(widget: tk.Misc) -> list[str]:
    """Every `text` shown by `widget` and the widgets inside it, and a notebook's tab names."""
    found = []
    if isinstance(widget, (tk.Label, tk.Button, ttk.Checkbutton, ttk.Radiobutton)):
        found.append(str(widget.cget("text")))
    if isinstance(widget, ttk.Notebook):
        found.extend(str(widget.tab(tab, "text")) for tab in widget.tabs())
    for child in widget.winfo_children():
        found.extend(_texts(child))
    return found


@pytest.mark.desktop
@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_words_are_the_languages_own_and_every_tab_fits(
    live: Callable[..., Live], tmp_path: Path, language: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    shown = live(language, config, autostart=_FakeAutostart())
    root, words = shown.root, SETTINGS_TEXTS[language]
    assert root.title() == words["title"]
    shown_texts = set(_texts(root))
    for key in ("save", "close", "open_file", "every", "hours", "days", "snooze", "length", "inhale"):
        assert words[key] in shown_texts, key
    for key in ("autostart", "journal", "fullscreen", "offer", "routine_add", "keep_editing", "discard"):
        assert words[key] in shown_texts, key
    for key in ("routine_prompt", "routine_prompt_hint"):
        assert words[key] in shown_texts, key
    assert {words[f"tab_{key}"] for key in TAB_KEYS} <= shown_texts
    if language == "nl":
        assert {"Opslaan", "Sluiten", "Het bestand openen", "Herinneringen", "ma", "zo"} <= shown_texts
    else:
        assert {"Save", "Close", "Open the file", "Reminders", "Mon", "Sun"} <= shown_texts
    # every tab has room for all it holds: nothing is cut off at the window's edge
    for tab in range(len(TAB_KEYS)):
        shown.window.notebook.select(tab)
        shown.pump(0.05)
        assert root.winfo_reqwidth() <= root.winfo_width() and root.winfo_reqheight() <= root.winfo_height()


@pytest.mark.desktop
@pytest.mark.parametrize("language", ["nl", "en"])
def test_screenshots_of_every_tab_centred_and_named(
    open_settings: Callable[..., Window], desktop: DesktopSession, tmp_path: Path, language: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(HAND_WRITTEN.replace('every = "45m"', 'every = "3m"'), encoding="utf-8")  # a warning
    window = open_settings(language, config)
    by_class = desktop.run(["xdotool", "search", "--onlyvisible", "--class", f"^{WINDOW_CLASS}$"])
    assert window.id in by_class.stdout.split()
    x, y, width, height = window.geometry()
    assert window.first_geometry == (x, y, width, height)  # it appeared in its place: no jump
    screen_width, screen_height = (int(v) for v in desktop.screen.split("x")[:2])
    assert 620 <= width <= 900 and 380 <= height <= 640, (width, height)
    assert abs(x + width / 2 - screen_width / 2) <= 1 and abs(y + height / 2 - screen_height / 2) <= 1
    shots = tmp_path / "shots"
    shots.mkdir()
    for index, key in enumerate(TAB_KEYS):
        if index:
            window.key("ctrl+Tab")
        time.sleep(0.15)
        window.shot(shots / f"settings-{language}-{index + 1}-{key}.png").save(
            shots / f"settings-{language}-{index + 1}-{key}.png"
        )
    print(f"screenshots: {shots}")
    window.key("Escape")
    assert window.result() == CLOSED


@pytest.mark.desktop
def test_at_192_dpi_everything_is_twice_as_large(
    open_settings: Callable[..., Window], desktop: DesktopSession, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    window = open_settings("nl", config)  # Xvfb's own ~100 dpi: sizes in points are a little over 1:1
    _, _, normal_width, normal_height = window.first_geometry
    window.key("Escape")
    assert window.result() == CLOSED
    with extra_display("2560x1600x24", "-dpi", "192") as hidpi:
        window = open_settings("nl", config, env={**desktop.env, "DISPLAY": hidpi})
        x, y, width, height = window.first_geometry
        assert 1.8 <= width / normal_width <= 2.1 and 1.8 <= height / normal_height <= 2.1, (width, height)
        assert abs(x + width / 2 - 1280) <= 1 and abs(y + height / 2 - 800) <= 1
        send_wm_delete(hidpi, window.id)  # (xdotool's keys go to the test desktop's own display)
        assert window.result() == CLOSED


class _FakeAutostart:
    """What the window needs of rustlamp.system.autostart, touching nothing."""

    def __init__(self) -> None:
        self.on = False

    def is_enabled(self) -> bool:
        return self.on

    def enable(self) -> None:
        self.on = True

    def disable(self) -> None:
        self.on = False


# ----- arguments, no display, helpers -------------------------------------------------------------------


def test_arguments(tmp_path: Path) -> None:
    options = parse_args(["--language", "nl", "--config", str(tmp_path / "c.toml")])
    assert (options.language, options.config) == ("nl", tmp_path / "c.toml")
    assert parse_args(["--language", "en"]).config.name == "config.toml"  # the usual place
    for bad in ([], ["--language", "de"], ["--language", "en", "--extra"]):
        with pytest.raises(SystemExit) as info:
            parse_args(bad)
        assert info.value.code == 2


def test_bad_arguments_are_status_2_with_nothing_on_stdout(tmp_path: Path) -> None:
    done = subprocess.run(_command("de", tmp_path / "c.toml"), capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout) == (2, "")


def test_no_display_is_status_2_with_nothing_on_stdout(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run(
        _command("en", tmp_path / "c.toml"), env=env, capture_output=True, text=True, timeout=30
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert "settings_window:" in done.stderr


def test_both_languages_have_every_word() -> None:
    assert SETTINGS_TEXTS["nl"].keys() == SETTINGS_TEXTS["en"].keys()
    assert all(SETTINGS_TEXTS[language].values() for language in ("nl", "en"))


def test_a_problem_belongs_to_the_field_of_its_key() -> None:
    shown = ["reminders.every", "reminders.snooze", "routines.tea", 'routines."tea time"']
    assert owner_key("reminders.every", shown) == "reminders.every"
    assert owner_key("reminders.snooze[1]", shown) == "reminders.snooze"
    assert owner_key('routines."tea time".days[2]', shown) == 'routines."tea time"'
    assert owner_key("routines.tea.prompt", shown) == "routines.tea"
    assert owner_key("routines.teapot.at", shown) is None  # not a prefix at a key's edge
    assert owner_key("mood", shown) is None
    problem = Problem("/x/config.toml", 4, "reminders.every", "'b' is not a duration")
    assert problem_text(problem) == "reminders.every: 'b' is not a duration"
    warning = Problem("/x/config.toml", None, "mood", "unknown key", "warning")
    assert problem_text(warning) == "mood: warning: unknown key"
    (said,) = parse_settings('[reminders]\nevery = "b"\n', "/x/config.toml").problems
    assert problem_text(said) == f"reminders.every: {said.message}"
    assert problem_text(said, "nl").startswith("reminders.every: 'b' is geen duur; wat wel kan: een duur van")


def test_a_problem_under_its_field_says_which_key_only_when_that_is_not_plain() -> None:
    item = Problem("f", 3, "reminders.snooze[1]", "'x' is not a duration")
    assert note_text(item, "reminders.snooze") == "'x' is not a duration"
    inside = Problem("f", 9, 'routines."tea time".days[0]', "'fun' is not a day")
    assert note_text(inside, 'routines."tea time"') == "days: 'fun' is not a day"
    unknown = Problem("f", 9, "routines.tea.colour", "unknown key, ignored", "warning")
    assert note_text(unknown, "routines.tea") == "colour: warning: unknown key, ignored"
    (said,) = parse_settings('[routines.tea]\nat = "08:00"\ncolor = 1\n', "f").problems
    assert note_text(said, "routines.tea", "nl") == (
        "color: let op: onbekende naam, rustlamp slaat hem over; "
        "namen die hier kunnen: at, days, prompt, enabled, kind"
    )
    assert note_text(said, "routines.tea") == f"color: warning: {said.message}"
    assert (
        home_short(Path.home() / ".config" / "rustlamp" / "config.toml") == "~/.config/rustlamp/config.toml"
    )
    assert home_short(Path("/etc/rustlamp.toml")) == "/etc/rustlamp.toml"


def test_lists_in_a_field() -> None:
    assert comma_list(" 10m, 30m,,1h ") == ["10m", "30m", "1h"]
    assert comma_list("") == []
    assert line_list("Look at the sky.\n\n  Drink water. \n") == ["Look at the sky.", "Drink water."]
    assert DAY_NAMES[0] == "mon"
