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
from rustlamp.core.problem_words import PhrasedValueError, phrase, phrase_of

FIELDS = ("at", "kind", "detail")


def entry_to_json(entry: Entry) -> dict[str, Any]:
    # A deep copy, so whoever serialises or edits the result cannot reach into the frozen entry.
    return {"at": entry.at.isoformat(), "kind": entry.kind, "detail": copy.deepcopy(dict(entry.detail))}


def entries_to_json(entries: Iterable[Entry]) -> list[dict[str, Any]]:
    return [entry_to_json(entry) for entry in entries]


EXAMPLE_TIME = "2024-05-06T09:30:00+02:00"


def _parse_at(value: object) -> datetime:
    if not isinstance(value, str):
        raise PhrasedValueError(phrase("entries.at_not_text", field="'at'", example=EXAMPLE_TIME))
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        words = phrase("entries.at_not_a_time", field="'at'", value=repr(value), example=EXAMPLE_TIME)
        raise PhrasedValueError(words) from None
    if at.tzinfo is None:
        raise PhrasedValueError(phrase("entries.at_no_offset", field="'at'", value=repr(value)))
    try:
        at.astimezone(timezone.utc)  # the journal keeps each time in UTC too, for order
    except OverflowError:
        raise PhrasedValueError(phrase("entries.at_edge", field="'at'", value=repr(value))) from None
    return at


def entry_from_json(data: object) -> Entry:
    if not isinstance(data, Mapping):
        raise PhrasedValueError(phrase("entries.not_an_object", fields=", ".join(FIELDS)))
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise PhrasedValueError(
            phrase("entries.unknown_field", field=repr(unknown[0]), fields=", ".join(FIELDS))
        )
    for name in ("at", "kind"):
        if name not in data:
            raise PhrasedValueError(phrase("entries.missing", field=repr(name)))
    at = _parse_at(data["at"])
    kind, detail = data["kind"], data.get("detail", {})
    if not isinstance(kind, str):
        raise PhrasedValueError(phrase("entries.not_text", field="'kind'"))
    if not isinstance(detail, Mapping):
        raise PhrasedValueError(phrase("entries.not_an_object_field", field="'detail'"))
    return Entry(at, kind, copy.deepcopy(dict(detail)))  # Entry's own checks name the kind or outcome


def entries_from_json(data: object) -> list[Entry]:
    """Entries from parsed JSON (a list of objects); ValueError says which entry and what is wrong."""
    if not isinstance(data, list):
        raise PhrasedValueError(phrase("entries.not_a_list"))
    entries = []
    for number, item in enumerate(data, start=1):
        try:
            entries.append(entry_from_json(item))
        except ValueError as exc:
            raise PhrasedValueError(
                phrase("entries.numbered", number=number, problem=phrase_of(exc))
            ) from None
    return entries
