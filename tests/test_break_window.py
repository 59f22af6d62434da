"""The break window as a person meets it, with a screen reader and voice control, the keyboard alone, or
the mouse: the real window program on the test desktop, seen and pressed through AT-SPI by role and
name, keys as real X input, and screenshots for looks; and its pure arithmetic.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from atspi import Accessibility, AccessibleApp
from desktop import DesktopSession
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PIL import Image
from window_driver import (
    Window,
    colour_box,
    cover_and_raise,
    hidpi_x_server,
    minimise_and_bring_back,
    rgb,
    send_wm_delete,
    until,
    window_starter,
)

from rustlamp.core.content import LANGUAGES
from rustlamp.core.texts import TEXTS, human_duration, text
from rustlamp.ui.breathing import breath, format_left
from rustlamp.ui.palette import DARK, LIGHT

TITLES = {"nl": "Even rust", "en": "A moment of rest", "de": "Kurz ausruhen"}
PROMPTS = {
    "nl": "Laat je schouders zakken en voel waar je adem nu zit.",
    "en": "Let your shoulders drop and notice where your breath is right now.",
    "de": "Lass die Schultern sinken und spür, wo dein Atem gerade ist.",
}
SNOOZES = (300, 900, 3600)
SCREENSHOTS = Path(os.environ.get("RUSTLAMP_SCREENSHOTS", "artifacts/screenshots"))


class BreakWindow:
    """The window program, as the keyboard (`window`) and as assistive technology (`seen`) reach it."""

    def __init__(self, window: Window, seen: AccessibleApp) -> None:
        self.window = window
        self.seen = seen


@pytest.fixture
def open_window(
    accessible_desktop: DesktopSession, a11y: Accessibility
) -> Iterator[Callable[..., BreakWindow]]:
    """Start break windows on the test desktop; each is found by its exact title, has the focus and is
    on the accessibility bus."""
    with window_starter(accessible_desktop) as start_window:

        def start(
            language: str = "nl",
            length: float = 300,
            env: dict[str, str] | None = None,
            early_signal: bool = False,
            offer_checkin: bool = False,
            scheme: str = "light",
            **pace: float,
        ) -> BreakWindow:
            window = start_window(
                _command(language, length, offer_checkin=offer_checkin, **pace),
                TITLES[language],
                {**(env or accessible_desktop.env), "RUSTLAMP_COLOR_SCHEME": scheme},
                focus=env is None,
                # How a parent can make a SIGUSR1 sent before the window's handler is in place harmless:
                # an ignored signal stays ignored across exec, until the window sets its own handler.
                preexec_fn=(lambda: signal.signal(signal.SIGUSR1, signal.SIG_IGN)) if early_signal else None,
                then=(lambda process: process.send_signal(signal.SIGUSR1)) if early_signal else None,
            )
            return BreakWindow(window, a11y.window(window.process.pid))

        yield start


def _command(
    language: str, length: float, *, inhale: float = 4, exhale: float = 6, offer_checkin: bool = False
) -> list[str]:
    args = [sys.executable, "-m", "rustlamp.ui.break_window", "--language", language]
    args += ["--length", str(length), "--inhale", str(inhale), "--exhale", str(exhale)]
    args += ["--prompt", PROMPTS[language]]
    for seconds in SNOOZES:
        args += ["--snooze", str(seconds)]
    return [*args, "--offer-checkin"] if offer_checkin else args


def _reading(language: str) -> list[tuple[str, str]]:
    def t(key: str, **values: object) -> str:
        return text(language, key, **values)

    pace = {
        "inhale": human_duration(language, timedelta(seconds=4)),
        "exhale": human_duration(language, timedelta(seconds=6)),
    }
    return [
        ("dialog", t("break_title")),
        ("label", PROMPTS[language]),
        ("image", t("break_guide", **pace)),
        ("label", f"{t('break_breathe_in')}, {t('break_breathe_out').lower()}"),
        ("push button", t("break_done")),
        ("push button", t("break_later")),
        ("push button", t("break_attempt")),
        ("label", t("break_time_left", time=human_duration(language, timedelta(minutes=5)))),
    ]


READING = {language: _reading(language) for language in LANGUAGES}


# ----- the real window ---------------------------------------------------------------------------------

pytestmark_desktop = pytest.mark.desktop


@pytest.mark.desktop
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_full_break_pressed_done_by_name(
    open_window: Callable[..., BreakWindow], accessible_desktop: DesktopSession, language: str
) -> None:
    """What a screen reader reads, in reading order; "click Klaar" by voice ends the break as done."""
    opened = open_window(language)
    window, seen = opened.window, opened.seen
    assert window.mapped_after < 5.0
    assert seen.read()[1:] == READING[language]  # [0] is the application
    assert seen.focused() is not None and seen.focused()["name"] == READING[language][4][1]  # type: ignore[index]
    x, y, width, height = window.geometry()
    assert window.first_geometry == (x, y, width, height)  # it appeared in its place: no jump
    screen_width, screen_height = (int(v) for v in accessible_desktop.screen.split("x")[:2])
    assert 420 <= width <= 520 and 380 <= height <= 480  # small: nowhere near the screen's size
    assert abs(x + width / 2 - screen_width / 2) <= 1 and abs(y + height / 2 - screen_height / 2) <= 1
    seen.press("push button", READING[language][4][1])
    assert window.result() == {"outcome": "done"}


@pytest.mark.desktop
def test_enter_is_done(open_window: Callable[..., BreakWindow]) -> None:
    opened = open_window("en")
    opened.seen.wait_for_focus("push button", text("en", "break_done"))
    opened.window.key("Return")
    assert opened.window.result() == {"outcome": "done"}


@pytest.mark.desktop
@pytest.mark.parametrize(
    ("keys", "snooze"),
    [
        (["Escape", "Right", "Return"], SNOOZES[1]),  # Esc shows the choices, an arrow to the second, Enter
        (["Escape", "Right", "Right", "space"], SNOOZES[2]),
        (["Escape", "Left", "space"], SNOOZES[2]),  # the arrows go round
        (["Escape", "Escape"], SNOOZES[0]),  # Esc again: later, with the first choice
        (["Tab", "Return", "Return"], SNOOZES[0]),  # Tab to Later, which shows and focuses the choices
    ],
)
def test_later_offers_the_snooze_choices_by_keyboard(
    open_window: Callable[..., BreakWindow], keys: list[str], snooze: int
) -> None:
    opened = open_window("en")
    opened.seen.wait_for_focus("push button", text("en", "break_done"))
    opened.window.key(*keys)
    assert opened.window.result() == {"outcome": "later", "snooze": snooze}


@pytest.mark.desktop
def test_later_by_name_shows_a_named_group_of_choices_and_tab_leaves_it(
    open_window: Callable[..., BreakWindow],
) -> None:
    opened = open_window("nl")
    seen = opened.seen
    seen.press("push button", text("nl", "break_later"))
    seen.wait_for("panel", text("nl", "break_remind_in"))
    group = next(node for node in seen.nodes("panel") if node["name"] == text("nl", "break_remind_in"))
    assert [child["name"] for child in group["children"] if child["role"] == "push button"] == [
        human_duration("nl", timedelta(seconds=seconds)) for seconds in SNOOZES
    ]
    seen.wait_for_focus("push button", human_duration("nl", timedelta(seconds=SNOOZES[0])))
    opened.window.key("Tab")  # one stop for the group: Tab goes on to what follows it, round to Klaar
    seen.wait_for_focus("push button", text("nl", "break_done"))
    seen.press("push button", human_duration("nl", timedelta(seconds=SNOOZES[1])))
    assert opened.window.result() == {"outcome": "later", "snooze": SNOOZES[1]}


@pytest.mark.desktop
def test_closing_the_window_is_later_with_the_first_choice(
    open_window: Callable[..., BreakWindow], accessible_desktop: DesktopSession
) -> None:
    window = open_window("nl").window
    send_wm_delete(accessible_desktop.env["DISPLAY"], window.id)
    assert window.result() == {"outcome": "later", "snooze": SNOOZES[0]}


@pytest.mark.desktop
def test_didnt_work_out_answers_mildly_then_records_an_attempt(
    open_window: Callable[..., BreakWindow], tmp_path: Path
) -> None:
    opened = open_window("nl")
    window, seen = opened.window, opened.seen
    # The focus is visible: a ring around Klaar, which moves right with each Tab.
    rings = [until(lambda: _focus_ring(window.shot(tmp_path / "focus.png")), "a focus ring on Klaar")]
    for step in (1, 2):
        window.key("Tab")
        rings.append(until(lambda: _moved(window, tmp_path, rings[-1]), f"the focus ring moves (Tab {step})"))
    boxes = [box for box in rings if box is not None]
    assert len(boxes) == 3 and boxes[0][2] < boxes[1][0] and boxes[1][2] < boxes[2][0], rings
    seen.wait_for_focus("push button", text("nl", "break_attempt"))

    window.key("space")
    pressed = time.monotonic()
    assert window.line() == {"outcome": "attempt"}  # told at once; the reply shows a moment longer
    seen.wait_for("label", TEXTS["nl"]["break_attempt_reply"])
    assert seen.names("push button") == []  # the buttons made way for the reply
    window.process.wait(10)
    shown = time.monotonic() - pressed
    assert 1.5 <= shown <= 4.0, shown


@pytest.mark.desktop
@pytest.mark.parametrize("language", LANGUAGES)
def test_offer_checkin_is_a_quiet_last_button_that_ends_as_done_with_a_checkin(
    open_window: Callable[..., BreakWindow], language: str
) -> None:
    opened = open_window(language, offer_checkin=True)
    offer = {"nl": "Even inchecken…", "en": "Check in…", "de": "Kurz einchecken…"}[language]
    buttons = opened.seen.names("push button")
    assert buttons[-1] == offer and len(buttons) == 4  # last in reading and Tab order
    opened.window.key("Tab", "Tab", "Tab")
    opened.seen.wait_for_focus("push button", offer)
    opened.window.key("space")
    assert opened.window.result() == {"outcome": "done", "checkin": True}


@pytest.mark.desktop
def test_without_the_offer_there_is_no_checkin_button(open_window: Callable[..., BreakWindow]) -> None:
    opened = open_window("nl")
    assert opened.seen.names("push button") == [
        text("nl", "break_done"),
        text("nl", "break_later"),
        text("nl", "break_attempt"),
    ]
    opened.window.key("Tab", "Tab", "Tab", "Return")  # round past the three buttons, back to Klaar
    assert opened.window.result() == {"outcome": "done"}


@pytest.mark.desktop
def test_a_short_break_ends_by_itself_as_done(open_window: Callable[..., BreakWindow]) -> None:
    window = open_window("en", length=3).window
    result = window.result()
    took = time.monotonic() - window.started
    assert result == {"outcome": "done", "natural": True}
    # Never before its three seconds (counted from the spawn, so the window's own count began later);
    # the upper bound only says it ended by itself: Qt's start takes seconds on a busy machine.
    assert 3.0 <= took <= 30.0, took


@pytest.mark.desktop
def test_the_countdown_and_breathing_words_do_not_flood_a_screen_reader(
    open_window: Callable[..., BreakWindow], tmp_path: Path
) -> None:
    """On screen the countdown changes every second and the words every breath; what assistive technology
    is told changes once a minute, and the breathing label keeps one name."""
    # 175 s reads "3 min left" for its first 55 s: room for a slow start on a busy machine
    opened = open_window("en", length=175, inhale=1, exhale=1)
    seen = opened.seen
    names_before = [name for role, name in seen.read() if role == "label"]
    first = opened.window.shot(tmp_path / "before.png")
    time.sleep(2.2)  # two seconds of countdown, a whole breath
    assert [name for role, name in seen.read() if role == "label"] == names_before
    assert names_before[-2:] == [
        f"{text('en', 'break_breathe_in')}, {text('en', 'break_breathe_out').lower()}",
        text("en", "break_time_left", time=human_duration("en", timedelta(minutes=3))),
    ]
    assert first != opened.window.shot(tmp_path / "after.png")  # the screen did change
    opened.seen.press("push button", text("en", "break_done"))
    assert opened.window.result() == {"outcome": "done"}


@pytest.mark.desktop
def test_sigusr1_brings_the_window_back_raised_and_focused(open_window: Callable[..., BreakWindow]) -> None:
    window = open_window("nl").window
    # Minimised, and someone else has the focus meanwhile: SIGUSR1 maps and focuses it again.
    minimise_and_bring_back(window)
    # Covered: another window on top of it; SIGUSR1 puts it back on top of the stacking order.
    cover_and_raise(window)
    assert window.process.poll() is None  # the signal did not end it
    window.key("Return")
    assert window.result() == {"outcome": "done"}


@pytest.mark.desktop
def test_a_sigusr1_at_start_is_harmless_when_the_parent_ignores_it_while_spawning(
    open_window: Callable[..., BreakWindow],
) -> None:
    window = open_window("en", early_signal=True).window  # the signal went out before Python even started
    window.key("Return")
    assert window.result() == {"outcome": "done"}


def _circle_area(image: Image.Image, colour: str) -> int:
    counts = {c: count for count, c in image.getcolors(maxcolors=1 << 24) or []}
    return counts.get(rgb(colour), 0)


def _focus_ring(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The box around the warm focus ring's pixels, None when there are none."""
    return colour_box(image, LIGHT.focus)


