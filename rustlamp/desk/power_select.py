"""Which sleep and screen-lock watchers work here.

On Linux (and other systems with D-Bus): logind on the system bus (sleep/wake, and lock/unlock through the
session's LockedHint) and the desktop's screensaver on the session bus (lock/unlock). Both may report the
same lock; the core treats a second "lock" while locked as nothing.

Windows: powrprof's suspend/resume callback (sleep/wake) and WTS session notifications to a window of
its own on a thread of its own (lock/unlock); windows_desk.py. This matters there more than anywhere:
before Python 3.13 time.monotonic() counts through a suspend on Windows, so the runtime's wall-clock rule
cannot see a sleep, and the "sleep" event is what tells it when the sleep began.
macOS: IOKit's system power notifications on a CFRunLoop of their own (sleep/wake); the screen lock is
asked when a reminder is due, since its notifications come on the main thread only; macos_desk.py.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Protocol

from rustlamp.desk.base import DeskWatcher, Emit

log = logging.getLogger("rustlamp.desk")


class _PowerWatcher(DeskWatcher, Protocol):
    note: str | None  # what works only in part, for the log


def _candidates(platform: str) -> list[_PowerWatcher] | str:
    """The watchers to try here, or why there are none."""
    if platform == "win32":
        from rustlamp.desk.windows_desk import WindowsPowerWatcher

        return [WindowsPowerWatcher()]
    if platform == "darwin":
        from rustlamp.desk.asked_hold import AskedHoldWatcher
        from rustlamp.desk.macos_desk import MacPowerWatcher, screen_locked_now

        # the lock's notifications come on the main thread only, which the tray owns: asked instead
        return [MacPowerWatcher(), AskedHoldWatcher("macos-lock", "locked", screen_locked_now)]
    try:
        from rustlamp.desk.logind import LogindWatcher
        from rustlamp.desk.screensaver import ScreenSaverWatcher
    except ImportError as exc:  # dbus-fast is installed on Linux only
        return f"sleep and screen lock are not watched: no D-Bus support here ({exc})"
    return [LogindWatcher(), ScreenSaverWatcher()]


async def choose_power_watchers(
    emit: Emit, platform: str | None = None
) -> tuple[list[DeskWatcher], list[str]]:
    """Start the sleep/lock watchers that work here, all sending to `emit`. Returns the started ones (for
    close() at the end) and lines for the log: one for each watcher that does not work here and one for
    each that works only in part (its `note`). Never raises."""
    candidates = _candidates(sys.platform if platform is None else platform)
    if isinstance(candidates, str):
        return [], [candidates]
    results = await asyncio.gather(*(w.start(emit) for w in candidates), return_exceptions=True)
    watchers: list[DeskWatcher] = []
    lines: list[str] = []
    for watcher, result in zip(candidates, results, strict=True):
        if isinstance(result, BaseException):  # start() reports rather than raises; this is a bug
            log.error("%s: start failed", watcher.name, exc_info=result)
            await watcher.close()
            lines.append(f"{watcher.name}: could not start ({result})")
        elif result is not None:
            await watcher.close()  # safe, and it already closed itself
            lines.append(f"{watcher.name}: {result}")
        else:
            watchers.append(watcher)
            if watcher.note:
                lines.append(f"{watcher.name}: {watcher.note}")
    return watchers, lines
