"""The journal on real SQLite files: privacy, exact round trips, unusable files moved aside, and `kill -9`.

No fakes: every test writes real files, and the locked, killed and full-disk cases are real processes.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from platforms import not_on_windows, posix_modes

from rustlamp.core import journal as journal_module
from rustlamp.core.checkin import (
    BODY_CHOICES,
    BODY_SIGNALS,
    BREATH_CHOICES,
    MAX_NEED,
    MAX_NOTE,
    CheckInAnswers,
)
from rustlamp.core.entries import BREAK_OUTCOMES, KINDS, Entry
from rustlamp.core.entries_json import entries_from_json, entries_to_json
from rustlamp.core.journal import FILE_NAME, Journal, JournalError, open_journal, read_journal

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2024, 5, 6, 9, 30, tzinfo=AMSTERDAM)  # names the moved-aside files
AT = datetime(2024, 5, 6, 9, 30, tzinfo=timezone(timedelta(hours=2)))
SECRET = "blue-heron-at-dawn-4711"  # a note distinctive enough to look for in the file's bytes
FAST_BUSY_TIMEOUT = 0.2  # our own setting, shortened so the locked case does not wait 3 s
KILLED = 1 if sys.platform == "win32" else -9  # Popen.kill(): TerminateProcess(…, 1) or SIGKILL
pytestmark = pytest.mark.windows


def note(at: datetime, text: str) -> Entry:
    return Entry(at, "checkin", CheckInAnswers(note=text).to_json())


def exact(entry: Entry) -> tuple[str, str, str]:
    """An entry as text: equal only when the local time, its offset, the kind and every JSON value match
    (datetime == compares instants, and dict == takes 1, 1.0 and True for the same)."""
    return entry.at.isoformat(), entry.kind, json.dumps(dict(entry.detail), sort_keys=True)


def new_journal(path: Path) -> Journal:
    opened = open_journal(path, NOW)
    assert opened.problem is None and opened.journal is not None
    return opened.journal


@contextmanager
def fresh_journal() -> Iterator[Journal]:
    # hypothesis runs many examples in one test: each gets its own folder (tmp_path is one per test)
    with tempfile.TemporaryDirectory(prefix="rustlamp-journal-") as folder:
        journal = new_journal(Path(folder) / FILE_NAME)
        try:
            yield journal
        finally:
            journal.close()


def quick_check(path: Path) -> str:
    """SQLite's own verdict on the file: "ok", the problems it found, or the error that stopped it."""
    db = sqlite3.connect(path)
    try:
        return "\n".join(row[0] for row in db.execute("PRAGMA quick_check"))
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        db.close()


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def companion(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def listing(folder: Path) -> dict[str, bytes]:
    return {each.name: each.read_bytes() for each in sorted(folder.iterdir())}


def run_python(script: str, *args: str, **kwargs: Any) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", script, *args], text=True, **kwargs)


# --- privacy: file modes -------------------------------------------------------------------------------


@pytest.fixture
def umask_022() -> Iterator[None]:
    # the usual desktop umask, which would make SQLite's own files readable by everyone
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@posix_modes
def test_a_new_journal_and_its_wal_and_shm_are_for_the_owner_only(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "data" / "rustlamp" / FILE_NAME
    journal = new_journal(path)
    journal.add(note(AT, "first"))
    assert mode(path.parent) == 0o700
    assert mode(path) == 0o600
    assert mode(companion(path, "-wal")) == 0o600
    assert mode(companion(path, "-shm")) == 0o600
    journal.close()


@posix_modes
def test_an_existing_readable_journal_and_folder_are_tightened(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "rustlamp" / FILE_NAME
    new_journal(path).close()
    path.parent.chmod(0o755)
    path.chmod(0o644)
    # an older build's connection still open: its -wal and -shm got the 0644 of the file
    other = sqlite3.connect(path)
    other.execute("SELECT count(*) FROM entries").fetchall()
    assert mode(companion(path, "-wal")) == 0o644
    journal = new_journal(path)
    assert mode(path.parent) == 0o700
    assert mode(path) == 0o600
    assert mode(companion(path, "-wal")) == 0o600
    assert mode(companion(path, "-shm")) == 0o600
    other.close()
    journal.close()


# --- exact round trips (hypothesis) --------------------------------------------------------------------

SPECIAL_TEXT = [
    "",
    "line one\nline two\r\n",
    'she said "enough"',
    "it's a \\ back\\slash",
    "🌧️ → ☀️ 👩🏽‍🦰",
    "\x00\u2028",
]
words = st.text(st.characters(codec="utf-8"), max_size=40) | st.sampled_from(SPECIAL_TEXT)
FIXED_OFFSETS = st.integers(-12 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
ZONES = st.sampled_from(
    [
        ZoneInfo(name)
        for name in ("Europe/Amsterdam", "America/St_Johns", "Australia/Lord_Howe", "Pacific/Chatham")
    ]
)
# Python allows any offset under a day; the week's query leans on that bound
EXTREME_OFFSETS = st.sampled_from(
    [timezone(timedelta(hours=23, minutes=59)), timezone(-timedelta(hours=23, minutes=59))]
)
any_time = st.datetimes(
    min_value=datetime(1970, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=FIXED_OFFSETS | ZONES | EXTREME_OFFSETS,
)


@st.composite
def amsterdam_dst_night(draw: st.DrawFn) -> datetime:
    """A wall time in the night the clocks change: the hour that does not exist, and the one that is twice."""
    year = draw(st.integers(2000, 2040))
    month = draw(st.sampled_from([3, 10]))
    sunday = max(d for d in (date(year, month, day) for day in range(25, 32)) if d.weekday() == 6)
    wall = datetime(sunday.year, sunday.month, sunday.day) + draw(
        st.timedeltas(timedelta(0), timedelta(hours=5))
    )
    return wall.replace(tzinfo=AMSTERDAM, fold=draw(st.integers(0, 1)))


times = any_time | amsterdam_dst_night()
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | words,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(words, inner, max_size=3),
    max_leaves=6,
)
checkin_details = st.builds(
    CheckInAnswers,
    body=st.none() | st.sampled_from(BODY_CHOICES),
    signals=st.lists(st.sampled_from(BODY_SIGNALS), unique=True).map(tuple),
    breath=st.none() | st.sampled_from(BREATH_CHOICES),
    need=st.text(st.characters(codec="utf-8"), max_size=MAX_NEED) | st.sampled_from(SPECIAL_TEXT),
    note=st.text(st.characters(codec="utf-8"), max_size=MAX_NOTE) | st.sampled_from(SPECIAL_TEXT),
).map(CheckInAnswers.to_json)


@st.composite
def entries(draw: st.DrawFn) -> Entry:
    kind = draw(st.sampled_from(KINDS))
    detail = draw(checkin_details if kind == "checkin" else st.dictionaries(words, json_values, max_size=4))
    if kind == "break":
        detail["outcome"] = draw(st.sampled_from(BREAK_OUTCOMES))
    return Entry(draw(times), kind, detail)


@st.composite
def entry_lists(draw: st.DrawFn, max_size: int = 10) -> list[Entry]:
    """Entries with some exact copies, and some of the same instant written with another offset (not a
    copy: the person lived it in another place)."""
    unique = draw(st.lists(entries(), max_size=max_size))
    copies = draw(st.lists(st.sampled_from(unique), max_size=3)) if unique else []
    moved = [
        Entry(e.at.astimezone(draw(FIXED_OFFSETS)), e.kind, e.detail)
        for e in (draw(st.lists(st.sampled_from(unique), max_size=2)) if unique else [])
    ]
    return draw(st.permutations(unique + copies + moved))


def in_utc_order(kept: dict[tuple[str, str, str], Entry]) -> list[tuple[str, str, str]]:
    # the same instant twice: the one stored first comes first (sorted is stable)
    return [key for key, e in sorted(kept.items(), key=lambda item: item[1].at.astimezone(timezone.utc))]


def remember(kept: dict[tuple[str, str, str], Entry], batch: list[Entry]) -> int:
    new = 0
    for e in batch:
        if exact(e) not in kept:
            kept[exact(e)] = e
            new += 1
    return new


PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(batches=st.lists(entry_lists(), min_size=1, max_size=3))
def test_entries_come_back_exactly_in_utc_order_and_exact_copies_are_skipped(
    batches: list[list[Entry]],
) -> None:
    kept: dict[tuple[str, str, str], Entry] = {}
    with fresh_journal() as journal:
        for batch in batches:
            assert journal.add_all(batch) == remember(kept, batch)
        assert [exact(e) for e in journal.entries()] == in_utc_order(kept)


@PROPERTY
@given(batch=entry_lists(max_size=15), data=st.data())
def test_entries_between_two_days_go_by_the_entrys_own_local_date(
    batch: list[Entry], data: st.DataObject
) -> None:
    # the days to ask for lie around the entries' own, where a UTC date would give a different answer
    near = st.sampled_from(
        [e.at.date() + timedelta(days=d) for e in batch for d in (-1, 0, 1)] or [AT.date()]
    )
    since, until = data.draw(st.none() | near), data.draw(st.none() | near)
    kept: dict[tuple[str, str, str], Entry] = {}
    remember(kept, batch)
    wanted = [
        key
        for key in in_utc_order(kept)
        if (since is None or kept[key].at.date() >= since) and (until is None or kept[key].at.date() <= until)
    ]
    with fresh_journal() as journal:
        journal.add_all(batch)
        assert [exact(e) for e in journal.entries(since, until)] == wanted


@PROPERTY
@given(batch=entry_lists())
def test_export_then_import_into_a_new_journal_gives_the_same_entries_and_twice_adds_nothing(
    batch: list[Entry],
) -> None:
    with fresh_journal() as journal:
        journal.add_all(batch)
        exported = json.dumps(entries_to_json(journal.entries()), ensure_ascii=False)
        stored = [exact(e) for e in journal.entries()]
    imported = entries_from_json(json.loads(exported))
    with fresh_journal() as other:
        assert other.add_all(imported) == len(stored)
        assert other.add_all(imported) == 0
        assert [exact(e) for e in other.entries()] == stored


@PROPERTY
@given(batch=entry_lists(max_size=15), data=st.data())
def test_forget_removes_exactly_the_local_days_before(batch: list[Entry], data: st.DataObject) -> None:
    before = data.draw(
        st.sampled_from([e.at.date() + timedelta(days=d) for e in batch for d in (0, 1)] or [AT.date()])
    )
    kept: dict[tuple[str, str, str], Entry] = {}
    remember(kept, batch)
    staying = [key for key in in_utc_order(kept) if kept[key].at.date() >= before]
    with fresh_journal() as journal:
        journal.add_all(batch)
        assert journal.forget(before) == len(kept) - len(staying)
        assert [exact(e) for e in journal.entries()] == staying


def test_a_broken_emoji_from_a_text_field_is_kept_not_refused(tmp_path: Path) -> None:
    # a lone surrogate cannot be UTF-8 text; it must not cost the person their check-in
    journal = new_journal(tmp_path / FILE_NAME)
    broken = note(AT, "tired \ud83d and that's fine")
    assert journal.add_all([broken, note(AT, "plain")]) == 2
    assert journal.add_all([broken]) == 0
    # it reads back with the broken half shown as U+FFFD, the one form every export and window can write
    shown = note(AT, "tired \ufffd and that's fine")
    assert [exact(e) for e in journal.entries()] == [exact(shown), exact(note(AT, "plain"))]
    journal.close()


def test_an_entry_that_cannot_be_stored_is_a_journal_error_naming_it(tmp_path: Path) -> None:
    journal = new_journal(tmp_path / FILE_NAME)
    first_morning = Entry(datetime(1, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=5))), "routine")
    with pytest.raises(
        JournalError, match=re.escape(f"cannot keep the entry of {first_morning.at} (routine)")
    ):
        journal.add(first_morning)  # its UTC time falls before year 1
    journal.close()


def test_a_row_of_a_kind_this_rustlamp_does_not_know_is_read_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    journal = new_journal(path)
    other = sqlite3.connect(path)  # a later rustlamp with a kind this one does not know
    other.execute(
        "INSERT INTO entries (at, utc, kind, detail) VALUES ('2024-05-06T09:30:00+02:00', "
        "'2024-05-06T07:30:00+00:00', 'walk', '{}')"
    )
    other.commit()
    other.close()
    (walk,) = journal.entries()  # shown and exported as it is, never refused
    assert (walk.kind, dict(walk.detail), walk.is_rest) == ("walk", {}, False)
    journal.close()


# --- forgetting ----------------------------------------------------------------------------------------


def test_forget_goes_by_local_days_not_utc_days(tmp_path: Path) -> None:
    late_evening = note(datetime(2024, 5, 5, 23, 30, tzinfo=timezone(timedelta(hours=-10))), "May 6 in UTC")
    early_morning = note(datetime(2024, 5, 6, 0, 30, tzinfo=timezone(timedelta(hours=14))), "May 5 in UTC")
    journal = new_journal(tmp_path / FILE_NAME)
    journal.add_all([late_evening, early_morning])
    assert journal.forget(date(2024, 5, 6)) == 1
    assert [exact(e) for e in journal.entries()] == [exact(early_morning)]
    assert journal.forget(None) == 1
    assert journal.entries() == []
    journal.close()


def journal_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (path, companion(path, "-wal")) if p.exists())


@pytest.mark.parametrize("forget_all", [False, True], ids=["before-a-day", "everything"])
@pytest.mark.parametrize("length", [1, 80], ids=["short-note", "long-note"])
def test_forgotten_words_are_gone_from_the_file_and_its_wal(
    tmp_path: Path, forget_all: bool, length: int
) -> None:
    path = tmp_path / FILE_NAME
    journal = new_journal(path)
    # other entries around it, so the note sits on a page that stays in use; a long note spills onto
    # overflow pages in the index
    journal.add_all(note(AT - timedelta(days=3, minutes=n), f"older {n} " * 20) for n in range(60))
    journal.add(note(AT - timedelta(days=2), SECRET * length))
    journal.add_all(note(AT + timedelta(minutes=n), f"newer {n} KEEP-ME " * 20) for n in range(60))
    assert SECRET.encode() in journal_bytes(path)  # the search would find it
    journal.forget(None if forget_all else AT.date())
    assert SECRET.encode() not in journal_bytes(path)
    if not forget_all:
        assert b"KEEP-ME" in journal_bytes(path)  # the kept words are still there to find
    journal.close()
    assert SECRET.encode() not in journal_bytes(path)


# --- unusable files: moved aside, never deleted --------------------------------------------------------

LOCK_HOLDER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA locking_mode = EXCLUSIVE")
db.execute("BEGIN EXCLUSIVE")
print("holding", flush=True)
sys.stdin.read()  # until the test lets go
"""


def journal_with_entries(path: Path, count: int = 5) -> None:
    journal = new_journal(path)
    journal.add_all(note(AT + timedelta(minutes=n), f"entry {n} " * 10) for n in range(count))
    journal.close()


def make_text_file(path: Path) -> str:
    path.write_text("Groceries:\n- oat milk\n- apples\n", encoding="utf-8")
    return "is not a database"


def make_damaged_journal(path: Path) -> str:
    # a page in the middle overwritten with noise: SQLite stumbles on it as soon as it reads the tables
    journal_with_entries(path, 400)  # many pages; the notes are short, so every page is a b-tree page
    data = bytearray(path.read_bytes())
    page = 4096
    middle = len(data) // page // 2 * page
    data[middle : middle + page] = bytes(random.Random(7).randrange(256) for _ in range(page))
    path.write_bytes(bytes(data))
    assert quick_check(path) == "database disk image is malformed"  # SQLite itself sees it, not only we
    return "is damaged (SQLite says the database disk image is malformed)"


def make_journal_the_check_finds_damaged(path: Path) -> str:
    # damage that opens fine and only SQLite's check of the whole file reports (not an error on reading)
    journal_with_entries(path, 400)
    original = path.read_bytes()
    page = 4096
    for start in range(len(original) // page // 2 * page, len(original), page):
        path.write_bytes(original[:start] + bytes(page) + original[start + page :])
        if quick_check(path).startswith("*** in database main ***"):
            # what the check says next depends on SQLite's version ("Page 29: …", "Tree 3 page 29: …")
            return "is damaged (SQLite's check of the file found: "
    raise AssertionError("no page whose damage only the check sees")


def make_newer_journal(path: Path) -> str:
    journal_with_entries(path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    return "newer rustlamp (journal version 99"


def make_other_apps_database(path: Path) -> str:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE recipes (name TEXT, steps TEXT)")
    db.execute("INSERT INTO recipes VALUES ('soup', 'chop, boil')")
    db.commit()
    db.close()
    return "is an SQLite database, but not a rustlamp journal"


def make_other_apps_versioned_database(path: Path) -> str:
    # many programs number their schema with user_version too; 1 is not enough to call it ours
    make_other_apps_database(path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 1")
    db.close()
    return "is an SQLite database, but not a rustlamp journal"


MAKERS: dict[str, Callable[[Path], str]] = {
    "text-file": make_text_file,
    "damaged": make_damaged_journal,
    "damaged-found-by-check": make_journal_the_check_finds_damaged,
    "newer-version": make_newer_journal,
    "other-app": make_other_apps_database,
    "other-app-version-1": make_other_apps_versioned_database,
}
LOCKED = "locked"  # made by the fixture: it needs a process; a lock passes, so the file is not moved


@dataclass
class Unusable:
    path: Path
    says: str  # what the problem or error must say


def made(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Unusable]:
    path = tmp_path / "rustlamp" / FILE_NAME
    path.parent.mkdir(mode=0o700)
    if kind != LOCKED:
        yield Unusable(path, MAKERS[kind](path))
        return
    journal_with_entries(path)
    monkeypatch.setattr(journal_module, "BUSY_TIMEOUT", FAST_BUSY_TIMEOUT)
    holder = run_python(LOCK_HOLDER, str(path), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        yield Unusable(path, "is locked by another program")
    finally:
        holder.communicate("", timeout=10)


@pytest.fixture(params=list(MAKERS))
def unusable(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Unusable]:
    yield from made(request.param, tmp_path, monkeypatch)


@pytest.fixture(params=[*MAKERS, LOCKED])
def unreadable(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Unusable]:
    yield from made(request.param, tmp_path, monkeypatch)


@pytest.fixture
def locked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Unusable]:
    yield from made(LOCKED, tmp_path, monkeypatch)


def test_an_unusable_file_is_moved_aside_untouched_and_a_new_journal_started(unusable: Unusable) -> None:
    path = unusable.path
    original = path.read_bytes()
    opened = open_journal(path, NOW)
    assert opened.moved_to == path.with_name(f"{FILE_NAME}.unreadable-20240506-093000")
    assert opened.moved_to.read_bytes() == original  # moved, not changed, not deleted
    assert opened.problem is not None
    problem = str(opened.problem)  # the English, as the log keeps it
    assert str(path) in problem and unusable.says in problem
    assert f"moved to {opened.moved_to.name} and a new journal was started" in problem
    assert opened.journal is not None
    opened.journal.add(note(AT, "a fresh start"))
    assert [e.detail["note"] for e in opened.journal.entries()] == ["a fresh start"]
    opened.journal.close()


def test_a_journal_locked_by_another_program_is_left_where_it_is(locked: Unusable) -> None:
    before = listing(locked.path.parent)
    opened = open_journal(locked.path, NOW)
    assert opened.journal is None and opened.moved_to is None
    assert (
        str(opened.problem)
        == f"the journal {locked.path} is locked by another program; it was left where it is"
    )
    assert listing(locked.path.parent)[FILE_NAME] == before[FILE_NAME]


def test_read_journal_says_what_is_wrong_and_moves_nothing(unreadable: Unusable) -> None:
    unusable = unreadable
    before = listing(unusable.path.parent)
    with pytest.raises(JournalError) as error:
        read_journal(unusable.path)
    assert str(unusable.path) in str(error.value) and unusable.says in str(error.value)
    after = listing(unusable.path.parent)
    assert after[FILE_NAME] == before[FILE_NAME]
    # SQLite's read-only look at a WAL journal may leave an empty -wal and a -shm beside it; nothing else
    assert set(after) - set(before) <= {FILE_NAME + "-wal", FILE_NAME + "-shm"}
    assert after.get(FILE_NAME + "-wal", b"") == before.get(FILE_NAME + "-wal", b"")


def test_read_journal_of_a_missing_file_says_there_is_none_yet(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match=re.escape(f"there is no journal yet at {tmp_path / FILE_NAME}")):
        read_journal(tmp_path / FILE_NAME)
    assert list(tmp_path.iterdir()) == []


def test_the_wal_and_shm_move_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    journal_with_entries(path)
    # a newer rustlamp wrote its version and was killed: the change is only in the WAL
    died = run_python(
        "import os, sqlite3, sys\n"
        "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "db.execute('PRAGMA user_version = 99')\n"
        "os._exit(0)\n",
        str(path),
    )
    assert died.wait(timeout=10) == 0
    original, wal = path.read_bytes(), companion(path, "-wal").read_bytes()
    assert wal
    opened = open_journal(path, NOW)
    assert opened.moved_to is not None and "newer rustlamp" in str(opened.problem)
    assert opened.moved_to.read_bytes() == original  # the WAL was not checkpointed into it on the way
    assert companion(opened.moved_to, "-wal").read_bytes() == wal
    assert companion(opened.moved_to, "-shm").exists()
    assert opened.journal is not None and opened.journal.entries() == []  # not the old WAL replayed
    opened.journal.close()


def test_two_moves_in_the_same_second_keep_both_files(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    moved = []
    for text in ("first list\n", "second list\n"):
        path.write_text(text, encoding="utf-8")
        opened = open_journal(path, NOW)
        assert opened.journal is not None and opened.moved_to is not None
        opened.journal.close()
        moved.append(opened.moved_to)
    assert moved[0] != moved[1]
    assert [m.read_text(encoding="utf-8") for m in moved] == ["first list\n", "second list\n"]


@pytest.mark.parametrize("kind", ["empty-file", "empty-database"])
def test_an_old_version_0_file_is_migrated_not_moved(tmp_path: Path, kind: str) -> None:
    path = tmp_path / FILE_NAME
    if kind == "empty-file":
        path.touch(mode=0o600)
    else:
        db = sqlite3.connect(path)  # a database that once had a table: pages, but nothing in them
        db.execute("CREATE TABLE t (x)")
        db.execute("DROP TABLE t")
        db.close()
    opened = open_journal(path, NOW)
    assert opened.problem is None and opened.moved_to is None and opened.journal is not None
    opened.journal.add(note(AT, "kept"))
    opened.journal.close()
    assert [p.name for p in tmp_path.iterdir()] == [FILE_NAME]
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == journal_module.SCHEMA_VERSION
    db.close()


def test_a_new_journal_killed_while_still_in_rollback_mode_is_rolled_back_and_opened(tmp_path: Path) -> None:
    # a new file is written in rollback mode until it is switched to WAL: dying then leaves a hot -journal,
    # which only a connection that may write can roll back (a read-only look alone refused it forever)
    path = tmp_path / FILE_NAME
    died = run_python(
        "import os, sqlite3, sys\n"
        "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "db.execute('PRAGMA cache_size = 1')\n"  # so the half-made table spills into the file itself
        "db.execute('BEGIN')\n"
        "db.execute('CREATE TABLE half (x)')\n"
        "db.execute('INSERT INTO half VALUES (zeroblob(20000))')\n"
        "os._exit(0)\n",
        str(path),
    )
    assert died.wait(timeout=10) == 0
    assert companion(path, "-journal").stat().st_size > 0
    opened = open_journal(path, NOW)
    assert opened.problem is None and opened.moved_to is None and opened.journal is not None
    opened.journal.add(note(AT, "kept"))
    opened.journal.close()
    assert [p.name for p in tmp_path.iterdir()] == [FILE_NAME]
    assert quick_check(path) == "ok"


# --- kill -9 -------------------------------------------------------------------------------------------

WRITER = """
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from rustlamp.core.entries import Entry
from rustlamp.core.journal import open_journal

path, run = Path(sys.argv[1]), sys.argv[2]
opened = open_journal(path, datetime.now(timezone.utc))
assert opened.problem is None, opened.problem
start = datetime(2024, 5, 6, 9, 0, tzinfo=timezone(timedelta(hours=2)))
n = 0
while True:
    opened.journal.add(Entry(start + timedelta(seconds=n), "checkin", {"note": f"run {run} entry {n}"}))
    print(f"committed {n}", flush=True)
    n += 1
"""


def kill_while_writing(path: Path, run: int, rng: random.Random) -> set[str]:
    """Start a writer, SIGKILL it at a varied moment; the notes it said were committed."""
    writer = run_python(WRITER, str(path), str(run), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert writer.stdout is not None
    lines = []
    if run < 3:
        # early: while it starts, makes or opens the file, or writes its first entries
        time.sleep(rng.uniform(0, 0.3))
    else:
        for _ in range(rng.randrange(1, 40)):
            lines.append(writer.stdout.readline())
            assert lines[-1].startswith("committed"), writer.communicate()[1]
        time.sleep(rng.choice([0, 0, rng.uniform(0, 0.005)]))  # mostly right inside the next add
    writer.kill()  # SIGKILL; TerminateProcess on Windows
    rest, _err = writer.communicate(timeout=10)
    assert writer.returncode == KILLED
    # every line it printed came after add() returned, including those still in the pipe
    lines += rest.splitlines()
    return {f"run {run} entry {line.split()[1]}" for line in lines if line.startswith("committed")}


def test_kill_9_while_writing_loses_no_committed_entry(tmp_path: Path) -> None:
    seed = random.randrange(1 << 32)
    rng = random.Random(seed)
    path = tmp_path / FILE_NAME
    committed: set[str] = set()
    for run in range(15):
        committed |= kill_while_writing(path, run, rng)
        opened = open_journal(path, NOW)
        assert opened.problem is None and opened.moved_to is None, f"seed {seed}, run {run}: {opened.problem}"
        assert opened.journal is not None
        kept = {e.detail["note"] for e in opened.journal.entries()}
        opened.journal.close()
        assert committed <= kept, f"seed {seed}, run {run}: lost {sorted(committed - kept)[:5]}"
        assert quick_check(path) == "ok"
    assert [p.name for p in tmp_path.iterdir()] == [FILE_NAME]
    assert len(committed) > 100  # the kills did land among writes


def test_kill_9_while_a_new_journal_is_made_leaves_one_that_opens(tmp_path: Path) -> None:
    # how long a writer takes to its first entry on a new file; kills spread over the end of that time land
    # in the making of the file, its migration, or the first add (most of the time before is Python's start)
    timings = []
    for n in range(3):
        started = time.perf_counter()
        timing = run_python(WRITER, str(tmp_path / f"timing{n}"), "0", stdout=subprocess.PIPE)
        assert timing.stdout is not None and timing.stdout.readline() == "committed 0\n"
        timings.append(time.perf_counter() - started)
        timing.kill()
        timing.communicate(timeout=10)
    first_entry = sorted(timings)[1]
    for n in range(10):
        path = tmp_path / str(n) / FILE_NAME
        path.parent.mkdir()
        writer = run_python(WRITER, str(path), "0", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(first_entry * (0.7 + n * 0.05))
        writer.kill()
        writer.wait(timeout=10)
        if path.exists():
            opened = open_journal(path, NOW)
            assert opened.problem is None and opened.moved_to is None, f"kill {n}: {opened.problem}"
            assert opened.journal is not None
            opened.journal.close()
            assert quick_check(path) == "ok"
        assert not list(path.parent.glob("*.unreadable-*"))


# --- trouble while running -----------------------------------------------------------------------------


@not_on_windows("Windows refuses to move or delete a file that is open")
def test_a_journal_replaced_underneath_refuses_to_write_into_the_lost_file(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    journal = new_journal(path)
    journal.add(note(AT, "before"))
    path.rename(tmp_path / "synced-away.sqlite3")
    path.write_bytes(b"")  # a sync tool puts its own copy in place
    with pytest.raises(JournalError, match=re.escape(f"{path} was replaced by another file while rustlamp")):
        journal.add(note(AT, "after"))
    journal.close()


@not_on_windows("Windows refuses to move or delete a file that is open")
def test_a_journal_deleted_underneath_refuses_to_write_into_the_lost_file(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    journal = new_journal(path)
    path.unlink()
    with pytest.raises(JournalError, match=re.escape(f"{path} is gone: it was moved or deleted")):
        journal.add(note(AT, "after"))
    journal.close()


FULL_DISK_WRITER = """
import json, resource, signal, sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from rustlamp.core.entries import Entry
from rustlamp.core.journal import JournalError, open_journal

path = Path(sys.argv[1])
journal = open_journal(path, datetime.now(timezone.utc)).journal
at = datetime(2024, 5, 6, 9, 0, tzinfo=timezone.utc)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, like a full disk
soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, hard))
committed, error = [], None
for n in range(1000):
    try:
        journal.add(Entry(at + timedelta(minutes=n), "checkin", {"note": f"entry {n} " + "x" * 3000}))
    except JournalError as exc:
        error = str(exc)
        break
    except Exception as exc:
        error = f"raw {type(exc).__name__}: {exc}"
        break
    committed.append(n)
resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))  # space again
journal.add(Entry(at - timedelta(days=1), "checkin", {"note": "after the disk had room again"}))
journal.close()
print(json.dumps({"committed": committed, "error": error}))
"""


@not_on_windows("a file size limit (RLIMIT_FSIZE) is POSIX")
def test_a_full_disk_is_a_journal_error_and_the_journal_goes_on_when_there_is_room(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    writer = run_python(FULL_DISK_WRITER, str(path), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    result = json.loads(out)
    assert result["error"] is not None and result["error"].startswith(
        f"the journal {path} cannot be written: "
    )
    assert len(result["committed"]) > 3
    journal = new_journal(path)
    notes = [e.detail["note"] for e in journal.entries()]
    journal.close()
    assert notes[0] == "after the disk had room again"
    assert [int(n.split()[1]) for n in notes[1:]] == result["committed"]  # all of them, and no half one
    assert quick_check(path) == "ok"


READ_ONLY_FOLDER = """
import json, os, sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from rustlamp.core.entries import Entry
from rustlamp.core.catalog import catalog
from rustlamp.core.journal import JournalError, open_journal, read_journal

catalog("en", pseudo=False)  # the words of the problems, read once, like the imports
if os.geteuid() == 0:  # root ignores file modes: go on as nobody (after the imports, which live in /root)
    os.setgroups([])
    os.setresgid(65534, 65534, 65534)
    os.setresuid(65534, 65534, 65534)