def _moved(window: Window, tmp_path: Path, before: tuple[int, int, int, int] | None) -> Any:
    box = _focus_ring(window.shot(tmp_path / "focus.png"))
    return box if box is not None and box != before else None


@pytest.mark.desktop
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_breathing_circle_grows_and_shrinks_in_the_calm_colours(
    open_window: Callable[..., BreakWindow], language: str, scheme: str
) -> None:
    """Also the screenshot set (both languages, light and dark), kept in artifacts/screenshots."""
    colours = DARK if scheme == "dark" else LIGHT
    opened = open_window(language, inhale=2, exhale=3, offer_checkin=True, scheme=scheme)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    areas = []
    for n in range(3):
        if n:
            time.sleep(0.7)
        shot = opened.window.shot(opened.window.desktop.tmp / "screen.png")
        shot.save(SCREENSHOTS / f"break-{language}-{scheme}-{n}.png")  # the window alone, to look at
        areas.append(_circle_area(shot, colours.circle))
    assert shot.getpixel((5, 5)) == rgb(colours.background)  # the window's ground in the scheme's colour
    # A size comes back at most twice in a 5-second breath, so three looks 0.7 s apart cannot all agree.
    assert min(areas) > 1000, areas  # a real circle on screen
    assert max(areas) - min(areas) > 0.05 * max(areas), areas
    opened.window.key("Return")
    assert opened.window.result() == {"outcome": "done"}


