"""The settings window's words, in Dutch and English: its labels are also how a notification names a setting.

Kept in the core (not in the window's module) so that the running lamp can say "Hoe vaak: ..." about a
problem in the file without loading a toolkit, and so that a new window keeps the same words.
"""

from __future__ import annotations

import re

from rustlamp.core.config import Problem
from rustlamp.core.texts import text

SETTINGS_TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Instellingen",
        "tab_general": "Algemeen",
        "tab_reminders": "Herinneringen",
        "tab_break": "Pauze",
        "tab_routines": "Routines",
        "tab_privacy": "Privacy",
        "language": "Taal",
        "language_auto": "Automatisch",
        "language_nl": "Nederlands",
        "language_en": "English",
        "language_hint": "Automatisch: Nederlands als je systeem Nederlands is, anders Engels.",
        "autostart": "Starten bij inloggen",
        "prompts": "Eigen zinnen",
        "prompts_hint": "Eén per regel; ze komen tussen die van rustlamp door.",
        "file_is": "Je instellingen staan in {path}",
        "every": "Hoe vaak",
        "every_hint": "na je laatste rust, bijv. 45 min of 1 uur",
        "hours": "Actieve uren",
        "hours_to": "tot",
        "hours_hint": "bijv. 8:30",
        "days": "Dagen",
        "snooze": "Straks",
        "snooze_hint": "keuzes met een komma ertussen, bijv. 10 min, 30 min, 1 uur",
        "fullscreen": "Wachten zolang een venster het hele scherm vult",
        "length": "Lengte van een pauze",
        "length_hint": "van 10 sec tot 2 uur",
        "inhale": "Inademen",
        "exhale": "Uitademen",
        "breath_hint": "van 2 tot 15 sec",
        "natural": "Weg telt als pauze na",
        "natural_hint": "leeg: de lengte van een pauze",
        "offer": "Na een pauze een knop om even in te checken",
        "sooner": "Eerder na een gejaagde adem",
        "sooner_hint": "0 min is uit; hoogstens 30 min",
        "routines_intro": "Een zacht moment op een vaste tijd, los van de actieve uren.",
        "routines_none": "Nog geen routines.",
        "routine_name": "Naam",
        "routine_at": "Tijd",
        "routine_days": "Dagen",
        "routine_prompt": "Woorden",
        "routine_prompt_hint": "leeg: rustlamp kiest zelf zachte woorden",
        "routine_remove": "Verwijderen",
        "routine_new": "Nieuwe routine",
        "routine_add": "Toevoegen",
        "routine_name_empty": "Geef de routine eerst een naam.",
        "routine_name_taken": "Er is al een routine met die naam.",
        "journal": "Een dagboek bijhouden van rustmomenten en check-ins",
        "journal_hint": "Het dagboek blijft op deze computer en alleen jij kunt het lezen. "
        "Uit: er wordt niets bewaard.",
        "save": "Opslaan",
        "close": "Sluiten",
        "open_file": "Het bestand openen",
        "reload": "Opnieuw inlezen",
        "saved": "Opgeslagen.",
        "changed_on_disk": "Het bestand is veranderd sinds dit venster het las, dus er is niets "
        "overschreven. Opnieuw inlezen laat zien wat er nu in staat.",
        "reloaded": "Dit zijn de waarden die nu in het bestand staan.",
        "opened": "Het bestand is geopend. Lees het hier opnieuw in als je het daar hebt aangepast.",
        "cannot_open": "Het bestand openen lukte niet: {reason}",
        "cannot_save": "Opslaan lukte niet: {reason}",
        "cannot_autostart": "Starten bij inloggen kon niet worden aangepast: {reason}",
        "unsaved": "Je wijzigingen zijn nog niet opgeslagen.",
        "keep_editing": "Verder bewerken",
        "discard": "Niet opslaan",
        "read_only": "Dit venster kan het bestand niet lezen, dus het past het ook niet aan. Pas het "
        "aan in je editor en lees het daarna opnieuw in.",
        "in_the_file": "In het bestand:",
        "more": "en nog {count}",
    },
    "en": {
        "title": "Settings",
        "tab_general": "General",
        "tab_reminders": "Reminders",
        "tab_break": "Break",
        "tab_routines": "Routines",
        "tab_privacy": "Privacy",
        "language": "Language",
        "language_auto": "Automatic",
        "language_nl": "Nederlands",
        "language_en": "English",
        "language_hint": "Automatic: Dutch when your system is Dutch, English otherwise.",
        "autostart": "Start at login",
        "prompts": "Your own lines",
        "prompts_hint": "One per line; they are mixed in with rustlamp's.",
        "file_is": "Your settings are kept in {path}",
        "every": "How often",
        "every_hint": "after your last rest, e.g. 45 min or 1 hour",
        "hours": "Active hours",
        "hours_to": "to",
        "hours_hint": "e.g. 8:30",
        "days": "Days",
        "snooze": "Later",
        "snooze_hint": "choices with a comma between, e.g. 10 min, 30 min, 1 hour",
        "fullscreen": "Wait while a window fills the whole screen",
        "length": "Length of a break",
        "length_hint": "from 10 sec to 2 hours",
        "inhale": "Breathe in",
        "exhale": "Breathe out",
        "breath_hint": "from 2 to 15 sec",
        "natural": "Away counts as a break after",
        "natural_hint": "empty: the length of a break",
        "offer": "Offer a short check-in at the end of a break",
        "sooner": "Sooner after a hurried breath",
        "sooner_hint": "0 min is off; at most 30 min",
        "routines_intro": "A gentle moment at a fixed time, whatever the active hours.",
        "routines_none": "No routines yet.",
        "routine_name": "Name",
        "routine_at": "Time",
        "routine_days": "Days",
        "routine_prompt": "Words",
        "routine_prompt_hint": "empty: rustlamp picks gentle words",
        "routine_remove": "Remove",
        "routine_new": "New routine",
        "routine_add": "Add",
        "routine_name_empty": "Give the routine a name first.",
        "routine_name_taken": "There is a routine with that name already.",
        "journal": "Keep a journal of rest moments and check-ins",
        "journal_hint": "The journal stays on this computer and only you can read it. Off: nothing is kept.",
        "save": "Save",
        "close": "Close",
        "open_file": "Open the file",
        "reload": "Reload",
        "saved": "Saved.",
        "changed_on_disk": "The file changed on disk since this window read it, so nothing was "
        "overwritten. Reload shows what is in it now.",
        "reloaded": "These are the values in the file now.",
        "opened": "The file is open. Reload it here once you have changed it there.",
        "cannot_open": "The file could not be opened: {reason}",
        "cannot_save": "Saving did not work: {reason}",
        "cannot_autostart": "Starting at login could not be changed: {reason}",
        "unsaved": "Your changes are not saved yet.",
        "keep_editing": "Keep editing",
        "discard": "Discard",
        "read_only": "This window cannot read the file, so it does not change it either. Put it right in "
        "your editor, then reload it here.",
        "in_the_file": "In the file:",
        "more": "and {count} more",
    },
}

