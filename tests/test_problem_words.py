"""Settings problems said in Dutch and English: every kind of problem, both languages, no English left."""

from __future__ import annotations

import re
from datetime import time, timezone
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from test_config import DOCUMENTS

from rustlamp.core.catalog import catalog
from rustlamp.core.config import Problem, _clock_time, _syntax_error_position, load_settings, parse_settings
from rustlamp.core.durations import parse_clock_time, parse_duration
from rustlamp.core.problem_words import (
    PROBLEM_WORDS,
    Amount,
    Phrase,
    PhrasedTypeError,
    PhrasedValueError,
    Precise,
    phrase,
    phrase_of,
    warning_prefix,
)

pytestmark = pytest.mark.windows

FILE = "my.toml"

# Each a small file with problems; together they make every check in rustlamp.core.config speak.
BAD_FILES = [
    """\
language = "fr"
colour = 3

[reminders]
every = "4m"
start = "9:60"
end = 17
days = ["monday", "funday", 1]
snooze = ["5s", "25h", "forty"]
evry = "20m"

[break]
length = "3h"
inhale = "1s"
exhale = true

[routines]
sip = 5

[routines.tea]
days = ["sat"]

[routines.walk]
at = "12:30"
days = "mon"
enabled = "yes"
prompt = ""
time = "13:00"

[routines.long]
at = 1979-05-27T07:32:00Z
prompt = "PROMPT"

[prompts]
extra = [07:00:00, { a = 1 }, "fine"]

[checkin]
offer_after_break = 1
sooner_when_hurried = "2h"

[journal]
enabled = "no"

[idle]
natural_break_after = "3 dagen"
natural_breaks = 1979-05-27

[dnd]
when_fullscreen = [true]
""".replace("PROMPT", "x" * 301),
    'reminders = 3\nbreak = "5m"\nlanguage = 1\n[prompts]\nextra = "Rest."\n',
    'routines = ["tea"]\nprompts = 3.5\n',
    '[reminders]\nevery = "8h30m"\nsnooze = ["1m", "2m", "3m", "4m", "5m", "6m", "7m"]\n',
    "[reminders]\ndays = []\n",
    '[reminders]\nevery = "20m" "30m"\n',
    "a = " + "[" * 1000 + "]" * 1000,
    '[routines.nap]\nat = "13:00"\nkind = "siesta"\n',
]


def file_problems(tmp_path: Path) -> list[Problem]:
    found = [p for text in BAD_FILES for p in parse_settings(text, FILE).problems]
    found += load_settings(tmp_path / "nope.toml").problems
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(b'[reminders]\nevery = "45m" # caf\xe9\n')
    found += load_settings(latin1).problems
    found += load_settings(tmp_path).problems  # a folder: cannot be read
    return list(found)


def other_phrases() -> list[Phrase]:
    """Problems no TOML text can bring about, said all the same."""
    with pytest.raises(PhrasedValueError) as offset:
        _clock_time(time(9, tzinfo=timezone.utc))  # tomllib has no local time with an offset
    return [
        offset.value.phrase,
        _syntax_error_position("something tomllib never said", "")[1],  # no position in its words
        phrase("cannot_change", detail="the settings window could not apply this"),  # the window's own
        phrase(
            "reason_allowed",
            reason=phrase("not_a_string", type=phrase("type_other", name="Decimal")),
            allowed="x",
        ),
        phrase_of(ValueError("a plain exception keeps its own words")),
    ]


def all_problems(tmp_path: Path) -> list[Problem]:
    made = [Problem.from_phrase(FILE, 1, "some.key", words) for words in other_phrases()]
    return file_problems(tmp_path) + made


