"""The one place where a journal row becomes an Entry: whatever the row holds, it comes out as an entry
that can be shown and exported (text that can always be written as UTF-8, a detail that is a JSON object,
a time with its offset), so one odd row never stops an export, the week view or `forget`.

A row is odd when it was edited by hand, written by a newer rustlamp, or holds a broken emoji (a lone
surrogate from a text field). What could not be read as it was is kept beside it in the detail, under
names that start with "as_found_", so nothing the row held is hidden.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from typing import Any

from rustlamp.core.entries import Entry

# Where a row's time cannot be read at all: a time every clock can show and every zone can convert.
UNKNOWN_TIME = datetime(1970, 1, 1, tzinfo=timezone.utc)
MAX_DEPTH = 64  # a detail nested deeper than this is kept as its text


def entry_from_row(at: object, utc: object, kind: object, detail: object) -> Entry:
    """An Entry from the row's four columns, for any values SQLite may hand back. Never raises."""
    found: dict[str, Any] = {}
    moment = _time(at)
    if moment is None:
        found["as_found_at"] = clean(at)
        moment = _time(utc) or UNKNOWN_TIME
    details = _detail(detail)
    if details is None:
        found["as_found_detail"] = clean(detail)
        details = {}
    kind_text = clean(kind) if isinstance(kind, str) else clean(str(kind))
    try:
        return Entry(moment, kind_text, {**details, **found})
    except ValueError:
        return Entry.as_found(moment, kind_text, {**details, **found})


def clean(value: object, depth: int = 0) -> Any:
    """`value` with every string made writable as UTF-8 (a surrogate pair joined, a lone one replaced by
    U+FFFD), bytes read as UTF-8 and numbers JSON can write; lists and objects cleaned all the way down."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if depth >= MAX_DEPTH:
        return clean(repr(value))
    if isinstance(value, dict):
        return {clean(str(k)): clean(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v, depth + 1) for v in value]
    return clean(str(value))


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        return None
    try:
        moment.astimezone(timezone.utc)  # a time at the very edge of the calendar cannot be compared
    except OverflowError:
        return None
    return moment


def _detail(value: object) -> dict[str, Any] | None:
    """The detail as a JSON object; a JSON value of another kind is kept under "value"; None when the
    text is not JSON at all."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None if value is not None else {}
    try:
        parsed = json.loads(value)
    except (ValueError, RecursionError):
        return None
    cleaned = clean(parsed)
    return cleaned if isinstance(cleaned, dict) else {"value": cleaned}
