"""The settings window's words, from the catalogs in rustlamp/locale (the problems' own words are the
core's, in rustlamp.core.problem_words). No toolkit here: the form model and the tests read them too, and
the running lamp names a setting with them in a notification (rustlamp.core.setting_names)."""

from __future__ import annotations

from collections.abc import Mapping

from rustlamp.core.catalog import LanguageTables
from rustlamp.core.texts import weekday_short

TAB_KEYS = ("general", "reminders", "break", "routines", "privacy")

# SETTINGS_TEXTS[language][key]: the "settings." keys of the catalogs in rustlamp/locale.
SETTINGS_TEXTS: Mapping[str, Mapping[str, str]] = LanguageTables("settings")


def day_labels(language: str) -> tuple[str, ...]:
    """'ma' .. 'zo' / 'Mon' .. 'Sun', Monday first."""
    return tuple(weekday_short(language, day) for day in range(7))
