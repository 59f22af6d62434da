"""The message catalogs (rustlamp/locale): gettext's own tools accept them, every translation is complete,
keeps the source's {fields} and plural forms, leaves no English behind, and rustlamp reads them as Babel
(the translators' library) does."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from babel.dates import get_day_names, get_month_names
from babel.messages.pofile import read_po

from rustlamp.core.catalog import (
    HEADER,
    PSEUDO_VARIABLE,
    SOURCE_LANGUAGE,
    CatalogError,
    Message,
    available_languages,
    catalog,
    parse_po,
    placeholders,
    pseudo_catalog,
    pseudo_words,
    read_messages,
)
from rustlamp.core.content import LANGUAGES
from rustlamp.core.texts import MONTH_KEYS, WEEKDAY_KEYS, counted, human_moment, text

LOCALE = Path(__file__).resolve().parent.parent / "rustlamp" / "locale"
TEMPLATE = LOCALE / "rustlamp.pot"
TRANSLATIONS = sorted(path.stem for path in LOCALE.glob("*.po"))

# Messages a translation may leave exactly as the English source, per language, because the words are the
# same there (a name, a loanword, only {fields}). Anything else equal to the source is English left behind.
SAME_AS_ENGLISH: dict[str, set[str]] = {
    "nl": {
        "app.about_title",
        "app.config_where",
        "app.config_where_routine",
        "app.plan_routine",
        "date.day",
        "date.day_year",
        "date.moment",
        "duration.minutes",
        "duration.seconds",
        "settings.tab_privacy",
        "settings.tab_routines",
        "problem.type_bool",
        "problem.type_other",
        "problem.as_is",
        "problem.like_breath",
        "problem.like_sooner",
        "week.checkins",
        "week.day",
        "week.date",
    },
    "de": {
        "app.about_title",
        "app.config_where",
        "checkin.body_choice.okay",
        "problem.type_bool",
        "problem.type_other",
        "problem.as_is",
        "settings.routine_name",
        "week.day",
    },
}


def messages(path: Path) -> dict[str, Message]:
    """Every message of a catalog, with its notes and flags, by key (the header left out)."""
    found = read_messages(path.read_text(encoding="utf-8"), path.name)
    return {message.key: message for message in found if message.key != HEADER}


def source() -> dict[str, Message]:
    return messages(TEMPLATE)


def translation(language: str) -> dict[str, Message]:
    return messages(LOCALE / f"{language}.po")


def test_there_is_a_translation_and_the_app_knows_it() -> None:
    assert "nl" in TRANSLATIONS
    assert available_languages() == (SOURCE_LANGUAGE, *TRANSLATIONS)


@pytest.mark.parametrize("name", ["rustlamp.pot", *(f"{language}.po" for language in TRANSLATIONS)])
def test_gettexts_own_checker_accepts_the_catalog(name: str) -> None:
    if shutil.which("msgfmt") is None:
        pytest.fail("msgfmt is missing: tests/setup/debian-packages.sh installs gettext")
    checked = subprocess.run(
        ["msgfmt", "--check", "--check-accelerators=&", "-o", os.devnull, str(LOCALE / name)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize("name", ["rustlamp.pot", *(f"{language}.po" for language in TRANSLATIONS)])
def test_rustlamp_reads_a_catalog_as_babel_does(name: str) -> None:
    path = LOCALE / name
    ours = messages(path)
    with path.open("rb") as file:
        theirs = {message.context: message for message in read_po(file) if message.id}
    assert set(ours) == set(theirs)
    for key, message in ours.items():
        babel = theirs[key]
        if message.source_plural is None:
            assert (message.source, message.forms[0]) == (babel.id, babel.string or ""), key
        else:
            assert (message.source, message.source_plural) == tuple(babel.id), key
            assert message.forms == tuple(babel.string), key
        assert list(message.notes) == babel.auto_comments, key


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_a_translation_has_every_message_of_the_source_and_no_other(language: str) -> None:
    english, translated = source(), translation(language)
    assert sorted(set(english) - set(translated)) == [], "missing: run msgmerge (CONTRIBUTING.md)"
    assert sorted(set(translated) - set(english)) == [], "no longer in rustlamp.pot"
    for key, message in english.items():
        # msgid is the English the translator translated from: an old one means the translation is stale
        assert (translated[key].source, translated[key].source_plural) == (
            message.source,
            message.source_plural,
        )


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_every_message_is_translated_with_all_its_plural_forms(language: str) -> None:
    nplurals = int(re.search(r"nplurals\s*=\s*(\d+)", catalog(language).plural_rule).group(1))  # type: ignore[union-attr]
    for key, message in translation(language).items():
        assert not message.fuzzy, f"{key} is marked fuzzy: check it, then remove the flag"
        assert all(form.strip() for form in message.forms), f"{key} has no translation"
        wanted = 1 if message.source_plural is None else nplurals
        assert len(message.forms) == wanted, key


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_a_translation_keeps_the_fields_of_the_source(language: str) -> None:
    for key, message in translation(language).items():
        for form in message.forms:
            wanted = placeholders(message.source_plural or message.source)
            if message.source_plural is not None and placeholders(form) != wanted:
                # a language may say "one" in words for a single thing, like English's singular may
                wanted = placeholders(message.source)
            assert placeholders(form) == wanted, (key, form)


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_no_english_is_left_in_a_translation(language: str) -> None:
    allowed = SAME_AS_ENGLISH.get(language, set())
    left = sorted(
        key
        for key, message in translation(language).items()
        if message.forms[0] == message.source and key not in allowed
    )
    assert left == []
    stale = sorted(
        key
        for key in allowed
        if key in source() and translation(language)[key].forms[0] != source()[key].source
    )
    assert stale == [], "no longer the same as English: take it off SAME_AS_ENGLISH"


@pytest.mark.parametrize("language", [SOURCE_LANGUAGE, *TRANSLATIONS])
def test_weekday_and_month_names_are_the_cldr_ones_babel_knows(language: str) -> None:
    found = catalog(language)
    days = [found.word(f"day.{key}") for key in WEEKDAY_KEYS]
    months = [found.word(f"month.{key}") for key in MONTH_KEYS]
    kinds = ("format", "stand-alone")
    assert any(days == [get_day_names("abbreviated", k, language)[i] for i in range(7)] for k in kinds), days
    assert any(
        months == [get_month_names("abbreviated", k, language)[i] for i in range(1, 13)] for k in kinds
    )


def test_plural_forms_follow_the_count() -> None:
    assert counted("nl", "journal_entries", 1) == "1 regel"
    assert counted("nl", "journal_entries", 3) == "3 regels"
    assert counted("en", "journal_entries", 1) == "1 entry"
    assert counted("en", "journal_entries", 0) == "0 entries"


def test_dates_use_the_catalogs_names() -> None:
    monday = datetime(2026, 12, 7, 9, 45)
    assert human_moment("nl", monday) == "ma 7 dec 09:45"
    assert human_moment("en", monday) == "Mon 7 Dec 09:45"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('msgctxt "a"\nmsgid "x"\nmsgstr "y"\nnonsense\n', "broken.po, line 4: expected msgctxt"),
        ('msgid "x"\nmsgstr "y"\n', "broken.po, line 1: a message without msgctxt"),
        ('msgctxt "a"\nmsgid "x"\nmsgstr "y\n', "broken.po, line 3: expected a text in double quotes"),
        (
            'msgctxt "a"\nmsgid "x"\nmsgstr "y"\n\nmsgctxt "a"\nmsgid "z"\nmsgstr ""\n',
            "the key a is there twice",
        ),
        ('msgctxt "a"\nmsgid "x\\q"\nmsgstr ""\n', "broken.po, line 2: unknown escape \\q"),
        ('msgid ""\nmsgstr "Plural-Forms: nplurals=2; plural=(n !=;\\n"\n', "Plural-Forms"),
    ],
)
def test_a_broken_catalog_is_named_with_its_line(text: str, said: str) -> None:
    with pytest.raises(CatalogError, match=re.escape(said)):
        parse_po(text, "broken.po", "xx")


def test_a_fuzzy_or_empty_translation_falls_back_to_english() -> None:
    found = parse_po(
        '#, fuzzy\nmsgctxt "a"\nmsgid "Rest"\nmsgstr "Rust?"\n\nmsgctxt "b"\nmsgid "Done"\nmsgstr ""\n',
        "x.po",
        "nl",
    )
    assert (found.word("a"), found.word("b")) == ("Rest", "Done")


def test_a_plural_rule_with_three_forms_picks_each() -> None:
    polish = (
        'msgid ""\nmsgstr "Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || '
        'n%100>=20) ? 1 : 2);\\n"\n\nmsgctxt "k"\nmsgid "{count} line"\nmsgid_plural "{count} lines"\n'
        'msgstr[0] "{count} linia"\nmsgstr[1] "{count} linie"\nmsgstr[2] "{count} linii"\n'
    )
    found = parse_po(polish, "pl.po", "pl")
    assert [found.plural("k", n).format(count=n) for n in (1, 3, 5, 22)] == [
        "1 linia", "3 linie", "5 linii", "22 linie"
    ]  # fmt: skip


def test_the_pseudo_locale_is_accented_longer_and_keeps_the_fields() -> None:
    pseudo = pseudo_catalog()
    for key, message in source().items():
        words = pseudo.word(key)
        assert placeholders(words) == placeholders(message.source), key
        letters = len(re.sub(r"\{[^{}]*\}", "", message.source))
        assert len(re.sub(r"\{[^{}]*\}", "", words)) >= letters * 1.3, key
        assert words.startswith("[") and words.endswith("]")
    assert pseudo_words("Rest {name}") == "[Řéšť {name} ~]"


def test_the_pseudo_locale_is_chosen_by_its_variable_in_a_fresh_process() -> None:
    code = "from rustlamp.core.texts import text; print(text('en', 'menu_quit'))"
    env = {**os.environ, PSEUDO_VARIABLE: "1"}
    said = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert said.stdout.strip() == pseudo_words("Quit")
    assert text("en", "menu_quit") == "Quit"  # this process has no such variable


def test_a_language_is_added_with_its_two_files_and_no_python(tmp_path: Path) -> None:
    """A copy of the package with a catalog and prompts for "xx" (the Dutch ones, relabelled): rustlamp
    offers it, "auto" picks it on an xx system, the settings accept it, and it speaks it."""
    package = tmp_path / "rustlamp"
    shutil.copytree(
        Path(__file__).resolve().parent.parent / "rustlamp",
        package,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    dutch = (package / "locale" / "nl.po").read_text(encoding="utf-8")
    (package / "locale" / "xx.po").write_text(
        dutch.replace('"Language: nl\\n"', '"Language: xx\\n"'), "utf-8"
    )
    shutil.copy(package / "content" / "nl.toml", package / "content" / "xx.toml")
    code = (
        "import os\n"
        "from rustlamp.core.content import LANGUAGES, load_content, resolve_language\n"
        "from rustlamp.core.config import parse_settings\n"
        "from rustlamp.core.texts import text\n"
        "print(LANGUAGES)\n"
        "print(resolve_language('auto', {'LANG': 'xx_YY.UTF-8'}))\n"
        "print(parse_settings('language = \"xx\"\\n', 'c.toml').errors)\n"
        "print(text('xx', 'menu_quit'), load_content('xx').checkin_title)\n"
    )
    env = {key: value for key, value in os.environ.items() if key != PSEUDO_VARIABLE}
    said = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    assert said.stdout.splitlines() == [str((*LANGUAGES, "xx")), "xx", "()", "Afsluiten Even inchecken"]


KEY_USES = [
    # text(language, "key"), counted(...), week_text(...): a literal key in the code, and its catalog prefix
    (re.compile(r'\b(?:text|_said|counted)\(\s*[^,()]+,\s*"([a-z_]+)"'), "app", "rustlamp"),
    (re.compile(r'\bweek_text\(\s*[^,()]+,\s*"([a-z_]+)"'), "week", "rustlamp"),
    (re.compile(r'\bwords\["([a-z_]+)"\]'), "settings", "rustlamp/ui/settings_*.py"),
    # the command line's help and answers: cli_word(language, "key"), or its local word("key")
    (
        re.compile(r'\b(?:cli_word\(\s*[^,()]+,|cli_counted\(\s*[^,()]+,|word\()\s*"([a-z_]+)"'),
        "cli",
        "rustlamp/*cli.py",
    ),
    # a problem's phrase (rustlamp.core.problem_words): phrase("not_a_duration") is under "problem.",
    # phrase("journal.damaged") a whole key; failed("control.no_answer"), a reply of the running rustlamp
    (re.compile(r'\b(?:phrase|failed)\(\s*"([a-z_]+(?:\.[a-z_]+)?)"'), "problem", "rustlamp"),
]


def test_every_key_the_code_names_is_in_the_catalog() -> None:
    keys = set(source())
    root = Path(__file__).resolve().parent.parent
    named, missing = 0, []
    for pattern, prefix, where in KEY_USES:
        files = root.glob(f"{where}/**/*.py") if "*" not in where else root.glob(where)
        for path in files:
            for match in pattern.finditer(path.read_text(encoding="utf-8")):
                named += 1
                key = match.group(1) if "." in match.group(1) else f"{prefix}.{match.group(1)}"
                if key not in keys:
                    missing.append(f"{path.relative_to(root)}: {key}")
    assert named > 100  # the patterns still find the code's words
    assert missing == [], "add these to rustlamp/locale/rustlamp.pot and every .po (CONTRIBUTING.md)"
