"""The words of problems, in every language with a catalog, precise or plain: the settings' ("problem."
keys), and any other a person reads (a whole key: "journal.damaged", "cli.since_after_until").

A problem's words are a Phrase: a key into PROBLEM_WORDS (the catalogs' "problem." keys) and its values,
which are plain text (a key name, a value as written), durations (Amount), phrases themselves, as in
"{reason}; allowed: {allowed}", or a Precise pair. A phrase is said two ways, each in any language.
Precise (`said(language, precise=True)`) is what `rustlamp config check` prints: the sentence in the
person's language, durations as the file writes them ("10s tot 24h"), the file's own forms ('"HH:MM"').
Plain is for a person, in the settings window and in a notification: durations in words ("10 sec tot 24
uur"), examples the way people write them ("9:00 of 17:30"). Text from elsewhere (tomllib's detail on a
syntax error, the system's reason a file cannot be read) is a value too, so it stays as it came.

Parsers raise PhrasedValueError or PhrasedTypeError, other code `phrased(SomeError, words)`: their str() is
the precise English (for the log), and `.phrase` says it in the person's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from rustlamp.core.catalog import LanguageTables, catalog

# PROBLEM_WORDS[language][key]: the "problem." keys of the catalogs in rustlamp/locale.
PROBLEM_WORDS: Mapping[str, Mapping[str, str]] = LanguageTables("problem")

ENGLISH = "en"


@dataclass(frozen=True)
class Phrase:
    """What is wrong, in no language yet: a key into PROBLEM_WORDS ("not_a_duration"), or a whole catalog
    key for a problem outside the settings ("journal.damaged", "cli.import_not_json"), and the values for
    its {fields}. str() is the precise English, for the log."""

    key: str
    values: tuple[tuple[str, Value], ...] = ()

    def said(self, language: str, precise: bool = False) -> str:
        """The words in `language` (one with a catalog; any other: English); `precise`: as config check says
        it."""
        values = {name: _said(v, language, precise) for name, v in self.values}
        return _words(language, self.key).format(**values)

    def __str__(self) -> str:
        return self.said(ENGLISH, precise=True)

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


def _full_key(key: str) -> str:
    return key if "." in key else f"problem.{key}"


def _words(language: str, key: str) -> str:
    try:
        found = catalog(language)
    except KeyError:  # a language without a catalog
        found = catalog(ENGLISH)
    return found.word(_full_key(key))


def phrase(key: str, /, **values: Value) -> Phrase:
    """A problem's words: `key` under "problem." ("not_a_duration"), or a whole catalog key
    ("journal.damaged"); KeyError for a key the catalogs do not have."""
    if _full_key(key) not in catalog(ENGLISH, pseudo=False).words:
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


_Error = TypeVar("_Error", bound=BaseException)


def phrased(kind: type[_Error], words: Phrase) -> _Error:
    """An exception of a given kind (a PermissionError, a TimeoutError: what callers catch) whose text is the
    English of `words` and whose `.phrase` says it in the person's language."""
    error = kind(str(words))
    error.phrase = words  # type: ignore[attr-defined]
    return error


def reason_of(error: BaseException) -> Phrase | str:
    """Why, from an exception: its phrase when it has one (our words), else the system's own words
    (strerror) or the exception's text, which come from elsewhere and stay as they came."""
    found = getattr(error, "phrase", None)
    if isinstance(found, Phrase):
        return found
    return (error.strerror if isinstance(error, OSError) else None) or str(error)


def said_reason(error: BaseException, language: str) -> str:
    """reason_of, said in `language`."""
    found = reason_of(error)
    return found if isinstance(found, str) else found.said(language)
