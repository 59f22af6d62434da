"""The check-in window as a program on the test desktop's Xvfb, and its words.

The window runs as the parent runs it (`python -m rustlamp.ui.checkin_window --language ...`), is found
by its title, driven with real X input only (xdotool keys, typing and clicks), and judged by the JSON
line it prints and by screenshots. The test desktop has no window manager: closing is a
WM_DELETE_WINDOW client message sent the way a window manager sends it, and "minimised" is an unmapped
window. One test builds the window inside the test process, on the same display, to read every label.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tkinter as tk
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from desktop import DesktopSession, extra_display
from PIL import ImageChops
from window_driver import (
    WAIT,
    Window,
    colour_box,
    cover_and_raise,
    minimise_and_bring_back,
    send_wm_delete,
    until,
    window_starter,
)

from rustlamp.core.checkin import MAX_NEED, CheckInAnswers
from rustlamp.core.content import load_content
from rustlamp.ui.checkin_window import CHOSEN_MARK, WINDOW_CLASS, CheckinWindow, one_line, parse_args
from rustlamp.ui.palette import CHOSEN, FOCUS

CONTENT = {language: load_content(language) for language in ("nl", "en")}
TITLES = {"nl": "Even inchecken", "en": "A short check-in"}
EMPTY = {"outcome": "saved", "checkin": CheckInAnswers().to_json()}
CANCELLED = {"outcome": "cancelled"}


def _command(language: str) -> list[str]:
    return [sys.executable, "-m", "rustlamp.ui.checkin_window", "--language", language]


@pytest.fixture
def open_window(desktop: DesktopSession) -> Iterator[Callable[..., Window]]:
    """Start check-in windows on the test desktop; each is found by its exact title and has the focus."""
    with window_starter(desktop) as start_window:

        def start(language: str = "en", env: dict[str, str] | None = None) -> Window:
            return start_window(_command(language), TITLES[language], env)

        yield start


# ----- the real window, by keyboard ---------------------------------------------------------------------


@pytest.mark.desktop
def test_every_question_by_keyboard_alone_and_ctrl_enter_saves_from_the_note(
    open_window: Callable[..., Window],
) -> None:
    window = open_window("en")
    # The focus starts on the first body choice; Tab goes down the questions, Shift+Tab back up.
    window.key("Tab", "space")  # tired
    window.key(*["Tab"] * 7, "space")  # the last body signal: dropping
    window.key(*["shift+Tab"] * 3, "space")  # back to the first: shoulders
    window.key(*["Tab"] * 5, "space")  # past the other signals and "calm": hurried
    window.key("Tab", "Tab")  # past "don't know", into the need field
    window.type("tea, no screen")
    window.key(*["Tab"] * 5)  # past the four suggestions, into the note
    window.type("first line")
    window.key("Return")  # in the note: a new line, not a save
    window.type("second line")
    window.key("ctrl+Return")
    expected = CheckInAnswers(
        body="tired",
        signals=("shoulders", "dropping"),  # the questions' order, not the order they were ticked
        breath="hurried",
        need="tea, no screen",
        note="first line\nsecond line",
    )
    assert window.result() == {"outcome": "saved", "checkin": expected.to_json()}


@pytest.mark.desktop
def test_in_the_note_keypad_enter_is_a_new_line_and_shift_tab_leaves_it(
    open_window: Callable[..., Window],
) -> None:
    window = open_window("en")
    window.key(*["Tab"] * 17)  # every answer, the need field and the four suggestions: the note
    window.type("one")
    window.key("KP_Enter")
    window.type("two")
    window.key("shift+Tab", "space")  # out of the note, not a tab in it: the last suggestion
    window.key("Tab", "ctrl+KP_Enter")  # back into the note, and save from there
    need = CONTENT["en"].checkin_words.need_suggestions[-1]
    expected = CheckInAnswers(need=need, note="one\ntwo")
    assert window.result() == {"outcome": "saved", "checkin": expected.to_json()}


@pytest.mark.desktop
@pytest.mark.parametrize("language", ["nl", "en"])
def test_enter_saves_an_empty_check_in_at_once_then_thanks_for_a_moment(
    open_window: Callable[..., Window], tmp_path: Path, language: str
) -> None:
    window = open_window(language)
    before = window.shot(tmp_path / "before.png")
    window.key("Return")
    pressed = time.monotonic()
    assert window.line() == EMPTY  # printed when saved, while the thank-you still shows
    assert window.process.poll() is None and window.visible()
    thanking = window.shot(tmp_path / f"thanks-{language}.png")
    assert ImageChops.difference(before, thanking).getbbox() is not None  # the buttons made way
    assert window.process.wait(WAIT) == 0
    assert 0.8 <= time.monotonic() - pressed <= 4.0
    assert window.process.stdout is not None and window.process.stdout.read() == ""  # one line, no more


@pytest.mark.desktop
def test_esc_cancels_and_keeps_nothing(open_window: Callable[..., Window]) -> None:
    window = open_window("nl")
    window.key("space", *["Tab"] * 12)  # a body choice, then into the need field
    window.type("rust")
    window.key("Escape")
    assert window.result() == CANCELLED


@pytest.mark.desktop
def test_not_now_by_keyboard_cancels(open_window: Callable[..., Window]) -> None:
    window = open_window("en")
    window.key("space", "shift+Tab")  # from the first answer back round to the last button: Not now
    window.key("Return")  # Enter presses Not now rather than saving
    assert window.result() == CANCELLED


@pytest.mark.desktop
def test_a_suggestion_fills_the_need_field(open_window: Callable[..., Window]) -> None:
    window = open_window("nl")
    window.key(*["Tab"] * 12)
    window.type("iets anders")
    window.key("Tab", "Tab", "Tab", "space", "Return")  # the third suggestion replaces it; Enter saves
    need = CONTENT["nl"].checkin_words.need_suggestions[2]
    assert need.startswith("Eén")  # not plain ASCII: the words arrive as written
    assert window.result() == {"outcome": "saved", "checkin": CheckInAnswers(need=need).to_json()}


@pytest.mark.desktop
def test_the_focus_ring_is_visible_and_follows_tab(
    open_window: Callable[..., Window], tmp_path: Path
) -> None:
    window = open_window("en")
    first = until(lambda: colour_box(window.shot(tmp_path / "ring.png"), FOCUS), "a focus ring")
    window.key("Tab")
    second = until(
        lambda: (box := colour_box(window.shot(tmp_path / "ring.png"), FOCUS)) != first and box,
        "the focus ring moves with Tab",
    )
    assert second[0] > first[2]  # to the next answer on the right
    window.key("Escape")
    assert window.result() == CANCELLED


# ----- the real window, by mouse ------------------------------------------------------------------------


@pytest.mark.desktop
def test_clicking_a_chosen_answer_again_unchooses_it(
    open_window: Callable[..., Window], tmp_path: Path
) -> None:
    window = open_window("en")
    window.key("space")  # "tense", chosen by keyboard
    chosen = until(lambda: colour_box(window.shot(tmp_path / "chosen.png"), CHOSEN), "a chosen answer")
    window.click((chosen[0] + chosen[2]) // 2, (chosen[1] + chosen[3]) // 2)  # the same answer, by mouse
    until(lambda: colour_box(window.shot(tmp_path / "none.png"), CHOSEN) is None, "nothing chosen")
    window.click((chosen[0] + chosen[2]) // 2, (chosen[1] + chosen[3]) // 2)  # and chosen again
    again = until(lambda: colour_box(window.shot(tmp_path / "again.png"), CHOSEN), "chosen again")
    assert again == chosen
    window.key("Return")
    assert window.result() == {"outcome": "saved", "checkin": CheckInAnswers(body="tense").to_json()}


@pytest.mark.desktop
def test_clicking_save_saves(open_window: Callable[..., Window], tmp_path: Path) -> None:
    from rustlamp.ui.palette import PRIMARY

    window = open_window("nl")
    save = until(lambda: colour_box(window.shot(tmp_path / "save.png"), PRIMARY), "the save button")
    window.click((save[0] + save[2]) // 2, (save[1] + save[3]) // 2)
    assert window.result() == EMPTY


# ----- closing, bringing back, size ---------------------------------------------------------------------


@pytest.mark.desktop
@pytest.mark.parametrize("how", ["wm_delete", "destroyed"])
def test_closing_the_window_is_cancelled(
    open_window: Callable[..., Window], desktop: DesktopSession, how: str
) -> None:
    window = open_window("nl")
    window.key("space")  # an answer that closing does not keep
    if how == "wm_delete":
        send_wm_delete(desktop.env["DISPLAY"], window.id)
    else:
        desktop.run(["xdotool", "windowclose", window.id])  # XDestroyWindow: gone without asking
    assert window.result() == CANCELLED


@pytest.mark.desktop
def test_sigusr1_brings_the_window_back_raised_and_focused(open_window: Callable[..., Window]) -> None:
    window = open_window("en")
    window.key("Tab")  # the keyboard is on the second answer; it comes back there
    minimise_and_bring_back(window)
    cover_and_raise(window)

    assert window.process.poll() is None  # the signal did not end it
    window.key("space", "Return")
    assert window.result() == {"outcome": "saved", "checkin": CheckInAnswers(body="tired").to_json()}


@pytest.mark.desktop
@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_window_is_small_centred_and_named(
    open_window: Callable[..., Window], desktop: DesktopSession, language: str
) -> None:
    window = open_window(language)
    assert desktop.run(["xdotool", "getwindowname", window.id]).stdout.strip() == TITLES[language]
    by_class = desktop.run(["xdotool", "search", "--onlyvisible", "--class", f"^{WINDOW_CLASS}$"])
    assert window.id in by_class.stdout.split()
    x, y, width, height = window.geometry()
    assert window.first_geometry == (x, y, width, height)  # it appeared in its place: no jump
    screen_width, screen_height = (int(v) for v in desktop.screen.split("x")[:2])
    # Xvfb says about 100 dpi: a calm form, far from the screen's size.
    assert 480 <= width <= 680 and 450 <= height <= 650, (width, height)
    assert abs(x + width / 2 - screen_width / 2) <= 1 and abs(y + height / 2 - screen_height / 2) <= 1
    window.key("Escape")
    assert window.result() == CANCELLED


@pytest.mark.desktop
def test_at_192_dpi_everything_is_twice_as_large(
    open_window: Callable[..., Window], desktop: DesktopSession
) -> None:
    with extra_display("2560x1600x24", "-dpi", "192") as hidpi:
        window = open_window("nl", env={**desktop.env, "DISPLAY": hidpi})
        x, y, width, height = window.first_geometry
        assert 1.9 * 480 <= width <= 2 * 680 and 1.9 * 450 <= height <= 2 * 650, (width, height)
        assert abs(x + width / 2 - 1280) <= 1 and abs(y + height / 2 - 800) <= 1
        send_wm_delete(hidpi, window.id)
        assert window.result() == CANCELLED


# ----- the words, read from the live widgets ------------------------------------------------------------


def _texts(widget: tk.Misc) -> list[str]:
    """Every `text` shown by `widget` and the widgets inside it."""
    found = []
    with_text = isinstance(widget, (tk.Label, tk.Button))
    if with_text:
        found.append(str(widget.cget("text")))
    for child in widget.winfo_children():
        found.extend(_texts(child))
    return found


@pytest.mark.desktop
@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_word_comes_from_the_content_and_a_chosen_answer_shows_a_check(
    desktop: DesktopSession, language: str
) -> None:
    content = CONTENT[language]
    words = content.checkin_words
    root = tk.Tk(screenName=desktop.display, className=WINDOW_CLASS)
    window = CheckinWindow(root, content)
    try:
        assert root.title() == content.checkin_title
        shown = _texts(root)
        expected = [words.intro, *content.checkin_questions, words.signals_label, words.suggestions_label]
        expected += [*words.body_choices.values(), *words.signals.values(), *words.breath_choices.values()]
        expected += [*words.need_suggestions, words.note, words.save, words.cancel, words.thanks]
        assert [text for text in expected if text not in shown] == []
        if language == "nl":
            assert {"Vastzittende schouders", "Een diepe zucht", "Weet ik niet", "Bewaren"} <= set(shown)
        else:
            assert {"Tight shoulders", "A deep sigh", "Don't know", "Save"} <= set(shown)

        # Chosen is not told by colour alone: the label gets a check mark, and loses it again.
        tired = window.body_choices["tired"].button
        tired.invoke()
        assert tired.cget("text") == CHOSEN_MARK + words.body_choices["tired"]
        tired.invoke()
        assert tired.cget("text") == words.body_choices["tired"]
        assert window.save_button.cget("state") == "normal"  # saving empty is always possible
    finally:
        window.ending = True  # our own destroy, not one from outside
        root.destroy()


# ----- arguments, no display, helpers -------------------------------------------------------------------


def test_arguments() -> None:
    assert parse_args(["--language", "nl"]).language == "nl"
    for bad in ([], ["--language", "de"], ["--language", "en", "--extra"]):
        with pytest.raises(SystemExit) as info:
            parse_args(bad)
        assert info.value.code == 2


def test_bad_arguments_are_status_2_with_nothing_on_stdout() -> None:
    done = subprocess.run(_command("de"), capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout) == (2, "")


def test_no_display_is_status_2_with_nothing_on_stdout() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run(_command("en"), env=env, capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout) == (2, "")
    assert "checkin_window:" in done.stderr


def test_one_line_keeps_the_words_on_one_trimmed_line() -> None:
    assert one_line("  tea\nwithout a screen \n", MAX_NEED) == "tea without a screen"
    assert one_line("a  b", MAX_NEED) == "a  b"  # as written, only the edges go
    assert one_line("x" * (MAX_NEED + 5), MAX_NEED) == "x" * MAX_NEED
    assert one_line("ab cd", 3) == "ab"
