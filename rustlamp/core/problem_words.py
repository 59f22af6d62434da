"""The words of settings problems, in Dutch and English, precise or plain.

A problem's words are a Phrase: a key into PROBLEM_WORDS and its values, which are plain text (a key name, a
value as written), durations (Amount), phrases themselves, as in "{reason}; allowed: {allowed}", or a
Precise pair. A phrase is said two ways. Precise (`said(ENGLISH, precise=True)`) is exactly what
`rustlamp config check` prints: durations as the file writes them ("10s to 24h"), the file's own forms
('"HH:MM"'). Plain is for a person, in the settings window and in a notification, in Dutch or English:
durations in words ("10 sec tot 24 uur"), examples the way people write them ("9:00 of 17:30"). Text from
elsewhere (tomllib's detail on a syntax error, the system's reason a file cannot be read) is a value too, so
it stays English.

Parsers raise PhrasedValueError or PhrasedTypeError: their str() is the precise English text, as a plain
ValueError's was, and `.phrase` says it in either language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

PROBLEM_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "warning": "warning: ",
        # reading the file
        "no_file": "no such file; create it from config.example.toml, or leave it out to use the built-in "
        "defaults",
        "not_utf8": "is not UTF-8 text ({reason} at byte {byte})",
        "cannot_read": "cannot be read: {reason}",
        "cannot_change": "cannot be changed here: {detail}",
        "not_toml": "not valid TOML: {detail}",
        "not_toml_at": "not valid TOML: {detail} (line {line}, column {column})",
        "too_deep": "not valid here: values are nested too deeply",
        # keys and tables
        "unknown_key": "unknown key, ignored; {hint}",
        "did_you_mean_key": "did you mean `{key}`?",
        "known_keys": "known keys here: {keys}",
        "not_a_table": "is {type}; expected a table like [{table}]",
        "routine_not_a_table": 'is {type}; expected a table like [{table}] with at = "08:00"',
        "at_missing": 'is missing; a routine needs a time, like at = "08:00"',
        # what is wrong, and what would be right
        "reason_allowed": "{reason}; allowed: {allowed}",
        "not_a_list": "is {type}, not a list",
        "item_count": "has {count} items",
        "not_a_string": "is {type}, not a string",
        "not_true_or_false": "is {type}, not true or false",
        "not_a_language": "{value} is not a known language",
        "not_a_routine_kind": "{value} is not a kind of routine",
        "not_a_duration": "{value} is not a duration",
        "too_short": "{value} is out of range",
        "too_long": "{value} is out of range",
        "not_a_time": "{value} is not a time of day",
        "time_with_offset": "a time of day here is local wall-clock time, without an offset",
        "not_a_day": "{value} is not a day",
        "not_a_day_hint": "{value} is not a day (did you mean {day}?)",
        "empty": "is empty",
        "too_many_characters": "is {count} characters long",
        "one_of": "{choices} or {last}",
        "duration": "a duration from {low} to {high}, like {like}",
        "duration_or_off": "a duration from {low} (off) to {high}, like {like}",
        "duration_or_break_length": "a duration from {low} to {high}, like {like} "
        "(leave it out for the break length)",
        "durations": "a list of {few} to {many} durations from {low} to {high}, like {like}",
        "clock_time": 'a time of day "HH:MM" from "00:00" to "23:59"',
        # the same, plain: for a person, the way people write a time
        "clock_time_plain": "a time like 9:00 or 17:30",
        # examples of durations, plain
        "like_durations": "45 min or 1 hour 30 min",
        "like_snooze": "10 min, 30 min, 1 hour",
        "like_breath": "4 sec",
        "like_sooner": "10 min",
        "day_list": "a list of {days}",
        "true_or_false": "true or false",
        "prompt": "a non-empty string of at most {most} characters",
        "prompt_list": "a list of strings",
        # warnings
        "very_often": "{every} is very often; reminders less than {gentle} apart can feel like nagging",
        "every_outside_hours": "{every} is longer than the active hours {start}-{end}, so no reminder can "
        "come; routines still do",
        "days_empty": "is empty, so no reminders come; routines still do",
        # what a value is (`is a number, not a string`)
        "type_bool": "true/false",
        "type_time": "a time",
        "type_str": "a string",
        "type_number": "a number",
        "type_list": "a list",
        "type_table": "a table",
        "type_date": "date",
        "type_datetime": "datetime",
        "type_other": "{name}",
        # an exception's text without a phrase: as it is, in both languages
        "as_is": "{text}",
    },
    "nl": {
        "warning": "let op: ",
        "no_file": "dit bestand is er niet; maak het van config.example.toml, of laat het weg, dan gelden de "
        "standaardinstellingen",
        "not_utf8": "is geen UTF-8-tekst ({reason} bij byte {byte})",
        "cannot_read": "kan niet gelezen worden: {reason}",
        "cannot_change": "kan hier niet aangepast worden: {detail}",
        "not_toml": "geen geldige TOML: {detail}",
        "not_toml_at": "geen geldige TOML: {detail} (regel {line}, kolom {column})",
        "too_deep": "hier niet bruikbaar: de waarden zijn te diep genest",
        "unknown_key": "onbekende naam, rustlamp slaat hem over; {hint}",
        "did_you_mean_key": "bedoel je `{key}`?",
        "known_keys": "namen die hier kunnen: {keys}",
        "not_a_table": "is {type}; hier hoort een tabel, zoals [{table}]",
        "routine_not_a_table": 'is {type}; hier hoort een tabel, zoals [{table}] met at = "08:00"',
        "at_missing": 'ontbreekt; een routine heeft een tijd nodig, zoals at = "08:00"',
        "reason_allowed": "{reason}; wat wel kan: {allowed}",
        "not_a_list": "is {type}, geen lijst",
        "item_count": "heeft {count} waarden",
        "not_a_string": "is {type}, geen tekst",
        "not_true_or_false": "is {type}, geen true of false",
        "not_a_language": "{value} is geen taal die rustlamp kent",
        "not_a_routine_kind": "{value} is geen soort routine",
        "not_a_duration": "{value} is geen duur",
        "too_short": "{value} is te kort",
        "too_long": "{value} is te lang",
        "not_a_time": "{value} is geen tijd",
        "time_with_offset": "een tijd is hier gewoon de tijd op je klok, zonder tijdzone",
        "not_a_day": "{value} is geen dag",
        "not_a_day_hint": "{value} is geen dag (bedoel je {day}?)",
        "empty": "is leeg",
        "too_many_characters": "is {count} tekens lang",
        "one_of": "{choices} of {last}",
        "duration": "een duur van {low} tot {high}, zoals {like}",
        "duration_or_off": "een duur van {low} (uit) tot {high}, zoals {like}",
        "duration_or_break_length": "een duur van {low} tot {high}, zoals {like} "
        "(laat het weg voor de lengte van een pauze)",
        "durations": "een lijst met {few} tot {many} keuzes van {low} tot {high}, zoals {like}",
        "clock_time": 'een tijd als "UU:MM", van "00:00" tot "23:59"',
        "clock_time_plain": "een tijd als 9:00 of 17:30",
        "like_durations": "45 min of 1 uur 30 min",
        "like_snooze": "10 min, 30 min, 1 uur",
        "like_breath": "4 sec",
        "like_sooner": "10 min",
        "day_list": "een lijst met {days}",
        "true_or_false": "true of false",
        "prompt": "tekst van hoogstens {most} tekens, niet leeg",
        "prompt_list": "een lijst met teksten",
        "very_often": "{every} is wel erg vaak; vaker dan om de {gentle} voelt al snel als gezeur",
        "every_outside_hours": "{every} is langer dan de actieve uren {start}-{end}, dus er kan geen "
        "herinnering komen; routines komen wel",
        "days_empty": "is leeg, dus er komen geen herinneringen; routines komen wel",
        "type_bool": "true/false",
        "type_time": "een tijd",
        "type_str": "tekst",
        "type_number": "een getal",
        "type_list": "een lijst",
        "type_table": "een tabel",
        "type_date": "een datum",
        "type_datetime": "een datum met tijd",
        "type_other": "{name}",
        "as_is": "{text}",
    },
}

ENGLISH = "en"


@dataclass(frozen=True)
class Phrase:
    """What is wrong, in no language yet: a key into PROBLEM_WORDS and the values for its {fields}."""

    key: str
    values: tuple[tuple[str, Value], ...] = ()

    def said(self, language: str, precise: bool = False) -> str:
        """The words in `language` ("nl" or "en"; any other: English); `precise`: as config check says it."""
        table = PROBLEM_WORDS.get(language, PROBLEM_WORDS[ENGLISH])
        values = {name: _said(v, language, precise) for name, v in self.values}
        return table[self.key].format(**values)

    def phrases(self) -> list[Phrase]:
        """This phrase and every phrase inside it."""
        found = [self]
        for _, value in self.values:
            found.extend(_phrases_in(value))
        return found


@dataclass(frozen=True)
class Amount:
    """A duration in a phrase: '1h30m' where precise, '1 uur 30 min' / '1 hour 30 min' for a person."""

    seconds: int

    def said(self, language: str, precise: bool) -> str:
        # imported here: rustlamp.core.durations imports this module for the errors it raises
        from rustlamp.core.durations import format_duration, format_human

        delta = timedelta(seconds=self.seconds)
        return format_duration(delta) if precise else format_human(delta, language)


@dataclass(frozen=True)
class Precise:
    """A value said one way where precise (`exact`, as the file writes it) and another way to a person."""

    exact: Value
    plain: Value

    def said(self, language: str, precise: bool) -> str:
        return _said(self.exact if precise else self.plain, language, precise)


Value = str | int | Phrase | Amount | Precise


def _phrases_in(value: Value) -> list[Phrase]:
    if isinstance(value, Phrase):
        return value.phrases()
    if isinstance(value, Precise):
        return [*_phrases_in(value.exact), *_phrases_in(value.plain)]
    return []


def _said(value: Value, language: str, precise: bool) -> str:
    if isinstance(value, (Phrase, Amount, Precise)):
        return value.said(language, precise)
    return str(value)


def phrase(key: str, /, **values: Value) -> Phrase:
    if key not in PROBLEM_WORDS[ENGLISH]:
        raise KeyError(key)
    return Phrase(key, tuple(values.items()))


def warning_prefix(language: str) -> str:
    """'warning: ' / 'let op: ', before a warning's words."""
    return PROBLEM_WORDS.get(language, PROBLEM_WORDS[ENGLISH])["warning"]


class PhrasedValueError(ValueError):
    """A ValueError whose text is the English of its `phrase`."""

    def __init__(self, phrase: Phrase) -> None:
        super().__init__(phrase.said(ENGLISH, precise=True))
        self.phrase = phrase


class PhrasedTypeError(TypeError):
    """A TypeError whose text is the English of its `phrase`."""

    def __init__(self, phrase: Phrase) -> None:
        super().__init__(phrase.said(ENGLISH, precise=True))
        self.phrase = phrase


def phrase_of(error: BaseException) -> Phrase:
    """An exception's phrase; one without (not raised by our parsers) keeps its own text in both languages."""
    found = getattr(error, "phrase", None)
    return found if isinstance(found, Phrase) else phrase("as_is", text=str(error))
