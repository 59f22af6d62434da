"""The app's words, read from gettext catalogs: rustlamp/locale/rustlamp.pot holds the English source (English
is the source language), rustlamp/locale/<language>.po a translation of it, in the format every translator's
tool opens (Poedit, Lokalize, Weblate, msgfmt). CONTRIBUTING.md says how to add a language.

Every message carries a stable key as its msgctxt ("app.reminder_title", "week.rests"), so code asks for a
key and the words live in the catalogs only. A plural message has a msgid_plural and one form per plural
case; the catalog's Plural-Forms header picks the case.

The .po text is read directly and kept in memory (no .mo step): the same on an editable install, a wheel, a
Debian python and Windows, and a few hundred messages read in a few milliseconds. Pure: standard library only.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache
from gettext import c2py
from importlib import resources
from types import MappingProxyType
from typing import NamedTuple

SOURCE_LANGUAGE = "en"
DOMAIN = "rustlamp"
# Set to anything but "" or "0": the English words, accented and about 30 % longer, to see in every window
# what a longer language does and which text does not come from the catalogs.
PSEUDO_VARIABLE = "RUSTLAMP_PSEUDO_LOCALE"
# The source's plural rule, and the one a catalog without a Plural-Forms header gets.
_ENGLISH_PLURAL = "nplurals=2; plural=(n != 1);"
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


class CatalogError(ValueError):
    """A catalog that cannot be read: its str() names the file and the line."""


class Message(NamedTuple):  # a NamedTuple, not a dataclass: lighter to define in the resident lamp
    """One entry of a catalog: its key (msgctxt), the English source, and the translation's forms (one,
    or one per plural case). `notes` are the translator comments (#.), `fuzzy` a translation a tool or a
    translator marked as unsure: it is not used."""

    key: str
    source: str
    source_plural: str | None
    forms: tuple[str, ...]
    notes: tuple[str, ...] = ()
    fuzzy: bool = False

    @property
    def translated(self) -> bool:
        return not self.fuzzy and bool(self.forms) and all(self.forms)


class EnglishForms(tuple[str, ...]):
    """The English forms of a plural message a translation has not translated (yet): picked by English's
    rule, not the translation's."""


class Catalog:
    """What the app keeps of a catalog: each key's words (a plural message: its forms), nothing else, so the
    resident lamp holds little. An untranslated or fuzzy message holds the English source. Hashed by
    identity, so its tables can be cached."""

    __slots__ = ("language", "plural_rule", "words")

    def __init__(
        self, language: str, words: Mapping[str, str | tuple[str, ...]], plural_rule: str = _ENGLISH_PLURAL
    ) -> None:
        self.language = language
        self.words = words
        self.plural_rule = plural_rule

    @classmethod
    def from_messages(cls, language: str, messages: Iterable[Message], plural_rule: str) -> Catalog:
        words: dict[str, str | tuple[str, ...]] = {}
        for message in messages:
            english = language == SOURCE_LANGUAGE or not message.translated
            if message.source_plural is None:
                words[message.key] = message.source if english else message.forms[0]
            elif english:
                words[message.key] = EnglishForms((message.source, message.source_plural))
            else:
                words[message.key] = message.forms
        return cls(language, words, plural_rule)

    def word(self, key: str) -> str:
        """The words of a key in this language; the English source when it has no translation (yet)."""
        found = self.words[key]
        return found if isinstance(found, str) else found[0]

    def plural(self, key: str, count: int) -> str:
        """The form of a plural key that goes with `count` ("{count} rustmoment" / "{count} rustmomenten")."""
        found = self.words[key]
        if isinstance(found, str):
            return found
        rule = _ENGLISH_PLURAL if isinstance(found, EnglishForms) else self.plural_rule
        return found[min(_plural_index(rule)(count), len(found) - 1)]

    def table(self, prefix: str) -> Mapping[str, str]:
        """The singular words under "<prefix>.", by the rest of their key: {"reminder_title": "Even rust"}."""
        return _table(self, prefix)


@cache
def _table(catalog: Catalog, prefix: str) -> Mapping[str, str]:
    start = prefix + "."
    return MappingProxyType(
        {
            key[len(start) :]: words
            for key, words in catalog.words.items()
            if key.startswith(start) and isinstance(words, str)
        }
    )


class LanguageTables(Mapping[str, Mapping[str, str]]):
    """TABLE[language][key] for the keys under one prefix: how code that looked words up in a Python table
    (rustlamp.core.texts.TEXTS) keeps doing so, now from the catalogs. Read at first use, not at import."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __getitem__(self, language: str) -> Mapping[str, str]:
        return catalog(language).table(self.prefix)

    def __iter__(self) -> Iterator[str]:
        return iter(available_languages())

    def __len__(self) -> int:
        return len(available_languages())


def placeholders(words: str) -> list[str]:
    """The {fields} in a text, in order: what a translation must keep."""
    return sorted(_PLACEHOLDER.findall(words))


# -- reading a .po file ---------------------------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
_QUOTED = re.compile(r'^"((?:[^"\\]|\\.)*)"\s*$')
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(.*)$")


def _unquote(text: str, name: str, number: int) -> str:
    # the common line, "words" with no quote or backslash inside, without the regex (a window reads its
    # catalog at every start); anything else the regex checks and says where it is wrong
    body = text[1:-1]
    if len(text) > 1 and text[0] == '"' and text[-1] == '"' and '"' not in body and "\\" not in body:
        return body
    match = _QUOTED.match(text)
    if match is None:
        raise CatalogError(f'{name}, line {number}: expected a text in double quotes, like "Even rust"')
    body = match.group(1)
    if "\\" not in body:
        return body

    def unescape(escape: re.Match[str]) -> str:
        escaped = escape.group(1)
        if escaped not in _ESCAPES:
            raise CatalogError(
                f'{name}, line {number}: unknown escape \\{escaped}; allowed: \\n \\t \\" \\\\'
            )
        return _ESCAPES[escaped]

    return _ESCAPE.sub(unescape, body)


_FIELDS = frozenset(("msgctxt", "msgid", "msgid_plural", "msgstr"))


class _Entry:
    __slots__ = ("fields", "flags", "line", "notes")

    def __init__(self, line: int) -> None:
        self.line = line
        self.fields: dict[str, str] = {}
        self.notes: list[str] = []
        self.flags: set[str] = set()


def _entries(lines: Iterable[str], name: str) -> Iterator[_Entry]:
    entry: _Entry | None = None
    current: str | None = None
    if isinstance(lines, str):
        lines = lines.splitlines()
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        first = line[0]
        if first == "#":
            if entry is not None and entry.fields:  # a comment starts the next entry
                yield entry
                entry, current = None, None
            entry = entry or _Entry(number)
            if line.startswith("#."):
                entry.notes.append(line[2:].strip())
            elif line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue  # #: places and #| earlier sources are for the tools
        if first == '"':
            if entry is None or current is None:
                raise CatalogError(
                    f"{name}, line {number}: a continued text without msgid or msgstr before it"
                )
            entry.fields[current] += _unquote(line, name, number)
            continue
        field, _, rest = line.partition(" ")
        if field not in _FIELDS:  # msgstr[n], or not a keyword at all: the regex tells which
            keyword = _KEYWORD.match(line)
            if keyword is None:
                allowed = "msgctxt, msgid, msgid_plural or msgstr"
                raise CatalogError(f"{name}, line {number}: expected {allowed}, not {line[:30]!r}")
            field, rest = keyword.group(1), keyword.group(3)
        if entry is not None and (field in ("msgctxt", "msgid") and "msgid" in entry.fields):
            yield entry
            entry = None
        entry = entry or _Entry(number)
        if field in entry.fields:
            raise CatalogError(f"{name}, line {number}: {field} twice in one message")
        entry.fields[field] = _unquote(rest.lstrip(), name, number)
        current = field
    if entry is not None and entry.fields:
        yield entry


HEADER = ""  # the key read_messages gives the catalog's header (msgid "" without msgctxt)


def read_messages(lines: Iterable[str], name: str) -> Iterator[Message]:
    """The messages of a .po or .pot file, one at a time, the header first (key HEADER, its text in
    `forms`); CatalogError naming `name` and the line when a line is not gettext's format or a message has
    no key."""
    seen: set[str] = set()
    for entry in _entries(lines, name):
        fields = entry.fields
        where = f"{name}, line {entry.line}"
        if "msgid" not in fields:
            raise CatalogError(f"{where}: a message without msgid")
        if fields["msgid"] == "" and "msgctxt" not in fields:
            yield Message(HEADER, "", None, (fields.get("msgstr", ""),))
            continue
        key = fields.get("msgctxt")
        if not key:
            raise CatalogError(f"{where}: a message without msgctxt; rustlamp finds each message by its key")
        if key in seen:
            raise CatalogError(f"{where}: the key {key} is there twice")
        seen.add(key)
        plural_source = fields.get("msgid_plural")
        if plural_source is None:
            forms: tuple[str, ...] = (fields.get("msgstr", ""),)
        else:
            indexed = sorted((int(f[7:-1]), v) for f, v in fields.items() if f.startswith("msgstr["))
            forms = tuple(value for _, value in indexed)
        yield Message(key, fields["msgid"], plural_source, forms, tuple(entry.notes), "fuzzy" in entry.flags)


def plural_rule_of(header: str) -> str:
    """The Plural-Forms of a catalog's header; English's when it has none (a template)."""
    found = re.search(r"^Plural-Forms:\s*(.+)$", header, re.MULTILINE)
    if found is None or "INTEGER" in found.group(1):
        return _ENGLISH_PLURAL
    rule = found.group(1).strip()
    _plural_index(rule)  # a rule that does not compile is said now, with the file
    return rule


def parse_po(lines: Iterable[str], name: str, language: str) -> Catalog:
    """The catalog of `language` from the lines of its .po file (or the .pot, for English)."""
    plural_rule = _ENGLISH_PLURAL
    messages: list[Message] = []
    for message in read_messages(lines, name):
        if message.key == HEADER:
            plural_rule = plural_rule_of(message.forms[0])
        else:
            messages.append(message)
    return Catalog.from_messages(language, messages, plural_rule)


@cache
def _plural_index(rule: str) -> Callable[[int], int]:
    found = re.search(r"plural\s*=\s*([^;]+)", rule)
    if found is None:
        raise CatalogError(f"Plural-Forms {rule!r} has no plural=...")
    try:
        return c2py(found.group(1))
    except (ValueError, SyntaxError) as error:
        raise CatalogError(f"Plural-Forms {rule!r}: {error}") from None


# -- the packaged catalogs ------------------------------------------------------------------------------


def _read_file(name: str, language: str) -> Catalog:
    with resources.files("rustlamp").joinpath("locale", name).open(encoding="utf-8") as lines:
        return parse_po(lines, f"rustlamp/locale/{name}", language)  # line by line: little to hold at once


@cache
def available_languages() -> tuple[str, ...]:
    """English and every language with a catalog in rustlamp/locale."""
    folder = resources.files("rustlamp").joinpath("locale")
    found = sorted(item.name[:-3] for item in folder.iterdir() if item.name.endswith(".po"))
    return (SOURCE_LANGUAGE, *found)


def spoken_languages() -> tuple[str, ...]:
    """Every language with both a catalog (rustlamp/locale) and prompts (rustlamp/content): Dutch and
    English first, as rustlamp began, then the others alphabetically. A translator adds a language by
    adding its two files (CONTRIBUTING.md). Here, not in content.py, so a window can check
    its --language without reading the content module."""
    folder = resources.files("rustlamp") / "content"
    found = [code for code in available_languages() if (folder / f"{code}.toml").is_file()]
    return tuple(sorted(found, key=lambda code: (code not in ("nl", "en"), code != "nl", code)))


def pseudo_wanted(env: Mapping[str, str] = os.environ) -> bool:
    return env.get(PSEUDO_VARIABLE, "") not in ("", "0")


@cache
def _read(language: str) -> Catalog:
    if language == SOURCE_LANGUAGE:
        return _read_file(f"{DOMAIN}.pot", SOURCE_LANGUAGE)
    if not isinstance(language, str) or language not in available_languages():
        raise KeyError(language)
    return _read_file(f"{language}.po", language)


def words_in_every_language(key: str) -> dict[str, str]:
    """One key's words in every language that has a translation of it (English first), read straight from
    the files without keeping their catalogs: for the few texts said in all languages at once, like the
    autostart entry's comment, so the lamp does not hold every catalog for them."""
    found: dict[str, str] = {}
    for language in available_languages():
        name = f"{DOMAIN}.pot" if language == SOURCE_LANGUAGE else f"{language}.po"
        with resources.files("rustlamp").joinpath("locale", name).open(encoding="utf-8") as lines:
            for message in read_messages(lines, f"rustlamp/locale/{name}"):
                if message.key != key:
                    continue
                if language == SOURCE_LANGUAGE:
                    found[language] = message.source
                elif message.translated:
                    found[language] = message.forms[0]
                break
    return found


def catalog(language: str, pseudo: bool | None = None) -> Catalog:
    """The catalog of a language (read once); the pseudo-locale instead of English when PSEUDO_VARIABLE is
    set (or `pseudo`: False for words people type back, like durations). KeyError for a language rustlamp
    has no catalog for."""
    if language == SOURCE_LANGUAGE and (pseudo_wanted() if pseudo is None else pseudo):
        return pseudo_catalog()
    return _read(language)


# -- the pseudo-locale ----------------------------------------------------------------------------------

_ACCENTED = str.maketrans(
    "aceinousyACEINOUSYdgklrtzDGKLRTZ", "àçéîñöûšýÀÇÉÎÑÖÛŠÝďĝķľřťžĎĜĶĽŘŤŽ"
)  # fmt: skip


def pseudo_words(words: str) -> str:
    """'Even rust' -> '[Évéñ ŕûšť ~~~]': accented outside the {fields}, about 30 % longer, in brackets so
    a clipped end shows."""
    parts = _PLACEHOLDER.split(words)
    fields = _PLACEHOLDER.findall(words)
    accented = [part.translate(_ACCENTED) for part in parts]
    joined = "".join(a + b for a, b in zip(accented, [*fields, ""], strict=True))
    letters = sum(len(part) for part in parts)
    return f"[{joined} {'~' * max(1, math.ceil(letters * 0.3) - 3)}]"


@cache
def pseudo_catalog() -> Catalog:
    source = _read(SOURCE_LANGUAGE)
    words: dict[str, str | tuple[str, ...]] = {
        key: pseudo_words(found) if isinstance(found, str) else tuple(pseudo_words(form) for form in found)
        for key, found in source.words.items()
    }
    return Catalog("pseudo", words, _ENGLISH_PLURAL)
