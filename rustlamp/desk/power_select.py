"""Which sleep and screen-lock watchers work here.

On Linux (and other systems with D-Bus): logind on the system bus (sleep/wake, and lock/unlock through the
session's LockedHint) and the desktop's screensaver on the session bus (lock/unlock). Both may report the
same lock; the core treats a second "lock" while locked as nothing.

Left out on purpose:
- Windows: WM_POWERBROADCAST (sleep/resume) and WTS session notifications (lock/unlock) arrive as window
  messages, so they need a hidden window with its own message loop on a thread of its own.
- macOS: NSWorkspace's willSleep/didWake notifications and the distributed com.apple.screenIsLocked/
  screenIsUnlocked ones are delivered on a Cocoa run loop, which belongs to the tray's main thread there.
On both, the runtime's wall-clock jump rule (rustlamp.runtime) is what notices a sleep, after the fact.
Caveat for Windows: before Python 3.13 time.monotonic() is GetTickCount64, which keeps counting through a
suspend (PEP 418), so the wall clock and the monotonic clock move alike and that rule may not see the sleep.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from rustlamp.desk.base import DeskWatcher, Emit

log = logging.getLogger("rustlamp.desk")

_NOT_HERE = (
    "sleep and screen lock are not watched on {system}: its power and lock notifications need a "
    "{needs}; a sleep is left to the runtime's wall-clock jump rule"
)


async def choose_power_watchers(emit: Emit) -> tuple[list[DeskWatcher], list[str]]:
    """Start the sleep/lock watchers that work here, all sending to `emit`. Returns the started ones (for
    close() at the end) and lines for the log: one for each watcher that does not work here and one for
    each that works only in part (its `note`). Never raises."""
    if sys.platform == "win32":
        return [], [_NOT_HERE.format(system="Windows", needs="window with a message loop of its own")]
    if sys.platform == "darwin":
        return [], [_NOT_HERE.format(system="macOS", needs="Cocoa run loop, which the tray owns")]
    try:
        from rustlamp.desk.logind import LogindWatcher
        from rustlamp.desk.screensaver import ScreenSaverWatcher
    except ImportError as exc:  # dbus-fast is installed on Linux only
        return [], [f"sleep and screen lock are not watched: no D-Bus support here ({exc})"]

    candidates: list[LogindWatcher | ScreenSaverWatcher] = [LogindWatcher(), ScreenSaverWatcher()]
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