def leaves(words: Phrase) -> list[str]:
    """The plain values in a phrase: what the person wrote, or can write; the same in both languages."""
    found: list[str] = []
    for _, value in words.values:
        if isinstance(value, Phrase):
            found += leaves(value)
        elif isinstance(value, Precise):  # said plainly: its plain side
            found += leaves(value.plain) if isinstance(value.plain, Phrase) else [str(value.plain)]
        elif isinstance(value, Amount):  # said plainly in each language's words: no leaf in both
            continue
        else:
            found.append(str(value))
    return found


# words in both languages on purpose: TOML's and the file's own, and Dutch words spelled as English ones
SHARED = {"is", "of", "routine", "routines", "toml", "utf", "byte", "true", "false", "min", "sec"}


def template_words(template: str) -> set[str]:
    """The words of a template, leaving out {fields}, "quoted" and `code` text, [tables] and file names."""
    text = re.sub(r'at = "[^"]*"', " ", template)
    text = re.sub(r'\{\w+\}|"[^"]*"|`[^`]*`|\[[^\]]*\]|\S+\.\S+', " ", text)
    return {word.lower() for word in re.findall(r"[A-Za-z]+", text)}


def said_words(text: str) -> set[str]:
    return {word.lower() for word in re.findall(r"[A-Za-z]+", text)}


# --- the tables ----------------------------------------------------------------------------------------


def test_both_languages_have_every_phrase_with_the_same_fields() -> None:
    assert PROBLEM_WORDS["nl"].keys() == PROBLEM_WORDS["en"].keys()
    for key, english in PROBLEM_WORDS["en"].items():
        dutch = PROBLEM_WORDS["nl"][key]
        assert set(re.findall(r"\{(\w+)\}", dutch)) == set(re.findall(r"\{(\w+)\}", english)), key


@pytest.mark.parametrize("key", sorted(PROBLEM_WORDS["en"]))
def test_no_english_word_of_a_template_stays_in_its_dutch(key: str) -> None:
    english, dutch = PROBLEM_WORDS["en"][key], PROBLEM_WORDS["nl"][key]
    assert template_words(english) & template_words(dutch) - SHARED == set(), (english, dutch)
    if template_words(english) - SHARED:
        assert dutch != english


def test_the_leftover_check_can_fail() -> None:
    assert template_words('{value} is not a duration; zoals "not"') == {"is", "not", "a", "duration", "zoals"}
    assert template_words("{value} is geen duration") & template_words("{value} is not a duration") - SHARED


# --- every problem in both languages -------------------------------------------------------------------


def test_no_problem_in_a_file_keeps_words_without_dutch(tmp_path: Path) -> None:
    for problem in file_problems(tmp_path):
        assert problem.phrase is not None
        assert "as_is" not in {part.key for part in problem.phrase.phrases()}, problem.message


def test_the_bad_files_and_the_rest_bring_every_phrase(tmp_path: Path) -> None:
    used = {
        part.key for problem in all_problems(tmp_path) for part in (problem.phrase or Phrase("?")).phrases()
    }
    # the settings' own phrases; a file that is no ordinary file adds one of "file." (core/small_file.py)
    assert {key for key in used if "." not in key} == set(PROBLEM_WORDS["en"]) - {"warning"}


def test_every_problem_is_said_in_dutch_with_its_key_and_values_and_no_english_left(tmp_path: Path) -> None:
    problems = all_problems(tmp_path)
    assert len(problems) > 40
    for problem in problems:
        assert problem.phrase is not None
        english, dutch = problem.message_in("en"), problem.message_in("nl")
        assert english == problem.phrase.said("en")
        assert problem.message == problem.phrase.said("en", precise=True)
        assert problem.line_in("en") == str(problem)
        assert problem.key in problem.line_in("nl")
        for value in leaves(problem.phrase):
            assert value in dutch, (value, dutch)
        if problem.phrase.key == "as_is":
            assert dutch == english  # words from elsewhere stay as they came
            continue
        assert dutch != english
        values = set().union(*(said_words(v) for v in leaves(problem.phrase)))
        for part in problem.phrase.phrases():
            source = catalog("en", pseudo=False).word(part.key if "." in part.key else f"problem.{part.key}")
            left = template_words(source) & said_words(dutch) - SHARED - values
            assert left == set(), (part.key, dutch)


