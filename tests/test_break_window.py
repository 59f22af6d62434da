"""The break window: its pure helpers, and the real window as a program on the test desktop's Xvfb.

The window runs as the parent runs it (`python -m rustlamp.ui.break_window ...`), found by its title,
driven with real X input (xdotool), and judged by the JSON line it prints and by screenshots. The test
desktop has no window manager: closing is a WM_DELETE_WINDOW client message sent the way a window
manager sends it, and "minimised" is an unmapped window, which is what a window manager's iconify
does to a client window.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from desktop import DesktopSession, extra_display
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PIL import Image
from window_driver import (
    Window,
    colour_box,
    cover_and_raise,
    minimise_and_bring_back,
    rgb,
    send_wm_delete,
    until,
    window_starter,
)

from rustlamp.core.texts import TEXTS
from rustlamp.ui.break_window import breath, format_left, parse_args
from rustlamp.ui.palette import CIRCLE, FOCUS, blend

TITLES = {"nl": "Even rust", "en": "A moment of rest"}
PROMPTS = {
    "nl": "Laat je schouders zakken en voel waar je adem nu zit.",
    "en": "Let your shoulders drop and notice where your breath is right now.",
}
SNOOZES = (300, 900, 3600)


@pytest.fixture
def open_window(desktop: DesktopSession) -> Iterator[Callable[..., Window]]:
    """Start break windows on the test desktop; each is found by its exact title and has the focus."""
    with window_starter(desktop) as start_window:

        def start(
            language: str = "nl",
            length: float = 300,
            env: dict[str, str] | None = None,
            early_signal: bool = False,
            offer_checkin: bool = False,
            **pace: float,
        ) -> Window:
            return start_window(
                _command(language, length, offer_checkin=offer_checkin, **pace),
                TITLES[language],
                env,
                focus=env is None,
                # How a parent can make a SIGUSR1 sent before the window's handler is in place harmless:
                # an ignored signal stays ignored across exec, until the window sets its own handler.
                preexec_fn=(lambda: signal.signal(signal.SIGUSR1, signal.SIG_IGN)) if early_signal else None,
                then=(lambda process: process.send_signal(signal.SIGUSR1)) if early_signal else None,
            )

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


# ----- the real window ---------------------------------------------------------------------------------


@pytest.mark.desktop
@pytest.mark.parametrize("language", ["nl", "en"])
def test_enter_is_done_and_the_window_is_small_and_centred(
    open_window: Callable[..., Window], desktop: DesktopSession, language: str
) -> None:
    window = open_window(language)
    assert window.mapped_after < 5.0
    name = desktop.run(["xdotool", "getwindowname", window.id]).stdout.strip()
    assert name == TITLES[language]
    x, y, width, height = window.geometry()
    assert window.first_geometry == (x, y, width, height)  # it appeared in its place: no jump
    screen_width, screen_height = (int(v) for v in desktop.screen.split("x")[:2])
    # Xvfb says about 100 dpi: a little over the 420x380 it is at 96 dpi, nowhere near the screen's size.
    assert 420 <= width <= 480 and 380 <= height <= 440
    assert abs(x + width / 2 - screen_width / 2) <= 1 and abs(y + height / 2 - screen_height / 2) <= 1
    window.key("Return")
    assert window.result() == {"outcome": "done"}


@pytest.mark.desktop
@pytest.mark.parametrize(
    ("keys", "snooze"),
    [
        (["Escape", "Tab", "Return"], SNOOZES[1]),  # Esc shows the choices, Tab to the second, Enter
        (["Escape", "Tab", "Tab", "space"], SNOOZES[2]),
        (["Escape", "Escape"], SNOOZES[0]),  # Esc again: later, with the first choice
        (["Tab", "Return", "Return"], SNOOZES[0]),  # Tab to Later, which shows and focuses the choices
    ],
)
def test_later_offers_the_snooze_choices_by_keyboard(
    open_window: Callable[..., Window], keys: list[str], snooze: int
) -> None:
    window = open_window("en")
    window.key(*keys)
    assert window.result() == {"outcome": "later", "snooze": snooze}


@pytest.mark.desktop
@pytest.mark.parametrize("how", ["wm_delete", "destroyed"])
def test_closing_the_window_is_later_with_the_first_choice(
    open_window: Callable[..., Window], desktop: DesktopSession, how: str
) -> None:
    window = open_window("nl")
    if how == "wm_delete":
        send_wm_delete(desktop.env["DISPLAY"], window.id)
    else:
        desktop.run(["xdotool", "windowclose", window.id])  # XDestroyWindow: gone without asking
    assert window.result() == {"outcome": "later", "snooze": SNOOZES[0]}


def _focus_ring(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The box around the ochre focus ring's pixels, None when there are none."""
    return colour_box(image, FOCUS)


