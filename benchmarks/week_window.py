"""The week window's process on screen: its memory (RSS and PSS, from /proc, as break_window.py reads the
break window's) and how long it took to be mapped, started as the lamp starts it (`python -P -m
rustlamp.ui.launch rustlamp.ui.week_window --language nl --entries -`, a week of entries on stdin).
Run: .venv/bin/python benchmarks/week_window.py
"""

from __future__ import annotations

import compileall
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone

from measure import Reading, desktop, read_proc

import rustlamp
from rustlamp.core.entries import Entry
from rustlamp.core.entries_json import entries_to_json

RUNS = 5
TITLE = "^Deze week$"


def a_week() -> str:
    """Two rests a day and a check-in every other day, this week."""
    zone = timezone(timedelta(hours=1))
    today = date.today()
    entries = []
    for back in range(7):
        day = today - timedelta(days=back)
        for hour in (10, 15):
            entries.append(
                Entry(datetime(day.year, day.month, day.day, hour, tzinfo=zone), "break", {"outcome": "done"})
            )
        if back % 2 == 0:
            entries.append(
                Entry(datetime(day.year, day.month, day.day, 16, tzinfo=zone), "checkin", {"breath": "calm"})
            )
    return json.dumps(entries_to_json(entries))


def main() -> None:
    compileall.compile_dir(os.path.dirname(rustlamp.__file__), quiet=1)  # as pip does on install
    load_before = os.getloadavg()
    readings: list[Reading] = []
    mapped: list[float] = []
    command = [sys.executable, "-P", "-m", "rustlamp.ui.launch", "rustlamp.ui.week_window"]
    with desktop() as session:
        for _ in range(RUNS):
            began = time.perf_counter()
            window = subprocess.Popen(
                [*command, "--language", "nl", "--entries", "-"],
                env=session.env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
            )  # fmt: skip
            assert window.stdin is not None
            window.stdin.write(a_week())
            window.stdin.close()
            deadline = time.monotonic() + 30
            while session.run(
                ["xdotool", "search", "--onlyvisible", "--name", TITLE], check=False
            ).returncode:
                if time.monotonic() > deadline:
                    raise TimeoutError("the week window did not appear")
                time.sleep(0.01)
            mapped.append(time.perf_counter() - began)
            time.sleep(1.0)  # settled: its first frames drawn
            readings.append(read_proc(window.pid))
            window.terminate()
            window.wait(10)
    rss = statistics.median(r.rss_kb for r in readings) / 1024
    pss = statistics.median(r.pss_kb for r in readings) / 1024
    print(
        f"the week window's process on screen: {rss:.1f} MB resident, {pss:.1f} MB proportional (PSS), "
        f"{readings[0].threads} threads (medians of {RUNS} runs)"
    )
    print(f"started to mapped: median {statistics.median(mapped) * 1000:.0f} ms")
    load_after = os.getloadavg()
    cores = os.cpu_count()
    print(f"load average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f}, on {cores} cores")


if __name__ == "__main__":
    main()
