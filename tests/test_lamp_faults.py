"""A real lamp, stopped, killed, its lock file deleted; and `journal forget --all --yes` leaving no byte of a
forgotten word anywhere under rustlamp's folders (data, state, runtime), shown by grepping every file."""

from __future__ import annotations

import json
import shutil
import signal
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from desktop import DesktopSession
from hostile import raw_journal
from run_cli import rustlamp
from test_control import quiet_app, status

from rustlamp.core.entries import Entry
from rustlamp.core.entries_json import entries_to_json


@pytest.mark.desktop
def test_a_stopped_lamp_is_said_plainly_and_comes_back(desktop_clean: DesktopSession, tmp_path: Path) -> None:
    app = quiet_app(desktop_clean, tmp_path)
    try:
        app.signal(signal.SIGSTOP)
        second = rustlamp(["run"], app.env, timeout=30)
        assert second.returncode == 1, second.stderr
        assert "Traceback" not in second.stderr
        assert "rustlamp is already running, but it does not answer." in second.stderr
        asked = rustlamp(["status"], app.env, timeout=30)
        assert asked.returncode == 1 and "Traceback" not in asked.stderr
        assert "did not answer within" in asked.stderr
        app.signal(signal.SIGCONT)
        assert status(app)["pid"] == app.proc.pid  # and it answers again
    finally:
        app.signal(signal.SIGCONT)
        assert app.stop() == 0


@pytest.mark.desktop
def test_deleting_the_lock_file_does_not_let_a_second_lamp_start(
    desktop_clean: DesktopSession, tmp_path: Path
) -> None:
    app = quiet_app(desktop_clean, tmp_path)
    try:
        runtime = Path(app.env["XDG_RUNTIME_DIR"]) / "rustlamp"
        (runtime / "instance.lock").unlink()
        second = rustlamp(["run"], app.env, timeout=30)
        assert second.returncode == 0 and "rustlamp is already running" in second.stdout, second.stderr
        shutil.rmtree(runtime)  # even the whole folder: on Linux the abstract socket still holds
        third = rustlamp(["run"], app.env, timeout=30)
        assert third.returncode == 0 and "rustlamp is already running" in third.stdout, third.stderr
    finally:
        assert app.stop() == 0


@pytest.mark.desktop
def test_a_killed_lamp_keeps_what_was_written_and_the_next_one_starts(
    desktop_clean: DesktopSession, tmp_path: Path
) -> None:
    app = quiet_app(desktop_clean, tmp_path)
    assert rustlamp(["pause", "30m"], app.env).returncode == 0  # a journal entry, committed
    app.signal(signal.SIGKILL)
    app.proc.wait(10)
    again = quiet_app(desktop_clean, tmp_path, {"XDG_RUNTIME_DIR": app.env["XDG_RUNTIME_DIR"]})
    try:
        assert status(again)["journal_state"] == "open"
        exported = rustlamp(["journal", "export", "--format", "json"], again.env)
        assert [e["kind"] for e in json.loads(exported.stdout)] == ["pause"]
    finally:
        assert again.stop() == 0


def _files_holding(word: bytes, folders: list[Path]) -> list[str]:
    found = []
    forms = (word, word.decode().encode("utf-16-le"), word.decode().encode("utf-16-be"))
    for folder in folders:
        for file in folder.rglob("*"):
            if file.is_file() and not file.is_symlink():
                data = file.read_bytes()
                found += [f"{file} ({form!r})" for form in forms if form in data]
    return found


