"""What the app's small Tk windows share: the calm palette and buttons, bring-to-front on SIGUSR1, the one
JSON line that tells the parent how a window ended, and DPI awareness on Windows."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import tkinter as tk
import tkinter.font as tkfont
from collections.abc import Callable
from typing import Any, Literal

from rustlamp.ui.palette import (
    BACKGROUND,
    BUTTON,
    BUTTON_HOVER,
    FOCUS,
    INK,
    PRIMARY,
    PRIMARY_HOVER,
    PRIMARY_INK,
    SOFT_INK,
)

ButtonKind = Literal["plain", "primary", "quiet"]
_BUTTON_COLOURS: dict[ButtonKind, tuple[str, str, str]] = {  # background, hover, text
    "plain": (BUTTON, BUTTON_HOVER, INK),
    "primary": (PRIMARY, PRIMARY_HOVER, PRIMARY_INK),
    "quiet": (BACKGROUND, BUTTON, SOFT_INK),  # reads as text until the pointer or the focus is on it
}


def calm_button(
    parent: tk.Misc,
    label: str,
    command: Callable[[], object],
    *,
    font: tkfont.Font,
    scale: float,
    kind: ButtonKind = "plain",
    pad: tuple[float, float] = (12, 5),
) -> tk.Button:
    """A flat, soft button; `pad` is (x, y) in pixels at 96 dpi, multiplied by `scale`."""
    background, hover, ink = _BUTTON_COLOURS[kind]
    return tk.Button(
        parent,
        text=label,
        command=command,
        font=font,
        background=background,
        activebackground=hover,
        foreground=ink,
        activeforeground=ink,
        relief="flat",
        borderwidth=0,
        padx=round(pad[0] * scale),
        pady=round(pad[1] * scale),
        cursor="hand2",
        # A ring in the background colour that turns ochre with the keyboard focus: always visible,
        # and the layout does not shift when the focus moves.
        highlightthickness=round(2 * scale),
        highlightbackground=BACKGROUND,
        highlightcolor=FOCUS,
        takefocus=True,
    )


def listen_for_raise() -> int | None:
    """Route SIGUSR1 to a pipe Tk can watch; the pipe's read end, or None where there is no SIGUSR1.

    Called before Tk starts, so a signal that comes early is kept in the pipe instead of killing us.
    """
    if sys.platform == "win32":  # no SIGUSR1, and Tk cannot watch a pipe there
        return None
    read_fd, write_fd = os.pipe()
    os.set_blocking(read_fd, False)
    os.set_blocking(write_fd, False)  # set_wakeup_fd needs it: a full pipe must not block a handler
    # A Python-level handler makes Python's C handler catch the signal and write its number to the
    # wakeup fd at once, even while Tk sleeps in C. The handler itself has nothing left to do.
    signal.signal(signal.SIGUSR1, lambda _signum, _frame: None)
    signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    return read_fd


def raise_was_asked(fd: int) -> bool:
    """Empty the pipe from `listen_for_raise`; True when a SIGUSR1 was in it."""
    try:
        data = os.read(fd, 512)
    except BlockingIOError:
        return False
    return sys.platform != "win32" and signal.SIGUSR1 in data


def emit(result: dict[str, Any]) -> None:
    """Tell the parent the outcome: one JSON line, flushed at once."""
    with contextlib.suppress(BrokenPipeError):  # the parent stopped listening; nothing left to tell
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()


def make_dpi_aware() -> None:
    """Call before the first Tk()."""
    if sys.platform == "win32":
        # Without this Windows scales the whole window up as a bitmap on a HiDPI screen (blurry text);
        # with it Tk sees the real DPI and `tk scaling` does the work, as on X11.
        with contextlib.suppress(AttributeError, OSError):
            import ctypes

            ctypes.windll.shcore.SetProcessDpiAwareness(1)