@pytest.fixture
def hidpi_display() -> Iterator[str]:
    with hidpi_x_server() as display:
        yield display


@pytest.mark.desktop
def test_at_192_dpi_everything_is_twice_as_large(
    desktop: DesktopSession, hidpi_display: str, tmp_path: Path
) -> None:
    with window_starter(desktop) as start_window:
        window = start_window(
            _command("nl", 300), TITLES["nl"], {**desktop.env, "DISPLAY": hidpi_display}, focus=False
        )
        x, y, width, height = window.first_geometry
        assert 2 * 420 <= width <= 2 * 520 and 2 * 380 <= height <= 2 * 480
        assert abs(x + width / 2 - 1280) <= 2 and abs(y + height / 2 - 800) <= 2  # one logical pixel
        send_wm_delete(hidpi_display, window.id)
        assert window.result() == {"outcome": "later", "snooze": SNOOZES[0]}


def test_no_display_is_status_2_with_nothing_on_stdout() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run(_command("en", 60), env=env, capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout) == (2, "")
    assert "break_window:" in done.stderr


# ----- pure helpers --------------------------------------------------------------------------------------

paces = st.floats(min_value=0.5, max_value=20, allow_nan=False)
moments = st.floats(min_value=-1000, max_value=1000, allow_nan=False)


