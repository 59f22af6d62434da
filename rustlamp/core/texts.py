"""The app's own words (buttons, titles, messages) in Dutch and English. Prompts live in content/*.toml."""

from __future__ import annotations

from datetime import datetime, timedelta

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "reminder_title": "Even rust",
        "button_break": "Pauze nu",
        "button_snooze": "Straks ({duration})",
        "routine_title_morning": "Je ochtendmoment",
        "routine_title_evening": "Je avondmoment",
        "routine_title_other": "Je moment: {name}",
        "config_title": "rustlamp kon je instellingen niet lezen",
        "config_body": "{problem}\nrustlamp gaat rustig door met {fallback}. "
        "`rustlamp config check` laat alles zien.",
        "fallback_defaults": "de standaardinstellingen",
        "fallback_last_good": "je vorige instellingen",
        "more_problems": "(en nog {count})",
        "plan_reminder": "herinnering",
        "plan_routine": "routine {name}",
        "plan_none": "Er staat niets gepland: de actieve uren laten geen herinnering toe "
        "en er zijn geen routines.",
    },
    "en": {
        "reminder_title": "A moment of rest",
        "button_break": "Break now",
        "button_snooze": "Later ({duration})",
        "routine_title_morning": "Your morning moment",
        "routine_title_evening": "Your evening moment",
        "routine_title_other": "Your moment: {name}",
        "config_title": "rustlamp could not read your settings",
        "config_body": "{problem}\nrustlamp carries on calmly with {fallback}. "
        "`rustlamp config check` shows everything.",
        "fallback_defaults": "the built-in defaults",
        "fallback_last_good": "your previous settings",
        "more_problems": "(and {count} more)",
        "plan_reminder": "reminder",
        "plan_routine": "routine {name}",
        "plan_none": "Nothing is planned: the active hours leave no room for a reminder "
        "and there are no routines.",
    },
}

_DAYS = {
    "nl": ("ma", "di", "wo", "do", "vr", "za", "zo"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
_MONTHS = {
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
_UNITS = {
    "nl": ("uur", "min", "s"),
    "en": ("h", "min", "s"),
}


def text(language: str, key: str, **values: object) -> str:
    return TEXTS[language][key].format(**values)


def human_duration(language: str, delta: timedelta) -> str:
    """'1 uur 30 min' / '1 h 30 min': for people, unlike the settings' compact '1h30m'."""
    hours, rest = divmod(int(delta.total_seconds()), 3600)
    minutes, seconds = divmod(rest, 60)
    names = _UNITS[language]
    values = (hours, minutes, seconds)
    parts = [f"{value} {name}" for value, name in zip(values, names, strict=True) if value]
    return " ".join(parts) or f"0 {names[2]}"


def human_moment(language: str, moment: datetime) -> str:
    """'ma 29 mrt 09:45' / 'Mon 29 Mar 09:45'."""
    day = _DAYS[language][moment.weekday()]
    month = _MONTHS[language][moment.month - 1]
    return f"{day} {moment.day} {month} {moment:%H:%M}"
