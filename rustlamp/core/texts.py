"""The app's own words (buttons, titles, messages), from the gettext catalogs in rustlamp/locale (keys
"app.*", "day.*", "month.*"; rustlamp.core.catalog reads them). Prompts live in content/*.toml."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from rustlamp.core.catalog import LanguageTables, catalog
from rustlamp.core.durations import format_human

# TEXTS[language][key]: the "app." words of a language, for code and tests that read them as a table.
TEXTS: Mapping[str, Mapping[str, str]] = LanguageTables("app")
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONTH_KEYS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def text(language: str, key: str, **values: object) -> str:
    return catalog(language).word(f"app.{key}").format(**values)


def cli_word(language: str, key: str, **values: object) -> str:
    """The command line's own words (its help, what it cannot read): "cli.<key>"."""
    return catalog(language).word(f"cli.{key}").format(**values)


def cli_counted(language: str, key: str, count: int, **values: object) -> str:
    """A plural message of the command line ("cli.<key>") with its count."""
    return catalog(language).plural(f"cli.{key}", count).format(count=count, **values)


def counted(language: str, key: str, count: int, **values: object) -> str:
    """A plural message with its count: "1 regel" / "3 regels"; the catalog's plural rule picks the form."""
    return catalog(language).plural(f"app.{key}", count).format(count=count, **values)


def language_name(language: str) -> str:
    """A language's name in that language: 'Nederlands', 'English'."""
    return catalog(language).word("language.name")


def weekday_short(language: str, weekday: int) -> str:
    """'ma' .. 'zo' / 'Mon' .. 'Sun', for a weekday as date.weekday() numbers it (Monday is 0)."""
    return catalog(language).word(f"day.{WEEKDAY_KEYS[weekday]}")


def month_short(language: str, month: int) -> str:
    """'jan' .. 'dec' / 'Jan' .. 'Dec', for a month numbered 1 to 12."""
    return catalog(language).word(f"month.{MONTH_KEYS[month - 1]}")


def human_duration(language: str, delta: timedelta) -> str:
    """'1 uur 30 min' / '1 hour 30 min': for people, unlike the settings' compact '1h30m'; the parser reads
    both."""
    return format_human(delta, language)


def human_moment(language: str, moment: datetime) -> str:
    """'ma 29 mrt 09:45' / 'Mon 29 Mar 09:45'."""
    return (
        catalog(language).word("date.moment").format(**_date_fields(language, moment), time=f"{moment:%H:%M}")
    )


def day_with_year(language: str, day: date) -> str:
    """'di 1 dec 2026' / 'Tue 1 Dec 2026' / 'Di., 1. Dez. 2026': a date a person gave, said back in words."""
    fields = _date_fields(language, datetime(day.year, day.month, day.day))
    return catalog(language).word("date.day_year").format(**fields, year=day.year)


def _date_fields(language: str, moment: datetime) -> dict[str, object]:
    return {
        "weekday": weekday_short(language, moment.weekday()),
        "day": moment.day,
        "month": month_short(language, moment.month),
    }


def _moment_words(language: str, moment: datetime, now: datetime, word: str) -> str:
    days = (moment.date() - now.date()).days
    clock = f"{moment:%H:%M}"
    if days == 0:
        return text(language, f"{word}_today", time=clock)
    if days == 1:
        return text(language, f"{word}_tomorrow", time=clock)
    day = catalog(language).word("date.day").format(**_date_fields(language, moment))
    return text(language, f"{word}_day", day=day, time=clock)


def at_moment(language: str, moment: datetime, now: datetime) -> str:
    """'om 15:00', 'morgen om 09:45', 'ma 30 nov om 09:45' / 'at 15:00', 'tomorrow at 09:45', 'on Mon 30
    Nov at 09:45': when something will happen, seen from `now`."""
    return _moment_words(language, moment, now, "at")


def until_moment(language: str, moment: datetime, now: datetime) -> str:
    """'tot 15:00', 'tot morgen 09:45' / 'until 15:00', 'until 09:45 tomorrow': how long something lasts."""
    return _moment_words(language, moment, now, "until")
