"""What watching idle time costs on X11: the SYNC-alarm watcher, 30 s on an Xvfb that nobody touches,
thresholds 10 s and 20 s, against the same asyncio loop for 30 s without it.

Counted: the loop's wake-ups (each return from its selector), the times the X connection woke it, the
context switches of this process and those of the X server (it keeps the idle time and the alarms).
Goal: the watcher's wake-ups are its two alarms (plus a turn of the loop each to re-arm), none periodic.
Run: .venv/bin/python benchmarks/idle_watch.py [SECONDS]   (needs Xvfb; xdotool to reset the idle time)
"""

from __future__ import annotations

import asyncio
import os
import selectors
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rustlamp.desk.base import DeskEvent  # noqa: E402  (the checkout, on the path just above)
from rustlamp.desk.idle_x11 import X11IdleWatcher  # noqa: E402

THRESHOLDS = (timedelta(seconds=10), timedelta(seconds=20))


class CountingSelector(selectors.DefaultSelector):
    """The loop's selector, counting how often the loop woke up (returned from select)."""

    wakeups = 0

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = super().select(timeout)
        self.wakeups += 1
        return ready


def switches(pid: int | str) -> int:
    """Voluntary + involuntary context switches of every thread of a process."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for line in (task / "status").read_text().splitlines():
            if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                total += int(line.split()[1])
    return total


@contextmanager
def xvfb() -> Iterator[tuple[str, int]]:
    """A bare Xvfb of our own; yields its display name and PID."""
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "640x480x24", "-nolisten", "tcp", "-noreset"],
        pass_fds=(write_end,),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    os.close(write_end)
    try:
        with os.fdopen(read_end) as ready:
            number = ready.readline().strip()
        if not number:
            raise SystemExit("Xvfb did not start")
        yield f":{number}", proc.pid
    finally:
        proc.terminate()  # by PID
        proc.wait(5)


def reset_idle_time(display: str) -> None:
    if shutil.which("xdotool"):
        subprocess.run(["xdotool", "mousemove", "5", "5"], env={**os.environ, "DISPLAY": display}, check=True)


@dataclass
class Window:
    loop_wakeups: int
    own_switches: int
    server_switches: int
    reader_wakeups: int = 0
    events: tuple[tuple[float, DeskEvent], ...] = ()


def measure(display: str, server_pid: int, seconds: float, watch: bool) -> Window:
    selector = CountingSelector()
    loop = asyncio.SelectorEventLoop(selector)
    events: list[tuple[float, DeskEvent]] = []

    async def window() -> Window:
        watcher = X11IdleWatcher(display) if watch else None
        reset_idle_time(display)
        start = time.monotonic()
        if watcher is not None:
            watcher.set_thresholds(THRESHOLDS)
            reason = await watcher.start(lambda event: events.append((time.monotonic() - start, event)))
            if reason is not None:
                raise SystemExit(f"the X11 idle watcher did not start: {reason}")
        await asyncio.sleep(0.2)  # start-up traffic is not what we measure
        loop_before, own_before = selector.wakeups, switches("self")
        server_before = switches(server_pid)
        reader_before = watcher.wakeups if watcher is not None else 0
        await asyncio.sleep(seconds)
        result = Window(
            loop_wakeups=selector.wakeups - loop_before,
            own_switches=switches("self") - own_before,
            server_switches=switches(server_pid) - server_before,
            reader_wakeups=(watcher.wakeups if watcher is not None else 0) - reader_before,
            events=tuple(events),
        )
        if watcher is not None:
            await watcher.close()
        return result

    try:
        return loop.run_until_complete(window())
    finally:
        loop.close()


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 30.0
    with xvfb() as (display, server_pid):
        watched = measure(display, server_pid, seconds, watch=True)
        bare = measure(display, server_pid, seconds, watch=False)
    told = ", ".join(
        f"{e.kind} {e.idle_for.total_seconds():g} s at {at:.2f} s"
        if e.idle_for
        else f"{e.kind} at {at:.2f} s"
        for at, e in watched.events
    )
    print(f"X11 idle watcher (SYNC alarms), {seconds:g} s on an untouched Xvfb, thresholds 10 s and 20 s:")
    print(f"  events: {told or 'none'}")
    print(
        f"  loop wake-ups: {watched.loop_wakeups} with the watcher, {bare.loop_wakeups} without "
        f"(the X connection woke the loop {watched.reader_wakeups} times)"
    )
    print(f"  context switches of this process: {watched.own_switches} with, {bare.own_switches} without")
    print(
        f"  context switches of the X server: {watched.server_switches} with, {bare.server_switches} without"
    )
    print(f"  attributable to the watcher: {watched.loop_wakeups - bare.loop_wakeups} loop wake-ups")


if __name__ == "__main__":
    main()
