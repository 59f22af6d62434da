"""A break window process started ahead of time, for break_window.py --ahead: what a window that waits
while a reminder is on screen would cost (its memory while it waits) and bring (request to window).

It imports all a break window needs, starts Qt and reads the catalog of the language given as its one
argument (the lamp knows it already), says "ready" on stdout, then waits for its request: one line on
stdin, the BreakRequest's arguments separated by the unit separator (0x1f). Not how the lamp starts
windows today: an experiment, to decide with figures whether starting ahead is worth it.
"""

from __future__ import annotations

import sys

import rustlamp.ui.break_window as break_window
import rustlamp.ui.launch  # noqa: F401  (the contract and the catalog module, as a window imports them)
from rustlamp.core.catalog import catalog
from rustlamp.ui.contract import BreakRequest
from rustlamp.ui.lifecycle import listen_for_raise
from rustlamp.ui.qt_common import speak_qt_in, start_application

SEPARATOR = "\x1f"


def main() -> int:
    raise_fd = listen_for_raise()
    app = start_application("break_window", indicators=False)
    catalog(sys.argv[1])
    print("ready", flush=True)
    request = BreakRequest.from_argv(sys.stdin.readline().rstrip("\n").split(SEPARATOR))
    speak_qt_in(app, request.language)
    return break_window.run(request, raise_fd)


if __name__ == "__main__":
    sys.exit(main())
