"""The break window: its pure helpers, and the real window as a program on the test desktop's Xvfb.

The window runs as the parent runs it (`python -m rustlamp.ui.break_window ...`), found by its title,
driven with real X input (xdotool), and judged by the JSON line it prints and by screenshots. The test
desktop has no window manager: closing is a WM_DELETE_WINDOW client message sent the way a window
manager sends it, and "minimised" is an unmapped window, which is what a window manager's iconify
does to a client window.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from desktop import DesktopSession, extra_display
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops

from rustlamp.core.texts import TEXTS
from rustlamp.ui.break_window import breath, format_left, parse_args
from rustlamp.ui.palette import CIRCLE, FOCUS, blend

TITLES = {"nl": "Even rust", "en": "A moment of rest"}
PROMPTS = {
    "nl": "Laat je schouders zakken en voel waar je adem nu zit.",
    "en": "Let your shoulders drop and notice where your breath is right now.",
}
SNOOZES = (300, 900, 3600)
WAIT = 10.0  # seconds: the bound on every wait for the window


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _until(check: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
    """Poll `check` every 20 ms until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        time.sleep(0.02)


@dataclass
class Window:
    desktop: DesktopSession
    process: subprocess.Popen[str]
    id: str
    title: str
    started: float
    mapped_after: float
    first_geometry: tuple[int, int, int, int] = (0, 0, 0, 0)  # as soon as it was seen

    def key(self, *keys: str) -> None:
        # XTEST input to the focused window (waited for), as a keyboard types. Not `key --window`:
        # its key-up for the last key would go to a window that may already be gone (BadWindow).
        assert self.focused(), "the break window lost the focus"
        self.desktop.run(["xdotool", "key", "--delay", "60", *keys])

    def result(self, timeout: float = WAIT) -> dict[str, Any]:
        """The one JSON line the program printed, once it exited with status 0."""
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
        return _geometry(self.desktop.env, self.id)

    def visible(self) -> bool:
        search = ["xdotool", "search", "--onlyvisible", "--name", f"^{self.title}$"]
        return self.id in self.desktop.run(search, check=False).stdout.split()

    def focused(self) -> bool:
        return self.desktop.run(["xdotool", "getwindowfocus", "-f"], check=False).stdout.strip() == self.id

    def shot(self, path: Path) -> Image.Image:
        """A screenshot of the screen, cropped to this window."""
        x, y, width, height = self.geometry()
        return Image.open(self.desktop.screenshot(path)).convert("RGB").crop((x, y, x + width, y + height))


def _geometry(env: dict[str, str], window: str) -> tuple[int, int, int, int]:
    """x, y, width, height of a window on the display `env` names."""
    found = subprocess.run(
        ["xdotool", "getwindowgeometry", "--shell", window], env=env, capture_output=True, text=True
    )
    values = dict(line.split("=", 1) for line in found.stdout.split())
    x, y, width, height = (int(values[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))
    return x, y, width, height


def _command(
    language: str, length: float, *, inhale: float = 4, exhale: float = 6, offer_checkin: bool = False
) -> list[str]:
    args = [sys.executable, "-m", "rustlamp.ui.break_window", "--language", language]
    args += ["--length", str(length), "--inhale", str(inhale), "--exhale", str(exhale)]
    args += ["--prompt", PROMPTS[language]]
    for seconds in SNOOZES:
        args += ["--snooze", str(seconds)]
    return [*args, "--offer-checkin"] if offer_checkin else args


@pytest.fixture
def open_window(desktop: DesktopSession) -> Iterator[Callable[..., Window]]:
    """Start break windows on the test desktop; each is found by its exact title and has the focus."""
    started: list[subprocess.Popen[str]] = []

    def start(
        language: str = "nl",
        length: float = 300,
        env: dict[str, str] | None = None,
        early_signal: bool = False,
        offer_checkin: bool = False,
        **pace: float,
    ) -> Window:
        began = time.monotonic()
        process = subprocess.Popen(
            _command(language, length, offer_checkin=offer_checkin, **pace),
            env={**(env or desktop.env), "PYTHONFAULTHANDLER": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            # How a parent can make a SIGUSR1 sent before the window's handler is in place harmless:
            # an ignored signal stays ignored across exec, until the window sets its own handler.
            preexec_fn=(lambda: signal.signal(signal.SIGUSR1, signal.SIG_IGN)) if early_signal else None,
        )
        if early_signal:
            process.send_signal(signal.SIGUSR1)
        started.append(process)
        search = ["xdotool", "search", "--onlyvisible", "--name", f"^{TITLES[language]}$"]

        def find() -> list[str]:
            assert process.poll() is None, process.communicate()
            return subprocess.run(
                search, env=env or desktop.env, capture_output=True, text=True
            ).stdout.split()

        found = _until(find, f"a visible window titled {TITLES[language]!r}")
        window = Window(desktop, process, found[0], TITLES[language], began, time.monotonic() - began)
        window.first_geometry = _geometry(env or desktop.env, window.id)
        if env is None:
            _until(window.focused, "the window has the keyboard focus")
        return window

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()  # by PID: a test that failed half-way
        process.communicate()


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


def _send_wm_delete(display_name: str, window: str) -> None:
    """What a window manager does when the person clicks the close button: a WM_PROTOCOLS client
    message with WM_DELETE_WINDOW, sent to the client that owns the window."""
    from Xlib import X, display, protocol

    connection = display.Display(display_name)
    try:
        target = connection.create_resource_object("window", int(window))
        protocols = connection.intern_atom("WM_PROTOCOLS")
        delete = connection.intern_atom("WM_DELETE_WINDOW")
        # The window must say it takes part in the protocol, or a window manager would kill the client.
        assert delete in target.get_full_property(protocols, X.AnyPropertyType).value
        event = protocol.event.ClientMessage(
            window=target, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0])
        )
        target.send_event(event, event_mask=X.NoEventMask)  # no mask: to the window's own client
        connection.sync()  # a round trip: the server has delivered the event before we hang up
    finally:
        connection.close()


