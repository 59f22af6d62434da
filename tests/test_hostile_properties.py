"""Property tests for hostile input: any journal row becomes an exportable entry; any bytes on the control
channel get one JSON answer; any duration or command key stays inside the calendar; any log message stays
one line."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import date, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hostile_corpus import _ask_channel

from rustlamp.core.commands import LONGEST_DELAY, Pause, Snooze, command_from_key
from rustlamp.core.durations import parse_duration
from rustlamp.core.entries_json import entries_from_json, entries_to_json
from rustlamp.core.journal_rows import entry_from_row
from rustlamp.core.week import summarize_week
from rustlamp.journal_cli import write_csv
from rustlamp.system.logs import one_line

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
column = st.one_of(
    st.text(),
    st.binary(max_size=64),
    st.integers(),
    st.floats(),
    st.none(),
    json_values.map(json.dumps),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.sampled_from(["checkin", "break", "routine", "snooze", "pause"]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(at=column, utc=column, kind=column, detail=column)
def test_any_row_becomes_an_entry_that_exports_and_counts(
    at: object, utc: object, kind: object, detail: object
) -> None:
    entry = entry_from_row(at, utc, kind, detail)
    text = json.dumps(entries_to_json([entry]), ensure_ascii=False, allow_nan=False)
    text.encode("utf-8")  # writable as UTF-8
    out = io.StringIO()
    write_csv([entry], out)
    out.getvalue().encode("utf-8")
    summarize_week([entry], date(2026, 11, 25))
    if entry.kind in ("checkin", "routine", "snooze", "pause") or entry.is_rest or entry.kind == "break":
        # what export writes, import takes back (for the kinds and outcomes this rustlamp knows)
        try:
            again = entries_from_json(json.loads(text))
        except ValueError:
            return  # a break of an unknown outcome is exported as it is, and refused on import with a reason
        assert again[0].kind == entry.kind


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=6000))
def test_any_bytes_on_the_control_channel_get_one_answer(data: bytes) -> None:
    now = datetime(2026, 11, 25, 10, tzinfo=timezone.utc)
    reply = asyncio.run(_ask_channel(data, now))
    assert isinstance(reply.get("ok"), bool)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_request_gets_one_answer(request: object) -> None:
    now = datetime(9999, 12, 29, tzinfo=timezone.utc)  # near the calendar's end
    reply = asyncio.run(_ask_channel(json.dumps(request).encode() + b"\n", now))
    assert isinstance(reply.get("ok"), bool)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["pause:", "snooze:"]), st.text() | st.from_regex(r"[0-9]{1,30}\s*[hms]", fullmatch=True)
)
def test_no_command_key_carries_a_delay_outside_a_day(prefix: str, rest: str) -> None:
    command = command_from_key(prefix + rest, "test")
    if isinstance(command, (Pause, Snooze)) and command.delay is not None:
        assert timedelta(0) < command.delay <= LONGEST_DELAY
        datetime(9998, 12, 30, tzinfo=timezone.utc) + command.delay  # never past the calendar


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80) | st.from_regex(r"[0-9]{1,40}(h|m|s)([0-9]{1,40}(m|s))?", fullmatch=True))
def test_any_duration_text_is_a_duration_or_a_value_error(text: str) -> None:
    try:
        parsed = parse_duration(text)
    except ValueError:
        return
    assert parsed >= timedelta(0)


@given(st.text())
def test_any_log_message_stays_one_line(text: str) -> None:
    logged = one_line(text)
    assert not any(c in logged for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
