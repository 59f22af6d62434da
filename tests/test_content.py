"""The texts rustlamp says, and the picker that chooses them."""

from __future__ import annotations

import itertools
import random
import re
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rustlamp.core.checkin import BODY_CHOICES, BODY_SIGNALS, BREATH_CHOICES, MAX_NEED
from rustlamp.core.content import (
    LANGUAGES,
    THEMES,
    CheckinWords,
    Content,
    PromptPicker,
    _parse,
    load_content,
    resolve_language,
)

pytestmark = pytest.mark.windows

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

USER_LINE = "Adem. Je mag het zacht doen."
CHECKIN = {
    "nl": ("Hoe voelt mijn lijf nu?", "Adem ik rustig of gejaagd?", "Waar heb ik behoefte aan?"),
    "en": ("How does my body feel now?", "Is my breathing calm or hurried?", "What do I need?"),
    "de": ("Wie fühlt sich mein Körper gerade an?", "Atme ich ruhig oder gehetzt?", "Was brauche ich?"),
}
# Anything that looks like leftover markup, placeholders or editing notes.
MARKUP = re.compile(r"[<>{}\[\]*_`#|\\\n\t]|\s{2}|TODO|XXX|FIXME|%s|\$")
CONTENTS = {language: load_content(language) for language in LANGUAGES}


def checkin_texts(words: CheckinWords) -> list[str]:
    texts = [words.intro, words.signals_label, words.suggestions_label, words.note, words.save]
    texts += [words.cancel, words.thanks, words.offer, *words.need_suggestions]
    texts += [*words.body_choices.values(), *words.signals.values(), *words.breath_choices.values()]
    return texts


