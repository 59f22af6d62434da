"""The words rustlamp says: prompts per theme, routine prompts and the mini check-in, in Dutch and English.

The texts live in packaged TOML files (rustlamp/content/<language>.toml) so they can be edited without
touching code. This module is pure: standard library only, no GUI or notification imports.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from importlib.abc import Traversable
from types import MappingProxyType
from typing import Any

from rustlamp.core.catalog import Catalog, catalog, spoken_languages
from rustlamp.core.checkin import BODY_CHOICES, BODY_SIGNALS, BREATH_CHOICES, MAX_NEED

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib


LANGUAGES: tuple[str, ...] = spoken_languages()
THEMES: tuple[str, ...] = ("breath", "body", "small", "kind")
ROUTINES: tuple[str, ...] = ("morning", "evening", "other")
CHECKIN_KEYS: tuple[str, ...] = ("body", "breath", "need")
# The check-in window's labelled choices (checkin.body_choice.*, checkin.signal.*, checkin.breath_choice.* in
# the catalogs): a label for exactly the keys rustlamp.core.checkin knows.
CHECKIN_CHOICE_TABLES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"body_choices": BODY_CHOICES, "signals": BODY_SIGNALS, "breath_choices": BREATH_CHOICES}
)
# Environment variables consulted for "auto", in the POSIX order of precedence.
LOCALE_VARIABLES: tuple[str, ...] = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


@dataclass(frozen=True)
class CheckinWords:
    """The check-in window's words beside its title and questions. The choice labels are keyed like
    rustlamp.core.checkin's BODY_CHOICES, BODY_SIGNALS and BREATH_CHOICES, in that order. Everything is
    empty by default, for a Content built by hand; the packaged files fill every field."""

    intro: str = ""
    body_choices: Mapping[str, str] = field(default_factory=dict, hash=False)
    signals_label: str = ""
    signals: Mapping[str, str] = field(default_factory=dict, hash=False)
    breath_choices: Mapping[str, str] = field(default_factory=dict, hash=False)
    suggestions_label: str = ""
    need_suggestions: tuple[str, ...] = ()
    note: str = ""
    save: str = ""
    cancel: str = ""
    thanks: str = ""
    offer: str = ""  # the break window's quiet way in

    def __post_init__(self) -> None:
        for name in CHECKIN_CHOICE_TABLES:
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        object.__setattr__(self, "need_suggestions", tuple(self.need_suggestions))


@dataclass(frozen=True)
class Content:
    """All texts for one language; the mappings are read-only, so a shared Content cannot change."""

    language: str
    themes: Mapping[str, tuple[str, ...]] = field(hash=False)
    routines: Mapping[str, tuple[str, ...]] = field(hash=False)
    checkin_title: str
    checkin_questions: tuple[str, str, str]
    checkin_words: CheckinWords = field(default_factory=CheckinWords, hash=False)
    # mild words for a rest that did not work out: only ever the answer to "Didn't work out this time"
    after_attempt: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "after_attempt", tuple(self.after_attempt))
        # Copy into read-only views; callers may hand in plain (mutable) dicts and lists.
        object.__setattr__(self, "themes", MappingProxyType({k: tuple(v) for k, v in self.themes.items()}))
        object.__setattr__(
            self, "routines", MappingProxyType({k: tuple(v) for k, v in self.routines.items()})
        )

    @property
    def prompts(self) -> tuple[str, ...]:
        """Every theme prompt, in file order."""
        return tuple(prompt for prompts in self.themes.values() for prompt in prompts)


def _string_list(data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{where}.{key} must be a non-empty list of strings")
    items = tuple(value)
    if any(item != item.strip() or not item for item in items):
        raise ValueError(f"{where}.{key} has an empty or untrimmed text")
    return items


def _table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise ValueError(f"{where} has no [{key}] table")
    return value


def _parse(language: str, data: Mapping[str, Any]) -> Content:
    where = f"{language}.toml"
    theme_table = _table(_table(data, "prompts", where), "themes", f"{where} [prompts]")
    if set(theme_table) != set(THEMES):
        raise ValueError(f"{where} [prompts.themes] must have exactly: {', '.join(THEMES)}")
    # Keep the file's order: it is the order `Content.prompts` promises.
    themes = {name: _string_list(theme_table, name, f"{where} prompts.themes") for name in theme_table}
    seen: set[str] = set()
    for prompts in themes.values():
        for prompt in prompts:
            if prompt in seen:
                # A duplicate would make the shuffled bag offer the same text twice in a row.
                raise ValueError(f"{where} has a duplicate prompt: {prompt!r}")
            seen.add(prompt)
    after_attempt = _string_list(_table(data, "after_attempt", where), "lines", f"{where} after_attempt")
    if seen.intersection(after_attempt):
        # a line that comforts after an attempt must never come as a reminder or open a break
        raise ValueError(f"{where} has an after_attempt line among the prompts")
    routine_table = _table(data, "routines", where)
    routines = {name: _string_list(routine_table, name, f"{where} routines") for name in ROUTINES}
    checkin = _table(data, "checkin", where)
    words = catalog(language)  # the window's fixed words; the suggestions are a list the file keeps
    return Content(
        language=language,
        themes=themes,
        routines=routines,
        checkin_title=words.word("checkin.title"),
        checkin_questions=(
            words.word("checkin.body"),
            words.word("checkin.breath"),
            words.word("checkin.need"),
        ),
        checkin_words=_checkin_words(words, checkin, where),
        after_attempt=after_attempt,
    )


def _checkin_words(words: Catalog, checkin: Mapping[str, Any], where: str) -> CheckinWords:
    """The check-in window's words from the catalog (checkin.*), its need suggestions from the file."""
    moved = sorted(key for key in checkin if key != "need_suggestions")
    if moved:  # a file from before the catalogs: say where those words are now, not ignore them
        raise ValueError(
            f"{where} [checkin] has {', '.join(moved)}: the check-in window's words are in the catalog now "
            f"(rustlamp/locale, msgctxt checkin.*); only need_suggestions stays here"
        )
    suggestions = _string_list(checkin, "need_suggestions", f"{where} checkin")
    for suggestion in suggestions:
        if len(suggestion) > MAX_NEED:  # a suggestion fills the need field, so it has to fit there
            raise ValueError(f"{where} checkin.need_suggestions has a text over {MAX_NEED} characters")

    def said(key: str) -> str:
        return words.word(f"checkin.{key}")

    def labels(prefix: str, keys: tuple[str, ...]) -> dict[str, str]:
        return {key: said(f"{prefix}.{key}") for key in keys}

    return CheckinWords(
        intro=said("intro"),
        body_choices=labels("body_choice", CHECKIN_CHOICE_TABLES["body_choices"]),
        signals_label=said("signals_label"),
        signals=labels("signal", CHECKIN_CHOICE_TABLES["signals"]),
        breath_choices=labels("breath_choice", CHECKIN_CHOICE_TABLES["breath_choices"]),
        suggestions_label=said("suggestions_label"),
        need_suggestions=suggestions,
        note=said("note"),
        save=said("save"),
        cancel=said("cancel"),
        thanks=said("thanks"),
        offer=said("offer"),
    )


