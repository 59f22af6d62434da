"""Read and write durations ("45 min", "1h30m", "1 uur 30 min") and times of day ("17:30", "17.30").

People write a duration in many ways, and the app writes it two ways itself: compactly in the settings file
("1h30m", format_duration) and in words on screen ("1 uur 30 min" / "1 hour 30 min", format_human). The
parser takes all of them, in Dutch and English, so whatever the app shows can be typed back.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from functools import cache

from rustlamp.core.catalog import SOURCE_LANGUAGE, available_languages, catalog
from rustlamp.core.problem_words import PhrasedValueError, phrase

# The words for each unit, both languages, any case; a trailing "." is allowed after a word ("min.").
HOUR_WORDS = ("h", "u", "hr", "hrs", "hour", "hours", "uur", "uren")
MINUTE_WORDS = ("m", "min", "mins", "minute", "minutes", "minuut", "minuten")
SECOND_WORDS = ("s", "sec", "secs", "second", "seconds", "seconde", "seconden")
_UNIT_SECONDS = {
    **{word: 3600 for word in HOUR_WORDS},
    **{word: 60 for word in MINUTE_WORDS},
    **{word: 1 for word in SECOND_WORDS},
}

# [0-9], not \d: \d also matches other scripts' digits, which nobody means here.
# A part is a number and its unit ("1,5 uur", "30m"); parts may be joined by spaces, a comma, "en" or "and".
_PART = re.compile(r"(?P<n>[0-9]+(?:[.,][0-9]+)?)\s*(?P<u>[^\W\d_]+)\.?")  # a unit: letters of any script
_JOIN = re.compile(r"\s*(?:,|\ben\b|\band\b)?\s*")
_TRAILING_MINUTES = re.compile(r"[0-9]{1,2}")  # "1u30", "1h30": the minutes after the hours
_TIME = re.compile(r"^(?P<h>[0-9]{1,2})[:.](?P<m>[0-9]{2})$")

# For `config check`: the forms, as they may be written in the file.
DURATION_FORMS = '"90s", "20m", "1h30m"'
CLOCK_FORMS = '"HH:MM" from "00:00" to "23:59"'

# How the app says a duration to a person: the catalogs' "duration." messages, one plural each.
_HUMAN_UNITS = ("hours", "minutes", "seconds")
_UNIT_SIZES = dict(zip(_HUMAN_UNITS, (3600, 60, 1), strict=True))


LONGEST_TEXT = 64  # characters; "2 hours and 15 minutes and 30 seconds" is 37


def parse_duration(text: str) -> timedelta:
    """'1h30m', '1 uur 30 min', '2 hours and 15 minutes', '1,5 uur', '1u30' -> the timedelta.

    Units go from large to small, each at most once; a number needs its unit (a bare "45" could be
    minutes or seconds), except the minutes right after hours ("1u30"). Raises a PhrasedValueError (to be
    said in Dutch too) for anything else; callers add the allowed forms in their own words."""
    cleaned = text.strip().lower()
    if len(cleaned) > LONGEST_TEXT:  # no duration is written this long; thousands of digits would be slow
        raise PhrasedValueError(phrase("too_long", value=repr(text[:24] + "…")))
    refused = PhrasedValueError(phrase("not_a_duration", value=repr(text)))
    total = 0  # in units of 1 / scale seconds, so "1,5 uur" needs no float nor fractions module
    scale = 1
    last_size: int | None = None
    position = 0
    while position < len(cleaned):
        if last_size is not None:
            joined = _JOIN.match(cleaned, position)
            position = joined.end() if joined else position
            if position == len(cleaned):  # "1 uur en": a join with nothing after it
                raise refused
        trailing = _TRAILING_MINUTES.fullmatch(cleaned, position)
        if trailing is not None and last_size == 3600 and int(trailing.group()) < 60:
            total += int(trailing.group()) * 60 * scale
            last_size = 60
            break
        match = _PART.match(cleaned, position)
        size = _unit_size(match.group("u")) if match else None
        if match is None or size is None or (last_size is not None and size >= last_size):
            raise refused
        whole, _, decimals = match.group("n").replace(",", ".").partition(".")
        step = 10 ** len(decimals)
        total = total * step + int(whole + decimals) * size * scale
        scale *= step
        last_size = size
        position = match.end()
    if last_size is None or total % scale:  # nothing at all, or a fraction of a second
        raise refused
    try:
        return timedelta(seconds=total // scale)
    except OverflowError:
        raise PhrasedValueError(phrase("too_long", value=repr(text))) from None


def _split(delta: timedelta) -> tuple[int, int, int]:
    hours, rest = divmod(int(delta.total_seconds()), 3600)
    minutes, seconds = divmod(rest, 60)
    return hours, minutes, seconds


def format_duration(delta: timedelta) -> str:
    """As the settings file writes it: 90 minutes -> '1h30m'."""
    parts = [f"{v}{u}" for v, u in zip(_split(delta), "hms", strict=True) if v]
    return "".join(parts) or "0s"


def format_human(delta: timedelta, language: str) -> str:
    """As a person reads it: 90 minutes -> '1 uur 30 min' / '1 hour 30 min' (the catalog's words; never the
    pseudo-locale's, as people type these back); parse_duration reads it back."""
    words = catalog(language if language in available_languages() else SOURCE_LANGUAGE, pseudo=False)
    said = [
        words.plural(f"duration.{unit}", value).format(count=value)
        for value, unit in zip(_split(delta), _HUMAN_UNITS, strict=True)
        if value
    ]
    # nothing at all: "0 min", as the settings' hints say
    return " ".join(said) or words.plural("duration.minutes", 0).format(count=0)


@cache
def _catalog_units() -> dict[str, int]:
    """The unit words of every catalog's durations ("stunden" -> 3600), for the words of a language the
    built-in lists do not have. Read only when a duration has such a word: the lamp keeps one catalog."""
    found: dict[str, int] = {}
    for language in available_languages():
        words = catalog(language, pseudo=False)
        for unit, size in _UNIT_SIZES.items():
            for count in (1, 2, 5):
                written = words.plural(f"duration.{unit}", count).replace("{count}", "").strip().lower()
                found.setdefault(written.rstrip("."), size)
    return found


def _unit_size(word: str) -> int | None:
    return _UNIT_SECONDS.get(word) or _catalog_units().get(word)


def parse_clock_time(text: str) -> time:
    """'09:00', '9:00', '17.30' -> the time. Hours 0-23, minutes 0-59 (CLOCK_FORMS); a PhrasedValueError
    otherwise."""
    match = _TIME.match(text.strip())
    if match is None:
        raise PhrasedValueError(phrase("not_a_time", value=repr(text)))
    hour, minute = int(match.group("h")), int(match.group("m"))
    if hour > 23 or minute > 59:
        raise PhrasedValueError(phrase("not_a_time", value=repr(text)))
    return time(hour, minute)


def format_clock_time(moment: time) -> str:
    """'09:00': as the app shows a time of day and as the file keeps it."""
    return f"{moment.hour:02d}:{moment.minute:02d}"
