"""How a person is told about a problem in the settings file: the setting named as the settings window
names it ("Hoe vaak: ..."), the problem said plainly, no path, key or backticks where a name exists.

The names themselves are the settings window's words (rustlamp.ui.settings_words, handed in), so a
notification and the window never call one setting two things.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rustlamp.core.config import Problem
from rustlamp.core.texts import text

# Which of the window's words names a key of the file; a routine's own keys are under ROUTINE_SETTINGS.
SETTING_LABELS: dict[str, str] = {
    "language": "language",
    "prompts.extra": "prompts",
    "reminders.every": "every",
    "reminders.start": "hours",
    "reminders.end": "hours",
    "reminders.days": "days",
    "reminders.snooze": "snooze",
    "dnd.when_fullscreen": "fullscreen",
    "dnd.during_calls": "during_calls",
    "break.length": "length",
    "break.inhale": "inhale",
    "break.exhale": "exhale",
    "idle.natural_break_after": "natural",
    "checkin.offer_after_break": "offer",
    "checkin.sooner_when_hurried": "sooner",
    "journal.enabled": "journal",
}
ROUTINE_SETTINGS: dict[str, str] = {
    "at": "routine_at",
    "days": "routine_days",
    "kind": "routine_kind",
    "prompt": "routine_prompt",
}
_ITEM = re.compile(r"\[[0-9]+\]")


# Languages whose nouns keep their capital letter in the middle of a sentence ("Ritual tee, Uhrzeit: ...").
NOUNS_KEEP_CAPITALS = frozenset({"de"})


def problem_for_a_person(problem: Problem, language: str, window_words: Mapping[str, str]) -> str:
    """A problem as a person reads it in a notification: the setting named by the settings window's
    `window_words` ("Hoe vaak: ..."), the message plainly; the file's own key only where the window has
    no name for it."""
    key = _ITEM.sub("", problem.key)
    message = problem.message_in(language)
    label = SETTING_LABELS.get(key)
    if label is not None and label in window_words:
        return text(language, "config_where", setting=window_words[label], problem=message)
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "routines" and ROUTINE_SETTINGS.get(parts[2], "") in window_words:
        setting = window_words[ROUTINE_SETTINGS[parts[2]]]
        if language not in NOUNS_KEEP_CAPITALS:  # mid-sentence a label is lower case, but not a German noun
            setting = setting.lower()
        return text(language, "config_where_routine", name=parts[1], setting=setting, problem=message)
    return f"{problem.key}: {message}" if problem.key else message