def test_the_bad_files_have_the_problems_they_were_written_for(tmp_path: Path) -> None:
    lines = [p.line_in("nl") for p in file_problems(tmp_path)]
    expected = [
        'my.toml:1: language: \'fr\' is geen taal die rustlamp kent; wat wel kan: "auto", "nl", "en" of "de"',
        "my.toml:2: colour: let op: onbekende naam, rustlamp slaat hem over; namen die hier kunnen: "
        "language, reminders, break, routines, prompts, checkin, journal, idle, dnd",
        "my.toml:5: reminders.every: let op: 4m is wel erg vaak; vaker dan om de 5m voelt al snel als gezeur",
        "my.toml:10: reminders.evry: let op: onbekende naam, rustlamp slaat hem over; bedoel je `every`?",
        "my.toml:9: reminders.snooze[0]: '5s' is te kort; wat wel kan: een duur van 10s tot 24h, zoals "
        '"90s", "20m", "1h30m"',
        "my.toml:9: reminders.snooze[1]: '25h' is te lang; wat wel kan: een duur van 10s tot 24h, zoals "
        '"90s", "20m", "1h30m"',
        "my.toml:8: reminders.days[0]: 'monday' is geen dag (bedoel je 'mon'?); wat wel kan: "
        "mon, tue, wed, thu, fri, sat, sun",
        'my.toml:20: routines.tea.at: ontbreekt; een routine heeft een tijd nodig, zoals at = "08:00"',
        'my.toml:18: routines.sip: is een getal; hier hoort een tabel, zoals [routines.sip] met at = "08:00"',
        "my.toml:26: routines.walk.enabled: is tekst, geen true of false; wat wel kan: true of false",
        "my.toml:31: routines.long.at: is een datum met tijd, geen tekst; wat wel kan: een tijd als "
        '"UU:MM", van "00:00" tot "23:59"',
        "my.toml:32: routines.long.prompt: is 301 tekens lang; wat wel kan: tekst van hoogstens 300 tekens, "
        "niet leeg",
        "my.toml:1: reminders: is een getal; hier hoort een tabel, zoals [reminders]",
        "my.toml:2: reminders.every: let op: 8h30m is langer dan de actieve uren 09:00-17:30, dus er kan "
        "geen herinnering komen; routines komen wel",
        "my.toml:2: reminders.days: let op: is leeg, dus er komen geen herinneringen; routines komen wel",
        "my.toml:3: reminders.snooze: heeft 7 waarden; wat wel kan: een lijst met 1 tot 6 keuzes van 10s tot "
        '24h, zoals ["10m", "30m", "1h"]',
        "my.toml:2: geen geldige TOML: Expected newline or end of document after a statement "
        "(regel 2, kolom 15)",
        "my.toml: hier niet bruikbaar: de waarden zijn te diep genest",
    ]
    for line in expected:
        assert line in lines


COMPACT_DURATION = re.compile(r"\b[0-9]+[hms]\b|\b[0-9]+[hm][0-9]")


def test_a_person_reads_durations_and_times_in_words_config_check_as_the_file_writes_them(
    tmp_path: Path,
) -> None:
    """ "10s tot 24h" is for the file; the settings window and a notification say "10 sec tot 24 uur"."""
    said_plainly = 0
    for problem in all_problems(tmp_path):
        assert problem.phrase is not None
        for language in ("nl", "en"):
            plain = re.sub(r"'[^']*'", "", problem.message_in(language))  # what the person wrote stays
            if problem.phrase.key != "as_is":
                assert not COMPACT_DURATION.search(plain), plain
                assert "HH:MM" not in plain and "UU:MM" not in plain, plain
        if "10s to 24h" in problem.message:
            said_plainly += 1
            assert "10 sec to 24 hours" in problem.message_in("en")
            assert "10 sec tot 24 uur" in problem.message_in("nl")
    assert said_plainly


