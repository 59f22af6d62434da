"""The journal on disk after a year of heavy use (10 000 entries): time to open it, time per entry added
(each one committed with synchronous=FULL, so an fsync or two), time to read a week, and the file's size.

Run: .venv/bin/python benchmarks/journal.py   (the journal is made in a temporary folder: put TMPDIR on
the disk you want to measure, since an fsync on tmpfs costs nothing)
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time as clock
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from rustlamp.core.checkin import BODY_CHOICES, BREATH_CHOICES, CheckInAnswers
from rustlamp.core.entries import Entry
from rustlamp.core.journal import FILE_NAME, Journal, open_journal

ZONE = ZoneInfo("Europe/Amsterdam")
YEAR = 2025
ENTRIES = 10_000  # about 27 a day: every break answered, a check-in at most of them, routines, snoozes
RUNS = 7
ADDS = 200
WEEK = (date(YEAR, 6, 16), date(YEAR, 6, 22))
SENTENCES = (
    "Shoulders up to my ears again.",
    "Slept badly, the meeting went on and on; a walk at lunch helped.",
    "Fine, actually. Tea and the window open.",
    "Jaw tight. Breathed out slowly three times and it eased a little 🌿",
)


def a_year(rng: random.Random) -> list[Entry]:
    entries = []
    for n in range(ENTRIES):
        day = date(YEAR, 1, 1) + timedelta(days=n * 365 // ENTRIES)
        at = datetime(day.year, day.month, day.day, 8, 0, tzinfo=ZONE) + timedelta(
            minutes=rng.randrange(14 * 60), seconds=rng.randrange(60)
        )
        roll = rng.random()
        if roll < 0.45:
            outcome = rng.choice(("done", "done", "attempt", "natural", "later"))
            entries.append(Entry(at, "break", {"outcome": outcome}))
        elif roll < 0.85:
            note = " ".join(rng.sample(SENTENCES, rng.randrange(0, 3)))
            answers = CheckInAnswers(rng.choice(BODY_CHOICES), (), rng.choice(BREATH_CHOICES), "", note)
            entries.append(Entry(at, "checkin", answers.to_json()))
        elif roll < 0.95:
            entries.append(Entry(at, "routine", {"name": rng.choice(("morning", "evening"))}))
        else:
            entries.append(Entry(at, "snooze", {"until": (at + timedelta(minutes=10)).isoformat()}))
    return entries


def opened(path: Path) -> Journal:
    result = open_journal(path, datetime.now(ZONE))
    assert result.journal is not None and result.problem is None, result.problem
    return result.journal


def median_ms(timings: list[float]) -> str:
    return f"median {statistics.median(timings) * 1000:.2f} ms, best {min(timings) * 1000:.2f} ms"


def main() -> None:
    rng = random.Random(2025)
    with tempfile.TemporaryDirectory(prefix="rustlamp-bench-") as folder:
        path = Path(folder) / "rustlamp" / FILE_NAME
        journal = opened(path)
        started = clock.perf_counter()
        journal.add_all(a_year(rng))
        print(
            f"{ENTRIES} entries stored in one transaction: {(clock.perf_counter() - started) * 1000:.0f} ms"
        )
        journal.close()
        print(f"file size with {ENTRIES} entries: {path.stat().st_size / 1024:.0f} KiB")

        timings = []
        for _ in range(RUNS):
            started = clock.perf_counter()
            journal = opened(path)  # includes the read-only look and SQLite's quick_check of the file
            timings.append(clock.perf_counter() - started)
            journal.close()
        print(f"open a journal of {ENTRIES} entries: {median_ms(timings)} ({RUNS} runs)")

        journal = opened(path)
        timings = []
        week = []
        for _ in range(50):
            started = clock.perf_counter()
            week = journal.entries(*WEEK)
            timings.append(clock.perf_counter() - started)
        print(f"read a week ({len(week)} entries): {median_ms(timings)} (50 runs)")

        timings = []
        at = datetime(YEAR + 1, 1, 5, 9, 0, tzinfo=ZONE)
        for n in range(ADDS):
            entry = Entry(
                at + timedelta(minutes=n), "checkin", CheckInAnswers("okay", note=SENTENCES[1]).to_json()
            )
            started = clock.perf_counter()
            journal.add(entry)
            timings.append(clock.perf_counter() - started)
        timings.sort()
        print(
            f"add one entry (synchronous=FULL): {median_ms(timings)}, "
            f"95th percentile {timings[int(len(timings) * 0.95)] * 1000:.2f} ms ({ADDS} adds)"
        )
        journal.close()
        print(f"file size after {ENTRIES + ADDS} entries: {path.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