@pytest.mark.desktop
@pytest.mark.parametrize("how", ["wm_delete", "destroyed"])
def test_closing_the_window_is_later_with_the_first_choice(
    open_window: Callable[..., Window], desktop: DesktopSession, how: str
) -> None:
    window = open_window("nl")
    if how == "wm_delete":
        _send_wm_delete(desktop.env["DISPLAY"], window.id)
    else:
        desktop.run(["xdotool", "windowclose", window.id])  # XDestroyWindow: gone without asking
    assert window.result() == {"outcome": "later", "snooze": SNOOZES[0]}


def _focus_ring(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The box around the ochre focus ring's pixels, None when there are none."""
    masks = [
        band.point(lambda v, want=want: 255 if v == want else 0)
        for band, want in zip(image.split(), _rgb(FOCUS), strict=True)
    ]
    return ImageChops.multiply(ImageChops.multiply(masks[0], masks[1]), masks[2]).getbbox()


@pytest.mark.desktop
def test_didnt_work_out_by_tab_and_space_answers_mildly_then_records_an_attempt(
    open_window: Callable[..., Window], tmp_path: Path
) -> None:
    window = open_window("nl")
    # The focus is visible: a ring around Klaar, which moves right with each Tab.
    rings = [_until(lambda: _focus_ring(window.shot(tmp_path / "focus.png")), "a focus ring on Klaar")]
    for step in (1, 2):
        window.key("Tab")
        rings.append(
            _until(lambda: _moved(window, tmp_path, rings[-1]), f"the focus ring moves (Tab {step})")
        )
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
    rings = [_until(lambda: _focus_ring(window.shot(tmp_path / "focus.png")), "a focus ring on Klaar")]
    for step in (1, 2, 3):  # Later, Didn't work out, then the check-in button below them
        window.key("Tab")
        rings.append(
            _until(lambda: _moved(window, tmp_path, rings[-1]), f"the focus ring moves (Tab {step})")
        )
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
def test_sigusr1_brings_the_window_back_raised_and_focused(
    open_window: Callable[..., Window], desktop: DesktopSession
) -> None:
    from Xlib import X, display

    window = open_window("nl")
    panel = desktop.run(["xdotool", "search", "--onlyvisible", "--name", "^panel$"]).stdout.split()[0]

    # Minimised: a window manager's iconify unmaps the client window (xdotool windowminimize only
    # asks a window manager, and there is none here). Someone else has the focus meanwhile.
    desktop.run(["xdotool", "windowunmap", "--sync", window.id])
    desktop.run(["xdotool", "windowfocus", "--sync", panel])
    assert not window.visible() and not window.focused()
    window.process.send_signal(signal.SIGUSR1)
    _until(window.visible, "the window is mapped again")
    _until(window.focused, "the window has the focus again")

    # Covered: another window on top of it; SIGUSR1 puts it back on top of the stacking order.
    connection = display.Display(desktop.env["DISPLAY"])
    try:
        root = connection.screen().root
        x, y, width, height = window.geometry()
        cover = root.create_window(x, y, width, height, 0, X.CopyFromParent, override_redirect=True)
        cover.map()
        connection.sync()

        def stacking() -> list[int]:
            # query_tree lists the root's children bottom to top; without a window manager the
            # break window is one of them.
            return [child.id for child in root.query_tree().children]

        assert stacking().index(cover.id) > stacking().index(int(window.id))
        window.process.send_signal(signal.SIGUSR1)
        _until(lambda: stacking().index(int(window.id)) > stacking().index(cover.id), "raised above")
        cover.destroy()
        connection.sync()
    finally:
        connection.close()

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
    return counts.get(_rgb(CIRCLE), 0)


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
    _send_wm_delete(hidpi_display, window.id)
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
