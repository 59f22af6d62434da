"""Driving rustlamp's Tk windows as programs on a test desktop's Xvfb, for the window tests.

A window runs as the app runs it (`python -m rustlamp.ui.<name>_window ...`), is found by its exact
title, driven with real X input (xdotool keys, typing and clicks), and judged by the JSON line it prints
and by screenshots. The test desktop has no window manager: closing is a WM_DELETE_WINDOW client message
sent the way a window manager sends it (`send_wm_delete`), and "minimised" is an unmapped window, which
is what a window manager's iconify does to a client window.
"""

from __future__ import annotations

import json
import select
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop import DesktopSession, extra_display
from PIL import Image, ImageChops

WAIT = 10.0  # seconds: the bound on every wait for a window


def until(check: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
    """Poll `check` every 20 ms until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:g} s")
        time.sleep(0.02)


def rgb(colour: str) -> tuple[int, int, int]:
    """The red, green and blue of a #rrggbb colour."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def geometry(env: dict[str, str], window: str) -> tuple[int, int, int, int]:
    """x, y, width, height of a window on the display `env` names."""
    found = subprocess.run(
        ["xdotool", "getwindowgeometry", "--shell", window], env=env, capture_output=True, text=True
    )
    values = dict(line.split("=", 1) for line in found.stdout.split())
    x, y, width, height = (int(values[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))
    return x, y, width, height


@contextmanager
def hidpi_x_server() -> Iterator[str]:
    """A second X server whose desktop says 192 dpi (Xft.dpi, as GNOME and KDE set it): twice the pixels."""
    import os

    with extra_display("2560x1600x24", "-dpi", "192") as display:
        subprocess.run(
            ["xrdb", "-merge"],
            input="Xft.dpi: 192\n",
            text=True,
            env={**os.environ, "DISPLAY": display},
            check=True,
        )
        yield display


def colour_box(image: Image.Image, colour: str) -> tuple[int, int, int, int] | None:
    """The box around the pixels of exactly `colour` (#rrggbb), None when there are none."""
    masks = [
        band.point(lambda v, w=w: 255 if v == w else 0)
        for band, w in zip(image.split(), rgb(colour), strict=True)
    ]
    return ImageChops.multiply(ImageChops.multiply(masks[0], masks[1]), masks[2]).getbbox()


def send_wm_delete(display_name: str, window: str) -> None:
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


@dataclass
class Window:
    """A window program on a display (`env`), found by its title."""

    desktop: DesktopSession
    process: subprocess.Popen[str]
    id: str
    title: str
    env: dict[str, str]
    started: float = 0.0  # time.monotonic() when the program was started
    mapped_after: float = 0.0  # seconds from the start until the window was seen
    first_geometry: tuple[int, int, int, int] = (0, 0, 0, 0)  # as soon as it was seen

    def run(self, args: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        """A command on the window's display, capturing text output."""
        return subprocess.run(args, env=self.env, capture_output=True, text=True, check=check, timeout=30)

    def key(self, *keys: str) -> None:
        # XTEST input to the focused window (waited for), as a keyboard types. Not `key --window`:
        # its key-up for the last key would go to a window that may already be gone (BadWindow).
        assert self.focused(), "the window lost the focus"
        self.run(["xdotool", "key", "--delay", "60", *keys])

    def type(self, text: str) -> None:
        assert self.focused(), "the window lost the focus"
        self.run(["xdotool", "type", "--delay", "30", text])

    def click(self, x: int, y: int) -> None:
        """A left click at (x, y) inside the window; the pointer then rests on the window's empty top-left
        corner, so no hover colour stays and the pointer stays over the window (without a window
        manager, the keyboard focus may follow the pointer)."""
        left, top, _, _ = self.geometry()
        self.run(["xdotool", "mousemove", "--sync", str(left + x), str(top + y), "click", "1"])
        self.run(["xdotool", "mousemove", "--sync", str(left + 2), str(top + 2)])

    def line(self, timeout: float = WAIT) -> dict[str, Any]:
        """The next JSON line the program prints, while it may still be running."""
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        assert ready, f"no line within {timeout:g} s"
        result: dict[str, Any] = json.loads(self.process.stdout.readline())
        return result

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
        return geometry(self.env, self.id)

    def visible(self) -> bool:
        search = ["xdotool", "search", "--onlyvisible", "--name", f"^{self.title}$"]
        return self.id in self.run(search, check=False).stdout.split()

    def focused(self) -> bool:
        return self.run(["xdotool", "getwindowfocus", "-f"], check=False).stdout.strip() == self.id

    def shot(self, path: Path) -> Image.Image:
        """A screenshot of the screen, cropped to this window."""
        x, y, width, height = self.geometry()
        self.run(["import", "-window", "root", str(path)])
        return Image.open(path).convert("RGB").crop((x, y, x + width, y + height))


@contextmanager
def window_starter(desktop: DesktopSession) -> Iterator[Callable[..., Window]]:
    """Start window programs; each is found by its exact title and, unless told not to wait, has the
    focus. On the way out, whatever still runs is killed (by PID: a test that failed half-way).

    The starter takes the command, the title, the env (the desktop's when None), `focus` (wait for the
    keyboard focus), `then` (called with the process at once, before its window is looked for) and
    whatever else goes to subprocess.Popen (stdin, preexec_fn)."""
    started: list[subprocess.Popen[str]] = []

    def start(
        command: list[str],
        title: str,
        env: dict[str, str] | None = None,
        *,
        focus: bool = True,
        then: Callable[[subprocess.Popen[str]], object] | None = None,
        **popen: Any,
    ) -> Window:
        env = env or desktop.env
        began = time.monotonic()
        process = subprocess.Popen(
            command,
            env={**env, "PYTHONFAULTHANDLER": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            **popen,
        )
        if then is not None:
            then(process)
        started.append(process)
        search = ["xdotool", "search", "--onlyvisible", "--name", f"^{title}$"]

        def find() -> list[str]:
            assert process.poll() is None, process.communicate()
            return subprocess.run(search, env=env, capture_output=True, text=True).stdout.split()

        found = until(find, f"a visible window titled {title!r}")
        window = Window(desktop, process, found[0], title, env, began, time.monotonic() - began)
        window.first_geometry = window.geometry()
        if focus:
            until(window.focused, "the window has the keyboard focus")
        return window

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()  # by PID: a test that failed half-way
            process.communicate()


def minimise_and_bring_back(window: Window) -> None:
    """Minimise the window while someone else (the test desktop's panel) has the focus, then send
    SIGUSR1 and wait until the window is mapped and focused again.

    Minimised: a window manager's iconify unmaps the client window (xdotool windowminimize only asks a
    window manager, and there is none here)."""
    panel = window.run(["xdotool", "search", "--onlyvisible", "--name", "^panel$"]).stdout.split()[0]
    window.run(["xdotool", "windowunmap", "--sync", window.id])
    window.run(["xdotool", "windowfocus", "--sync", panel])
    assert not window.visible() and not window.focused()
    window.process.send_signal(signal.SIGUSR1)
    until(window.visible, "the window is mapped again")
    until(window.focused, "the window has the focus again")


def cover_and_raise(window: Window) -> None:
    """Cover the window with another one on top of it; SIGUSR1 puts it back on top of the stacking
    order (waited for)."""
    from Xlib import X, display

    connection = display.Display(window.env["DISPLAY"])
    try:
        root = connection.screen().root
        x, y, width, height = window.geometry()
        cover = root.create_window(x, y, width, height, 0, X.CopyFromParent, override_redirect=True)
        cover.map()
        connection.sync()

        def stacking() -> list[int]:
            # query_tree lists the root's children bottom to top; without a window manager the
            # window is one of them.
            return [child.id for child in root.query_tree().children]

        assert stacking().index(cover.id) > stacking().index(int(window.id))
        window.process.send_signal(signal.SIGUSR1)
        until(lambda: stacking().index(int(window.id)) > stacking().index(cover.id), "raised above")
        cover.destroy()
        connection.sync()
    finally:
        connection.close()
