"""`rustlamp journal ...`: the installed command on a real journal file in a private home."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import stat
import subprocess
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image
from run_cli import RUSTLAMP, private_env, rustlamp

from rustlamp.core.entries import Entry
from rustlamp.core.entries_json import entries_from_json, entries_to_json
from rustlamp.core.journal import open_journal

CET = timezone(timedelta(hours=1))
TODAY = date.today()


def at(days_ago: int, hour: int) -> datetime:
    day = TODAY - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, tzinfo=CET)


ENTRIES = [
    Entry(at(9, 10), "break", {"outcome": "done", "how": "button"}),
    Entry(at(2, 11), "checkin", {"body": "tired", "signals": ["sigh", "shoulders"], "breath": "hurried",
                                 "need": "thee, zonder scherm", "note": 'een "lange" dag,\nmet regels'}),
    Entry(at(2, 12), "break", {"outcome": "attempt"}),
    Entry(at(1, 9), "snooze", {"until": at(1, 9).replace(minute=30).isoformat()}),
    Entry(at(0, 8), "routine", {"name": "morning"}),
]  # fmt: skip


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return private_env(tmp_path, {"LANG": "en_GB.UTF-8"})


def journal_path(env: dict[str, str]) -> Path:
    return Path(env["XDG_DATA_HOME"]) / "rustlamp" / "journal.sqlite3"


def fill(env: dict[str, str], entries: list[Entry] = ENTRIES) -> None:
    opened = open_journal(journal_path(env), datetime.now(CET))
    assert opened.journal is not None and opened.problem is None
    opened.journal.add_all(entries)
    opened.journal.close()


def test_export_json_gives_back_exactly_what_was_kept(env: dict[str, str]) -> None:
    fill(env)
    result = rustlamp(["journal", "export", "--format", "json"], env)
    assert result.returncode == 0, result.stderr
    assert entries_from_json(json.loads(result.stdout)) == ENTRIES


def test_export_csv_has_one_row_an_entry_and_keeps_the_words(env: dict[str, str]) -> None:
    fill(env)
    result = rustlamp(["journal", "export"], env)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["kind"] for row in rows] == ["break", "checkin", "break", "snooze", "routine"]
    checkin = rows[1]
    assert checkin["at"] == at(2, 11).isoformat()
    assert checkin["signals"] == "sigh;shoulders"
    assert checkin["note"] == 'een "lange" dag,\nmet regels'
    assert rows[2]["outcome"] == "attempt"


def test_since_and_until_take_whole_local_days(env: dict[str, str]) -> None:
    fill(env)
    since, until = (TODAY - timedelta(days=2)).isoformat(), (TODAY - timedelta(days=1)).isoformat()
    result = rustlamp(["journal", "export", "--format", "json", "--since", since, "--until", until], env)
    assert entries_from_json(json.loads(result.stdout)) == ENTRIES[1:4]
    result = rustlamp(["journal", "export", "--format", "json", "--since", "today"], env)
    assert entries_from_json(json.loads(result.stdout)) == ENTRIES[4:]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--since", "banana"],
            "'banana' is not a date; you can use a date like 2026-11-25, or today or yesterday",
        ),
        (["--until", "2026-02-30"], "'2026-02-30' is not a date"),
        (["--format", "xml"], "--format: 'xml' does not fit here; you can choose from 'csv', 'json'"),
        (
            ["--since", "2026-11-20", "--until", "2026-11-01"],
            "--since 2026-11-20 is after --until 2026-11-01",
        ),
    ],
)
def test_bad_export_arguments_say_what_is_allowed(
    env: dict[str, str], args: list[str], expected: str
) -> None:
    result = rustlamp(["journal", "export", *args], env)
    assert result.returncode == 2
    assert expected in result.stderr
    assert result.stdout == ""


def test_export_without_a_journal_is_empty_and_makes_no_file(env: dict[str, str]) -> None:
    result = rustlamp(["journal", "export", "--format", "json"], env)
    assert result.returncode == 0
    assert json.loads(result.stdout) == []
    assert not journal_path(env).exists()


def test_import_takes_an_export_in_once(env: dict[str, str], tmp_path: Path) -> None:
    exported = tmp_path / "export.json"
    exported.write_text(json.dumps(entries_to_json(ENTRIES)), encoding="utf-8")
    first = rustlamp(["journal", "import", str(exported)], env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("5 entries taken in")
    again = rustlamp(["journal", "import", str(exported)], env)
    assert again.stdout.startswith("0 entries taken in, 5 already there")
    path = journal_path(env)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    result = rustlamp(["journal", "export", "--format", "json"], env)
    assert entries_from_json(json.loads(result.stdout)) == ENTRIES


def test_import_of_a_bad_file_names_the_entry_and_keeps_the_journal_as_it_was(
    env: dict[str, str], tmp_path: Path
) -> None:
    fill(env, ENTRIES[:1])
    bad = tmp_path / "bad.json"
    good = {"at": "2026-11-25T10:00:00+01:00", "kind": "break", "detail": {"outcome": "done"}}
    bad.write_text(json.dumps([good, {**good, "at": "10:00"}]), encoding="utf-8")
    result = rustlamp(["journal", "import", str(bad)], env)
    assert result.returncode == 2
    assert f"{bad}: entry 2: 'at'" in result.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("[{", encoding="utf-8")
    result = rustlamp(["journal", "import", str(broken)], env)
    assert result.returncode == 2 and "line 1 column 3" in result.stderr
    exported = rustlamp(["journal", "export", "--format", "json"], env)
    assert entries_from_json(json.loads(exported.stdout)) == ENTRIES[:1]


def test_forget_asks_first_and_without_a_terminal_forgets_nothing(env: dict[str, str]) -> None:
    fill(env)
    result = rustlamp(["journal", "forget", "--all"], env)
    assert result.returncode == 1
    assert "add --yes" in result.stderr
    assert len(json.loads(rustlamp(["journal", "export", "--format", "json"], env).stdout)) == 5


def test_forget_asks_in_a_terminal_and_a_no_keeps_everything(env: dict[str, str]) -> None:
    fill(env)
    # a real terminal for stdin, as a person at a shell has
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [RUSTLAMP, "journal", "forget", "--all"], env=env, stdin=follower, stdout=subprocess.PIPE, text=True
    )
    os.write(leader, b"n\n")
    out, _ = proc.communicate(timeout=30)
    os.close(leader)
    os.close(follower)
    assert "Forget all entries (5 entries)?" in out
    assert "Nothing was forgotten." in out
    assert len(json.loads(rustlamp(["journal", "export", "--format", "json"], env).stdout)) == 5


def test_forget_before_a_day_keeps_that_day_and_later(env: dict[str, str]) -> None:
    fill(env)
    before = (TODAY - timedelta(days=1)).isoformat()
    result = rustlamp(["journal", "forget", "--before", before, "--yes"], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Forgotten: 3 entries."
    left = entries_from_json(json.loads(rustlamp(["journal", "export", "--format", "json"], env).stdout))
    assert left == ENTRIES[3:]
    result = rustlamp(["journal", "forget", "--all", "--yes"], env)
    assert result.stdout.strip() == "Forgotten: 2 entries."
    assert rustlamp(["journal", "forget", "--all", "--yes"], env).stdout.startswith("Nothing to forget")


def test_forget_needs_to_know_what(env: dict[str, str]) -> None:
    result = rustlamp(["journal", "forget"], env)
    assert result.returncode == 2
    assert "choose one of these: --before --all" in result.stderr


def test_a_journal_that_cannot_be_read_is_reported_and_left_where_it_is(env: dict[str, str]) -> None:
    path = journal_path(env)
    path.parent.mkdir(parents=True)
    path.write_text("my shopping list, not a database\n" * 100)
    result = rustlamp(["journal", "export"], env)
    assert result.returncode == 1
    assert f"the journal {path} is not a database" in result.stderr
    assert path.read_text().startswith("my shopping list")  # not moved, not touched
    assert sorted(p.name for p in path.parent.iterdir()) == ["journal.sqlite3"]


def test_week_png_draws_the_week_and_says_it_in_words(env: dict[str, str], tmp_path: Path) -> None:
    fill(env)
    picture = tmp_path / "week.png"
    result = rustlamp(["journal", "week", "--png", str(picture)], env)
    assert result.returncode == 0, result.stderr
    # ENTRIES: rest moments within the week are the attempt (2 days ago); 9 days ago is outside
    assert result.stdout.strip() == "This week: 1 rest moment (an attempt), 1 check-in"
    with Image.open(picture) as image:
        assert image.format == "PNG" and image.width > 300


def test_week_png_into_a_missing_folder_says_so(env: dict[str, str], tmp_path: Path) -> None:
    result = rustlamp(["journal", "week", "--png", str(tmp_path / "nowhere" / "week.png")], env)
    assert result.returncode == 1
    assert "cannot be written" in result.stderr