@pytest.mark.desktop
def test_didnt_work_out_by_tab_and_space_answers_mildly_then_records_an_attempt(
    open_window: Callable[..., Window], tmp_path: Path
) -> None:
    window = open_window("nl")
    # The focus is visible: a ring around Klaar, which moves right with each Tab.
    rings = [until(lambda: _focus_ring(window.shot(tmp_path / "focus.png")), "a focus ring on Klaar")]
    for step in (1, 2):
        window.key("Tab")
        rings.append(until(lambda: _moved(window, tmp_path, rings[-1]), f"the focus ring moves (Tab {step})"))
    boxes = [box for box in rings if box is not None]
    assert len(boxes) == 3 and boxes[0][2] < boxes[1][0] and boxes[1][2] < boxes[2][0], rings

    window.key("space")
    pressed = time.monotonic()
    time.sleep(0.5)
    answered = window.shot(tmp_path / "attempt-nl.png")
    assert _focus_ring(answered) is None  # the buttons made way for the reply
    assert window.result() == {"outcome": "attempt"}
    shown = time.monotonic() - pressed
    assert 1.5 <= shown <= 4.0, shown


@pytest.mark.desktop
@pytest.mark.parametrize("language", ["nl", "en"])
def test_offer_checkin_is_a_quiet_last_button_that_ends_as_done_with_a_checkin(
    open_window: Callable[..., Window], tmp_path: Path, language: str
) -> None:
    window = open_window(language, offer_checkin=True)
    _, _, width, height = window.geometry()
    assert 420 <= width <= 480 and 380 <= height <= 440  # the same small window
    rings = [until(lambda: _focus_ring(window.shot(tmp_path / "focus.png")), "a focus ring on Klaar")]
    for step in (1, 2, 3):  # Later, Didn't work out, then the check-in button below them
        window.key("Tab")
        rings.append(until(lambda: _moved(window, tmp_path, rings[-1]), f"the focus ring moves (Tab {step})"))
    window.shot(tmp_path / f"offer-checkin-{language}.png")
    checkin, buttons = rings[3], rings[:3]
    assert checkin is not None and all(box is not None and box[3] < checkin[1] for box in buttons), rings
    assert checkin[2] < width // 2  # bottom left, out of the way
    window.key("Return")
    assert window.result() == {"outcome": "done", "checkin": True}


@pytest.mark.desktop
def test_offer_checkin_by_space_and_without_the_flag_there_is_none(
    open_window: Callable[..., Window],
) -> None:
    window = open_window("nl", offer_checkin=True)
    window.key("Tab", "Tab", "Tab", "space")
    assert window.result() == {"outcome": "done", "checkin": True}
    window = open_window("nl")
    window.key("Tab", "Tab", "Tab", "Return")  # round past the three buttons, back to Klaar
    assert window.result() == {"outcome": "done"}


def _moved(window: Window, tmp_path: Path, before: tuple[int, int, int, int] | None) -> Any:
    box = _focus_ring(window.shot(tmp_path / "focus.png"))
    return box if box is not None and box != before else None


@pytest.mark.desktop
def test_a_short_break_ends_by_itself_as_done(open_window: Callable[..., Window]) -> None:
    window = open_window("en", length=3)
    result = window.result()
    took = time.monotonic() - window.started
    assert result == {"outcome": "done", "natural": True}
    assert 3.0 <= took <= 6.0, took


