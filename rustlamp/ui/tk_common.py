"""What the app's small Tk windows share: the calm palette, bring-to-front on SIGUSR1, the one JSON
line that tells the parent how a window ended, and DPI awareness on Windows."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from typing import Any

# Warm and soft, low contrast but readable; no pure white, no red.
BACKGROUND = "#F2EBDF"  # muted cream
INK = "#514A43"  # warm dark grey, the prompt
SOFT_INK = "#6E665E"  # the breathing words
MUTED = "#9D948A"  # the countdown: there, but easy to ignore
CIRCLE = "#A9BFCF"  # soft dusk blue
CIRCLE_TRACK = "#E6DED1"  # the faint outline of a full breath
BUTTON = "#E5DCCD"
BUTTON_HOVER = "#DCD1BF"
PRIMARY = "#5F7A90"  # Klaar: the one calm, darker accent
PRIMARY_HOVER = "#536C80"
PRIMARY_INK = "#F6F1E8"
FOCUS = "#B08458"  # a warm ochre ring shows where the keyboard is


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


def blend(a: str, b: str, share: float) -> str:
    """The colour `share` of the way from a to b (#rrggbb)."""
    ca = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(ca, cb, strict=True))


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
