"""What the journal keeps: one entry per moment worth remembering, with the local time it happened at.

Pure values; the journal module stores them, the week view and the export read them.

Kinds and their detail (a JSON object):
    checkin   CheckInAnswers.to_json(): body, signals, breath, need, note
    break     {"outcome": "done" | "later" | "attempt" | "natural"}, plus "until" (ISO) for later and
              "how" for natural ("countdown", "sleep", "idle")
    routine   {"name": "morning" | "evening" | <the person's own name>}
    snooze    {"until": ISO 8601 with offset, or null for "no more today"}
    pause     {"until": ISO 8601 with offset}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from rustlamp.core.problem_words import PhrasedValueError, phrase

KINDS: tuple[str, ...] = ("checkin", "break", "routine", "snooze", "pause")
BREAK_OUTCOMES: tuple[str, ...] = ("done", "later", "attempt", "natural")
# A break that counts as a rest moment; "later" is an answer, not a rest.
REST_OUTCOMES: tuple[str, ...] = ("done", "attempt", "natural")


@dataclass(frozen=True)
class Entry:
    at: datetime  # aware: the local wall time with the offset it had then
    kind: str
    detail: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise PhrasedValueError(phrase("entries.no_offset"))
        if self.kind not in KINDS:
            raise PhrasedValueError(
                phrase("entries.unknown_kind", kinds=", ".join(KINDS), kind=repr(self.kind))
            )
        if self.kind == "break" and self.detail.get("outcome") not in BREAK_OUTCOMES:
            raise PhrasedValueError(phrase("entries.unknown_outcome", outcomes=", ".join(BREAK_OUTCOMES)))
        object.__setattr__(self, "detail", MappingProxyType(dict(self.detail)))

    @classmethod
    def as_found(cls, at: datetime, kind: str, detail: Mapping[str, Any]) -> Entry:
        """An entry read back from the journal as it is, even of a kind or outcome this rustlamp does not
        know (a newer rustlamp's, or edited by hand): the person's data is shown and exported, never
        refused. Only the time must carry its offset."""
        if at.tzinfo is None or at.utcoffset() is None:
            raise PhrasedValueError(phrase("entries.no_offset"))
        entry = cls.__new__(cls)
        object.__setattr__(entry, "at", at)
        object.__setattr__(entry, "kind", kind)
        object.__setattr__(entry, "detail", MappingProxyType(dict(detail)))
        return entry

    @property
    def is_rest(self) -> bool:
        """A rest moment: a break done, tried (an attempt counts) or taken naturally."""
        return self.kind == "break" and self.detail.get("outcome") in REST_OUTCOMES

    @property
    def is_attempt(self) -> bool:
        return self.kind == "break" and self.detail.get("outcome") == "attempt"