@pytest.mark.desktop
def test_sigusr1_brings_the_window_back_raised_and_focused(open_window: Callable[..., Window]) -> None:
    window = open_window("nl")
    # Minimised, and someone else has the focus meanwhile: SIGUSR1 maps and focuses it again.
    minimise_and_bring_back(window)
    # Covered: another window on top of it; SIGUSR1 puts it back on top of the stacking order.
    cover_and_raise(window)

    assert window.process.poll() is None  # the signal did not end it
    window.key("Return")
    assert window.result() == {"outcome": "done"}


@pytest.mark.desktop
def test_a_sigusr1_at_start_is_harmless_when_the_parent_ignores_it_while_spawning(
    open_window: Callable[..., Window],
) -> None:
    window = open_window("en", early_signal=True)  # the signal went out before Python even started
    window.key("Return")
    assert window.result() == {"outcome": "done"}


def _circle_area(image: Image.Image) -> int:
    counts = {colour: count for count, colour in image.getcolors(maxcolors=1 << 24) or []}
    return counts.get(rgb(CIRCLE), 0)


@pytest.mark.desktop
@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_breathing_circle_grows_and_shrinks(
    open_window: Callable[..., Window], tmp_path: Path, language: str
) -> None:
    window = open_window(language, inhale=2, exhale=3)
    areas = []
    for n in range(3):
        if n:
            time.sleep(0.7)
        areas.append(_circle_area(window.shot(tmp_path / f"breath-{language}-{n}.png")))
    # A size comes back at most twice in a 5-second breath, so three looks 0.7 s apart cannot all agree.
    assert min(areas) > 1000, areas  # a real circle on screen
    assert max(areas) - min(areas) > 0.05 * max(areas), areas
    window.key("Return")
    assert window.result() == {"outcome": "done"}


@pytest.fixture
def hidpi_display() -> Iterator[str]:
    """A second X server that says 192 dpi: twice the usual pixels per point."""
    with extra_display("2560x1600x24", "-dpi", "192") as display:
        yield display


@pytest.mark.desktop
def test_at_192_dpi_everything_is_twice_as_large(
    open_window: Callable[..., Window], desktop: DesktopSession, hidpi_display: str
) -> None:
    env = {**desktop.env, "DISPLAY": hidpi_display}
    window = open_window("nl", env=env)
    x, y, width, height = window.first_geometry
    assert 1.95 * 420 <= width <= 2 * 480 and 1.95 * 380 <= height <= 2 * 440  # 191.9 dpi, in fact
    assert abs(x + width / 2 - 1280) <= 1 and abs(y + height / 2 - 800) <= 1
    send_wm_delete(hidpi_display, window.id)
    assert window.result() == {"outcome": "later", "snooze": SNOOZES[0]}


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
    for language in ("nl", "en"):
        assert all(TEXTS[language][key].strip() for key in keys)
    assert TEXTS["nl"]["break_title"] == "Even rust" and TEXTS["en"]["break_title"] == "A moment of rest"
    assert TEXTS["nl"]["break_time_left"].format(time="4:32") == "nog 4:32"
    assert TEXTS["en"]["break_time_left"].format(time="4:32") == "4:32 left"
    assert "Morgen weer een kans" not in TEXTS["nl"]["break_attempt_reply"]


def test_arguments() -> None:
    options = parse_args(_command("nl", 90)[3:])
    assert (options.language, options.length, options.inhale, options.exhale) == ("nl", 90, 4, 6)
    assert options.snoozes == SNOOZES and options.prompt == PROMPTS["nl"]
    assert not options.offer_checkin
    assert parse_args(_command("nl", 90, offer_checkin=True)[3:]).offer_checkin
    for bad in (["--length", "0"], ["--inhale", "-1"], ["--snooze", "1.5"], ["--language", "de"]):
        args = _command("nl", 90)[3:] + bad
        with pytest.raises(SystemExit):
            parse_args(args)
    assert blend("#000000", "#ffffff", 0.5) == "#808080"


def test_no_display_is_status_2_with_nothing_on_stdout() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run(_command("en", 60), env=env, capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout) == (2, "")
    assert "break_window:" in done.stderr