path = Path(sys.argv[1])
at = datetime(2024, 5, 6, 9, 0, tzinfo=timezone.utc)
journal = open_journal(path, at).journal
journal.add(Entry(at, "checkin", {"note": "before"}))
path.parent.chmod(0o500)
report = {}
try:
    journal.add(Entry(at + timedelta(minutes=1), "checkin", {"note": "while read-only"}))
    report["add"] = "ok"
except JournalError as exc:
    report["add"] = str(exc)
report["notes"] = [e.detail["note"] for e in journal.entries()]
journal.close()
path.parent.chmod(0o700)
for name in ("journal.sqlite3-wal", "journal.sqlite3-shm"):  # left behind: the folder forbade removing them
    if (path.parent / name).exists():
        (path.parent / name).unlink()
path.parent.chmod(0o500)  # now the journal is closed, and SQLite cannot make its -wal
opened = open_journal(path, at)
report["open"] = [opened.journal is not None, str(opened.problem), str(opened.moved_to)]
try:
    read_journal(path)
    report["read"] = "ok"
except JournalError as exc:
    report["read"] = str(exc)
report["files"] = sorted(os.listdir(path.parent))
path.parent.chmod(0o700)
path.chmod(0o400)  # the folder is fine again, but the file itself cannot be written
opened = open_journal(path, at)
report["open_read_only_file"] = [opened.journal is not None, str(opened.problem), str(opened.moved_to)]
report["files_after"] = sorted(os.listdir(path.parent))
print(json.dumps(report))
"""


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder the child can still use after giving up root (tmp_path is in root's own pytest-of-root)."""
    folder = Path(tempfile.mkdtemp(prefix="rustlamp-journal-"))
    if os.geteuid() == 0:
        os.chown(folder, 65534, 65534)
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


@not_on_windows("giving up root and POSIX modes")
def test_a_read_only_folder_or_file_neither_loses_an_entry_nor_moves_the_journal(shared_folder: Path) -> None:
    path = shared_folder / FILE_NAME
    result = subprocess.run(
        [sys.executable, "-c", READ_ONLY_FOLDER, str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    # the open journal has its files already: it goes on writing, and nothing is lost
    assert report["add"] == "ok"
    assert report["notes"] == ["before", "while read-only"]
    # a closed one cannot be opened there: it is left where it is, and the person is told why
    works, problem, moved_to = report["open"]
    assert not works and moved_to == "None"
    assert f"the journal {path} cannot be opened" in problem and "left where it is" in problem
    assert report["read"].startswith(f"the journal {path} cannot be opened")
    assert report["files"] == [FILE_NAME]
    # nor is a journal moved aside (with all it holds) because it may not be written: that is no fault of
    # the file, and a new journal in its place would only split the person's history in two
    works, problem, moved_to = report["open_read_only_file"]
    assert not works and moved_to == "None"
    assert problem == (
        f"the journal {path} cannot be written (the file or its disk is read-only); it was left where it is"
    )
    assert FILE_NAME in report["files_after"] and not any("unreadable" in f for f in report["files_after"])
