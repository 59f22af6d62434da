"""Parse and format the small duration and time-of-day strings used in settings and on the command line."""

from __future__ import annotations

import re
from datetime import time, timedelta

from rustlamp.core.problem_words import PhrasedValueError, phrase

# [0-9], not \d: \d also matches other scripts' digits, which nobody means in a settings file
_DURATION = re.compile(r"^(?:(?P<h>[0-9]+)\s*h)?\s*(?:(?P<m>[0-9]+)\s*m)?\s*(?:(?P<s>[0-9]+)\s*s)?$")
_TIME = re.compile(r"^(?P<h>[0-9]{1,2}):(?P<m>[0-9]{2})$")

DURATION_FORMS = '"90s", "20m", "1h30m"'
CLOCK_FORMS = '"HH:MM" from "00:00" to "23:59"'


def parse_duration(text: str) -> timedelta:
    """'1h30m' -> 90 minutes. Raises ValueError (a PhrasedValueError, to be said in Dutch too) for anything
    else; callers add DURATION_FORMS to their message in their own words."""
    cleaned = text.strip().lower()
    match = _DURATION.match(cleaned)
    if not cleaned or match is None or not any(match.groups()):
        raise PhrasedValueError(phrase("not_a_duration", value=repr(text)))
    hours, minutes, seconds = (int(match.group(k) or 0) for k in ("h", "m", "s"))
    try:
        return timedelta(hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        raise PhrasedValueError(phrase("too_long", value=repr(text))) from None


def format_duration(delta: timedelta) -> str:
    """The inverse of parse_duration: 90 minutes -> '1h30m'."""
    total = int(delta.total_seconds())
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{v}{u}" for v, u in ((hours, "h"), (minutes, "m"), (seconds, "s")) if v]
    return "".join(parts) or "0s"


def parse_clock_time(text: str) -> time:
    """'09:00' -> time(9, 0). Hours 0-23, minutes 0-59 (CLOCK_FORMS); ValueError (a PhrasedValueError)
    otherwise."""
    match = _TIME.match(text.strip())
    if match is None:
        raise PhrasedValueError(phrase("not_a_time", value=repr(text)))
    hour, minute = int(match.group("h")), int(match.group("m"))
    if hour > 23 or minute > 59:
        raise PhrasedValueError(phrase("not_a_time", value=repr(text)))
    return time(hour, minute)
