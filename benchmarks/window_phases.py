"""A break window process that notes where its start-up time goes (run by break_window.py --parts).

Started as the lamp starts a window (`python -P window_phases.py ARGS...` instead of `python -P -m
rustlamp.ui.launch rustlamp.ui.break_window ARGS...`), it marks the monotonic clock and its own CPU time
after each phase and writes them, one "phase monotonic cpu" line each, to the file named by
$WINDOW_PHASES_OUT once the window first paints. The caller subtracts its own monotonic clock at the start.
"""

from __future__ import annotations

import os
import sys
import time

marks = [("Python started", time.monotonic(), time.process_time())]


def mark(phase: str) -> None:
    marks.append((phase, time.monotonic(), time.process_time()))


import rustlamp.ui.launch as launch  # noqa: E402  (timed: each import is a phase)

mark("the launcher (the contract, the catalog module)")
import rustlamp.ui.qt_common as qt_common  # noqa: E402

mark("PySide6 and qt_common")
from PySide6.QtCore import QEvent, QObject  # noqa: E402

start_application, run_window = qt_common.start_application, qt_common.run_window


def timed_start(*args: object, **kwargs: object) -> object:
    mark("the window's module and its arguments")
    app = start_application(*args, **kwargs)  # type: ignore[arg-type]
    mark("QApplication (platform plugin, palette)")
    return app


class FirstPaint(QObject):
    painted = False

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.painted:
            self.painted = True
            mark("shown and first painted")
            with open(os.environ["WINDOW_PHASES_OUT"], "w") as out:
                out.writelines(f"{phase}\t{wall}\t{cpu}\n" for phase, wall, cpu in marks)
        return False


def timed_run(window: qt_common.CalmWindow, raise_fd: int | None) -> int:
    mark("the window built (its words read)")
    window.installEventFilter(FirstPaint(window))
    return run_window(window, raise_fd)


qt_common.start_application = timed_start  # type: ignore[assignment]
qt_common.run_window = timed_run
sys.exit(launch.main(["rustlamp.ui.break_window", *sys.argv[1:]]))