def load_content(language: str) -> Content:
    """Read the packaged texts for `language` ("nl" or "en")."""
    code = language.strip().lower()
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; choose one of: {', '.join(LANGUAGES)}")
    return _parse(code, tomllib.loads(_content_file(code).read_text(encoding="utf-8")))


def _content_file(code: str) -> Traversable:
    # rustlamp/content is a plain data folder (no __init__), so anchor on the rustlamp package itself
    return resources.files("rustlamp") / "content" / f"{code}.toml"


def resolve_language(setting: str, env: Mapping[str, str]) -> str:
    """Turn the language setting into one of LANGUAGES; "auto" follows the locale found in `env`.

    The first non-empty of LC_ALL, LC_MESSAGES, LANG, LANGUAGE decides (LANGUAGE is a colon list, its
    first non-empty entry counts). A locale of a language rustlamp speaks (nl, nl_NL, nl_BE.UTF-8, ...)
    gives that language, anything else "en". An unknown setting is a ValueError rather than a silent guess.
    """
    choice = setting.strip().lower()
    if choice in LANGUAGES:
        return choice
    if choice != "auto":
        raise ValueError(f"unknown language setting {setting!r}; choose one of: auto, {', '.join(LANGUAGES)}")
    for name in LOCALE_VARIABLES:
        value = env.get(name, "").strip()
        if name == "LANGUAGE":
            value = next((part.strip() for part in value.split(":") if part.strip()), "")
        if value:
            code = _language_part(value)
            return code if code in LANGUAGES else "en"
    return "en"


