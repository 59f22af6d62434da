"""The mini check-in's answers: what the three questions can be answered with, and how an answer gently
shapes what comes next. Pure: the window collects the answers, the journal keeps them, this module only
knows what they mean.

Every answer is optional; an empty check-in is a check-in too (every attempt counts).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# How does my body feel now? One quick choice, plus the article's body signals as toggles.
BODY_CHOICES: tuple[str, ...] = ("tense", "tired", "restless", "okay", "relaxed")
BODY_SIGNALS: tuple[str, ...] = ("shoulders", "sigh", "wobbly", "dropping")
# Is my breathing calm or hurried?
BREATH_CHOICES: tuple[str, ...] = ("calm", "hurried", "unknown")
# The free lines are kept short enough for a journal line, long enough for a sentence or two.
MAX_NEED = 200
MAX_NOTE = 2000


@dataclass(frozen=True)
class CheckInAnswers:
    body: str | None = None
    signals: tuple[str, ...] = ()
    breath: str | None = None
    need: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if self.body is not None and self.body not in BODY_CHOICES:
            raise ValueError(f"body must be one of {', '.join(BODY_CHOICES)}, not {self.body!r}")
        unknown = [s for s in self.signals if s not in BODY_SIGNALS]
        if unknown:
            raise ValueError(f"signals must be among {', '.join(BODY_SIGNALS)}, not {unknown[0]!r}")
        if len(set(self.signals)) != len(self.signals):
            raise ValueError("signals must not repeat")
        if self.breath is not None and self.breath not in BREATH_CHOICES:
            raise ValueError(f"breath must be one of {', '.join(BREATH_CHOICES)}, not {self.breath!r}")
        if len(self.need) > MAX_NEED:
            raise ValueError(f"need is longer than {MAX_NEED} characters")
        if len(self.note) > MAX_NOTE:
            raise ValueError(f"note is longer than {MAX_NOTE} characters")

    @property
    def is_empty(self) -> bool:
        return (
            self.body is None and not self.signals and self.breath is None and not self.need and not self.note
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "body": self.body,
            "signals": list(self.signals),
            "breath": self.breath,
            "need": self.need,
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CheckInAnswers:
        """Read answers from the window's JSON (or an export); ValueError names what is wrong."""
        if not isinstance(data, Mapping):
            raise ValueError("a check-in must be a JSON object")
        unknown = set(data) - {"body", "signals", "breath", "need", "note"}
        if unknown:
            raise ValueError(f"unknown check-in field {sorted(unknown)[0]!r}")
        body, breath = data.get("body"), data.get("breath")
        signals = data.get("signals", [])
        need, note = data.get("need", ""), data.get("note", "")
        if body is not None and not isinstance(body, str):
            raise ValueError("body must be a string or null")
        if breath is not None and not isinstance(breath, str):
            raise ValueError("breath must be a string or null")
        if not isinstance(signals, list) or not all(isinstance(s, str) for s in signals):
            raise ValueError("signals must be a list of strings")
        if not isinstance(need, str) or not isinstance(note, str):
            raise ValueError("need and note must be strings")
        # keep a person's words as written, only without the blank edges a text field leaves behind
        return cls(body, tuple(signals), breath, need.strip(), note.strip())


def next_theme(answers: CheckInAnswers) -> str | None:
    """The prompt theme the next reminder leans towards: a hurried breath asks for a breathing prompt,
    a tired or tense body (or one of its signals) for a prompt about the body; otherwise no lean."""
    if answers.breath == "hurried":
        return "breath"
    if answers.body in ("tense", "tired", "restless") or answers.signals:
        return "body"
    return None
