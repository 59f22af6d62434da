"""The app's own words (buttons, titles, messages) in Dutch and English. Prompts live in content/*.toml."""

from __future__ import annotations

from datetime import datetime, timedelta

from rustlamp.core.durations import format_human

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
        "tomorrow_at": "morgen {time}",
        "status_next": "Volgende herinnering om {when}",
        "status_snoozed": "Uitgesteld tot {when}",
        "status_paused": "Gepauzeerd tot {when}",
        "status_none": "Geen herinneringen gepland",
        "menu_break": "Nu even pauze",
        "menu_checkin": "Inchecken…",
        "menu_week": "Deze week…",
        "menu_snooze": "Straks",
        "menu_rest_of_today": "De rest van vandaag",
        "menu_pause": "Pauzeren",
        "menu_until_tomorrow": "Tot morgen",
        "menu_resume": "Gepauzeerd tot {when} — hervatten",
        "menu_settings": "Instellingen…",
        "menu_autostart": "Starten bij inloggen",
        "menu_about": "Over rustlamp",
        "menu_quit": "Afsluiten",
        "no_tray_title": "Het lampje staat niet in het paneel",
        "about_title": "rustlamp {version}",
        "about_body": "Rust is iets wat je oefent, geen beloning. Elke poging telt.",
        "settings_title": "De instellingen konden niet geopend worden",
        "journal_title": "Over je dagboek",
        # the problem comes from the journal, in English like `config check`'s: on a line of its own
        "journal_moved": "Je dagboek kon niet gebruikt worden. Er is niets weggegooid: het oude bestand "
        "staat ernaast en rustlamp houdt vanaf nu een nieuw dagboek bij.\n{problem}",
        "journal_unavailable": "Je dagboek kon niet geopend worden. rustlamp gaat gewoon door; "
        "wat je invult wordt bewaard en gaat erin zodra het weer kan.\n{problem}",
        # the break window (rustlamp.ui.break_window)
        "break_title": "Even rust",
        "break_breathe_in": "Adem in",
        "break_breathe_out": "Adem uit",
        "break_time_left": "nog {time}",
        "break_done": "Klaar",
        "break_later": "Later",
        "break_attempt": "Lukte nu niet",
        "break_attempt_reply": "Dat is ook oefenen.\nStraks weer een kans.",
        "break_remind_in": "Herinner me over",
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
        "tomorrow_at": "tomorrow {time}",
        "status_next": "Next reminder at {when}",
        "status_snoozed": "Snoozed until {when}",
        "status_paused": "Paused until {when}",
        "status_none": "No reminders planned",
        "menu_break": "Take a break now",
        "menu_checkin": "Check-in…",
        "menu_week": "This week…",
        "menu_snooze": "Snooze",
        "menu_rest_of_today": "Rest of today",
        "menu_pause": "Pause",
        "menu_until_tomorrow": "Until tomorrow",
        "menu_resume": "Paused until {when} — resume",
        "menu_settings": "Settings…",
        "menu_autostart": "Start at login",
        "menu_about": "About rustlamp",
        "menu_quit": "Quit",
        "no_tray_title": "The lamp is not in the panel",
        "about_title": "rustlamp {version}",
        "about_body": "Rest is something you practise, not a reward. Every attempt counts.",
        "settings_title": "The settings could not be opened",
        "journal_title": "About your journal",
        "journal_moved": "Your journal could not be used. Nothing was thrown away: the old file is kept "
        "beside it, and rustlamp keeps a new journal from now on.\n{problem}",
        "journal_unavailable": "Your journal could not be opened. rustlamp carries on; "
        "what you fill in is kept, and goes in as soon as it can.\n{problem}",
        # the break window (rustlamp.ui.break_window)
        "break_title": "A moment of rest",
        "break_breathe_in": "Breathe in",
        "break_breathe_out": "Breathe out",
        "break_time_left": "{time} left",
        "break_done": "Done",
        "break_later": "Later",
        "break_attempt": "Didn't work out now",
        "break_attempt_reply": "That counts as practice too.\nAnother chance later.",
        "break_remind_in": "Remind me in",
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


def text(language: str, key: str, **values: object) -> str:
    return TEXTS[language][key].format(**values)


def human_duration(language: str, delta: timedelta) -> str:
    """'1 uur 30 min' / '1 hour 30 min': for people, unlike the settings' compact '1h30m'; the parser reads
    both."""
    return format_human(delta, language)


def human_moment(language: str, moment: datetime) -> str:
    """'ma 29 mrt 09:45' / 'Mon 29 Mar 09:45'."""
    day = _DAYS[language][moment.weekday()]
    month = _MONTHS[language][moment.month - 1]
    return f"{day} {moment.day} {month} {moment:%H:%M}"
