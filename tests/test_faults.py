"""Faults on real disks: a full and a read-only data folder on a small tmpfs of its own, and what the
person wrote must never be lost, nor left as an empty or unreadable file. Mounting needs root (as here and
in CI); where it is not permitted these tests skip and say why.

Also the runtime folder: its owner and mode checked, with a safe fallback (XDG_RUNTIME_DIR unset, odd, or
/tmp/rustlamp-<uid> made first by another user)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hostile import private_folders, raw_journal, run_here

import rustlamp.system.control as control
from rustlamp.core.clock import FakeClock
from rustlamp.core.entries_json import entries_from_json
from rustlamp.core.journal import open_journal
from rustlamp.journal_keeper import JournalKeeper, unsaved_files

AMS = ZoneInfo("Europe/Amsterdam")
NOTE = {"body": "tense", "signals": [], "breath": "calm", "need": "even naar buiten", "note": "koude handen"}


@contextmanager
def small_tmpfs(where: Path, size: str = "256k") -> Iterator[Path]:
    """A tmpfs of `size` mounted at `where` for the block; skips the test where mounting is not allowed."""
    where.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def remount_read_only(where: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)


def fill(folder: Path) -> None:
    """Fill the disk under `folder` to the last byte."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 512)
    except OSError:
        pass
    finally:
        os.close(fd)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 25, 10, 0, tzinfo=AMS))


def no_empty_or_broken_files(folder: Path) -> None:
    """Nothing rustlamp kept aside is empty or unreadable, and no temporary file is left behind."""
    for file in folder.rglob("*"):
        assert not file.name.endswith(".tmp"), file
        if file.name.startswith("journal-unsaved-"):
            assert file.stat().st_size > 0, file
            entries_from_json(json.loads(file.read_text(encoding="utf-8")))


def test_a_full_data_disk_loses_nothing_and_is_told_once(tmp_path: Path, clock: FakeClock) -> None:
    with small_tmpfs(tmp_path / "data") as data:
        path = data / "journal.sqlite3"
        spare = tmp_path / "state"
        told: list[str] = []
        keeper = JournalKeeper(path, clock, [data, spare], tell=told.append)
        assert keeper.open() is None
        keeper.record("break", {"outcome": "done"})  # in, while there is room
        fill(data)
        for n in range(5):
            keeper.record("checkin", {**NOTE, "note": f"koude handen {n}"})
        assert keeper.state == "waiting" and keeper.waiting_count == 5
        assert len(told) == 1 and "cannot be written" in told[0]  # once, not five times
        assert len(keeper.entries()) == 6  # the week still sees all of it
        keeper.close()
        no_empty_or_broken_files(data)
        assert unsaved_files([data]) == []  # no room there: nothing half-written either
        (kept,) = unsaved_files([spare])
        assert kept == keeper.kept_in and oct(kept.stat().st_mode & 0o777) == "0o600"
        notes = [e.detail["note"] for e in entries_from_json(json.loads(kept.read_text(encoding="utf-8")))]
        assert notes == [f"koude handen {n}" for n in range(5)]

        (data / "filler").unlink()  # room again: the next start takes them in and wipes the file
        again = JournalKeeper(path, clock, [data, spare])
        assert again.open() is None
        assert len(again.entries()) == 6
        again.close()
        assert unsaved_files([data, spare]) == []


def test_when_data_and_state_are_full_the_runtime_folder_keeps_them(tmp_path: Path, clock: FakeClock) -> None:
    with small_tmpfs(tmp_path / "disk") as disk:
        data, state, runtime = disk / "data", disk / "state", tmp_path / "runtime"
        data.mkdir()
        state.mkdir()
        keeper = JournalKeeper(data / "journal.sqlite3", clock, [data, state, runtime])
        keeper.open()
        fill(disk)
        keeper.record("checkin", NOTE)
        keeper.close()
        no_empty_or_broken_files(disk)
        (kept,) = unsaved_files([data, state, runtime])
        assert kept.parent == runtime
        assert [dict(e.detail) for e in entries_from_json(json.loads(kept.read_text()))] == [NOTE]


