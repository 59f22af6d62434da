"""The settings window (Qt) the way its users meet it.

Most tests run the window as the app runs it (`python -m rustlamp.ui.settings_window --language ...
--config FILE`) on the test desktop with its accessibility bus on: they read it as a screen reader does
and press its controls by role and name (tests/atspi.py), type with real X keys (xdotool), and judge it by
the file it leaves behind and the JSON line it prints. What the form decides is tested without a display
in tests/test_settings_form.py. The layout's promises (rows that stay put, fields wide enough, hints on one
line, Tab in reading order) are measured on a window built in this process on Qt's offscreen platform.
Screenshots in both languages, light and dark, are kept in the test's tmp folder.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from atspi import Accessibility, AccessibleApp, walk
from desktop import DesktopSession
from window_driver import Window, minimise_and_bring_back, until, window_starter

from rustlamp.core.config import parse_settings
from rustlamp.core.content import LANGUAGES
from rustlamp.core.texts import language_name
from rustlamp.ui.contract import SettingsRequest
from rustlamp.ui.settings_words import SETTINGS_TEXTS, TAB_KEYS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

pytestmark = pytest.mark.desktop

TITLES = {language: words["title"] for language, words in SETTINGS_TEXTS.items()}
SAVED = {"outcome": "saved"}
CLOSED = {"outcome": "closed"}
NL, EN = SETTINGS_TEXTS["nl"], SETTINGS_TEXTS["en"]

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


Opened = tuple[Window, AccessibleApp]
CONTROLS = ("text", "check box", "radio button", "panel", "push button", "list", "list item")  # and groups


def _on_screen(app: AccessibleApp) -> list[dict[str, Any]]:
    """What shows on screen, in reading order: "showing" itself and inside parents that show (Qt says a
    hidden tab's list items are showing)."""

    def visit(node: dict[str, Any], shows: bool) -> Iterator[dict[str, Any]]:
        shows = shows and (node["role"] == "application" or "showing" in node["states"])
        if shows:
            yield node
        for child in node.get("children", []):
            yield from visit(child, shows)

    return list(visit(app.tree(), True))


@pytest.fixture
def open_settings(
    accessible_desktop: DesktopSession, a11y: Accessibility, tmp_path: Path
) -> Iterator[Callable[..., Opened]]:
    """Start settings windows on the accessible test desktop: each found by its title, with the keyboard
    focus, and as a screen reader sees it."""
    with window_starter(accessible_desktop) as start_window:

        def start(language: str, config: Path, env: dict[str, str] | None = None) -> Opened:
            env = env or _private_env(accessible_desktop, tmp_path / "home")
            window = start_window(_command(language, config), TITLES[language], env)
            return window, a11y.window(window.process.pid)

        yield start


def _focused(app: AccessibleApp) -> dict[str, Any] | None:
    """What has the keyboard focus, as a screen reader hears of it. Read from the tree, which says more
    than that: the tab widget is "focused" with its tab bar, and a tab keeps the state it was last told
    (Qt tells AT-SPI when a tab gains the focus, not when a field on its page takes it over)."""
    tree = app.tree()
    found = [n for n in walk(tree) if "focused" in n["states"]]
    # Qt says "focused" of a list's current item whether or not the list has the focus: the list's own
    # state tells (its item is what a screen reader then reads)
    lists = [n for n in walk(tree) if n["role"] == "list"]
    unfocused_items = {
        id(item)
        for each in lists
        if "focused" not in each["states"]
        for item in walk(each)
        if item is not each
    }
    found = [n for n in found if id(n) not in unfocused_items and n["role"] != "list"]
    fields = [n for n in found if n["role"] not in ("filler", "page tab list", "page tab")]
    tabs = [n for n in found if n["role"] == "page tab" and "selected" in n["states"]]
    return (fields or tabs or [None])[-1]


def _focus_is(app: AccessibleApp, role: str, name: str) -> dict[str, Any]:
    def on_it() -> dict[str, Any] | None:
        now = _focused(app)
        return now if now and (now["role"], now["name"]) == (role, name) else None

    try:
        found: dict[str, Any] = until(on_it, f"the focus on the {role} {name!r}")
    except AssertionError as exc:
        raise AssertionError(f"{exc}; the focus is on {_focused(app)}") from None
    return found


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


# ----- as a screen reader and voice control see it ------------------------------------------------------


def test_every_field_is_named_by_its_label_and_fields_that_belong_together_are_groups(
    open_settings: Callable[..., Opened], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    window, app = open_settings("nl", config)
    assert app.names("page tab") == [NL[f"tab_{key}"] for key in TAB_KEYS]
    _focus_is(app, "page tab", NL["tab_general"])  # opened by the person: the keys go to the tabs
    seen: dict[str, list[str]] = {}
    checked: dict[str, list[str]] = {}
    for index, key in enumerate(TAB_KEYS):
        if index:
            window.key("ctrl+Tab")
        _focus_is(app, "page tab", NL[f"tab_{key}"])
        shows = _on_screen(app)
        seen[key] = [f"{n['role']}: {n['name']}" for n in shows if n["role"] in CONTROLS]
        checked[key] = [n["name"] for n in shows if "checked" in n["states"]]
    buttons = ["push button: Het bestand openen", "push button: Opslaan", "push button: Sluiten"]
    days = ["panel: Dagen", *[f"check box: {day}" for day in ("ma", "di", "wo", "do", "vr", "za", "zo")]]
    assert seen["general"] == [
        "panel: Taal",
        "radio button: Automatisch",
        "radio button: Nederlands",
        "radio button: English",
        "radio button: Deutsch",
        f"check box: {NL['autostart']}",
        f"text: {NL['prompts']}",
        *buttons,
    ]
    assert seen["reminders"] == [
        "text: Hoe vaak",
        "panel: Actieve uren",
        "text: van",
        "text: tot",
        *days,
        "text: Straks",
        "check box: Wachten zolang een venster het hele scherm vult",
        "check box: Wachten zolang je in gesprek bent",
        *buttons,
    ]
    assert seen["break"] == [
        "text: Lengte van een pauze",
        "text: Inademen",
        "text: Uitademen",
        "text: Weg telt als pauze na",
        f"check box: {NL['offer']}",
        f"text: {NL['sooner']}",
        *buttons,
    ]
    assert seen["routines"] == [
        "list: Je routines",  # the routines, and one editor for the chosen one: a group named by it
        "list item: morning",
        "list item: tea time",
        "panel: morning",
        "check box: Deze routine staat aan",
        "text: Tijd",
        *days,
        "panel: Soort",
        "radio button: Ochtendmoment",  # a routine called morning is one, until the person says not
        "radio button: Avondmoment",
        "radio button: Ander moment",
        "text: Woorden",
        "push button: Routine verwijderen",
        "text: Nieuwe routine",
        "push button: Toevoegen",
        *buttons,
    ]
    assert checked["routines"] == [
        "Deze routine staat aan",
        "ma",
        "di",
        "wo",
        "do",
        "vr",
        "za",
        "zo",
        "Ochtendmoment",
    ]
    assert seen["privacy"] == ["check box: Een dagboek bijhouden van rustmomenten en check-ins", *buttons]
    # the visible words are there for a screen reader's review too
    labels = [n["name"] for n in walk(app.tree()) if n["role"] == "label"]
    assert NL["journal_hint"] in labels
    window.key("Escape")
    assert window.result() == CLOSED


def test_a_setting_changed_by_keyboard_alone_is_saved_with_enter_and_the_app_is_told(
    open_settings: Callable[..., Opened], accessible_desktop: DesktopSession, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    env = _private_env(accessible_desktop, tmp_path / "home")
    told = FakeApp(Path(env["XDG_RUNTIME_DIR"]))
    try:
        window, app = open_settings("en", config, env)
        window.key("ctrl+Tab")
        _focus_is(app, "page tab", EN["tab_reminders"])
        window.key("Tab")  # into its first field, its text selected
        _focus_is(app, "text", EN["every"])
        assert _node(app, "text", EN["every"])["text"] == "45 min"  # "45m" in the file, in words here
        window.type("30 min")
        window.key("Return")
        until(_changed(config, HAND_WRITTEN), "the file is saved")
        app.wait_for("label", EN["saved"])  # said where a screen reader's review finds it
        window.key("Escape")  # nothing unsaved now: it closes without asking
        assert window.result() == SAVED
        until(lambda: told.told, "the app is told to read the file again")
        assert told.told == ["reload"]
    finally:
        told.close()
    # only that line differs; comments, the TOML time and the unknown keys are as they were
    assert config.read_text(encoding="utf-8") == HAND_WRITTEN.replace(
        'every = "45m"   # a gentle pace', 'every = "30 min"   # a gentle pace'
    )


def _node(app: AccessibleApp, role: str, name: str) -> dict[str, Any]:
    found = [n for n in walk(app.tree()) if n["role"] == role and n["name"] == name]
    assert len(found) == 1, [(n["role"], n["name"]) for n in walk(app.tree())]
    return found[0]


def test_a_wrong_value_is_said_with_its_field_and_save_stays_off(
    open_settings: Callable[..., Opened], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    window, app = open_settings("nl", config)
    window.key("ctrl+Tab", "Tab")
    _focus_is(app, "text", NL["every"])
    window.type("banana")
    (expected,) = [
        p
        for p in parse_settings(HAND_WRITTEN.replace('"45m"', '"banana"'), str(config)).problems
        if p.key == "reminders.every"
    ]
    said = expected.message_in("nl")
    assert said.startswith("'banana' is geen duur")
    app.wait_for("label", said)  # on the line under the field
    until(lambda: _node(app, "text", NL["every"])["description"] == said, "the field's description")
    assert "sensitive" not in _node(app, "push button", NL["save"])["states"]
    tab = _node(app, "page tab", NL["tab_reminders"])  # heard by its name, with what the dot says
    assert tab["description"] == NL["tab_problem"]
    window.key("Return")  # Enter saves... nothing, while there is an error
    time.sleep(0.4)
    assert config.read_text(encoding="utf-8") == HAND_WRITTEN

    window.key("ctrl+a")
    window.type("20m")
    until(lambda: _node(app, "text", NL["every"])["description"] == "", "the problem goes")
    assert _node(app, "page tab", NL["tab_reminders"])["description"] == ""
    window.key("Return")
    until(_changed(config, HAND_WRITTEN), "the file is saved")
    assert config.read_text(encoding="utf-8") == HAND_WRITTEN.replace('"45m"', '"20m"')
    window.key("Escape")
    assert window.result() == SAVED


def test_esc_with_changes_asks_once_keep_editing_or_discard(
    open_settings: Callable[..., Opened], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    window, app = open_settings("en", config)
    window.key("ctrl+Tab", "Tab")
    window.type("50m")
    window.key("Escape")
    _focus_is(app, "push button", EN["keep_editing"])
    app.wait_for("label", EN["unsaved"])
    window.key("Escape")  # Esc again: keep editing, back where the keys were
    _focus_is(app, "text", EN["every"])
    window.key("Escape")
    _focus_is(app, "push button", EN["keep_editing"])
    app.press("push button", EN["discard"])  # as "click Discard" by voice
    assert window.result() == CLOSED
    assert config.read_text(encoding="utf-8") == HAND_WRITTEN


def test_the_window_managers_close_asks_too_and_nothing_changed_closes_at_once(
    open_settings: Callable[..., Opened], tmp_path: Path
) -> None:
    from window_driver import send_wm_delete

    config = tmp_path / "config.toml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    window, app = open_settings("en", config)
    app.press("radio button", language_name("en"), "Toggle")  # chosen by name, as by voice
    send_wm_delete(window.env["DISPLAY"], window.id)
    _focus_is(app, "push button", EN["keep_editing"])
    app.press("push button", EN["keep_editing"])
    app.press("radio button", EN["language_auto"], "Toggle")  # as it was: nothing to save
    send_wm_delete(window.env["DISPLAY"], window.id)
    assert window.result() == CLOSED
    assert config.read_text(encoding="utf-8") == HAND_WRITTEN


def test_routines_chosen_removed_added_and_changed_by_keyboard_alone(
    open_settings: Callable[..., Opened], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    window, app = open_settings("nl", config)
    window.key("ctrl+Tab", "ctrl+Tab", "ctrl+Tab", "Tab")  # Routines: the list, morning chosen
    _focus_is(app, "list item", "morning")
    window.key(*["Tab"] * 12)  # past on/off, its time, seven days, its kind and its words
    _focus_is(app, "push button", NL["routine_remove"])
    window.key("Return")  # removed: the focus is back in the list, on tea time, chosen now
    _focus_is(app, "list item", "tea time")
    app.wait_for("panel", "tea time")  # the editor shows it
    window.key(*["Tab"] * 10)  # to its kind: tea time is no morning or evening
    _focus_is(app, "radio button", NL["routine_kind_other"])
    window.key("Left")  # arrow keys within the group: an evening moment
    _focus_is(app, "radio button", NL["routine_kind_evening"])
    window.key("Tab", "Tab", "Tab")  # past its words and Routine verwijderen to the new routine's name
    _focus_is(app, "text", NL["routine_new"])
    window.type("avond")
    window.key("Return")  # added and chosen; the focus is in its time, selected
    _focus_is(app, "text", NL["routine_at"])
    app.wait_for("list item", "avond")
    window.type("21:30")
    window.key(*["Tab"] * 6, "space")  # ma di wo do vr za: no Saturdays
    window.key("Tab", "Tab")  # past zo to its kind: an evening, as its name says
    _focus_is(app, "radio button", NL["routine_kind_evening"])
    window.key("Tab")
    _focus_is(app, "text", NL["routine_prompt"])
    window.type("Even naar buiten kijken.")
    window.key("Return")
    until(_changed(config, HAND_WRITTEN), "the file is saved")
    window.key("Escape")
    assert window.result() == SAVED

    text = config.read_text(encoding="utf-8")
    assert 'colour = "green"         # unknown here too' in text  # tea time as it was, but its kind
    assert "Twee minuten ademen." not in text  # morning went with its words
    routines = tomllib.loads(text)["routines"]
    assert routines["tea time"]["kind"] == "evening"
    assert routines["avond"] == {  # no kind: its name says it
        "at": "21:30",
        "days": ["mon", "tue", "wed", "thu", "fri", "sun"],
        "prompt": "Even naar buiten kijken.",
    }
    assert list(routines) == ["tea time", "avond"]


ACTED_ON = ("push button", "check box", "radio button", "text", "list", "list item", "page tab", "combo box")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_two_controls_on_screen_share_a_role_and_a_name(
    open_settings: Callable[..., Opened], tmp_path: Path, language: str
) -> None:
    """Voice control finds a control by what the person sees and says ("click ma", "click Routine
    verwijderen"): on every tab, and while the unsaved-changes question shows, each name is one control."""
    config = tmp_path / "config.toml"
    config.write_text(HAND_WRITTEN + '\n[routines.avond]\nat = "21:30"\n', encoding="utf-8")
    window, app = open_settings(language, config)
    words = SETTINGS_TEXTS[language]

    def controls() -> list[tuple[str, str]]:
        return [(n["role"], n["name"]) for n in _on_screen(app) if n["role"] in ACTED_ON]

    seen: list[tuple[str, str]] = []
    for index, key in enumerate(TAB_KEYS):
        if index:
            window.key("ctrl+Tab")
        _focus_is(app, "page tab", words[f"tab_{key}"])
        shown = controls()
        assert all(name for _, name in shown), shown  # nothing nameless
        twice = sorted({c for c in shown if shown.count(c) > 1})
        assert twice == [], (key, twice)
        seen += shown
    assert ("push button", words["routine_remove"]) in seen and ("list item", "avond") in seen
    window.key("ctrl+shift+Tab", "Tab", "Down")  # back to the routines; another one chosen
    _focus_is(app, "list item", "tea time")
    app.wait_for("panel", "tea time")
    window.key("Tab", "space", "Escape")  # a change, then Esc: the question, with its own buttons
    _focus_is(app, "push button", words["keep_editing"])
    shown = controls()
    assert ("push button", words["discard"]) in shown and ("push button", words["save"]) not in shown
    assert sorted({c for c in shown if shown.count(c) > 1}) == []
    app.press("push button", words["discard"])
    assert window.result() == CLOSED
    assert config.read_text(encoding="utf-8") == HAND_WRITTEN + '\n[routines.avond]\nat = "21:30"\n'


def test_a_file_changed_on_disk_is_never_overwritten_and_reload_is_offered(
    open_settings: Callable[..., Opened], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    window, app = open_settings("nl", config)
    window.key("ctrl+Tab", "Tab")
    _focus_is(app, "text", NL["every"])
    window.type("30m")
    elsewhere = HAND_WRITTEN.replace('"45m"', '"50m"')
    config.write_text(elsewhere, encoding="utf-8")
    app.press("push button", NL["save"])  # as "click Opslaan"
    app.wait_for("label", NL["changed_on_disk"])
    assert config.read_text(encoding="utf-8") == elsewhere
    app.press("push button", NL["reload"])
    app.wait_for("label", NL["reloaded"])
    assert "sensitive" not in _node(app, "push button", NL["save"])["states"]  # the edit was let go
    window.key("Escape")  # nothing unsaved: it closes at once
    assert window.result() == CLOSED
    assert config.read_text(encoding="utf-8") == elsewhere


def test_a_file_that_is_not_toml_is_shown_read_only_with_what_is_wrong(
    open_settings: Callable[..., Opened], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    broken = '[reminders]\nevery = "45m\n'
    config.write_text(broken, encoding="utf-8")
    window, app = open_settings("en", config)
    _focus_is(app, "push button", EN["open_file"])
    notice = next(
        n for n in walk(app.tree()) if n["role"] == "label" and n["name"].startswith(EN["read_only"])
    )
    assert f"{config}:2:" in notice["name"]
    assert (
        app.find("push button", EN["save"])["count"] == 0
        or "showing" not in app.find("push button", EN["save"])["states"]
    )
    config.write_text(HAND_WRITTEN, encoding="utf-8")
    app.press("push button", EN["reload"])
    app.wait_for("page tab", EN["tab_general"])
    window.key("Escape")
    assert window.result() == CLOSED
    assert config.read_text(encoding="utf-8") == HAND_WRITTEN


def test_sigusr1_brings_the_window_back_and_focused(
    open_settings: Callable[..., Opened], tmp_path: Path
) -> None:
    window, _ = open_settings("en", tmp_path / "config.toml")
    minimise_and_bring_back(window)
    assert window.process.poll() is None  # the signal did not end it
    window.key("Escape")
    assert window.result() == CLOSED


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_screenshots_of_every_tab(
    open_settings: Callable[..., Opened],
    accessible_desktop: DesktopSession,
    tmp_path: Path,
    language: str,
    scheme: str,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(HAND_WRITTEN.replace('every = "45m"', 'every = "3m"'), encoding="utf-8")  # a warning
    env = {**_private_env(accessible_desktop, tmp_path / "home"), "RUSTLAMP_COLOR_SCHEME": scheme}
    window, app = open_settings(language, config, env)
    x, y, width, height = window.geometry()
    screen_width, screen_height = (int(v) for v in accessible_desktop.screen.split("x")[:2])
    assert 600 <= width <= 1000 and 380 <= height <= 720, (width, height)
    assert abs(x + width / 2 - screen_width / 2) <= 2 and abs(y + height / 2 - screen_height / 2) <= 2
    shots = Path(os.environ.get("RUSTLAMP_SHOTS", tmp_path / "shots"))
    shots.mkdir(parents=True, exist_ok=True)
    words = SETTINGS_TEXTS[language]
    background = {"light": (0xF2, 0xEB, 0xDF), "dark": (0x2A, 0x26, 0x22)}[scheme]
    for index, key in enumerate(TAB_KEYS):
        if index:
            window.key("ctrl+Tab")
        _focus_is(app, "page tab", words[f"tab_{key}"])
        time.sleep(0.15)
        path = shots / f"settings-{language}-{scheme}-{index + 1}-{key}.png"
        image = window.shot(path)
        image.save(path)
        assert image.getpixel((4, 4)) == background  # the calm ground of the scheme asked for
    print(f"screenshots: {shots}")
    window.key("Escape")
    assert window.result() == CLOSED


# ----- arguments, no display ------------------------------------------------------------------------


def test_arguments(tmp_path: Path) -> None:
    request = SettingsRequest.from_argv(["--language", "nl", "--config", str(tmp_path / "c.toml")])
    assert (request.language, request.config) == ("nl", tmp_path / "c.toml")
    assert SettingsRequest.from_argv(request.to_argv()) == request
    assert SettingsRequest.from_argv(["--language", "en"]).config.name == "config.toml"  # the usual place
    for bad in ([], ["--language", "xx"], ["--language", "en", "--extra"]):
        with pytest.raises(SystemExit) as info:
            SettingsRequest.from_argv(bad)
        assert info.value.code == 2


def test_bad_arguments_are_status_2_with_nothing_on_stdout(tmp_path: Path) -> None:
    done = subprocess.run(_command("de", tmp_path / "c.toml"), capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout) == (2, "")


def test_no_display_is_status_2_with_nothing_on_stdout(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run(
        _command("en", tmp_path / "c.toml"), env=env, capture_output=True, text=True, timeout=30
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert "settings_window:" in done.stderr
