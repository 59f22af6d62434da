"""What every window process does whatever its toolkit: the exit status when it cannot start, the one
JSON line that tells the parent how it ended, and bring-to-front on SIGUSR1 through a pipe the toolkit
watches. No toolkit here, so rustlamp.ui.qt_common and the Tk settings window share it."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from typing import Any

FAILED = 2  # the exit status when the window cannot start (no display, for one), as argparse's


def emit(result: dict[str, Any]) -> None:
    """Tell the parent the outcome: one JSON line, flushed at once."""
    with contextlib.suppress(BrokenPipeError):  # the parent stopped listening; nothing left to tell
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()


def listen_for_raise() -> int | None:
    """Route SIGUSR1 to a pipe the toolkit can watch; the pipe's read end, or None where there is no
    SIGUSR1 (Windows).

    Called first of all, so a signal that comes early is kept in the pipe instead of ending the process.
    """
    if sys.platform == "win32":
        return None
    read_fd, write_fd = os.pipe()
    os.set_blocking(read_fd, False)
    os.set_blocking(write_fd, False)  # set_wakeup_fd needs it: a full pipe must not block a handler
    # A Python-level handler makes Python's C handler catch the signal and write its number to the
    # wakeup fd at once, even while the toolkit sleeps in C. The handler itself has nothing left to do.
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