def all_texts(content: Content) -> list[str]:
    texts = [*content.prompts, content.checkin_title, *content.checkin_questions]
    for prompts in content.routines.values():
        texts.extend(prompts)
    return [*texts, *checkin_texts(content.checkin_words)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_counts(language: str) -> None:
    content = CONTENTS[language]
    assert content.language == language
    assert set(content.themes) == set(THEMES)
    assert len(content.prompts) >= 34
    for theme in THEMES:
        assert len(content.themes[theme]) >= 7, theme
    for routine in ("morning", "evening", "other"):
        assert len(content.routines[routine]) >= 3, routine


def test_the_same_number_per_theme_in_both_languages() -> None:
    nl, en = CONTENTS["nl"], CONTENTS["en"]
    assert {t: len(p) for t, p in nl.themes.items()} == {t: len(p) for t, p in en.themes.items()}


def test_prompts_are_the_themes_in_file_order() -> None:
    content = CONTENTS["nl"]
    assert content.prompts == tuple(p for theme in content.themes.values() for p in theme)
    assert content.prompts[0] == USER_LINE


def test_the_users_own_line_is_there_exactly() -> None:
    assert USER_LINE in CONTENTS["nl"].prompts


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_duplicates(language: str) -> None:
    content = CONTENTS[language]
    assert len(set(content.prompts)) == len(content.prompts)
    for name, prompts in content.routines.items():
        assert len(set(prompts)) == len(prompts), name


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_is_short_gentle_and_clean(language: str) -> None:
    for text in all_texts(CONTENTS[language]):
        assert text == text.strip() and text, repr(text)
        assert "!" not in text, text
        assert len(text) < 140, text
        assert not MARKUP.search(text), text


def test_no_nagging_words() -> None:
    for text in all_texts(CONTENTS["nl"]):
        assert not re.search(r"\bmoet(en)?\b", text, re.IGNORECASE), text
    for text in all_texts(CONTENTS["en"]):
        assert not re.search(r"\b(should|must|streak|score)\b", text, re.IGNORECASE), text
    for text in all_texts(CONTENTS["de"]):
        assert not re.search(r"\b(musst|sollst|solltest|Serie|Punkte)\b", text, re.IGNORECASE), text


@pytest.mark.parametrize("language", LANGUAGES)
def test_checkin_questions_are_exact(language: str) -> None:
    content = CONTENTS[language]
    assert content.checkin_questions == CHECKIN[language]
    assert (
        content.checkin_title
        == {
            "nl": "Even inchecken",
            "en": "A short check-in",
            "de": "Kurz einchecken",
        }[language]
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_checkin_choice_has_a_label_in_the_checkin_modules_order(language: str) -> None:
    words = CONTENTS[language].checkin_words
    assert tuple(words.body_choices) == BODY_CHOICES
    assert tuple(words.signals) == BODY_SIGNALS
    assert tuple(words.breath_choices) == BREATH_CHOICES
    for labels in (words.body_choices, words.signals, words.breath_choices):
        assert len(set(labels.values())) == len(labels)
    assert all(text for text in checkin_texts(words))
    assert all(len(suggestion) <= MAX_NEED for suggestion in words.need_suggestions)


def test_the_checkin_words_we_promised() -> None:
    nl, en = CONTENTS["nl"].checkin_words, CONTENTS["en"].checkin_words
    assert dict(nl.signals) == {
        "shoulders": "Vastzittende schouders",
        "sigh": "Een diepe zucht",
        "wobbly": "Wiebelig gevoel in buik of borst",
        "dropping": "Dingen laten vallen of vergeten",
    }
    assert dict(en.signals) == {
        "shoulders": "Tight shoulders",
        "sigh": "A deep sigh",
        "wobbly": "A wobbly feeling in belly or chest",
        "dropping": "Dropping or forgetting things",
    }
    assert (nl.offer, en.offer) == ("Even inchecken…", "Check in…")
    # tea without a screen, out of the window, one song with a hand on the heart, a few minutes alone
    assert len(nl.need_suggestions) == len(en.need_suggestions) == 4


def _packaged(language: str) -> dict[str, Any]:
    text = (resources.files("rustlamp") / "content" / f"{language}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c.update(need_suggestions=[]), "need_suggestions must be a non-empty list"),
        (lambda c: c.update(need_suggestions=["x" * (MAX_NEED + 1)]), f"over {MAX_NEED} characters"),
        # the window's own words moved to the catalogs: a file that still has them is told where they went
        (lambda c: c.update(save="Bewaren"), r"\[checkin\] has save: .*\(rustlamp/locale, msgctxt checkin"),
        (lambda c: c.update(body_choices={"tired": "Moe"}), r"has body_choices: .* catalog"),
    ],
)
def test_a_broken_checkin_table_is_refused_with_its_place(
    change: Callable[[dict[str, Any]], object], message: str
) -> None:
    data = _packaged("nl")
    change(data["checkin"])
    with pytest.raises(ValueError, match=message) as info:
        _parse("nl", data)
    assert "nl.toml" in str(info.value)


def test_a_hand_built_content_has_empty_checkin_words_and_they_cannot_change() -> None:
    content = Content(
        language="en",
        themes={"breath": ("Breathe.",), "body": (), "small": (), "kind": ()},
        routines={"morning": ("Morning.",), "evening": ("Evening.",), "other": ("Other.",)},
        checkin_title="t",
        checkin_questions=("a", "b", "c"),
    )
    assert content.checkin_words == CheckinWords()
    assert content.checkin_words.save == "" and not content.checkin_words.body_choices
    words = CONTENTS["en"].checkin_words
    with pytest.raises(TypeError):
        words.body_choices["tired"] = "Sleepy"  # type: ignore[index]
    with pytest.raises(AttributeError):
        words.save = "Keep"  # type: ignore[misc]


def test_content_cannot_be_changed() -> None:
    content = CONTENTS["en"]
    with pytest.raises(TypeError):
        content.themes["breath"] = ()  # type: ignore[index]
    with pytest.raises(AttributeError):
        content.language = "nl"  # type: ignore[misc]


@pytest.mark.parametrize("language", ["xx", "", "english", "auto"])
def test_unknown_language_names_the_allowed_ones(language: str) -> None:
    with pytest.raises(ValueError) as info:
        load_content(language)
    assert "nl" in str(info.value) and "en" in str(info.value)


def test_language_code_is_forgiving_about_case_and_space() -> None:
    assert load_content(" NL ").language == "nl"


@pytest.mark.parametrize("language", LANGUAGES)
def test_packaged_files_are_found_through_importlib_resources(language: str) -> None:
    resource = resources.files("rustlamp") / "content" / f"{language}.toml"
    assert resource.is_file()
    data = tomllib.loads(resource.read_text(encoding="utf-8"))
    assert tuple(data["prompts"]["themes"]["breath"]) == CONTENTS[language].themes["breath"]


def test_pyproject_ships_the_content_files() -> None:
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    assert "content/*.toml" in data["tool"]["setuptools"]["package-data"]["rustlamp"]


# --- resolve_language -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "env", "expected"),
    [
        ("nl", {"LANG": "en_US.UTF-8"}, "nl"),
        ("en", {"LANG": "nl_NL.UTF-8"}, "en"),
        (" NL ", {}, "nl"),
        ("auto", {}, "en"),
        ("auto", {"LANG": "nl_NL.UTF-8"}, "nl"),
        ("auto", {"LANG": "nl_BE.UTF-8"}, "nl"),
        ("auto", {"LANG": "nl"}, "nl"),
        ("auto", {"LANG": "nl-NL"}, "nl"),
        ("auto", {"LANG": "nl_NL@euro"}, "nl"),
        ("auto", {"LANG": "en_GB.UTF-8"}, "en"),
        ("auto", {"LANG": "C.UTF-8"}, "en"),
        ("auto", {"LANG": "nds_NL"}, "en"),
        ("auto", {"LC_ALL": "nl_NL.UTF-8", "LANG": "en_US.UTF-8"}, "nl"),
        ("auto", {"LC_ALL": "en_US.UTF-8", "LANG": "nl_NL.UTF-8"}, "en"),
        ("auto", {"LC_ALL": "", "LC_MESSAGES": "nl_NL.UTF-8", "LANG": "en_US"}, "nl"),
        ("auto", {"LC_MESSAGES": "en_US", "LANG": "nl_NL"}, "en"),
        ("auto", {"LANG": "", "LANGUAGE": "nl:en"}, "nl"),
        ("auto", {"LANGUAGE": "en:nl"}, "en"),
        ("auto", {"LANGUAGE": "::nl_BE:en"}, "nl"),
        ("auto", {"LANGUAGE": ":"}, "en"),
        ("auto", {"LANG": "en_US", "LANGUAGE": "nl"}, "en"),
        ("Auto", {"LANG": "NL_nl"}, "nl"),
    ],
)
def test_resolve_language(setting: str, env: dict[str, str], expected: str) -> None:
    assert resolve_language(setting, env) == expected