# Which label names a key of the file; a routine's own keys are under ROUTINE_SETTINGS.
SETTING_LABELS: dict[str, str] = {
    "language": "language",
    "prompts.extra": "prompts",
    "reminders.every": "every",
    "reminders.start": "hours",
    "reminders.end": "hours",
    "reminders.days": "days",
    "reminders.snooze": "snooze",
    "dnd.when_fullscreen": "fullscreen",
    "break.length": "length",
    "break.inhale": "inhale",
    "break.exhale": "exhale",
    "idle.natural_break_after": "natural",
    "checkin.offer_after_break": "offer",
    "checkin.sooner_when_hurried": "sooner",
    "journal.enabled": "journal",
}
ROUTINE_SETTINGS: dict[str, str] = {"at": "routine_at", "days": "routine_days", "prompt": "routine_prompt"}
_ITEM = re.compile(r"\[[0-9]+\]")


def problem_for_a_person(problem: Problem, language: str) -> str:
    """A problem as a person reads it in a notification: the setting named as the settings window names it
    ("Hoe vaak: ..."), the message plainly; the file's own key only where the window has no name for it."""
    words = SETTINGS_TEXTS[language]
    key = _ITEM.sub("", problem.key)
    message = problem.message_in(language)
    if key in SETTING_LABELS:
        return text(language, "config_where", setting=words[SETTING_LABELS[key]], problem=message)
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "routines" and parts[2] in ROUTINE_SETTINGS:
        setting = words[ROUTINE_SETTINGS[parts[2]]].lower()
        return text(language, "config_where_routine", name=parts[1], setting=setting, problem=message)
    return f"{problem.key}: {message}" if problem.key else message