@settings(max_examples=300)
@given(moments, paces, paces)
@example(0.0, 4.0, 6.0)
@example(4.0, 4.0, 6.0)
def test_breath_is_bounded_periodic_and_continuous(t: float, inhale: float, exhale: float) -> None:
    phase, size = breath(t, inhale, exhale)
    assert phase in ("in", "out")
    assert 0.0 <= size <= 1.0
    # periodic
    assert math.isclose(breath(t + inhale + exhale, inhale, exhale)[1], size, abs_tol=1e-6)
    # continuous: the half-cosine never moves faster than pi/2 per phase length
    step = 1e-3
    limit = math.pi / 2 / min(inhale, exhale) * step
    assert abs(breath(t + step, inhale, exhale)[1] - size) <= limit + 1e-9


@settings(max_examples=200)
@given(paces, paces, st.floats(min_value=0.0, max_value=0.999), st.floats(min_value=0.0, max_value=0.999))
def test_breath_rises_during_in_and_falls_during_out(
    inhale: float, exhale: float, a: float, b: float
) -> None:
    low, high = sorted((a, b))
    in_low, in_high = breath(low * inhale, inhale, exhale), breath(high * inhale, inhale, exhale)
    assert in_low[0] == in_high[0] == "in"
    assert in_low[1] <= in_high[1]
    out_low = breath(inhale + low * exhale, inhale, exhale)
    out_high = breath(inhale + high * exhale, inhale, exhale)
    assert out_low[0] == out_high[0] == "out"
    assert out_low[1] >= out_high[1]


