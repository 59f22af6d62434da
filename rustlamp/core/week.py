""" "Deze week" / "This week": a gentle look back over the last seven days. Pure: the picture and the
window draw what this module counts.

Every entry belongs to the calendar date of its own local time (`entry.at.date()`), so a rest at 23:50
in summer and one at 00:10 after a flight both land on the day the person lived them. Rest moments
are breaks done, tried or taken naturally (an attempt is a rest moment too); check-ins keep their
breath answer. There is nothing about days without entries: an empty day is just a day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from operator import attrgetter

from rustlamp.core.catalog import LanguageTables, catalog
from rustlamp.core.checkin import BREATH_CHOICES
from rustlamp.core.entries import Entry
from rustlamp.core.texts import WEEKDAY_KEYS, month_short, weekday_short

DAYS_IN_WEEK = 7

# The week's own words: the "week." keys of the catalogs in rustlamp/locale (rustlamp.core.catalog).
WEEK_TEXTS: Mapping[str, Mapping[str, str]] = LanguageTables("week")


def week_text(language: str, key: str, **values: object) -> str:
    return catalog(language).word(f"week.{key}").format(**values)


def weekday_name(language: str, day: date) -> str:
    """'ma' .. 'zo' / 'Mon' .. 'Sun'."""
    return weekday_short(language, day.weekday())


@dataclass(frozen=True)
class Dot:
    at: datetime  # the entry's own local time, with its offset

    @property
    def time_of_day(self) -> time:
        """The wall-clock time, to place the dot along its day."""
        return self.at.time()

    @property
    def day_fraction(self) -> float:
        """0.0 at midnight up to just under 1.0 at 23:59:59."""
        t = self.at
        return (t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6) / 86400


@dataclass(frozen=True)
class RestDot(Dot):
    attempt: bool = False


@dataclass(frozen=True)
class CheckInDot(Dot):
    breath: str | None = None  # "calm", "hurried", "unknown", or None when not answered


@dataclass(frozen=True)
class DaySummary:
    day: date
    rests: tuple[RestDot, ...] = ()  # in time order
    checkins: tuple[CheckInDot, ...] = ()  # in time order

    @property
    def rest_count(self) -> int:
        return len(self.rests)

    @property
    def attempt_count(self) -> int:
        return sum(1 for dot in self.rests if dot.attempt)

    @property
    def checkin_count(self) -> int:
        return len(self.checkins)

    @property
    def is_empty(self) -> bool:
        return not self.rests and not self.checkins


@dataclass(frozen=True)
class WeekSummary:
    today: date
    days: tuple[DaySummary, ...]  # seven, oldest first; the last one is today

    @property
    def rest_count(self) -> int:
        return sum(day.rest_count for day in self.days)

    @property
    def attempt_count(self) -> int:
        return sum(day.attempt_count for day in self.days)

    @property
    def checkin_count(self) -> int:
        return sum(day.checkin_count for day in self.days)


def week_days(today: date) -> tuple[date, ...]:
    """The seven dates ending with `today`, oldest first."""
    return tuple(today - timedelta(days=back) for back in range(DAYS_IN_WEEK - 1, -1, -1))


def _breath(detail: Mapping[str, object]) -> str | None:
    # The journal keeps what the window gave; anything it does not know reads as "not answered".
    value = detail.get("breath")
    return value if isinstance(value, str) and value in BREATH_CHOICES else None


def summarize_week(entries: Iterable[Entry], today: date) -> WeekSummary:
    """Rest moments and check-ins per day over `today` and the six days before it; the rest is ignored."""
    days = week_days(today)
    rests: dict[date, list[Entry]] = {day: [] for day in days}
    checkins: dict[date, list[Entry]] = {day: [] for day in days}
    for entry in entries:
        day = entry.at.date()
        if day not in rests:
            continue
        if entry.is_rest:
            rests[day].append(entry)
        elif entry.kind == "checkin":
            checkins[day].append(entry)
    by_time = attrgetter("at")  # the real moment; a stable sort keeps equal times in the journal's order
    return WeekSummary(
        today=today,
        days=tuple(
            DaySummary(
                day=day,
                rests=tuple(RestDot(e.at, e.is_attempt) for e in sorted(rests[day], key=by_time)),
                checkins=tuple(
                    CheckInDot(e.at, _breath(e.detail)) for e in sorted(checkins[day], key=by_time)
                ),
            )
            for day in days
        ),
    )


def _counted(language: str, key: str, count: int) -> str:
    return catalog(language).plural(f"week.{key}", count).format(count=count)


def _rests_part(language: str, rests: int, attempts: int) -> str:
    part = _counted(language, "rests", rests)
    if attempts == 0:
        return part
    if rests == 1:
        return f"{part} {week_text(language, 'only_attempt')}"
    return f"{part} {_counted(language, 'attempts', attempts)}"


def summary_line(summary: WeekSummary, language: str) -> str:
    """The week in one sentence, for screen readers and under the picture. Counts only what happened:
    a zero is left out rather than said, and an attempt is named as part of the rest moments."""
    parts = []
    if summary.rest_count:
        parts.append(_rests_part(language, summary.rest_count, summary.attempt_count))
    if summary.checkin_count:
        parts.append(_counted(language, "checkins", summary.checkin_count))
    if not parts:
        return week_text(language, "line_nothing_yet")
    return week_text(language, "line", parts=", ".join(parts))


def _breaths(language: str, day: DaySummary) -> str:
    """The check-ins' breath answers in time order ("rustig, gejaagd"); a check-in without one is left out."""
    return ", ".join(week_text(language, f"legend_{dot.breath}") for dot in day.checkins if dot.breath)


def day_name(language: str, day: date, today: date) -> str:
    """'zondag 12 mei' / 'Sunday 12 May', with 'vandaag' / 'today' for today: the day in full words, as a
    screen reader should say it."""
    weekday = week_text(language, f"weekday_{WEEKDAY_KEYS[day.weekday()]}")
    name = week_text(language, "date", weekday=weekday, day=day.day, month=month_short(language, day.month))
    return week_text(language, "today", day=name) if day == today else name


def day_line(day: DaySummary, language: str, today: date) -> str:
    """One day in words, what its dots show: the rest moments (with the attempts among them) and the
    check-ins with their breath answers; a day without entries says so plainly."""
    parts = []
    if day.rest_count:
        parts.append(_rests_part(language, day.rest_count, day.attempt_count))
    if day.checkin_count:
        checkins = _counted(language, "checkins", day.checkin_count)
        breaths = _breaths(language, day)
        parts.append(
            week_text(language, "with_breath", checkins=checkins, breaths=breaths) if breaths else checkins
        )
    what = ", ".join(parts) if parts else week_text(language, "day_nothing")
    return week_text(language, "day", day=day_name(language, day.day, today), what=what)