def test_resolve_language_refuses_an_unknown_setting() -> None:
    with pytest.raises(ValueError, match="nl"):
        resolve_language("fr", {})


# --- PromptPicker -----------------------------------------------------------------------------------

themes_or_none = st.one_of(st.none(), st.sampled_from(THEMES))
extra_lists = st.lists(st.text(max_size=20), max_size=8)
ROUTINE_NAMES = ["morning", "evening", "other", "lunch", "Walk", " MORNING "]


@settings(max_examples=200)
@given(
    language=st.sampled_from(LANGUAGES),
    seed=st.integers(),
    calls=st.lists(themes_or_none, max_size=120),
    extra=extra_lists,
)
def test_next_never_repeats_and_every_extra_comes(
    language: str, seed: int, calls: list[str | None], extra: list[str]
) -> None:
    content = CONTENTS[language]
    picker = PromptPicker(content, extra, random.Random(seed))
    previous: str | None = None
    # Consecutive calls to next() never give the same text, whatever theme each call asks for.
    for theme in calls:
        got = picker.next(theme)
        assert got != previous
        assert got in picker.pool(theme)
        if theme is not None:
            assert got in content.themes[theme]
        previous = got
    # Whatever came before, a full round (and a bit) of unthemed calls brings every extra prompt.
    seen: set[str] = set()
    for _ in range(2 * len(picker.pool())):
        got = picker.next()
        assert got != previous
        seen.add(got)
        previous = got
    wanted = {text.strip() for text in extra if text.strip()}
    assert wanted <= seen
    assert seen == set(picker.pool())


