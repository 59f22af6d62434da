"""Journal entries as plain JSON values, and back: what the week window reads and the export writes.

    [{"at": "2024-05-06T09:30:00+02:00", "kind": "break", "detail": {"outcome": "done"}}, ...]

The round trip is exact: each time keeps its own offset (a summer entry stays +02:00 next to a winter
one at +01:00), to the microsecond. A bad value raises ValueError naming the entry (counted from 1) and
the field.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from rustlamp.core.entries import Entry

FIELDS = ("at", "kind", "detail")


def entry_to_json(entry: Entry) -> dict[str, Any]:
    # A deep copy, so whoever serialises or edits the result cannot reach into the frozen entry.
    return {"at": entry.at.isoformat(), "kind": entry.kind, "detail": copy.deepcopy(dict(entry.detail))}


def entries_to_json(entries: Iterable[Entry]) -> list[dict[str, Any]]:
    return [entry_to_json(entry) for entry in entries]


def _parse_at(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("'at' must be a string (ISO 8601 with an offset, like 2024-05-06T09:30:00+02:00)")
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"'at' is not an ISO 8601 time: {value!r} (expected e.g. 2024-05-06T09:30:00+02:00)"
        ) from None
    if at.tzinfo is None:
        raise ValueError(f"'at' must carry its offset, like +02:00: {value!r}")
    try:
        at.astimezone(timezone.utc)  # the journal keeps each time in UTC too, for order
    except OverflowError:
        raise ValueError(
            f"'at' is at the very edge of the calendar: {value!r} has no time in UTC (from year 1 to 9999)"
        ) from None
    return at


def entry_from_json(data: object) -> Entry:
    if not isinstance(data, Mapping):
        raise ValueError("an entry must be a JSON object with at, kind and detail")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValueError(f"unknown field {unknown[0]!r} (an entry has {', '.join(FIELDS)})")
    for name in ("at", "kind"):
        if name not in data:
            raise ValueError(f"'{name}' is missing")
    at = _parse_at(data["at"])
    kind, detail = data["kind"], data.get("detail", {})
    if not isinstance(kind, str):
        raise ValueError("'kind' must be a string")
    if not isinstance(detail, Mapping):
        raise ValueError("'detail' must be a JSON object")
    return Entry(at, kind, copy.deepcopy(dict(detail)))  # Entry's own checks name the kind or outcome


def entries_from_json(data: object) -> list[Entry]:
    """Entries from parsed JSON (a list of objects); ValueError says which entry and what is wrong."""
    if not isinstance(data, list):
        raise ValueError("the entries must be a JSON list")
    entries = []
    for number, item in enumerate(data, start=1):
        try:
            entries.append(entry_from_json(item))
        except ValueError as exc:
            raise ValueError(f"entry {number}: {exc}") from None
    return entries
