"""The running app's journal keeper: what a person wrote is kept even while the journal cannot take it.

A real SQLite file, and a real second process holding it locked, as another program would."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from platforms import WINDOWS

import rustlamp.core.journal as journal_module
from rustlamp.core.clock import FakeClock
from rustlamp.core.entries import Entry
from rustlamp.core.entries_json import entries_from_json
from rustlamp.core.journal import Journal, open_journal, read_journal
from rustlamp.journal_keeper import JournalKeeper

pytestmark = pytest.mark.windows

AMS = ZoneInfo("Europe/Amsterdam")
CHECKIN = {"body": "tense", "signals": [], "breath": "calm", "need": "even naar buiten", "note": ""}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 25, 10, 0, tzinfo=AMS))


@contextmanager
def held_locked(path: Path) -> Iterator[None]:
    """Another program with the journal locked for writing, until the block ends."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; db = sqlite3.connect(sys.argv[1], isolation_level=None); "
            "db.execute('BEGIN EXCLUSIVE'); print('held', flush=True); sys.stdin.read()",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline().strip() == "held"
    try:
        yield
    finally:
        holder.stdin.close()
        holder.wait(10)


def test_entries_carry_the_local_time_and_offset(tmp_path: Path, clock: FakeClock) -> None:
    keeper = JournalKeeper(tmp_path / "j" / "journal.sqlite3", clock)
    assert keeper.open() is None
    keeper.record("checkin", CHECKIN)
    clock.advance(timedelta(days=200))  # summer time now
    keeper.record("break", {"outcome": "attempt"})
    entries = keeper.entries()
    assert [e.at.isoformat() for e in entries] == ["2026-11-25T10:00:00+01:00", "2027-06-13T11:00:00+02:00"]
    assert dict(entries[0].detail) == CHECKIN
    keeper.close()


def test_while_the_journal_is_locked_entries_wait_and_go_in_later(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal_module, "BUSY_TIMEOUT", 0.2)  # do not wait 3 s for the lock in a test
    path = tmp_path / "journal.sqlite3"
    keeper = JournalKeeper(path, clock)
    assert keeper.open() is None
    with held_locked(path):
        keeper.record("checkin", CHECKIN)
        clock.advance(timedelta(minutes=5))
        keeper.record("break", {"outcome": "done", "how": "button"})
        assert [e.kind for e in keeper.entries()] == ["checkin", "break"]  # shown, though still waiting
    clock.advance(timedelta(minutes=5))
    keeper.record("snooze", {"until": None})
    keeper.close()
    reopened = open_journal(path, clock.now())
    assert reopened.journal is not None
    assert [e.kind for e in reopened.journal.entries()] == ["checkin", "break", "snooze"]
    reopened.journal.close()


def test_a_journal_locked_at_the_start_is_left_alone_and_opened_when_there_is_something_to_write(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal_module, "BUSY_TIMEOUT", 0.2)
    path = tmp_path / "journal.sqlite3"
    earlier = JournalKeeper(path, clock)
    earlier.open()
    earlier.record("checkin", CHECKIN)
    earlier.close()
    keeper = JournalKeeper(path, clock)
    with held_locked(path):
        told = keeper.open()
        assert told is not None and told[0] == "journal_unavailable"
        assert "is locked by another program" in told[1] and "left where it is" in told[1]
        keeper.record("break", {"outcome": "done", "how": "button"})  # still locked: it waits
    clock.advance(timedelta(minutes=5))
    keeper.record("snooze", {"until": None})  # the lock is gone: the journal opens, both go in
    assert sorted(p.name for p in tmp_path.iterdir() if "unreadable" in p.name or p.suffix == ".json") == []
    looking = read_journal(path)
    assert [e.kind for e in looking.entries()] == ["checkin", "break", "snooze"]  # in, before the end
    looking.close()
    keeper.close()
    reopened = open_journal(path, clock.now())
    assert reopened.journal is not None and reopened.problem is None
    assert [e.kind for e in reopened.journal.entries()] == ["checkin", "break", "snooze"]  # one history
    reopened.journal.close()


def test_what_still_waits_at_the_end_is_kept_aside_owner_only_and_can_be_imported(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(journal_module, "BUSY_TIMEOUT", 0.2)
    path = tmp_path / "journal.sqlite3"
    keeper = JournalKeeper(path, clock)
    keeper.open()
    with held_locked(path):
        keeper.record("checkin", CHECKIN)
        keeper.close()
    aside = tmp_path / "journal-unsaved-20261125-100000.json"
    assert WINDOWS or stat.S_IMODE(aside.stat().st_mode) == 0o600
    kept = entries_from_json(json.loads(aside.read_text(encoding="utf-8")))
    assert [dict(e.detail) for e in kept] == [CHECKIN]


def test_a_keeper_without_a_path_keeps_nothing(tmp_path: Path, clock: FakeClock) -> None:
    keeper = JournalKeeper(None, clock)
    assert keeper.open() is None and not keeper.keeping
    keeper.record("checkin", CHECKIN)
    assert keeper.entries() == []
    keeper.close()
    assert list(tmp_path.iterdir()) == []


def test_an_unusable_journal_is_told_once_and_a_new_one_kept(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "journal.sqlite3"
    path.write_text("not a database at all\n" * 50)
    keeper = JournalKeeper(path, clock)
    told = keeper.open()
    assert told is not None
    key, problem = told
    assert key == "journal_moved"
    assert "is not a database" in problem and "journal.sqlite3.unreadable-20261125-100000" in problem
    keeper.record("checkin", CHECKIN)
    assert len(keeper.entries()) == 1
    keeper.close()
    assert (tmp_path / "journal.sqlite3.unreadable-20261125-100000").read_text().startswith("not a database")


@pytest.mark.parametrize("before", [None, date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 27)])
def test_forget_drops_from_memory_the_same_entries_it_drops_from_the_file(
    tmp_path: Path, clock: FakeClock, before: date | None
) -> None:
    """`journal forget` reaching the running lamp: its waiting entries go by the file's own rule (the local
    day), so half past midnight in Amsterdam (still the day before in UTC) counts as the day it was lived."""
    from rustlamp.core.commands import Forget, command_from_key, forget_key

    keeper = JournalKeeper(tmp_path / "j.sqlite3", clock)  # never opened: every entry waits in memory
    for step in (timedelta(0), timedelta(hours=13, minutes=30), timedelta(hours=1), timedelta(days=1)):
        clock.advance(step)  # 10:00 and 23:30 on the 25th, 00:30 and the next day's on the 26th/27th
        keeper.record("checkin", CHECKIN)
    on_file = read_journal_with(tmp_path / "file.sqlite3", keeper.entries())
    gone_from_file = on_file.forget(before)
    left_on_file = [e.at for e in on_file.entries()]
    on_file.close()

    command = command_from_key(forget_key(before), "command line")
    assert command == Forget(before, "command line")
    assert keeper.forget(before) == gone_from_file
    assert [e.at for e in keeper.entries()] == left_on_file
    assert keeper.waiting_count == len(left_on_file)


def read_journal_with(path: Path, entries: list[Entry]) -> Journal:
    opened = open_journal(path, datetime(2026, 11, 25, 9, 0, tzinfo=AMS))
    assert opened.journal is not None
    opened.journal.add_all(entries)
    return opened.journal


@pytest.mark.parametrize(
    "key", ["forget:", "forget:al", "forget:2026-13-01", "forget:20261125", "forget:x" * 9]
)
def test_a_forget_key_the_command_line_never_sends_is_refused(key: str) -> None:
    from rustlamp.core.commands import command_from_key

    assert command_from_key(key, "command line") is None
