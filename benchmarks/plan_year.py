"""How long planning a whole year of reminders and routines takes (target: under 50 ms).

Run: .venv/bin/python benchmarks/plan_year.py
"""

from __future__ import annotations

import statistics
import time as clock
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from rustlamp.core.config import EVERY_DAY, Reminders, Routine
from rustlamp.core.schedule import Schedule

ZONE = ZoneInfo("Europe/Amsterdam")
START = datetime(2027, 1, 1, 0, 0, tzinfo=ZONE)
END = START + timedelta(days=365)
CASES = {
    "defaults (45m, 09:00-17:30, workdays) + 2 routines": Reminders(),
    "all day, every day, 45m + 2 routines": Reminders(start=time(0, 0), end=time(0, 0), days=EVERY_DAY),
}
ROUTINES = (Routine("morning", time(8, 0)), Routine("evening", time(21, 30)))


def plan_year(schedule: Schedule) -> int:
    return len(schedule.plan(START, 1_000_000, until=END))


def main() -> None:
    for name, reminders in CASES.items():
        schedule = Schedule(reminders, ROUTINES, ZONE)
        timings = []
        count = 0
        for _ in range(7):
            started = clock.perf_counter()
            count = plan_year(schedule)
            timings.append(clock.perf_counter() - started)
        print(
            f"{name}: {count} events in a year; median {statistics.median(timings) * 1000:.1f} ms, "
            f"best {min(timings) * 1000:.1f} ms (7 runs)"
        )


if __name__ == "__main__":
    main()