def _language_part(locale_name: str) -> str:
    # Only the language part counts: "nl_BE.UTF-8@euro" -> "nl"; "nds_NL" (Low German) is "nds", not Dutch.
    code = locale_name.lower()
    for separator in ("_", "-", ".", "@"):
        code = code.split(separator, 1)[0]
    return code


class PromptPicker:
    """Chooses the next prompt; the same prompt never comes twice in a row (also across the person's extra
    prompts).

    It works with shuffled bags: every prompt of a pool comes once before any comes again, which feels
    less repetitive than a fresh random pick each time.
    """

    def __init__(self, content: Content, extra: Sequence[str] = (), rng: random.Random | None = None) -> None:
        self._content = content
        self._rng = rng if rng is not None else random.Random()
        known = {*content.prompts, *content.after_attempt}  # a mild line never comes as a prompt
        cleaned: list[str] = []
        for text in extra:
            text = text.strip()
            # Skip blanks and repeats (also of built-in prompts): a text twice in one bag could come twice.
            if text and text not in known:
                known.add(text)
                cleaned.append(text)
        self.extra: tuple[str, ...] = tuple(cleaned)
        self._all: tuple[str, ...] = tuple(dict.fromkeys((*content.prompts, *self.extra)))
        self._bags: dict[str | None, list[str]] = {}
        self._last: str | None = None
        self._routine_bags: dict[str, list[str]] = {}
        self._routine_last: dict[str, str] = {}

    def pool(self, theme: str | None = None) -> tuple[str, ...]:
        """The prompts `next(theme)` chooses from: one theme, or everything plus the extra prompts."""
        if theme is None:
            return self._all
        if theme not in self._content.themes:
            raise ValueError(f"unknown theme {theme!r}; choose one of: {', '.join(self._content.themes)}")
        return self._content.themes[theme]

    def next(self, theme: str | None = None) -> str:
        """The next prompt, optionally from one theme; never the one `next` returned just before."""
        choice = self._draw(self._bags, theme, self.pool(theme), self._last)
        self._last = choice
        return choice

    def routine(self, kind: str) -> str:
        """A prompt for a routine of `kind` (morning, evening or other): its setting, never its name."""
        key = kind.strip().lower()
        texts = self._content.routines
        pool = texts[key] if key in ("morning", "evening") and key in texts else texts.get("other", ())
        choice = self._draw(self._routine_bags, key, pool, self._routine_last.get(key))
        self._routine_last[key] = choice
        return choice

    def after_attempt(self) -> str | None:
        """A mild line for a rest that did not work out (the answer to "Didn't work out this time"); None when
        the content has none, and the window says its own short reply."""
        if not self._content.after_attempt:
            return None
        choice = self._draw(self._bags, "after_attempt", self._content.after_attempt, None)
        return choice

    def _draw(self, bags: dict[Any, list[str]], key: object, pool: tuple[str, ...], last: str | None) -> str:
        # A hand-built Content may repeat a text; the bag must not, or it could give the same one twice.
        pool = tuple(dict.fromkeys(pool))
        if not pool:
            raise ValueError("there are no prompts to choose from")
        if len(pool) == 1:
            return pool[0]
        bag = bags.setdefault(key, [])
        if not bag or (len(bag) == 1 and bag[0] == last):
            # A lone leftover equal to the last prompt was in effect just shown (via another pool): new round.
            bag[:] = pool
            self._rng.shuffle(bag)
        if bag[-1] == last:
            # The pool has no duplicates, so any other entry differs; swapping keeps the bag complete.
            other = self._rng.randrange(len(bag) - 1)
            bag[-1], bag[other] = bag[other], bag[-1]
        return bag.pop()