@pytest.mark.desktop
def test_forget_all_leaves_no_byte_of_a_forgotten_word_anywhere(
    desktop_clean: DesktopSession, tmp_path: Path
) -> None:
    """Every copy rustlamp ever made of the words: the journal and its WAL (written while the lamp runs),
    a damaged journal moved aside, entries kept aside as JSON beside the journal and in the state folder,
    and the log and a rotated log."""
    word = f"zebrawoord{uuid.uuid4().hex[:12]}"
    app = quiet_app(desktop_clean, tmp_path)
    try:
        data = Path(app.env["XDG_DATA_HOME"]) / "rustlamp"
        state = Path(app.env["XDG_STATE_HOME"]) / "rustlamp"
        runtime = Path(app.env["XDG_RUNTIME_DIR"])
        now = datetime.now().astimezone()
        notes = [Entry(now - timedelta(minutes=n), "checkin", {"note": f"{word} {n}"}) for n in range(40)]
        to_import = tmp_path / "import.json"
        to_import.write_text(json.dumps(entries_to_json(notes)))
        taken = rustlamp(["journal", "import", str(to_import)], app.env)
        assert taken.returncode == 0, taken.stderr
        to_import.unlink()  # the person's own file, outside rustlamp's folders

        moved = data / "journal.sqlite3.unreadable-20261125-100000"
        raw_journal(moved, [(now.isoformat(), "x", "checkin", json.dumps({"note": word}))])
        with moved.open("r+b") as damaged:
            damaged.write(b"\0" * 16)  # no longer a database: what the lamp moves aside
        kept = [{"at": now.isoformat(), "kind": "checkin", "detail": {"need": word}}]
        (data / "journal-unsaved-20261125-100000.json").write_text(json.dumps(kept))
        (state / "journal-unsaved-20261125-110000.json").write_text(json.dumps(kept))
        (state / "rustlamp.log.1").write_text(
            f"2026-11-25 10:00:00,000 INFO rustlamp.runtime: routine {word} shown\n"
        )
        with (state / "rustlamp.log").open("a") as log:
            log.write(f"2026-11-25 10:00:00,000 INFO rustlamp.runtime: routine {word} shown\n")
        assert len(_files_holding(word.encode(), [data, state, runtime])) >= 6

        forgotten = rustlamp(["journal", "forget", "--all", "--yes"], app.env)
        assert forgotten.returncode == 0, forgotten.stderr
        said = forgotten.stdout
        assert said.startswith("Forgotten: 40 entries."), said
        assert "journal.sqlite3.unreadable-20261125-100000 (a journal moved aside earlier)" in said
        assert "kept aside in" in said and "lines of the log rustlamp.log" in said
        assert _files_holding(word.encode(), [data, state, runtime]) == []
        assert status(app)["running"] is True  # the lamp goes on, and its log too
    finally:
        assert app.stop() == 0
    assert _files_holding(word.encode(), [data, state, runtime]) == []  # and after it stopped


def test_forget_before_a_day_keeps_the_later_kept_aside_entries_and_log_lines(tmp_path: Path) -> None:
    from run_cli import private_env

    env = private_env(tmp_path)
    state = Path(env["XDG_STATE_HOME"]) / "rustlamp"
    state.mkdir(parents=True)
    kept = [
        {"at": "2026-11-20T10:00:00+01:00", "kind": "checkin", "detail": {"need": "old"}},
        {"at": "2026-11-26T10:00:00+01:00", "kind": "checkin", "detail": {"need": "new"}},
    ]
    aside = state / "journal-unsaved-20261126-100000.json"
    aside.write_text(json.dumps(kept))
    (state / "rustlamp.log").write_text(
        "2026-11-20 10:00:00,000 INFO x: old\nTraceback (most recent call last):\n  old detail\n"
        "2026-11-26 10:00:00,000 INFO x: new\n"
    )
    result = rustlamp(["journal", "forget", "--before", "2026-11-25", "--yes"], env)
    assert result.returncode == 0, result.stderr
    assert "1 entry kept aside in" in result.stdout and "3 lines of the log rustlamp.log" in result.stdout
    assert [e["detail"]["need"] for e in json.loads(aside.read_text())] == ["new"]
    assert (state / "rustlamp.log").read_text() == "2026-11-26 10:00:00,000 INFO x: new\n"


@pytest.mark.desktop
def test_reloading_onto_a_fifo_is_refused_and_the_lamp_still_stops(
    desktop_clean: DesktopSession, tmp_path: Path
) -> None:
    import os

    app = quiet_app(desktop_clean, tmp_path)
    try:
        config = tmp_path / "config.toml"
        config.unlink()
        os.mkfifo(config)  # nobody will ever write into it: a plain open would wait forever
        result = rustlamp(["reload"], app.env, timeout=20)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "it is a pipe (FIFO), not an ordinary file" in result.stderr, result.stderr
        assert status(app)["running"] is True
    finally:
        assert app.stop(timeout=10) == 0  # SIGTERM still ends it


