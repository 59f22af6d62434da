"""The words a person reads keep to rustlamp/content/STYLE.md: one word for one idea, no machinery in them."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rustlamp.core.catalog import HEADER, SOURCE_LANGUAGE, read_messages
from rustlamp.core.content import load_content
from rustlamp.core.texts import TEXTS
from rustlamp.core.week import WEEK_TEXTS
from rustlamp.ui.settings_words import SETTINGS_TEXTS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

CONTENT = Path(__file__).resolve().parent.parent / "rustlamp" / "content"
STYLE = CONTENT / "STYLE.md"
LANGUAGES = ("nl", "en", "de")


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def sentences(language: str) -> list[str]:
    """Every sentence and label a person can see in `language`: every form of every message in its catalog
    (rustlamp/locale), and the prompts. The settings problems' words ("problem.") are also what `rustlamp
    config check` prints, with the file's own keys: tests/test_problem_words.py holds them to their rules."""
    content = tomllib.loads((CONTENT / f"{language}.toml").read_text(encoding="utf-8"))
    name = "rustlamp.pot" if language == SOURCE_LANGUAGE else f"{language}.po"
    path = CONTENT.parent / "locale" / name
    words = [
        word
        for message in read_messages(path.read_text(encoding="utf-8"), name)
        if message.key != HEADER and not message.key.startswith("problem.")
        for word in (
            message.forms
            if language != SOURCE_LANGUAGE
            else (message.source, *filter(None, [message.source_plural]))
        )
    ]
    return words + list(_strings(content))


def avoided() -> dict[str, list[str]]:
    """The quoted words under "avoid (nl)", "avoid (en)", "avoid (de)"... in the glossary tables of STYLE.md
    (one table may hold several languages' columns)."""
    rows = [line for line in STYLE.read_text(encoding="utf-8").splitlines() if line.startswith("| ")]
    found: dict[str, list[str]] = {language: [] for language in LANGUAGES}
    for index, header in enumerate(rows):
        if "avoid (" not in header:
            continue
        columns = [cell.strip() for cell in header.strip("|").split("|")]
        for row in rows[index + 1 :]:
            cells = [cell.strip() for cell in row.strip("|").split("|")]
            if len(cells) != len(columns) or "avoid (" in row:
                break
            for language in LANGUAGES:
                if f"avoid ({language})" in columns:
                    found[language] += re.findall(r'"([^"]+)"', cells[columns.index(f"avoid ({language})")])
    return found


def test_the_glossary_is_read() -> None:
    words = avoided()
    assert "Pauze nu" in words["nl"] and "gehaast" in words["nl"] and "Snooze" in words["en"]
    assert "pausieren" in words["de"] and "Routine" in words["de"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_sentence_uses_a_word_the_glossary_avoids(language: str) -> None:
    for word in avoided()[language]:
        pattern = re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])")
        used = [sentence for sentence in sentences(language) if pattern.search(sentence)]
        assert used == [], (word, used)


def test_the_avoid_check_can_fail() -> None:
    pattern = re.compile(r"(?<![\w-])Pauze nu(?![\w-])")
    assert pattern.search("Pauze nu") and not pattern.search("Nu even pauze")


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_action_has_one_name_wherever_it_is_offered(language: str) -> None:
    words, settings = TEXTS[language], SETTINGS_TEXTS[language]
    assert words["button_break"] == words["menu_break"]  # the reminder's button and the menu
    assert words["break_later"] == words["menu_snooze"] == words["button_snooze"].split(" (")[0]
    assert words["menu_autostart"] == settings["autostart"]
    assert settings["snooze"] == words["menu_snooze"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_week_says_the_breath_as_the_check_in_asks_it(language: str) -> None:
    breath = load_content(language).checkin_words.breath_choices
    week = WEEK_TEXTS[language]
    for choice in ("calm", "hurried", "unknown"):
        assert week[f"legend_{choice}"] == breath[choice].lower()


def test_in_english_pause_is_only_for_reminders_and_in_dutch_pauze_only_for_a_break() -> None:
    for sentence in sentences("en"):
        for match in re.finditer(r"\bpaus\w*", sentence, re.IGNORECASE):
            around = sentence[max(0, match.start() - 30) : match.end() + 10].lower()
            assert "reminders" in around, sentence
    for sentence in sentences("nl"):
        assert not re.search(r"\bgepauzeerd|\bpauzeer", sentence, re.IGNORECASE), sentence
    for sentence in sentences("de"):  # in German, "Pause" is only ever the break, as "pauze" in Dutch
        assert not re.search(r"pausier", sentence, re.IGNORECASE), sentence


COMPACT_DURATION = re.compile(r"\b[0-9]+[hms]\b|\b[0-9]+[hm][0-9]")
KEY_PATH = re.compile(r"\b(?:reminders|break|routines|prompts|checkin|journal|idle|dnd)\.[a-z_]+")


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_machinery_in_sentences_for_a_person(language: str) -> None:
    for sentence in sentences(language):
        assert "`" not in sentence, sentence
        assert not COMPACT_DURATION.search(sentence), sentence
        assert "pid" not in sentence.lower().split(), sentence
        assert not KEY_PATH.search(sentence), sentence


def test_the_line_that_started_it_all_is_kept_exactly() -> None:
    content = tomllib.loads((CONTENT / "nl.toml").read_text(encoding="utf-8"))
    assert content["prompts"]["themes"]["breath"][0] == "Adem. Je mag het zacht doen."


@pytest.mark.parametrize(
    ("document", "language", "said"),
    [
        (
            '[reminders]\nevery = "3x"\n',
            "nl",
            "Hoe vaak: '3x' is geen duur; wat wel kan: een duur van 10 sec tot 24 uur, "
            "zoals 45 min of 1 uur 30 min",
        ),
        ('[routines.thee]\nat = "25:00"\n', "en", "Routine thee, time: '25:00' is not a time of day; "
         "allowed: a time like 9:00 or 17:30"),
        ('[routines.tee]\nat = "25:00"\n', "de", "Ritual tee, Uhrzeit: '25:00' ist keine Uhrzeit; "
         "möglich ist eine Uhrzeit wie 9:00 oder 17:30"),
        ('[break]\nlength = "3 uur"\n', "nl", "Lengte van een pauze: '3 uur' is te lang; wat wel kan: "
         "een duur van 10 sec tot 2 uur, zoals 45 min of 1 uur 30 min"),
    ],
)  # fmt: skip
def test_a_notification_names_the_setting_as_the_window_does_and_says_the_problem_plainly(
    document: str, language: str, said: str
) -> None:
    from rustlamp.core.config import parse_settings
    from rustlamp.core.setting_names import problem_for_a_person

    problem = parse_settings(document, "/home/anna/.config/rustlamp/config.toml").errors[0]
    assert problem_for_a_person(problem, language, SETTINGS_TEXTS[language]) == said
    # without the window's words, the file's key is the only name there is
    assert problem_for_a_person(problem, language, {}).startswith(problem.key + ": ")