@given(seed=st.integers(), theme=themes_or_none, extra=extra_lists)
def test_a_bag_goes_through_everything_before_repeating(
    seed: int, theme: str | None, extra: list[str]
) -> None:
    picker = PromptPicker(CONTENTS["nl"], extra, random.Random(seed))
    pool = picker.pool(theme)
    first_round = [picker.next(theme) for _ in range(len(pool))]
    assert sorted(first_round) == sorted(pool)


@given(
    seed=st.integers(),
    names=st.lists(
        st.sampled_from(["morning", "evening", "other", "lunch", "Walk", " MORNING "]), max_size=80
    ),
)
def test_routine_never_twice_in_a_row(seed: int, names: list[str]) -> None:
    content = CONTENTS["en"]
    picker = PromptPicker(content, rng=random.Random(seed))
    last: dict[str, str] = {}
    for name in names:
        key = name.strip().lower()
        got = picker.routine(name)
        pool_name = key if key in ("morning", "evening") else "other"
        assert got in content.routines[pool_name]
        assert got != last.get(key)
        last[key] = got


def test_extra_prompts_are_cleaned() -> None:
    content = CONTENTS["nl"]
    picker = PromptPicker(content, ["  thee  ", "thee", "", "   ", USER_LINE, f" {USER_LINE}", "raam"])
    assert picker.extra == ("thee", "raam")
    assert picker.pool() == (*content.prompts, "thee", "raam")


def test_the_same_seed_gives_the_same_order() -> None:
    a = PromptPicker(CONTENTS["en"], rng=random.Random(7))
    b = PromptPicker(CONTENTS["en"], rng=random.Random(7))
    assert [a.next() for _ in range(60)] == [b.next() for _ in range(60)]


def test_a_single_prompt_may_repeat() -> None:
    content = Content(
        language="en",
        themes={"breath": ("Breathe.",), "body": (), "small": (), "kind": ()},
        routines={"morning": ("Morning.",), "evening": ("Evening.",), "other": ("Other.",)},
        checkin_title="t",
        checkin_questions=("a", "b", "c"),
    )
    picker = PromptPicker(content)
    assert [picker.next() for _ in range(3)] == ["Breathe."] * 3
    assert [picker.routine("lunch") for _ in range(2)] == ["Other."] * 2
    with pytest.raises(ValueError):
        picker.next("body")
    # One extra prompt makes two: now they alternate.
    picker = PromptPicker(content, ["Tea."], random.Random(1))
    results = [picker.next() for _ in range(6)]
    assert all(a != b for a, b in itertools.pairwise(results))


def test_unknown_theme_names_the_themes() -> None:
    picker = PromptPicker(CONTENTS["nl"])
    with pytest.raises(ValueError, match="breath"):
        picker.next("sleep")


def test_a_hand_built_content_with_repeats_still_never_repeats() -> None:
    content = Content(
        language="en",
        themes={"breath": ("A", "B", "A"), "body": ("B",), "small": ("C",), "kind": ("A",)},
        routines={"morning": ("M", "M", "N"), "evening": ("E",), "other": ("O",)},
        checkin_title="t",
        checkin_questions=("a", "b", "c"),
    )
    picker = PromptPicker(content, rng=random.Random(3))
    assert picker.pool() == ("A", "B", "C")
    results = [picker.next("breath") for _ in range(20)]
    assert all(a != b for a, b in itertools.pairwise(results))
    mornings = [picker.routine("morning") for _ in range(20)]
    assert all(a != b for a, b in itertools.pairwise(mornings))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_mild_lines_after_an_attempt_are_never_prompts(language: str) -> None:
    content = load_content(language)
    assert len(content.after_attempt) >= 3
    assert not set(content.after_attempt) & set(content.prompts)
    picker = PromptPicker(content, extra=content.after_attempt)  # not even as a person's own prompt
    assert not set(picker.pool()) & set(content.after_attempt)
    assert picker.after_attempt() in content.after_attempt


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_routine_gets_the_words_of_its_kind(language: str) -> None:
    content = load_content(language)
    picker = PromptPicker(content)
    assert picker.routine("morning") in content.routines["morning"]
    assert picker.routine("evening") in content.routines["evening"]
    assert picker.routine("other") in content.routines["other"]