@pytest.mark.desktop
def test_a_lamp_whose_data_disk_fills_up_tells_once_and_loses_nothing(
    desktop_clean: DesktopSession, tmp_path: Path
) -> None:
    from test_faults import fill, small_tmpfs

    from rustlamp.core.entries_json import entries_from_json

    data_home = tmp_path / "data"
    with small_tmpfs(data_home / "rustlamp", "512k") as data:
        app = quiet_app(desktop_clean, tmp_path, {"XDG_DATA_HOME": str(data_home)})
        try:
            assert status(app)["journal_state"] == "open"
            fill(data)
            for args in (["pause", "30m"], ["resume"], ["snooze", "10m"], ["pause", "1h"]):
                assert rustlamp(args, app.env).returncode == 0
            told = desktop_clean.wait_for_notification(lambda n: "Nothing can be added" in n["body"])
            assert told["summary"] == "About your journal"
            now = status(app)
            assert now["journal_state"] == "waiting" and now["journal_waiting"] == 3
            assert sum("Nothing can be added" in n["body"] for n in desktop_clean.notifications()) == 1
        finally:
            assert app.stop() == 0
        state = Path(app.env["XDG_STATE_HOME"]) / "rustlamp"
        (kept,) = state.glob("journal-unsaved-*.json")
        assert [e.kind for e in entries_from_json(json.loads(kept.read_text()))] == [
            "pause",
            "snooze",
            "pause",
        ]
        assert not list(data.glob("journal-unsaved-*")) and not list(data.glob("*.tmp"))

        (data / "filler").unlink()
        again = quiet_app(desktop_clean, tmp_path, {"XDG_DATA_HOME": str(data_home)})
        try:
            exported = rustlamp(["journal", "export", "--format", "json"], again.env)
            assert [e["kind"] for e in json.loads(exported.stdout)] == ["pause", "snooze", "pause"]
            assert not list(state.glob("journal-unsaved-*.json"))  # taken in, and wiped
        finally:
            assert again.stop() == 0


@pytest.mark.desktop
def test_forget_reaches_the_words_a_lamp_with_a_full_disk_still_holds(
    desktop_clean: DesktopSession, tmp_path: Path
) -> None:
    """A check-in typed into the real window while the data disk is full waits in the lamp's memory;
    `journal forget --all` tells the lamp, so once the disk has room again and the lamp quits, the words
    are nowhere: not in the journal, not in a kept-aside file, not in the log."""
    from test_app_journal import fill_in_tired_and_hurried
    from test_faults import fill, small_tmpfs

    word = f"zebrawoord{uuid.uuid4().hex[:12]}"
    data_home = tmp_path / "data"
    with small_tmpfs(data_home / "rustlamp", "512k") as data:
        app = quiet_app(desktop_clean, tmp_path, {"XDG_DATA_HOME": str(data_home)})
        state = Path(app.env["XDG_STATE_HOME"]) / "rustlamp"
        runtime = Path(app.env["XDG_RUNTIME_DIR"])
        try:
            assert status(app)["journal_state"] == "open"
            fill(data)
            assert rustlamp(["check-in"], app.env).returncode == 0
            fill_in_tired_and_hurried(desktop_clean, word)
            app.wait_for_output(r"check-in kept")
            before = status(app)
            assert before["journal_state"] == "waiting" and before["journal_waiting"] == 1

            forgotten = rustlamp(["journal", "forget", "--all", "--yes"], app.env)
            assert forgotten.returncode == 0, forgotten.stderr
            assert (
                "Also forgotten: 1 entry that rustlamp had not written into the journal yet."
                in forgotten.stdout
            ), forgotten.stdout
            assert status(app)["journal_waiting"] == 0
            (data / "filler").unlink()  # room again: a waiting entry would go in now, or at the quit
        finally:
            assert app.stop() == 0
        assert _files_holding(word.encode(), [data, state, runtime]) == []
        again = rustlamp(["journal", "forget", "--all", "--yes"], app.env)
        assert "not written into the journal" not in again.stdout  # no lamp runs: nothing to tell
