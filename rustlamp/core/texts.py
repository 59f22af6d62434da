"""The app's own words (buttons, titles, messages) in Dutch and English. Prompts live in content/*.toml."""

from __future__ import annotations

from datetime import datetime, timedelta

from rustlamp.core.durations import format_human

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "reminder_title": "Even rust",
        "button_break": "Nu even pauze",  # the same words as menu_break: one action, one name
        "button_snooze": "Straks ({duration})",
        "routine_title_morning": "Je ochtendmoment",
        "routine_title_evening": "Je avondmoment",
        "routine_title_other": "Je moment: {name}",
        "config_title": "Er klopt iets niet in je instellingen",
        "config_body": "{problem}\nrustlamp gaat rustig verder met {fallback}. "
        "Onder Instellingen… in het menu kun je het aanpassen.",
        # where in the settings a problem is: the setting's name as the settings window shows it
        "config_where": "{setting}: {problem}",
        "config_where_routine": "Routine {name}, {setting}: {problem}",
        "fallback_defaults": "de standaardinstellingen",
        "fallback_last_good": "je vorige instellingen",
        "more_problems": "(en nog {count})",
        "plan_reminder": "herinnering",
        "plan_routine": "routine {name}",
        "plan_none": "Er staat niets gepland: binnen je actieve uren past geen herinnering, "
        "en er zijn geen routines.",
        # a moment, with its little word: "om 15:00", "morgen om 09:45"; "tot 15:00", "tot morgen 09:45"
        "at_today": "om {time}",
        "at_tomorrow": "morgen om {time}",
        "at_day": "{day} om {time}",
        "until_today": "tot {time}",
        "until_tomorrow": "tot morgen {time}",
        "until_day": "tot {day} {time}",
        "status_next": "Volgende herinnering {at}",
        "status_snoozed": "Uitgesteld {until}",
        "status_paused": "Geen herinneringen {until}",
        "status_held_call": "Herinneringen wachten tot na je gesprek",
        "status_none": "Geen herinneringen gepland",
        "menu_break": "Nu even pauze",
        "menu_checkin": "Even inchecken…",
        "menu_week": "Deze week…",
        "menu_snooze": "Straks",
        "menu_rest_of_today": "Vandaag niet meer",
        "menu_pause": "Even geen herinneringen",
        "menu_until_tomorrow": "Tot morgen",
        "menu_resume": "Herinneringen weer aan",
        "menu_settings": "Instellingen…",
        "menu_autostart": "Starten bij inloggen",
        "menu_about": "Over rustlamp",
        "menu_quit": "Afsluiten",
        "no_tray_title": "Het lampje staat niet in het paneel",
        "no_tray_body": "Je paneel heeft geen plek voor het lampje. Herinneringen en hun knoppen werken "
        "gewoon. Op GNOME geeft de extensie ‘AppIndicator and KStatusNotifierItem Support’ het een plek; "
        "op andere bureaubladen kun je een systeemvak aan het paneel toevoegen.",
        "no_tray_body_other": "Het lampje kon niet in het paneel. Herinneringen en hun knoppen werken "
        "gewoon.",
        "no_tray_later": "Zodra er een plek is, gaat het lampje er vanzelf in.",
        "about_title": "rustlamp {version}",
        "about_body": "Rust is iets wat je oefent, geen beloning. Elke poging telt.",
        "settings_title": "Het instellingenbestand ging niet open",
        "journal_title": "Over je dagboek",
        # the journal's own words on what went wrong (English, with its path) go to the log, not here
        "journal_moved": "Je dagboek kon niet gebruikt worden. Er is niets weggegooid: het oude bestand "
        "blijft bewaard en rustlamp begint ernaast een nieuw dagboek. Waarom, dat staat in het logbestand.",
        "journal_unavailable": "Je dagboek kon niet geopend worden. rustlamp gaat gewoon door; "
        "wat je invult wordt bewaard en gaat erin zodra het weer kan. Waarom, dat staat in het logbestand.",
        "journal_waiting": "Er kan nu even niets in je dagboek bij. rustlamp gaat gewoon door; wat je invult "
        "wacht en blijft bewaard, ook als rustlamp stopt. Waarom, dat staat in het logbestand.",
        # the break window (rustlamp.ui.break_window)
        "break_title": "Even rust",
        "break_breathe_in": "Adem in",
        "break_breathe_out": "Adem uit",
        "break_time_left": "nog {time}",
        "break_done": "Klaar",
        "break_later": "Straks",  # the same word as the reminder's snooze button
        "break_attempt": "Lukte nu niet",
        "break_attempt_reply": "Dat is ook oefenen.\nStraks weer een kans.",
        "break_remind_in": "Herinner me over",
        # what a command did, said back to the person who asked (rustlamp.core.lamp)
        "did_break": "Je pauze staat voor je klaar.",
        "did_break_already": "Je pauze staat al open.",
        "did_snooze": "Goed, straks. De volgende herinnering komt {when}.",
        "did_snooze_today": "Vandaag komen er geen herinneringen meer. De volgende komt {when}.",
        "did_snooze_nothing": "Er staat voorlopig geen herinnering gepland.",
        "did_snooze_paused": "Er komen {until} al geen herinneringen, dus er valt niets uit te stellen.",
        "did_pause": "Goed, geen herinneringen {until}.",
        "did_resume": "De herinneringen staan weer aan. De volgende komt {when}.",
        "did_resume_nothing": "De herinneringen staan weer aan.",
        "did_not_paused": "De herinneringen stonden al aan.",
        "did_checkin": "De check-in staat voor je klaar.",
        "did_settings": "De instellingen staan voor je klaar.",
        "did_reload": "De instellingen zijn opnieuw gelezen.",
        "did_quit": "rustlamp stopt. Tot de volgende keer.",
        "did_done": "Je rustmoment is genoteerd.",
        "did_attempt": "Genoteerd. Ook een poging telt.",
        "did_later": "Goed, straks dan.",
        "did_later_when": "Goed, straks dan. De volgende herinnering komt {when}.",
        "did_break_closed": "Het pauzevenster ging dicht zonder antwoord.",
        "did_checkin_kept": "Je check-in is bewaard in je dagboek.",
        "did_checkin_no_journal": "Ingecheckt. Je dagboek staat uit, dus er is niets bewaard.",
        "did_checkin_closed": "Check-in gesloten; er is niets bewaard.",
        "not_running": "rustlamp draait nu niet. Je kunt het starten met het commando rustlamp.",
        "running": "rustlamp draait.",
        "plan_from_lamp": "Zo gaat rustlamp verder:",
        "plan_from_settings": "rustlamp draait niet. Volgens je instellingen zou het zo gaan, vanaf {when}:",
        # plan --from: from the settings whether or not a lamp runs, so nothing is said about one
        "plan_from_time": "Volgens je instellingen zou het zo gaan, vanaf {when}:",
        "plan_held": "nu: een herinnering wacht tot je er weer bent",
        "plan_pause_ends": "de herinneringen gaan weer aan",
        "plan_break_open": "nu: je pauze; de volgende herinnering komt na afloop",
        "plan_reminder_snoozed": "herinnering (uitgesteld)",
        "plan_settings_broken": "Er klopt iets niet in je instellingen, dus dit plan gaat uit van de "
        "standaardinstellingen. rustlamp config check zegt wat er mis is.",
        "window_missing": "Het venster ging niet open. Is er een beeldscherm?",
        "settings_saved": "Je instellingen zijn bewaard.",
        "settings_closed": "Instellingen gesloten; er is niets veranderd.",
        "reload_kept": "rustlamp houdt de instellingen die het had; rustlamp config check laat dezelfde "
        "problemen zien.",
        "already_running": "rustlamp draait al; rustlamp status laat zien wat er komt.",
        # the system's own words on what went wrong follow on a line of their own
        "not_answering": "rustlamp draait, maar antwoordt nu niet.",
        "already_running_not_answering": "rustlamp draait al, maar antwoordt nu niet.",
        "autostart_on": "rustlamp start voortaan vanzelf als je inlogt.",
        "autostart_off": "rustlamp start niet meer vanzelf als je inlogt.",
        "autostart_is_on": "Starten bij inloggen staat aan.",
        "autostart_is_off": "Starten bij inloggen staat uit.",
        "autostart_unavailable": "Starten bij inloggen kan op dit systeem niet.",
        "autostart_failed": "Starten bij inloggen kon niet veranderd worden.",
        # when Qt cannot open a window (rustlamp.ui.contract.CannotOpen)
        "windows_cannot_open": "rustlamp kan geen venster openen",
        "windows_install": "Er ontbreekt iets op deze computer: {packages}. Je kunt het installeren met "
        "sudo apt install {packages}. De herinneringen gaan intussen gewoon door.",
        "windows_unknown": "Er kan hier geen venster open; waarom, dat staat in het logbestand van rustlamp. "
        "De herinneringen gaan intussen gewoon door.",
        # rustlamp journal import / forget (rustlamp.journal_cli); the file names are what the person deletes
        "journal_entries_one": "{count} regel",
        "journal_entries_many": "{count} regels",
        "journal_taken_in": "{entries} overgenomen in je dagboek ({path})",
        "journal_taken_in_some_there": "{entries} overgenomen in je dagboek, {skipped} stonden er al "
        "({path})",
        "journal_all": "alles in je dagboek",
        "journal_before": "alles van vóór {date}",
        "journal_nothing_all": "Er is niets te vergeten: je dagboek is leeg.",
        "journal_nothing_before": "Er is niets te vergeten: je dagboek heeft niets van vóór {date}.",
        "journal_ask": "{what} vergeten ({parts})? Dat kan niet ongedaan gemaakt worden. [j/N] ",
        "journal_no_terminal": "zonder terminal vraagt rustlamp niets; met --yes wordt het voorgoed vergeten",
        "journal_kept_all": "Er is niets vergeten.",
        "journal_forgotten": "Vergeten: {what}.",
        "journal_forgotten_none": "geen regels uit je dagboek",
        "journal_also_forgotten": "Ook vergeten: {what}.",
        "journal_unreadable_file": "het dagboekbestand dat niet te lezen is",
        "journal_unreadable_gone": "het dagboek dat niet te lezen was, helemaal verwijderd ({names})",
        "journal_moved_label": "{name}, eerder opzij gezet",
        "journal_moved_gone": "{name} (een dagboek dat eerder opzij was gezet)",
        "journal_read_copy_label": "{name}, een kopie die bij het lezen achterbleef",
        "journal_read_copy_gone": "{name} (een kopie van een export die halverwege stopte)",
        "journal_kept_label": "opzij bewaarde regels in {name}",
        "journal_kept_gone": "{what}, opzij bewaard in {path}",
        "journal_kept_file": "een bestand",
        "journal_log_label": "het logbestand {name}",
        "journal_log_gone": "{count} regels uit het logbestand {name}",
    },
    "en": {
        "reminder_title": "A moment of rest",
        "button_break": "Take a break now",
        "button_snooze": "Later ({duration})",
        "routine_title_morning": "Your morning moment",
        "routine_title_evening": "Your evening moment",
        "routine_title_other": "Your moment: {name}",
        "config_title": "Something in your settings is not right",
        "config_body": "{problem}\nrustlamp carries on with {fallback} for now. "
        "You can put it right under Settings… in the menu.",
        "config_where": "{setting}: {problem}",
        "config_where_routine": "Routine {name}, {setting}: {problem}",
        "fallback_defaults": "the built-in defaults",
        "fallback_last_good": "your previous settings",
        "more_problems": "(and {count} more)",
        "plan_reminder": "reminder",
        "plan_routine": "routine {name}",
        "plan_none": "Nothing is planned: no reminder fits in your active hours, and there are no routines.",
        "at_today": "at {time}",
        "at_tomorrow": "tomorrow at {time}",
        "at_day": "on {day} at {time}",
        "until_today": "until {time}",
        "until_tomorrow": "until {time} tomorrow",
        "until_day": "until {day}, {time}",
        "status_next": "Next reminder {at}",
        "status_snoozed": "Snoozed {until}",
        "status_paused": "Reminders paused {until}",
        "status_held_call": "Reminders wait until your call is over",
        "status_none": "No reminders planned",
        "menu_break": "Take a break now",
        "menu_checkin": "Check in…",
        "menu_week": "This week…",
        "menu_snooze": "Later",
        "menu_rest_of_today": "No more today",
        "menu_pause": "Pause reminders",
        "menu_until_tomorrow": "Until tomorrow",
        "menu_resume": "Resume reminders",
        "menu_settings": "Settings…",
        "menu_autostart": "Start at login",
        "menu_about": "About rustlamp",
        "menu_quit": "Quit",
        "no_tray_title": "The lamp is not in the panel",
        "no_tray_body": "Your panel has no place for the lamp. Reminders and their buttons work as usual. "
        "On GNOME, the ‘AppIndicator and KStatusNotifierItem Support’ extension gives it one; on other "
        "desktops, you can add a system tray to the panel.",
        "no_tray_body_other": "The lamp could not be shown in the panel. Reminders and their buttons work "
        "as usual.",
        "no_tray_later": "The lamp goes into the panel by itself as soon as there is one.",
        "about_title": "rustlamp {version}",
        "about_body": "Rest is something you practise, not a reward. Every attempt counts.",
        "settings_title": "The settings file could not be opened",
        "journal_title": "About your journal",
        "journal_moved": "Your journal could not be used. Nothing was thrown away: the old file is kept, "
        "and rustlamp starts a new journal beside it. The log file says why.",
        "journal_unavailable": "Your journal could not be opened. rustlamp carries on; "
        "what you fill in is kept safe and added as soon as it can be. The log file says why.",
        "journal_waiting": "Nothing can be added to your journal just now. rustlamp carries on; what you "
        "fill in waits, and is kept safe even if rustlamp stops. The log file says why.",
        # the break window (rustlamp.ui.break_window)
        "break_title": "A moment of rest",
        "break_breathe_in": "Breathe in",
        "break_breathe_out": "Breathe out",
        "break_time_left": "{time} left",
        "break_done": "Done",
        "break_later": "Later",
        "break_attempt": "Didn't work out this time",
        "break_attempt_reply": "That counts as practice too.\nThere is another chance later.",
        "break_remind_in": "Remind me in",
        # what a command did, said back to the person who asked (rustlamp.core.lamp)
        "did_break": "Your break is ready for you.",
        "did_break_already": "Your break is already open.",
        "did_snooze": "Alright, later. The next reminder is {when}.",
        "did_snooze_today": "No more reminders today. The next one is {when}.",
        "did_snooze_nothing": "No reminder is planned for now.",
        "did_snooze_paused": "Reminders are already paused {until}, so there is nothing to snooze.",
        "did_pause": "Alright, no reminders {until}.",
        "did_resume": "Reminders are back on. The next one is {when}.",
        "did_resume_nothing": "Reminders are back on.",
        "did_not_paused": "Reminders were already on.",
        "did_checkin": "The check-in is ready for you.",
        "did_settings": "The settings are ready for you.",
        "did_reload": "The settings have been read again.",
        "did_quit": "rustlamp is stopping. Until next time.",
        "did_done": "Your rest moment is noted.",
        "did_attempt": "Noted. An attempt counts too.",
        "did_later": "Alright, later then.",
        "did_later_when": "Alright, later then. The next reminder is {when}.",
        "did_break_closed": "The break window closed without an answer.",
        "did_checkin_kept": "Your check-in is saved in your journal.",
        "did_checkin_no_journal": "Checked in. Your journal is off, so nothing was kept.",
        "did_checkin_closed": "Check-in closed; nothing was kept.",
        "not_running": "rustlamp is not running now. You can start it with the command rustlamp.",
        "running": "rustlamp is running.",
        "plan_from_lamp": "What rustlamp has planned:",
        "plan_from_settings": "rustlamp is not running. This is what your settings would plan, from {when}:",
        "plan_from_time": "This is what your settings would plan, from {when}:",
        "plan_held": "now: a reminder is waiting until you are back",
        "plan_pause_ends": "reminders are back on",
        "plan_break_open": "now: your break; the next reminder is planned from when it ends",
        "plan_reminder_snoozed": "reminder (snoozed)",
        "plan_settings_broken": "Something in your settings is not right, so this plan uses the built-in "
        "defaults. rustlamp config check says what is wrong.",
        "window_missing": "The window could not be opened. Is there a display?",
        "settings_saved": "Your settings are saved.",
        "settings_closed": "Settings closed; nothing changed.",
        "reload_kept": "rustlamp keeps the settings it had; rustlamp config check shows the same problems.",
        "already_running": "rustlamp is already running; rustlamp status shows what comes next.",
        "not_answering": "rustlamp is running, but it does not answer just now.",
        "already_running_not_answering": "rustlamp is already running, but it does not answer.",
        "autostart_on": "rustlamp will now start by itself when you log in.",
        "autostart_off": "rustlamp will no longer start by itself when you log in.",
        "autostart_is_on": "Start at login is on.",
        "autostart_is_off": "Start at login is off.",
        "autostart_unavailable": "Starting at login is not available on this system.",
        "autostart_failed": "Start at login could not be changed.",
        # when Qt cannot open a window (rustlamp.ui.contract.CannotOpen)
        "windows_cannot_open": "rustlamp cannot open its windows",
        "windows_install": "Something is missing on this computer: {packages}. You can install it with "
        "sudo apt install {packages}. The reminders carry on meanwhile.",
        "windows_unknown": "rustlamp's windows cannot open here; the log file says why. "
        "The reminders carry on meanwhile.",
        "journal_entries_one": "{count} entry",
        "journal_entries_many": "{count} entries",
        "journal_taken_in": "{entries} taken in ({path})",
        "journal_taken_in_some_there": "{entries} taken in, {skipped} already there ({path})",
        "journal_all": "all entries",
        "journal_before": "the entries from before {date}",
        "journal_nothing_all": "Nothing to forget: the journal is empty.",
        "journal_nothing_before": "Nothing to forget: the journal has no entries from before {date}.",
        "journal_ask": "Forget {what} ({parts})? It cannot be undone. [y/N] ",
        "journal_no_terminal": "not asking without a terminal; add --yes to forget for good",
        "journal_kept_all": "Nothing was forgotten.",
        "journal_forgotten": "Forgotten: {what}.",
        "journal_forgotten_none": "no entries in the journal",
        "journal_also_forgotten": "Also forgotten: {what}.",
        "journal_unreadable_file": "the unreadable journal file",
        "journal_unreadable_gone": "the journal that could not be read, removed whole ({names})",
        "journal_moved_label": "{name}, moved aside earlier",
        "journal_moved_gone": "{name} (a journal moved aside earlier)",
        "journal_read_copy_label": "{name}, a copy left by a reading",
        "journal_read_copy_gone": "{name} (a copy left by an export that was stopped half-way)",
        "journal_kept_label": "entries kept aside in {name}",
        "journal_kept_gone": "{what} kept aside in {path}",
        "journal_kept_file": "a file",
        "journal_log_label": "the log {name}",
        "journal_log_gone": "{count} lines of the log {name}",
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


def _moment_words(language: str, moment: datetime, now: datetime, word: str) -> str:
    days = (moment.date() - now.date()).days
    clock = f"{moment:%H:%M}"
    if days == 0:
        return text(language, f"{word}_today", time=clock)
    if days == 1:
        return text(language, f"{word}_tomorrow", time=clock)
    day = f"{_DAYS[language][moment.weekday()]} {moment.day} {_MONTHS[language][moment.month - 1]}"
    return text(language, f"{word}_day", day=day, time=clock)


def at_moment(language: str, moment: datetime, now: datetime) -> str:
    """'om 15:00', 'morgen om 09:45', 'ma 30 nov om 09:45' / 'at 15:00', 'tomorrow at 09:45', 'on Mon 30
    Nov at 09:45': when something will happen, seen from `now`."""
    return _moment_words(language, moment, now, "at")


def until_moment(language: str, moment: datetime, now: datetime) -> str:
    """'tot 15:00', 'tot morgen 09:45' / 'until 15:00', 'until 09:45 tomorrow': how long something lasts."""
    return _moment_words(language, moment, now, "until")
