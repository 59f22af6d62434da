"""The hostile-input corpus: settings files, arguments, control messages, journal rows, imports and
notification text that a careless hand, a damaged disk or a hostile local user could produce, each with the
answer it must get. Never a traceback, a hang or a loss; a clear message naming the file, key or line and
what is allowed; the right exit code (0 fine, 1 a problem, 2 bad input).

CASE COUNTS (by class) are checked at the bottom, so the corpus cannot quietly shrink.
"""

from __future__ import annotations

import asyncio
import csv
import html
import io
import json
import os
import re
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from desktop import markup_text
from hostile import Text, fifo, no_traceback, private_folders, raw_journal, run_here, run_process
from run_cli import private_env

from rustlamp.core.commands import Pause, Snooze, command_from_key
from rustlamp.system.control import MAX_REQUEST, LineChannel
from rustlamp.system.logs import one_line

OK, PROBLEM, USAGE = 0, 1, 2


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Private XDG folders for this process (the command line runs in it)."""
    for name in [k for k in os.environ if k.startswith(("XDG_", "RUSTLAMP_", "LC_", "LANG"))]:
        monkeypatch.delenv(name)
    for key, value in private_folders(tmp_path).items():
        monkeypatch.setenv(key, value)
    yield tmp_path


def journal_path(home: Path) -> Path:
    return home / "data" / "rustlamp" / "journal.sqlite3"


# --- settings files ----------------------------------------------------------------------------------
# (id, file bytes, exit code of `config check`, what the answer must say: line and key where there are)

SETTINGS: list[tuple[str, bytes, int, str]] = [
    ("not-toml", b"[reminders\nevery = 1", USAGE, r":1: not valid TOML"),
    (
        "every-a-number",
        b"[reminders]\nevery = 5",
        USAGE,
        r":2: reminders\.every: is a number.*allowed: a duration",
    ),
    ("every-huge", b'[reminders]\nevery = "99999999999999h"', USAGE, r":2: reminders\.every: .*out of range"),
    (
        "every-5000-digits",
        b'[reminders]\nevery = "' + b"9" * 5000 + b's"',
        USAGE,
        r":2: reminders\.every: '9{24}…' is out of range",
    ),  # not Python's own words about int()
    (
        "every-negative",
        b'[reminders]\nevery = "-5m"',
        USAGE,
        r":2: reminders\.every: '-5m' is not a duration",
    ),
    (
        "every-zero",
        b'[reminders]\nevery = "0s"',
        USAGE,
        r":2: reminders\.every:.*allowed: a duration from 10s",
    ),
    ("every-float", b"[reminders]\nevery = 1e308", USAGE, r":2: reminders\.every: is a number"),
    ("every-inf", b"[reminders]\nevery = inf", USAGE, r":2: reminders\.every:"),
    ("every-nan", b"[reminders]\nevery = nan", USAGE, r":2: reminders\.every:"),
    ("every-bool", b"[reminders]\nevery = true", USAGE, r":2: reminders\.every:"),
    ("every-list", b'[reminders]\nevery = ["45m"]', USAGE, r":2: reminders\.every:"),
    ("every-table", b"[reminders.every]\nx = 1", USAGE, r"reminders\.every"),
    (
        "start-25",
        b'[reminders]\nstart = "25:00"',
        USAGE,
        r":2: reminders\.start: '25:00' is not a time of day",
    ),
    ("start-24", b'[reminders]\nstart = "24:00"', USAGE, r":2: reminders\.start:.*\"00:00\" to \"23:59\""),
    ("start-seconds", b'[reminders]\nstart = "09:00:00"', USAGE, r":2: reminders\.start:"),
    ("start-toml-time", b"[reminders]\nstart = 09:00:00", OK, r": ok$"),  # a TOML time of day is fine
    ("start-datetime", b"[reminders]\nstart = 9999-12-31T23:59:59Z", USAGE, r":2: reminders\.start:"),
    ("end-empty", b'[reminders]\nend = ""', USAGE, r":2: reminders\.end:"),
    (
        "days-unknown",
        b'[reminders]\ndays = ["funday"]',
        USAGE,
        r":2: reminders\.days\[0\]: 'funday' is not a day",
    ),
    ("days-number", b"[reminders]\ndays = [1]", USAGE, r":2: reminders\.days\[0\]:"),
    ("days-string", b'[reminders]\ndays = "mon"', USAGE, r":2: reminders\.days:"),
    (
        "snooze-ten",
        b'[reminders]\nsnooze = ["1m","2m","3m","4m","5m","6m","7m","8m","9m","10m"]',
        USAGE,
        r":2: reminders\.snooze: has 10 items; allowed: a list of 1 to 6",
    ),
    ("snooze-empty", b"[reminders]\nsnooze = []", USAGE, r":2: reminders\.snooze:"),
    ("snooze-huge", b'[reminders]\nsnooze = ["999999999h"]', USAGE, r":2: reminders\.snooze"),
    ("break-length-zero", b'[break]\nlength = "0s"', USAGE, r":2: break\.length:"),
    ("break-length-year", b'[break]\nlength = "8760h"', USAGE, r":2: break\.length:.*out of range"),
    ("inhale-zero", b'[break]\ninhale = "0s"', USAGE, r":2: break\.inhale:"),
    (
        "sooner-2h",
        b'[checkin]\nsooner_when_hurried = "2h"',
        USAGE,
        r":2: checkin\.sooner_when_hurried: '2h' is out of range",
    ),
    (
        "journal-yes",
        b'[journal]\nenabled = "yes"',
        USAGE,
        r":2: journal\.enabled: is a string, not true or false",
    ),
    ("language-xx", b'language = "xx"', USAGE, r":1: language: 'xx' is not a known language"),
    ("language-number", b"language = 5", USAGE, r":1: language:"),
    ("routine-at-99", b'[routines.x]\nat = "99:99"\nprompt = "hi"', USAGE, r":2: routines\.x\.at: '99:99'"),
    ("routine-no-at", b'[routines.x]\nprompt = "hi"', USAGE, r"routines\.x"),
    ("routine-not-table", b'routines = "x"', USAGE, r":1: routines:"),
    ("duplicate-key", b'language = "en"\nlanguage = "nl"', USAGE, r":2: not valid TOML"),
    ("nul-byte", b'language = "en"\x00', USAGE, r":1: not valid TOML"),
    ("lone-surrogate-escape", b'language = "\\ud800"', USAGE, r":1: not valid TOML"),
    ("control-character", b'language = "e\x01n"', USAGE, r":1: not valid TOML"),
    ("not-utf8", b'language = "\xff\xfe"', USAGE, r"is not UTF-8 text"),
    ("utf16-with-bom", '\ufefflanguage = "en"'.encode("utf-16"), USAGE, r"not UTF-8|not valid TOML"),
    ("nested-arrays", b"a = " + b"[" * 5000 + b"]" * 5000, USAGE, r"nested too deeply"),
    ("nested-inline-tables", b"a = " + b"{b = " * 3000 + b"1" + b"}" * 3000, USAGE, r"nested too deeply"),
    ("unknown-key-warns", b'colour = "red"', OK, r":1: colour: warning: unknown key, ignored"),
    ("markup-in-prompt", b"[prompts]\nextra = [\"<b>rest</b> &amp; <a href='x'>y</a>\"]", OK, r": ok$"),
    ("newline-in-prompt", b'[prompts]\nextra = ["a\\n2026-01-01 00:00:00 ERROR forged"]', OK, r": ok$"),
    ("empty-file", b"", OK, r": ok$"),
    ("only-comments", b"# nothing\n" * 100, OK, r": ok$"),
    ("two-megabytes", b"# " + b"x" * (2 * 1024 * 1024) + b"\n", USAGE, r"too big .*at most 1048576"),
]


@pytest.mark.parametrize(("data", "code", "says"), [c[1:] for c in SETTINGS], ids=[c[0] for c in SETTINGS])
def test_a_hostile_settings_file_gets_a_clear_answer(home: Path, data: bytes, code: int, says: str) -> None:
    path = home / "config.toml"
    path.write_bytes(data)
    answer = run_here(["config", "check", str(path)])
    no_traceback(answer)
    assert answer.code == code, answer.said
    assert str(path) in answer.said  # the file is named
    assert re.search(says, answer.said, re.MULTILINE), answer.said


# Paths that are not an ordinary file: as real processes, so a hang would show as one.
SETTINGS_PATHS: list[tuple[str, str, int, str]] = [
    ("fifo-check", "fifo", USAGE, r"cannot be read: it is a pipe \(FIFO\), not an ordinary file"),
    ("dev-zero-check", "/dev/zero", USAGE, r"cannot be read: it is a device, not an ordinary file"),
    ("folder-check", "folder", USAGE, r"cannot be read: it is a folder"),
    ("missing-check", "missing", USAGE, r"missing.*(no such file|does not exist|not found)"),
    ("symlink-loop-check", "loop", USAGE, r"cannot be read"),
    ("fifo-plan", "fifo:plan", OK, r"this plan uses the built-in defaults"),
    ("dev-zero-plan", "/dev/zero:plan", OK, r"this plan uses the built-in defaults"),
]


@pytest.mark.parametrize(
    ("kind", "code", "says"), [c[1:] for c in SETTINGS_PATHS], ids=[c[0] for c in SETTINGS_PATHS]
)
def test_a_settings_path_that_is_no_ordinary_file_never_hangs(
    tmp_path: Path, kind: str, code: int, says: str
) -> None:
    env = private_env(tmp_path)
    where, _, command = kind.partition(":")
    if where == "fifo":
        path = fifo(tmp_path / "settings.toml")
    elif where == "folder":
        path = tmp_path / "folder.toml"
        path.mkdir()
    elif where == "loop":
        path = tmp_path / "loop.toml"
        path.symlink_to(path)
    elif where == "missing":
        path = tmp_path / "missing.toml"
    else:
        path = Path(where)
    args = (
        ["plan", "--count", "1", "--config", str(path)]
        if command == "plan"
        else ["config", "check", str(path)]
    )
    answer = run_process(args, env, timeout=20)
    no_traceback(answer)
    assert answer.code == code, answer.said
    assert re.search(says, answer.said, re.IGNORECASE), answer.said


# --- arguments ---------------------------------------------------------------------------------------
# (id, argv, exit code, what the answer must say); no lamp runs.

ARGUMENTS: list[tuple[str, list[str], int, str]] = [
    ("snooze-negative", ["snooze", "-5m"], USAGE, r"'-5m' is not a duration"),
    ("snooze-word", ["snooze", "abc"], USAGE, r"'abc' is not a duration"),
    ("snooze-huge", ["snooze", "99999999h"], USAGE, r"does not fit; you can use 10 sec to 24 hours"),
    ("snooze-digits", ["snooze", "9" * 5000 + "h"], USAGE, r"is not a duration|does not fit"),
    ("snooze-zero", ["snooze", "0s"], USAGE, r"does not fit"),
    ("snooze-empty", ["snooze", ""], USAGE, r"is not a duration"),
    ("snooze-no-lamp", ["snooze", "10m"], PROBLEM, r"rustlamp is not running"),
    ("pause-25h", ["pause", "25h"], USAGE, r"does not fit"),
    ("pause-huge", ["pause", "9999999999999999999999999h"], USAGE, r"is not a duration|does not fit"),
    ("pause-negative", ["pause", "-1h"], USAGE, r"is not a duration"),
    ("pause-no-lamp", ["pause"], PROBLEM, r"rustlamp is not running"),
    ("status-no-lamp", ["status", "--json"], PROBLEM, r"rustlamp is not running"),
    ("resume-no-lamp", ["resume"], PROBLEM, r"rustlamp is not running"),
    ("reload-no-lamp", ["reload"], PROBLEM, r"rustlamp is not running"),
    ("quit-no-lamp", ["quit"], PROBLEM, r"rustlamp is not running"),
    (
        "plan-from-9999",
        ["plan", "--from", "9999-12-31T23:00"],
        USAGE,
        r"too far away; you can use a time from the year",
    ),
    ("plan-from-year-1", ["plan", "--from", "0001-01-01T00:00"], USAGE, r"too far away"),
    (
        "plan-from-9000-many",
        ["plan", "--from", "9000-12-31T23:00+14:00", "--count", "10000", "--json"],
        OK,
        r'^\{"from": "settings"',
    ),
    ("plan-from-word", ["plan", "--from", "tomorrow"], USAGE, r"is not a time; you can use a time of day"),
    ("plan-from-empty", ["plan", "--from", ""], USAGE, r"is not a time"),
    ("plan-count-zero", ["plan", "--count", "0"], USAGE, r"does not fit; you can use 1 to 10000"),
    ("plan-count-huge", ["plan", "--count", "10001"], USAGE, r"does not fit; you can use 1 to 10000"),
    ("plan-count-word", ["plan", "--count", "ten"], USAGE, r"is not a whole number"),
    ("plan-count-digits", ["plan", "--count", "9" * 5000], USAGE, r"whole number|does not fit"),
    ("export-bad-date", ["journal", "export", "--since", "2026-13-01"], USAGE, r"is not a date"),
    (
        "export-since-after-until",
        ["journal", "export", "--since", "2026-02-01", "--until", "2026-01-01"],
        USAGE,
        r"--since 2026-02-01 is after --until 2026-01-01",
    ),
    ("export-format", ["journal", "export", "--format", "xml"], USAGE, r"'xml' does not fit here"),
    (
        "export-year-1-to-9999",
        ["journal", "export", "--since", "0001-01-01", "--until", "9999-12-31"],
        OK,
        r"^at,kind",
    ),
    ("forget-what", ["journal", "forget"], USAGE, r"choose one of these: --before --all"),
    (
        "forget-before-year-1",
        ["journal", "forget", "--before", "0001-01-01", "--yes"],
        OK,
        r"Nothing to forget",
    ),
    (
        "forget-before-9999",
        ["journal", "forget", "--before", "9999-12-31", "--yes"],
        OK,
        r"Nothing to forget",
    ),
    ("forget-both", ["journal", "forget", "--all", "--before", "2026-01-01"], USAGE, r"cannot be used"),
    (
        "week-png-nowhere",
        ["journal", "week", "--png", "/nonexistent/folder/week.png"],
        PROBLEM,
        r"cannot be written",
    ),
    ("unknown-command", ["fly"], USAGE, r"'fly' does not fit here"),
    ("config-without-action", ["config"], USAGE, r"still missing: ACTION"),
    ("autostart-maybe", ["autostart", "maybe"], USAGE, r"'maybe' does not fit here"),
]


@pytest.mark.parametrize(("argv", "code", "says"), [c[1:] for c in ARGUMENTS], ids=[c[0] for c in ARGUMENTS])
def test_hostile_arguments_get_a_clear_answer(home: Path, argv: list[str], code: int, says: str) -> None:
    answer = run_here(argv)
    no_traceback(answer)
    assert answer.code == code, answer.said
    assert re.search(says, answer.said, re.MULTILINE), answer.said


# --- control messages --------------------------------------------------------------------------------
# (id, the bytes sent, what the reply's error must say, or None for a reply that is ok)


def _handler_like_the_lamp(now: datetime) -> Any:
    """What the lamp does with a key, down to the time arithmetic that once overflowed."""

    async def handle(key: str) -> dict[str, Any]:
        if key == "status":
            return {"ok": True}
        if key == "explode":
            raise RuntimeError("a bug in a handler")
        command = command_from_key(key, "command line")
        if command is None:
            return {"ok": False, "error": f"unknown command {key!r}"}
        if isinstance(command, (Pause, Snooze)) and command.delay is not None:
            until = now + command.delay  # OverflowError here, before the keys were bounded
            return {"ok": True, "until": until.isoformat()}
        return {"ok": True}

    return handle


def line(obj: object) -> bytes:
    return json.dumps(obj).encode() + b"\n"


MALFORMED = "malformed message"
UNKNOWN = "unknown command"
CONTROL: list[tuple[str, bytes, str | None]] = [
    ("not-json", b"not json\n", MALFORMED),
    ("json-list", b"[1, 2]\n", MALFORMED),
    ("json-number", b"12\n", MALFORMED),
    ("json-string", b'"status"\n', MALFORMED),
    ("json-null", b"null\n", MALFORMED),
    ("empty-line", b"\n", MALFORMED),
    ("no-command", line({}), MALFORMED),
    ("command-number", line({"command": 5}), MALFORMED),
    ("command-null", line({"command": None}), MALFORMED),
    ("command-list", line({"command": ["status"]}), MALFORMED),
    ("invalid-utf8", b'{"command": "\xff\xfe"}\n', MALFORMED),
    ("nul-bytes", b'{"command": "status"}\x00\n', MALFORMED),
    ("deep-nesting", b"[" * 4000 + b"\n", MALFORMED),
    ("deep-nesting-in-object", b'{"command": "status", "x": ' + b"[" * 4000 + b"\n", MALFORMED),
    ("oversized", line({"command": "x" * (2 * MAX_REQUEST)}), f"message over {MAX_REQUEST} bytes"),
    ("lone-surrogate", b'{"command": "\\ud800"}\n', UNKNOWN),
    ("empty-command", line({"command": ""}), UNKNOWN),
    ("unknown-word", line({"command": "fly"}), UNKNOWN),
    ("cyrillic", line({"command": "брейк"}), UNKNOWN),
    ("pause-huge", line({"command": "pause:99999999h"}), UNKNOWN),
    ("pause-25h", line({"command": "pause:25h"}), UNKNOWN),
    ("pause-zero", line({"command": "pause:0s"}), UNKNOWN),
    ("pause-negative", line({"command": "pause:-5m"}), UNKNOWN),
    ("pause-digits", line({"command": "pause:" + "9" * 3000 + "h"}), UNKNOWN),
    ("snooze-huge", line({"command": "snooze:99999999999999999999h"}), UNKNOWN),
    ("snooze-empty", line({"command": "snooze:"}), UNKNOWN),
    ("snooze-float", line({"command": "snooze:1e9s"}), UNKNOWN),
    ("handler-raises", line({"command": "explode"}), "the lamp could not do that"),
    ("status", line({"command": "status"}), None),
    ("crlf", b'{"command": "status"}\r\n', None),
    ("extra-fields", line({"command": "status", "extra": [1, {"a": None}]}), None),
    ("two-lines", line({"command": "status"}) + line({"command": "quit"}), None),
    ("pause-24h", line({"command": "pause:86400s"}), None),
    ("pause-tomorrow", line({"command": "pause:tomorrow"}), None),
]


async def _ask_channel(data: bytes, now: datetime) -> dict[str, Any]:
    channel = LineChannel(_handler_like_the_lamp(now), Path("unused"), read_timeout=2)
    reader = asyncio.StreamReader(limit=MAX_REQUEST)
    reader.feed_data(data)
    reader.feed_eof()
    sent = io.BytesIO()

    class Writer:
        def write(self, chunk: bytes) -> None:
            sent.write(chunk)

        async def drain(self) -> None:
            return None

        def close(self) -> None:
            return None

        async def wait_closed(self) -> None:
            return None

        def get_extra_info(self, name: str) -> None:
            return None

    await channel._serve(reader, Writer())  # type: ignore[arg-type]
    reply_line = sent.getvalue()
    assert reply_line.endswith(b"\n") and reply_line.count(b"\n") == 1, reply_line
    reply: dict[str, Any] = json.loads(reply_line)
    return reply


@pytest.mark.parametrize(("data", "error"), [c[1:] for c in CONTROL], ids=[c[0] for c in CONTROL])
def test_every_control_message_gets_an_answer(data: bytes, error: str | None) -> None:
    now = datetime(9999, 12, 31, 12, 0, tzinfo=timezone.utc) - timedelta(days=2)  # near the calendar's end
    reply = asyncio.run(_ask_channel(data, now))
    if error is None:
        assert reply["ok"] is True, reply
    else:
        assert reply["ok"] is False and error in reply["error"], reply


# --- journal rows ------------------------------------------------------------------------------------
# (id, the row as (at, utc, kind, detail), what export must show of it: (kind, a detail key and value))

AT = "2026-11-25T10:00:00+01:00"
UTC = "2026-11-25T09:00:00+00:00"
ROWS: list[tuple[str, tuple[object, object, object, object], tuple[str, str, object]]] = [
    (
        "lone-surrogate",
        (AT, UTC, "checkin", '{"note": "moe \\ud83d en dat mag"}'),
        ("checkin", "note", "moe \ufffd en dat mag"),
    ),
    ("surrogate-pair", (AT, UTC, "checkin", '{"note": "\\ud83d\\ude0a"}'), ("checkin", "note", "\U0001f60a")),
    ("break-detail-list", (AT, UTC, "break", "[1, 2]"), ("break", "value", [1, 2])),
    ("break-detail-number", (AT, UTC, "break", "5"), ("break", "value", 5)),
    ("break-detail-string", (AT, UTC, "break", '"done"'), ("break", "value", "done")),
    ("break-detail-null", (AT, UTC, "break", "null"), ("break", "value", None)),
    ("detail-not-json", (AT, UTC, "checkin", "{not json"), ("checkin", "as_found_detail", "{not json")),
    ("detail-empty", (AT, UTC, "routine", ""), ("routine", "as_found_detail", "")),
    ("detail-blob", (AT, UTC, "checkin", b"\xff\xfe{}"), ("checkin", "as_found_detail", "\ufffd\ufffd{}")),
    ("detail-number-column", (AT, UTC, "checkin", 42), ("checkin", "value", 42)),  # TEXT affinity: "42"
    ("detail-nan", (AT, UTC, "checkin", '{"breath": NaN}'), ("checkin", "breath", "nan")),
    ("detail-infinity", (AT, UTC, "checkin", '{"breath": -Infinity}'), ("checkin", "breath", "-inf")),
    (
        "detail-deep",
        (AT, UTC, "checkin", "[" * 100_000 + "]" * 100_000),
        ("checkin", "as_found_detail", None),
    ),
    (
        "detail-newlines",
        (AT, UTC, "checkin", '{"note": "a\\nb\\r\\nc\\u2028d"}'),
        ("checkin", "note", "a\nb\r\nc\u2028d"),
    ),
    (
        "detail-markup",
        (AT, UTC, "checkin", '{"note": "<b>x</b> &amp;"}'),
        ("checkin", "note", "<b>x</b> &amp;"),
    ),
    ("detail-nul", (AT, UTC, "checkin", '{"note": "a\\u0000b"}'), ("checkin", "note", "a\x00b")),
    (
        "detail-big",
        (AT, UTC, "checkin", json.dumps({"note": "x" * 1_000_000})),
        ("checkin", "note", "x" * 1_000_000),
    ),
    (
        "break-outcome-unknown",
        (AT, UTC, "break", '{"outcome": "exploded"}'),
        ("break", "outcome", "exploded"),
    ),
    ("break-outcome-number", (AT, UTC, "break", '{"outcome": 3}'), ("break", "outcome", 3)),
    ("checkin-signals-string", (AT, UTC, "checkin", '{"signals": "sigh"}'), ("checkin", "signals", "sigh")),
    ("checkin-breath-list", (AT, UTC, "checkin", '{"breath": ["calm"]}'), ("checkin", "breath", ["calm"])),
    ("kind-unknown", (AT, UTC, "walk", "{}"), ("walk", "", None)),
    ("kind-empty", (AT, UTC, "", "{}"), ("", "", None)),
    ("kind-blob", (AT, UTC, b"\xffkind", "{}"), ("b'\\xffkind'", "", None)),
    ("kind-not-utf8-text", (AT, UTC, Text(b"\xffkind"), "{}"), ("\ufffdkind", "", None)),
    ("kind-encoded-surrogate", (AT, UTC, Text(b"\xed\xa0\x80"), "{}"), ("\ufffd\ufffd\ufffd", "", None)),
    ("note-not-utf8-text", (AT, UTC, "checkin", Text(b'{"note": "a\xff"}')), ("checkin", "note", "a\ufffd")),
    (
        "at-garbage",
        ("yesterday-ish", UTC, "routine", '{"name": "x"}'),
        ("routine", "as_found_at", "yesterday-ish"),
    ),
    (
        "at-no-offset",
        ("2026-11-25T10:00:00", UTC, "routine", "{}"),
        ("routine", "as_found_at", "2026-11-25T10:00:00"),
    ),
    ("at-and-utc-garbage", ("x", "y", "routine", "{}"), ("routine", "as_found_at", "x")),
    (
        "at-end-of-calendar",
        ("9999-12-31T23:59:59-23:59", "x", "routine", "{}"),
        ("routine", "as_found_at", "9999-12-31T23:59:59-23:59"),
    ),
    (
        "at-start-of-calendar",
        ("0001-01-01T00:00:00+14:00", "x", "routine", "{}"),
        ("routine", "as_found_at", "0001-01-01T00:00:00+14:00"),
    ),
    ("at-number", (12345, UTC, "pause", "{}"), ("pause", "as_found_at", "12345")),
    ("snooze-until-garbage", (AT, UTC, "snooze", '{"until": [1]}'), ("snooze", "until", [1])),
]


@pytest.mark.parametrize(("row", "shown"), [c[1:] for c in ROWS], ids=[c[0] for c in ROWS])
def test_any_journal_row_is_exported_and_never_stops_export_week_or_forget(
    home: Path, row: tuple[object, object, object, object], shown: tuple[str, str, object]
) -> None:
    plain = ("2026-11-24T09:00:00+01:00", "2026-11-24T08:00:00+00:00", "break", '{"outcome": "done"}')
    raw_journal(journal_path(home), [plain, row])
    exported = run_here(["journal", "export", "--format", "json"])
    no_traceback(exported)
    assert exported.code == OK, exported.said
    entries = json.loads(exported.out)
    assert len(entries) == 2  # nothing dropped, the odd row and the plain one
    (odd,) = [e for e in entries if e["detail"] != {"outcome": "done"} or e["kind"] != "break"]
    kind, key, value = shown
    assert odd["kind"] == kind
    if key and value is not None:
        assert odd["detail"][key] == value
    elif key:
        assert key in odd["detail"]
    exported.out.encode("utf-8")  # writable as UTF-8 all the way

    as_csv = run_here(["journal", "export"])
    csv.field_size_limit(10_000_000)
    assert as_csv.code == OK and len(list(csv.reader(io.StringIO(as_csv.out)))) == 3, as_csv.said
    week = run_here(["journal", "week", "--png", str(home / "week.png")])
    assert week.code == OK and (home / "week.png").stat().st_size > 0, week.said
    forgotten = run_here(["journal", "forget", "--all", "--yes"])
    assert forgotten.code == OK and forgotten.out.startswith("Forgotten: 2 entries."), forgotten.said
    assert json.loads(run_here(["journal", "export", "--format", "json"]).out) == []


# --- imports -----------------------------------------------------------------------------------------
# (id, file bytes, exit code, what the answer must say)

GOOD = {"at": "2026-11-25T10:00:00+01:00", "kind": "break", "detail": {"outcome": "done"}}


def entries_bytes(*entries: object) -> bytes:
    return json.dumps(list(entries)).encode()


IMPORTS: list[tuple[str, bytes, int, str]] = [
    ("not-json", b"hello", USAGE, r"Expecting value: line 1 column 1"),
    ("empty-file", b"", USAGE, r"Expecting value"),
    ("object-not-list", b'{"at": 1}', USAGE, r"the entries must be a JSON list"),
    ("list-of-numbers", b"[1, 2]", USAGE, r"entry 1: an entry must be a JSON object"),
    ("no-at", entries_bytes({"kind": "break"}), USAGE, r"entry 1: 'at' is missing"),
    ("no-kind", entries_bytes({"at": GOOD["at"]}), USAGE, r"entry 1: 'kind' is missing"),
    ("at-number", entries_bytes({**GOOD, "at": 5}), USAGE, r"entry 1: 'at' must be a string"),
    ("at-garbage", entries_bytes({**GOOD, "at": "soon"}), USAGE, r"entry 1: 'at' is not an ISO 8601 time"),
    (
        "at-no-offset",
        entries_bytes({**GOOD, "at": "2026-11-25T10:00:00"}),
        USAGE,
        r"'at' must carry its offset",
    ),
    (
        "at-end-of-calendar",
        entries_bytes({**GOOD, "at": "9999-12-31T23:59:59-23:59"}),
        USAGE,
        r"entry 1: 'at' is at the very edge of the calendar",
    ),
    (
        "at-start-of-calendar",
        entries_bytes({**GOOD, "at": "0001-01-01T00:00:00+14:00"}),
        USAGE,
        r"entry 1: 'at' is at the very edge of the calendar",
    ),
    ("kind-unknown", entries_bytes({**GOOD, "kind": "walk"}), USAGE, r"entry 1: kind must be one of"),
    ("kind-number", entries_bytes({**GOOD, "kind": 3}), USAGE, r"entry 1: 'kind' must be a string"),
    (
        "break-outcome-unknown",
        entries_bytes({**GOOD, "detail": {"outcome": "x"}}),
        USAGE,
        r"a break's outcome must be one of",
    ),
    (
        "detail-list",
        entries_bytes({**GOOD, "detail": [1]}),
        USAGE,
        r"entry 1: 'detail' must be a JSON object",
    ),
    ("unknown-field", entries_bytes({**GOOD, "mood": "x"}), USAGE, r"entry 1: unknown field 'mood'"),
    ("second-entry-bad", entries_bytes(GOOD, {"at": 1}), USAGE, r"entry 2:"),
    ("deeply-nested", b"[" * 100_000 + b"]" * 100_000, USAGE, r"nested too deeply"),
    (
        "deep-detail",
        b'[{"at": "2026-11-25T10:00:00+01:00", "kind": "checkin", "detail": {"a": '
        + b"[" * 50_000
        + b"]" * 50_000
        + b"}}]",
        USAGE,
        r"nested too deeply",
    ),
    ("not-utf8", b'[{"at": "\xff"}]', USAGE, r"codec can't decode|invalid"),
    (
        "lone-surrogate",
        b'[{"at": "2026-11-25T10:00:00+01:00", "kind": "checkin", "detail": {"note": "\\ud83d"}}]',
        OK,
        r"1 entry taken in",
    ),
    (
        "nan",
        b'[{"at": "2026-11-25T10:00:00+01:00", "kind": "checkin", "detail": {"x": NaN}}]',
        OK,
        r"1 entry taken in",
    ),
    ("good", entries_bytes(GOOD), OK, r"1 entry taken in"),
    ("good-twice", entries_bytes(GOOD, GOOD), OK, r"1 entry taken in, 1 already there"),
    ("huge", b"[" + b" " * (65 * 1024 * 1024) + b"]", USAGE, r"too big"),
]


@pytest.mark.parametrize(("data", "code", "says"), [c[1:] for c in IMPORTS], ids=[c[0] for c in IMPORTS])
def test_a_hostile_import_gets_a_clear_answer_and_changes_nothing_when_refused(
    home: Path, data: bytes, code: int, says: str
) -> None:
    raw_journal(journal_path(home), [("2026-11-24T09:00:00+01:00", "x", "break", '{"outcome": "done"}')])
    path = home / "import.json"
    path.write_bytes(data)
    answer = run_here(["journal", "import", str(path)])
    no_traceback(answer)
    assert answer.code == code, answer.said
    assert re.search(says, answer.said), answer.said
    if code != OK:
        assert str(path) in answer.said  # the file is named
        kept = json.loads(run_here(["journal", "export", "--format", "json"]).out)
        assert len(kept) == 1  # refused whole: nothing half taken in


IMPORT_PATHS: list[tuple[str, str, int, str]] = [
    ("fifo", "fifo", USAGE, r"it is a pipe \(FIFO\), not an ordinary file"),
    ("dev-zero", "/dev/zero", USAGE, r"it is a device, not an ordinary file"),
    ("folder", "folder", USAGE, r"it is a folder"),
    ("missing", "missing", PROBLEM, r"cannot be read: No such file"),
]


@pytest.mark.parametrize(
    ("kind", "code", "says"), [c[1:] for c in IMPORT_PATHS], ids=[c[0] for c in IMPORT_PATHS]
)
def test_an_import_from_no_ordinary_file_never_hangs(tmp_path: Path, kind: str, code: int, says: str) -> None:
    env = private_env(tmp_path)
    path = {"fifo": lambda: fifo(tmp_path / "in.json"), "/dev/zero": lambda: Path("/dev/zero")}.get(
        kind, lambda: tmp_path / kind
    )()
    if kind == "folder":
        path.mkdir()
    answer = run_process(["journal", "import", str(path)], env, timeout=20)
    no_traceback(answer)
    assert answer.code == code, answer.said
    assert re.search(says, answer.said), answer.said


# --- notification text -------------------------------------------------------------------------------
# What a person wrote must show as written on a server that reads markup (escaped, then read back the way
# dunst and GNOME read it), and stay one line in the log.

TEXTS: list[tuple[str, str]] = [
    ("bold", "<b>rust</b>"),
    ("entity", "Tom &amp; Jerry"),
    ("bare-ampersand", "rust & adem"),
    ("link", "<a href='https://example.org'>klik</a>"),
    ("image", "<img src='file:///etc/passwd'/>"),
    ("span", "<span foreground='red'>rood</span>"),
    ("unclosed", "<b>half"),
    ("less-than", "5 < 6 > 4"),
    ("cdata", "<![CDATA[x]]>"),
    ("comment", "<!-- verborgen -->zichtbaar"),
    ("numeric-entity", "&#60;b&#62;"),
    ("quotes", "\"dubbel\" en 'enkel'"),
    ("newline-forged-log", "rust\n2026-12-04 09:00:00,000 ERROR rustlamp: forged"),
    ("carriage-return", "rust\rERROR forged"),
    ("escape-sequence", "\x1b[31mrood\x1b[0m"),
    ("line-separator", "een\u2028twee\u2029drie\x85vier"),
    ("nul", "a\x00b"),
    ("emoji", "adem \U0001f60a"),
    ("right-to-left", "\u202eadem"),
    ("very-long", "rust " * 2000),
]


@pytest.mark.parametrize("written", [c[1] for c in TEXTS], ids=[c[0] for c in TEXTS])
def test_notification_text_shows_as_written_and_logs_as_one_line(written: str) -> None:
    body = html.escape(written, quote=False)  # what the notifier sends to a server that may read markup
    if not any(c in written for c in "\x00\x1b\x85\r"):  # characters XML itself cannot carry or keep
        assert markup_text(body) == written  # shown as written: no tag, entity or hidden link survives
    logged = one_line(f"reminder shown: {written}")
    assert "\n" not in logged and "\r" not in logged and "\u2028" not in logged and "\x1b" not in logged
    assert logged.startswith("reminder shown: ")


DUNST_SETTINGS: list[tuple[str, str | None, frozenset[str], bool]] = [
    ("dunst-default", "[global]\n    font = Sans 9\n", frozenset(), True),
    ("dunst-markup-no", "[global]\n    markup = no\n", frozenset(), False),
    ("dunst-markup-full", "[global]\n    markup = full\n", frozenset({"body-markup"}), True),
    ("dunst-no-in-a-rule", "[global]\n[rule]\n    markup = no\n", frozenset(), True),
    ("dunst-no-config-found", None, frozenset(), True),
    ("gnome-shell", "", frozenset({"body-markup"}), True),
    ("plain-server", "", frozenset(), False),
]


@pytest.mark.parametrize(
    ("settings", "capabilities", "escaped"),
    [c[1:] for c in DUNST_SETTINGS],
    ids=[c[0] for c in DUNST_SETTINGS],
)
def test_the_body_is_escaped_wherever_the_server_may_read_markup(
    tmp_path: Path,
    settings: str | None,
    capabilities: frozenset[str],
    escaped: bool,
    request: pytest.FixtureRequest,
) -> None:
    from rustlamp.notify.markup import may_read_markup

    name = request.node.callspec.id.split("-")[0]
    env = {"XDG_CONFIG_HOME": str(tmp_path), "XDG_CONFIG_DIRS": str(tmp_path / "none"), "HOME": str(tmp_path)}
    if settings is not None:
        (tmp_path / "dunst").mkdir()
        (tmp_path / "dunst" / "dunstrc").write_text(settings)
    server = "dunst" if name == "dunst" else ("gnome-shell" if name == "gnome" else "plain")
    assert may_read_markup(server, capabilities, None, env) is escaped


# --- the corpus's size, by class -----------------------------------------------------------------------

COUNTS = {
    "settings files": len(SETTINGS) + len(SETTINGS_PATHS),
    "arguments": len(ARGUMENTS),
    "control messages": len(CONTROL),
    "journal rows": len(ROWS),
    "imports": len(IMPORTS) + len(IMPORT_PATHS),
    "notification text": len(TEXTS) + len(DUNST_SETTINGS),
}


def test_the_corpus_covers_every_class_with_at_least_150_cases() -> None:
    assert all(count >= 20 for count in COUNTS.values()), COUNTS
    assert sum(COUNTS.values()) >= 150, COUNTS


def test_a_journal_that_is_not_a_database_is_said_plainly_on_export(home: Path) -> None:
    path = journal_path(home)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database" * 100)
    answer = run_here(["journal", "export"])
    no_traceback(answer)
    assert answer.code == PROBLEM and "is not a database" in answer.err


def test_a_read_only_journal_file_can_be_exported(home: Path) -> None:
    raw_journal(journal_path(home), [("2026-11-24T09:00:00+01:00", "x", "break", '{"outcome": "done"}')])
    db = sqlite3.connect(journal_path(home))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    journal_path(home).chmod(0o400)
    answer = run_here(["journal", "export", "--format", "json"])
    assert answer.code == OK and len(json.loads(answer.out)) == 1, answer.said