def test_an_amount_and_a_precise_pair_are_said_both_ways() -> None:
    words = phrase("duration", low=Amount(10), high=Amount(5400), like=Precise('"4s"', phrase("like_breath")))
    assert words.said("en", precise=True) == 'a duration from 10s to 1h30m, like "4s"'
    assert words.said("en") == "a duration from 10 sec to 1 hour 30 min, like 4 sec"
    assert words.said("nl") == "een duur van 10 sec tot 1 uur 30 min, zoals 4 sec"


def test_a_warning_says_so_in_its_own_language() -> None:
    (problem,) = parse_settings("[reminders]\ndays = []\n", FILE).problems
    assert (
        str(problem)
        == "my.toml:2: reminders.days: warning: is empty, so no reminders come; routines still do"
    )
    assert problem.line_in("nl").startswith("my.toml:2: reminders.days: let op: is leeg")
    assert (warning_prefix("en"), warning_prefix("nl")) == ("warning: ", "let op: ")


# --- problems and parsers ------------------------------------------------------------------------------


def test_a_problem_with_only_a_message_says_it_in_every_language() -> None:
    problem = Problem("f.toml", 3, "a.b", "gone", "warning")
    assert problem.message_in("nl") == problem.message_in("en") == "gone"
    assert problem.line_in("nl") == "f.toml:3: a.b: let op: gone"
    assert str(problem) == "f.toml:3: a.b: warning: gone"


def test_a_problem_is_equal_with_or_without_its_phrase() -> None:
    words = phrase("empty")
    assert Problem.from_phrase("f", 1, "k", words) == Problem("f", 1, "k", "is empty")
    assert Problem.from_phrase("f", 1, "k", words).phrase == words


def test_another_language_is_said_in_english() -> None:
    words = phrase("not_a_duration", value="'x'")
    assert words.said("xx") == words.said("en") == "'x' is not a duration"
    assert words.said("de") == "'x' ist keine Dauer"


def test_an_unknown_phrase_is_refused_at_once() -> None:
    with pytest.raises(KeyError):
        phrase("no_such_words")


@pytest.mark.parametrize(
    ("parse", "text", "english", "dutch"),
    [
        (parse_duration, "forty", "'forty' is not a duration", "'forty' is geen duur"),
        (parse_duration, "99999999999h", "'99999999999h' is out of range", "'99999999999h' is te lang"),
        (parse_clock_time, "25:00", "'25:00' is not a time of day", "'25:00' is geen tijd"),
        (parse_clock_time, "9am", "'9am' is not a time of day", "'9am' is geen tijd"),
    ],
)
def test_the_parsers_raise_value_errors_that_say_their_english_and_carry_their_dutch(
    parse: Any, text: str, english: str, dutch: str
) -> None:
    with pytest.raises(ValueError) as caught:
        parse(text)
    assert isinstance(caught.value, PhrasedValueError)
    assert str(caught.value) == english
    assert caught.value.phrase.said("nl") == dutch


def test_a_phrased_type_error_is_a_type_error() -> None:
    error = PhrasedTypeError(phrase("not_a_string", type=phrase("type_number")))
    assert isinstance(error, TypeError) and str(error) == "is a number, not a string"
    assert phrase_of(error).said("nl") == "is een getal, geen tekst"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_every_problem_in_any_document_has_dutch_words_of_its_own(document: dict[str, Any]) -> None:
    for problem in parse_settings(tomli_w.dumps(document), FILE).problems:
        assert problem.phrase is not None
        assert problem.phrase.said("en", precise=True) == problem.message
        assert "as_is" not in {part.key for part in problem.phrase.phrases()}, problem.message
