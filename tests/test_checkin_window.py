"""The check-in window as a person meets it: read and pressed through AT-SPI by role and name (a screen
reader, voice control), the keyboard alone (real X keys, the focus checked as a screen reader hears it),
and screenshots for looks; a whole keyboard-only check-in lands in `rustlamp journal export`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from atspi import Accessibility, AccessibleApp
from desktop import DesktopSession
from run_cli import RUSTLAMP
from window_driver import WAIT, Window, minimise_and_bring_back, rgb, send_wm_delete, window_starter

from rustlamp.core.checkin import MAX_NEED, CheckInAnswers
from rustlamp.core.content import LANGUAGES, load_content
from rustlamp.core.entries_json import entries_from_json
from rustlamp.ui.checkin_window import one_line
from rustlamp.ui.palette import DARK, LIGHT

CONTENT = {language: load_content(language) for language in LANGUAGES}
TITLES = {"nl": "Even inchecken", "en": "A short check-in", "de": "Kurz einchecken"}
EMPTY = {"outcome": "saved", "checkin": CheckInAnswers().to_json()}
CANCELLED = {"outcome": "cancelled"}
SCREENSHOTS = Path(os.environ.get("RUSTLAMP_SCREENSHOTS", "artifacts/screenshots"))


def _command(language: str) -> list[str]:
    return [sys.executable, "-m", "rustlamp.ui.checkin_window", "--language", language]


class Opened:
    def __init__(self, window: Window, seen: AccessibleApp) -> None:
        self.window = window
        self.seen = seen


@pytest.fixture
def open_window(accessible_desktop: DesktopSession, a11y: Accessibility) -> Iterator[Callable[..., Opened]]:
    """Start check-in windows; each is found by its title, has the keys and is on the accessibility bus."""
    children: list[int] = []  # windows started by `rustlamp check-in`, ended by PID on the way out
    with window_starter(accessible_desktop) as start_window:

        def start(language: str = "en", scheme: str = "light", command: list[str] | None = None) -> Opened:
            env = {k: v for k, v in accessible_desktop.env.items() if not k.startswith(("LC_", "LANG"))}
            env.update(
                RUSTLAMP_COLOR_SCHEME=scheme,
                LANG={"en": "en_GB.UTF-8", "nl": "nl_NL.UTF-8", "de": "de_DE.UTF-8"}[language],
            )
            window = start_window(command or _command(language), TITLES[language], env)
            pid = window.process.pid
            if command is not None:  # `rustlamp check-in`: the window is its child process
                pid = int(Path(f"/proc/{pid}/task/{pid}/children").read_text().split()[0])
                children.append(pid)
            return Opened(window, a11y.window(pid))

        try:
            yield start
        finally:
            for pid in children:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def _reading(language: str) -> list[tuple[str, str]]:
    content = CONTENT[language]
    words = content.checkin_words
    body, breath, need = content.checkin_questions
    return [
        ("dialog", content.checkin_title),
        ("label", words.intro),
        ("panel", body),
        *[("radio button", label) for label in words.body_choices.values()],
        ("panel", words.signals_label),
        *[("check box", label) for label in words.signals.values()],
        ("panel", breath),
        *[("radio button", label) for label in words.breath_choices.values()],
        ("panel", need),
        ("text", need),
        ("panel", words.suggestions_label),
        *[("push button", label) for label in words.need_suggestions],
        ("label", words.note),
        ("text", words.note),
        ("push button", words.save),
        ("push button", words.cancel),
    ]


# ----- as a screen reader and voice control find it -----------------------------------------------------


@pytest.mark.desktop
@pytest.mark.parametrize("language", LANGUAGES)
def test_each_question_is_a_named_group_of_answers_named_as_shown(
    open_window: Callable[..., Opened], language: str
) -> None:
    opened = open_window(language)
    read = opened.seen.read()[1:]
    assert read == _reading(language)
    controls = [name for role, name in read if role in ("radio button", "check box", "push button")]
    assert len(controls) == len(set(controls))  # unique, so "click Moe" means one thing
    first = next(iter(CONTENT[language].checkin_words.body_choices.values()))
    opened.seen.wait_for_focus("radio button", first)  # the keys start on the first answer
    opened.seen.press("push button", CONTENT[language].checkin_words.cancel)
    assert opened.window.result() == CANCELLED


@pytest.mark.desktop
def test_answers_chosen_by_voice_and_a_chosen_one_again_unchooses_it(
    open_window: Callable[..., Opened],
) -> None:
    opened = open_window("nl")
    seen = opened.seen
    seen.press("radio button", "Moe", "Toggle")
    until_checked = seen.wait_for("radio button", "Moe")
    assert "checked" in until_checked["states"]  # chosen is a state a screen reader says, not a colour
    seen.press("radio button", "Gespannen", "Toggle")  # one body answer at a time
    assert "checked" not in seen.find("radio button", "Moe")["states"]
    # Again, by Space or a click: un-chosen (every answer is optional). Assistive technology's Toggle keeps
    # radio buttons' rule (choose another to change), so this goes by the keyboard on the focused answer.
    seen.press("radio button", "Gespannen", "Set Focus")
    seen.wait_for_focus("radio button", "Gespannen")
    opened.window.key("space")
    assert "checked" not in seen.find("radio button", "Gespannen")["states"]
    seen.press("check box", "Een diepe zucht", "Toggle")
    seen.press("radio button", "Gejaagd", "Toggle")
    seen.press("push button", "Thee zonder scherm")  # a suggestion fills the need's line
    seen.press("push button", "Bewaren")
    expected = CheckInAnswers(signals=("sigh",), breath="hurried", need="Thee zonder scherm")
    assert opened.window.result() == {"outcome": "saved", "checkin": expected.to_json()}


@pytest.mark.desktop
def test_a_whole_check_in_by_keyboard_alone_lands_in_the_journal(
    open_window: Callable[..., Opened], accessible_desktop: DesktopSession, tmp_path: Path
) -> None:
    """`rustlamp check-in` with no lamp running, answered with keys only; every step checked the way a
    screen reader hears where the focus is; then `rustlamp journal export` has it."""
    opened = open_window("en", command=[RUSTLAMP, "check-in"])
    seen, keys = opened.seen, opened.window.key
    seen.wait_for_focus("radio button", CONTENT["en"].checkin_words.body_choices["tense"])
    keys("Right")  # arrows move within the answers...
    seen.wait_for_focus("radio button", CONTENT["en"].checkin_words.body_choices["tired"])
    assert (
        "checked"
        not in seen.find("radio button", CONTENT["en"].checkin_words.body_choices["tired"])["states"]
    )  # ...and choose nothing
    keys("space")
    keys("Tab")  # Tab: to the next group, the body's signals
    seen.wait_for_focus("check box", CONTENT["en"].checkin_words.signals["shoulders"])
    keys("space", "Left", "space")  # round to the last signal
    seen.wait_for_focus("check box", CONTENT["en"].checkin_words.signals["dropping"])
    keys("Tab", "Right", "space")  # the breath: hurried
    seen.wait_for_focus("radio button", CONTENT["en"].checkin_words.breath_choices["hurried"])
    keys("Tab")
    seen.wait_for_focus("text", CONTENT["en"].checkin_questions[2])
    opened.window.type("tea, no screen")
    keys("Tab")  # the suggestions are one stop
    seen.wait_for_focus("push button", CONTENT["en"].checkin_words.need_suggestions[0])
    keys("Tab")
    seen.wait_for_focus("text", CONTENT["en"].checkin_words.note)
    opened.window.type("first line")
    keys("Return")  # in the note: a new line, not a save
    opened.window.type("second line")
    keys("ctrl+Return")  # saves from anywhere
    out, err = opened.window.process.communicate(timeout=WAIT)
    assert opened.window.process.returncode == 0, err

    assert "Your check-in is saved in your journal." in out, out
    export = subprocess.run(
        [RUSTLAMP, "journal", "export", "--format", "json"],
        env=accessible_desktop.env,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    checkin = [entry for entry in entries_from_json(json.loads(export.stdout)) if entry.kind == "checkin"][-1]
    expected = CheckInAnswers(
        body="tired",
        signals=("shoulders", "dropping"),  # the questions' order, not the order they were ticked
        breath="hurried",
        need="tea, no screen",
        note="first line\nsecond line",
    )
    assert CheckInAnswers.from_json(checkin.detail) == expected


@pytest.mark.desktop
@pytest.mark.parametrize("language", LANGUAGES)
def test_enter_saves_an_empty_check_in_at_once_then_thanks_for_a_moment(
    open_window: Callable[..., Opened], language: str
) -> None:
    opened = open_window(language)
    window = opened.window
    window.key("Return")
    pressed = time.monotonic()
    assert window.line() == EMPTY  # printed when saved, while the thank-you still shows
    opened.seen.wait_for("label", CONTENT[language].checkin_words.thanks)
    assert CONTENT[language].checkin_words.save not in opened.seen.names("push button")  # made way
    assert window.process.wait(WAIT) == 0
    assert 0.8 <= time.monotonic() - pressed <= 4.0
    assert window.process.stdout is not None and window.process.stdout.read() == ""  # one line, no more


@pytest.mark.desktop
def test_esc_cancels_and_keeps_nothing(open_window: Callable[..., Opened]) -> None:
    opened = open_window("en")
    opened.seen.press("radio button", CONTENT["en"].checkin_words.body_choices["tired"], "Toggle")
    opened.window.key("Escape")
    assert opened.window.result() == CANCELLED


@pytest.mark.desktop
def test_not_now_by_keyboard_and_closing_the_window_cancel(
    open_window: Callable[..., Opened], accessible_desktop: DesktopSession
) -> None:
    opened = open_window("en")
    opened.window.key("shift+Tab")  # backwards from the first answer: round to the last button
    opened.seen.wait_for_focus("push button", CONTENT["en"].checkin_words.cancel)
    opened.window.key("Return")
    assert opened.window.result() == CANCELLED
    window = open_window("en").window
    send_wm_delete(accessible_desktop.env["DISPLAY"], window.id)
    assert window.result() == CANCELLED


@pytest.mark.desktop
def test_in_the_note_shift_tab_leaves_it_and_ctrl_keypad_enter_saves(
    open_window: Callable[..., Opened],
) -> None:
    opened = open_window("en")
    keys = opened.window.key
    keys(*["Tab"] * 5)  # a stop per group: from the body to the signals, breath, need, suggestions, note
    opened.seen.wait_for_focus("text", CONTENT["en"].checkin_words.note)
    opened.window.type("one")
    keys("KP_Enter")
    opened.window.type("two")
    keys("shift+Tab", "space")  # out of the note, not a tab in it: the first suggestion
    keys("Tab", "ctrl+KP_Enter")  # back into the note, and save from there
    need = CONTENT["en"].checkin_words.need_suggestions[0]
    expected = CheckInAnswers(need=need, note="one\ntwo")
    assert opened.window.result() == {"outcome": "saved", "checkin": expected.to_json()}


@pytest.mark.desktop
def test_sigusr1_brings_the_window_back_with_the_keys(
    open_window: Callable[..., Opened],
) -> None:
    opened = open_window("en")
    opened.window.key("Tab")
    opened.seen.wait_for_focus("check box", CONTENT["en"].checkin_words.signals["shoulders"])
    minimise_and_bring_back(opened.window)  # mapped again, with the keyboard focus (X's)
    # Left for later: after an unmap behind Qt's back (no window manager) AT-SPI reports no focused
    # control until the next key, although X gives the window the keys again.
    opened.window.key("Escape")
    assert opened.window.result() == CANCELLED


@pytest.mark.desktop
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_screenshots_in_the_calm_colours(
    open_window: Callable[..., Opened], language: str, scheme: str
) -> None:
    """The screenshot set (both languages, light and dark), answers chosen, in artifacts/screenshots."""
    opened = open_window(language, scheme)
    words = CONTENT[language].checkin_words
    opened.seen.press("radio button", words.body_choices["tired"], "Toggle")
    opened.seen.press("check box", words.signals["sigh"], "Toggle")
    opened.seen.wait_for("radio button", words.body_choices["tired"])
    time.sleep(0.2)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = opened.window.shot(opened.window.desktop.tmp / "screen.png")
    shot.save(SCREENSHOTS / f"checkin-{language}-{scheme}.png")
    assert shot.getpixel((5, 5)) == rgb((DARK if scheme == "dark" else LIGHT).background)
    _, _, width, height = opened.window.geometry()
    assert 500 <= width <= 800 and height <= 760  # a small window, even with every question
    opened.window.key("Escape")
    assert opened.window.result() == CANCELLED


# ----- arguments, no display, helpers -------------------------------------------------------------------


def test_bad_arguments_are_status_2_with_nothing_on_stdout() -> None:
    done = subprocess.run([*_command("en")[:-1], "de"], capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout) == (2, "")


def test_no_display_is_status_2_with_nothing_on_stdout() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run(_command("en"), env=env, capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout) == (2, "")
    assert "checkin_window:" in done.stderr


def test_one_line_keeps_the_words_on_one_trimmed_line() -> None:
    assert one_line("  thee\nzonder scherm \n", MAX_NEED) == "thee zonder scherm"
    assert one_line("x" * (MAX_NEED + 10), MAX_NEED) == "x" * MAX_NEED
    assert one_line("", MAX_NEED) == ""