def test_breath_starts_empty_turns_full_and_rejects_a_zero_pace() -> None:
    assert breath(0, 4, 6) == ("in", 0.0)
    assert breath(4, 4, 6) == ("out", 1.0)
    assert breath(2, 4, 6) == pytest.approx(("in", 0.5))
    assert breath(9.999, 4, 6)[1] < 1e-5
    with pytest.raises(ValueError):
        breath(1, 0, 6)


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        *[(300, "5:00"), (299.2, "5:00"), (272, "4:32"), (0.01, "0:01"), (59.5, "1:00"), (0, "0:00")],
        *[(-3, "0:00"), (3723, "1:02:03"), (3600, "1:00:00")],
    ],
)
def test_format_left(seconds: float, shown: str) -> None:
    assert format_left(seconds) == shown


def test_the_words_are_there_in_both_languages_and_kind() -> None:
    keys = ["break_title", "break_breathe_in", "break_breathe_out", "break_time_left", "break_done"]
    keys += ["break_later", "break_attempt", "break_attempt_reply", "break_remind_in"]
    for language in LANGUAGES:
        assert all(TEXTS[language][key].strip() for key in keys)
    assert TEXTS["nl"]["break_title"] == "Even rust" and TEXTS["en"]["break_title"] == "A moment of rest"
    assert TEXTS["nl"]["break_time_left"].format(time="4:32") == "nog 4:32"
    assert TEXTS["en"]["break_time_left"].format(time="4:32") == "4:32 left"
    assert "Morgen weer een kans" not in TEXTS["nl"]["break_attempt_reply"]