def test_with_nowhere_to_write_nothing_empty_is_left_and_the_log_says_so(
    tmp_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    with small_tmpfs(tmp_path / "disk") as disk:
        keeper = JournalKeeper(disk / "journal.sqlite3", clock, [disk])
        keeper.open()
        fill(disk)
        keeper.record("checkin", NOTE)
        keeper.close()
        no_empty_or_broken_files(disk)
        assert unsaved_files([disk]) == []
        assert "1 entries could not be kept anywhere" in caplog.text


def test_a_read_only_data_disk_can_be_exported_and_waiting_entries_go_elsewhere(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in private_folders(tmp_path / "home").items():
        monkeypatch.setenv(key, value)
    data = tmp_path / "home" / "data" / "rustlamp"
    with small_tmpfs(data):
        path = data / "journal.sqlite3"
        raw_journal(path, [("2026-11-24T09:00:00+01:00", "x", "break", '{"outcome": "done"}')])
        remount_read_only(data)
        exported = run_here(["journal", "export", "--format", "json"])
        assert exported.code == 0 and len(json.loads(exported.out)) == 1, exported.said

        told: list[str] = []
        spare = tmp_path / "home" / "state" / "rustlamp"
        keeper = JournalKeeper(path, clock, [data, spare], tell=told.append)
        key_and_problem = keeper.open()
        assert key_and_problem is not None and "read-only" in key_and_problem[1]
        assert keeper.state == "unavailable"
        keeper.record("checkin", NOTE)
        keeper.record("break", {"outcome": "attempt"})
        assert told == []  # the person heard of it once already, when it would not open
        keeper.close()
        (kept,) = unsaved_files([data, spare])
        assert kept.parent == spare and len(json.loads(kept.read_text())) == 2

        forgotten = run_here(["journal", "forget", "--all", "--yes"])  # cannot write there: said plainly
        assert forgotten.code == 1 and "Traceback" not in forgotten.said
        assert "cannot be written (the file or its disk is read-only)" in forgotten.err


def test_a_journal_whose_wal_cannot_be_read_in_place_is_read_from_a_private_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only folder holding a journal with its WAL but not the WAL's index: SQLite cannot read it
    there (it would make the index); the export reads a copy in a private temporary folder instead."""
    for key, value in private_folders(tmp_path / "home").items():
        monkeypatch.setenv(key, value)
    source = tmp_path / "source" / "journal.sqlite3"
    raw_journal(source, [("2026-11-24T09:00:00+01:00", "x", "break", '{"outcome": "done"}')])
    holder = sqlite3.connect(source)  # a reader keeps the WAL from being folded back
    holder.execute("BEGIN")
    holder.execute("SELECT count(*) FROM entries").fetchall()
    writer = sqlite3.connect(source)
    writer.execute("PRAGMA journal_mode")
    writer.execute(
        "INSERT INTO entries (at, utc, kind, detail) "
        "VALUES ('2026-11-25T09:00:00+01:00', 'y', 'routine', '{}')"
    )
    writer.commit()
    data = tmp_path / "home" / "data" / "rustlamp"
    with small_tmpfs(data):
        for suffix in ("", "-wal"):
            (data / f"journal.sqlite3{suffix}").write_bytes(Path(f"{source}{suffix}").read_bytes())
        remount_read_only(data)
        exported = run_here(["journal", "export", "--format", "json"])
        assert exported.code == 0, exported.said
        assert [e["kind"] for e in json.loads(exported.out)] == ["break", "routine"]  # the WAL's too
    holder.close()
    writer.close()


# --- the runtime folder ------------------------------------------------------------------------------


@pytest.fixture
def shared_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in for /tmp (sticky, writable by all), so these tests never touch the real one."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    folder.chmod(0o1777)
    monkeypatch.setattr(control, "SHARED_TMP", folder)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return folder


def test_without_xdg_runtime_dir_the_private_tmp_folder_is_used(
    shared_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    folder = control.runtime_dir()
    assert folder == shared_tmp / f"rustlamp-{os.getuid()}"
    lock = control.take_instance_lock(folder)
    assert lock is not None and oct(folder.stat().st_mode & 0o777) == "0o700"
    lock.release()


def test_a_tmp_folder_made_first_by_another_user_is_passed_by(
    shared_tmp: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if os.getuid() != 0:
        pytest.skip("making a folder that belongs to another user needs root")
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    squatted = shared_tmp / f"rustlamp-{os.getuid()}"
    squatted.mkdir(mode=0o700)
    os.chown(squatted, 65534, 65534)  # nobody's
    folder = control.runtime_dir()
    assert folder == tmp_path / "state" / "rustlamp" / "run"  # ours by construction
    lock = control.take_instance_lock(folder)
    assert lock is not None
    lock.release()


@pytest.mark.parametrize("odd", ["a-file", "relative", "missing", "others-can-write", "another-users"])
def test_an_odd_xdg_runtime_dir_falls_back_instead_of_failing(
    shared_tmp: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, odd: str
) -> None:
    base = tmp_path / "xdg"
    if odd == "a-file":
        base.write_text("")
    elif odd == "others-can-write":
        base.mkdir()
        (base / "rustlamp").mkdir()
        (base / "rustlamp").chmod(0o777)  # anyone could have put a socket or a link in it
    elif odd == "another-users":
        if os.getuid() != 0:
            pytest.skip("making a folder that belongs to another user needs root")
        base.mkdir()
        os.chown(base, 65534, 65534)
    monkeypatch.setenv("XDG_RUNTIME_DIR", "run/user" if odd == "relative" else str(base))
    folder = control.runtime_dir()
    assert folder == shared_tmp / f"rustlamp-{os.getuid()}"
    lock = control.take_instance_lock(folder)
    assert lock is not None
    lock.release()


def test_an_xdg_runtime_dir_of_ours_with_mode_0755_is_used_with_a_private_folder_in_it(
    shared_tmp: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = tmp_path / "xdg"
    base.mkdir(mode=0o755)
    base.chmod(0o755)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(base))
    folder = control.runtime_dir()
    assert folder == base / "rustlamp"
    lock = control.take_instance_lock(folder)
    assert lock is not None and oct(folder.stat().st_mode & 0o777) == "0o700"
    lock.release()


def test_deleting_the_lock_file_or_the_whole_folder_does_not_let_a_second_lamp_in(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    first = control.take_instance_lock(folder)
    assert first is not None
    first.path.unlink()  # the lock file gone: the folder's own lock holds
    assert control.take_instance_lock(folder) is None
    if os.uname().sysname == "Linux":
        for leftover in folder.iterdir():
            leftover.unlink()
        folder.rmdir()  # the whole folder gone: the abstract socket, which lives in no folder, holds
        assert control.take_instance_lock(folder) is None
    first.release()
    again = control.take_instance_lock(folder)
    assert again is not None
    again.release()


def test_a_planted_link_for_the_lock_file_is_not_followed(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir(mode=0o700)
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me")
    (folder / "instance.lock").symlink_to(victim)
    with pytest.raises(OSError):
        control.take_instance_lock(folder)
    assert victim.read_text() == "keep me"


def test_the_journal_state_is_in_status(tmp_path: Path, clock: FakeClock) -> None:
    keeper = JournalKeeper(None, clock)
    assert keeper.state == "off"
    path = tmp_path / "journal.sqlite3"
    path.write_bytes(b"x")
    opened = open_journal(path, clock.now())  # moved aside, a new one made
    assert opened.journal is not None
    opened.journal.close()
    keeper = JournalKeeper(path, clock)
    keeper.open()
    assert keeper.state == "open"
    keeper.close()


def test_a_check_in_with_no_lamp_and_no_journal_to_write_is_kept_aside_and_taken_in_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    from rustlamp.journal_cli import keep_on_its_own

    for key, value in private_folders(tmp_path / "home").items():
        monkeypatch.setenv(key, value)
    path = tmp_path / "home" / "data" / "rustlamp" / "journal.sqlite3"
    path.mkdir(parents=True)  # something that is no journal and cannot be written as one
    problem, kept_aside = keep_on_its_own(path, "checkin", NOTE, "en")
    assert kept_aside and problem is not None
    assert "goes into the journal at rustlamp's next start" in str(problem)
    assert "in het dagboek" in problem.said("nl")  # said in the person's language
    (kept,) = unsaved_files([path.parent])
    assert [dict(e.detail) for e in entries_from_json(json.loads(kept.read_text()))] == [NOTE]
    path.rmdir()
    keeper = JournalKeeper(path, clock)
    keeper.open()
    assert [dict(e.detail) for e in keeper.entries()] == [NOTE]
    keeper.close()
    assert unsaved_files([path.parent]) == []


def test_a_reading_copy_left_by_a_killed_export_is_forgotten_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in private_folders(tmp_path / "home").items():
        monkeypatch.setenv(key, value)
    left = tmp_path / "home" / "runtime" / "rustlamp" / "rustlamp-read-abc"
    left.mkdir(parents=True)
    (left / "journal.sqlite3").write_text("koude handen")
    answer = run_here(["journal", "forget", "--all", "--yes"])
    assert answer.code == 0, answer.said
    assert "journal.sqlite3 (a copy left by an export that was stopped half-way)" in answer.out
    assert not left.exists()
