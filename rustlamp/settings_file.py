"""Write the settings file without losing a word the person wrote.

The settings window reads the file (`read_snapshot`), lets the person change things, and hands back only
what changed, as TOML-level values keyed by their path (`Changes`). `save_settings` checks that nobody
edited the file in the meantime, edits the text in place (`apply_changes`) and replaces the file atomically.

How an existing file is edited (tomlkit does the values; a small line scanner does whole tables):

- Only the values that changed are touched. A change to the value a key already has (same TOML value, same
  type) leaves its line exactly as it was. Everything else (comments on their own line or after a value,
  blank lines, key order, spacing, the quoting of untouched values, keys and tables rustlamp does not
  know, a BOM, CRLF line endings) survives byte for byte.
- A changed value keeps its line, its spacing and its trailing comment; a string keeps its quotes (single
  or double) when the new text can be written that way. A list written over several lines, perhaps with
  comments, is written again one item a line: each kept item keeps the comment after it, and comment
  lines between items stay where they were.
- A key that is not there yet goes at the end of its table: after the table's last key or, in a table
  without keys, after the comment lines right under its header (often the commented-out example of that
  very key). A table that is not there yet is added as a `[table]` section after its siblings (a new
  routine after the last `[routines.…]`), else at the end of the file. Dotted keys (`reminders.every =
  "45m"`) and inline tables (`break = { length = "5m" }`) are extended in their own form.
- REMOVE takes out a key's line (with the comment after it on that line), or a whole table: its header,
  everything down to its last key, and comment lines that follow that key without a blank line. Comments
  *above* a removed table's header stay, and so does a comment block that touches the next header (it
  belongs to that one): TOML cannot tell what such a comment is about, it might be a note on the next
  table or a commented-out example, and a stray comment costs the person a second to delete while a lost
  note cannot be brought back. The blank line that separated the removed table goes with it.

Every edit is checked before it is returned: the new text must parse (with tomllib, as `config check`
does) to exactly the old values with the changes applied, or nothing is written.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import math
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from typing import Any, Final, Literal

import tomli_w
import tomlkit
from tomlkit.container import Container, OutOfOrderTableProxy
from tomlkit.exceptions import InvalidStringError, TOMLKitError
from tomlkit.items import AoT, Array, Comment, InlineTable, Item, Null, String, Table, Whitespace

from rustlamp.core.config import DAY_NAMES, parse_settings
from rustlamp.core.durations import format_duration
from rustlamp.core.problem_words import PhrasedValueError, phrase
from rustlamp.core.toml_lines import scan_line

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


class _Remove:
    __slots__ = ()

    def __repr__(self) -> str:
        return "REMOVE"


REMOVE: Final = _Remove()  # a change value meaning "take this key (or table) out"

KeyPath = tuple[str, ...]  # ("reminders", "every"), ("routines", "morning", "at"), ("routines", "tea")
Changes = Mapping[KeyPath, Any]  # values: str, bool, int, float, list[str] (plain TOML values), or REMOVE

NEW_FILE_HEADER = (
    "# rustlamp settings. What each key means, what it allows and its default are explained in\n"
    "# config.example.toml (it comes with rustlamp); check this file with: rustlamp config check\n"
)

# The order of config.example.toml, for a new file: known tables and keys in this order, others after.
_TOP_ORDER = ("language", "reminders", "break", "routines", "checkin", "idle", "dnd", "journal", "prompts")
_KEY_ORDER: dict[str, tuple[str, ...]] = {
    "reminders": ("every", "start", "end", "days", "snooze"),
    "break": ("length", "inhale", "exhale"),
    "checkin": ("offer_after_break", "sooner_when_hurried"),
    "routine": ("at", "days", "prompt", "enabled"),
}


# --- snapshots --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """What the window read, to notice a change on disk before saving."""

    path: Path
    text: str | None  # None: there was no file
    digest: str | None  # sha256 of the bytes; None when missing


def read_snapshot(path: Path) -> Snapshot:
    """Read the file as it is now. A file that is not UTF-8 raises UnicodeDecodeError (a ValueError):
    `config check` says the same, and rustlamp will not edit what it cannot read."""
    from rustlamp.core.config import SETTINGS_LIMIT
    from rustlamp.core.small_file import read_small_bytes

    try:
        data = read_small_bytes(path, SETTINGS_LIMIT)  # never blocks on a FIFO, never reads a huge file
    except FileNotFoundError:
        return Snapshot(path, None, None)
    return Snapshot(path, data.decode("utf-8"), hashlib.sha256(data).hexdigest())


class ChangedOnDisk(Exception):
    """The file differs from the snapshot: nothing was written. `current` is the file as it is now."""

    def __init__(self, path: Path, current: Snapshot) -> None:
        super().__init__(f"{path} was changed since it was read; nothing was written")
        self.path = path
        self.current = current


# --- values -----------------------------------------------------------------------------------------


def toml_value(value: Any) -> Any:
    """A settings value as the file writes it: timedelta -> "45m", time -> "09:00", a set of day numbers
    (or names) -> ["mon", "tue"] in week order, tuples -> lists; None (an optional key left out, like
    `[idle] natural_break_after` or a routine's prompt) -> REMOVE. Plain TOML values pass unchanged."""
    if value is None or value is REMOVE:
        return REMOVE
    if isinstance(value, (bool, str, int, float)):
        return value
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, time):
        return f"{value.hour:02d}:{value.minute:02d}"
    if isinstance(value, (set, frozenset)):
        days = [DAY_NAMES[d] if isinstance(d, int) and not isinstance(d, bool) else d for d in value]
        return sorted(days, key=lambda d: (DAY_NAMES.index(d), d) if d in DAY_NAMES else (7, str(d)))
    if isinstance(value, (list, tuple)):
        return [toml_value(item) for item in value]
    raise TypeError(f"{value!r} has no form in the settings file")


def _check_value(path: KeyPath, value: Any) -> None:
    if not path or not all(isinstance(part, str) for part in path):
        raise TypeError(f"{path!r} is not a key path: a non-empty tuple of strings")
    if value is REMOVE or isinstance(value, (bool, str, int, float)):
        return
    if isinstance(value, list) and all(isinstance(item, (bool, str, int, float)) for item in value):
        return
    raise TypeError(
        f"{'.'.join(path)}: {value!r} is not a plain TOML value (str, bool, int, float, a list of those) "
        "or REMOVE; toml_value() converts settings values"
    )


def _same(a: Any, b: Any) -> bool:
    """Equal as TOML values: of the same type (true is not 1), NaN equal to NaN."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


# --- apply_changes ----------------------------------------------------------------------------------


def apply_changes(text: str | None, changes: Changes) -> str:
    """The file's new text. Pure. `text` None (no file yet): a new document with only the changed keys.
    Otherwise the text edited in place (see the module's docstring). Raises ValueError when the text is
    not valid TOML, or when a change does not fit it (a key under something that is not a table)."""
    for path, value in changes.items():
        _check_value(path, value)
    if text is None:
        return _new_document(changes)
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom) :]
    # A file written with CRLF throughout is edited as LF and turned back, so new lines get CRLF too.
    # A file with mixed endings keeps each line's own; new lines get LF.
    crlf = "\r\n" in body and body.count("\r\n") == body.count("\n")
    if crlf:
        body = body.replace("\r\n", "\n")
    expected = _parse_or_explain(body)
    for path, value in changes.items():
        body = _apply_one(body, path, value)
        _apply_to_data(expected, path, value)
    _check_result(body, expected)
    if crlf:
        body = body.replace("\n", "\r\n")
    return bom + body


def _parse_or_explain(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError):
        problem = parse_settings(text).problems[0]  # the same words `config check` uses
        said = problem.phrase or phrase("as_is", text=problem.message)
        if problem.line is None:
            raise PhrasedValueError(phrase("change.broken", problem=said)) from None
        raise PhrasedValueError(phrase("change.broken_at", line=problem.line, problem=said)) from None


def _check_result(text: str, expected: dict[str, Any]) -> None:
    try:
        actual = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PhrasedValueError(phrase("change.unsafe_because", detail=str(exc))) from None
    if not _same(_pruned(actual), _pruned(expected)):
        raise PhrasedValueError(phrase("change.unsafe"))


def _pruned(data: dict[str, Any]) -> dict[str, Any]:
    """Without empty tables: taking out a table's last dotted key takes the table too, and an empty
    table means the same to rustlamp as none."""
    result = {}
    for key, value in data.items():
        if isinstance(value, dict):
            value = _pruned(value)
            if not value:
                continue
        result[key] = value
    return result


def _apply_to_data(data: dict[str, Any], path: KeyPath, value: Any) -> None:
    node = data
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            if value is REMOVE:
                return
            child = node[part] = {}
        node = child
    if value is REMOVE:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value


def _new_document(changes: Changes) -> str:
    data: dict[str, Any] = {}
    for path, value in changes.items():
        _apply_to_data(data, path, value)
    data = _ordered(data, _TOP_ORDER, lambda key: _KEY_ORDER.get(key, ()))
    if isinstance(data.get("routines"), dict):
        data["routines"] = {
            name: _ordered(body, _KEY_ORDER["routine"]) if isinstance(body, dict) else body
            for name, body in data["routines"].items()
        }
    body = tomli_w.dumps(data)
    return NEW_FILE_HEADER + ("\n" + body if body else "")


def _ordered(
    table: dict[str, Any], order: tuple[str, ...], inner: Callable[[str], tuple[str, ...]] | None = None
) -> dict[str, Any]:
    rank = {key: index for index, key in enumerate(order)}
    keys = sorted(table, key=lambda key: rank.get(key, len(order)))  # stable: others keep their order
    result: dict[str, Any] = {}
    for key in keys:
        value = table[key]
        if inner is not None and isinstance(value, dict) and inner(key):
            value = _ordered(value, inner(key))
        result[key] = value
    return result


# one change, on LF text that tomllib accepts; each change parses the text afresh


def _apply_one(text: str, path: KeyPath, value: Any) -> str:
    try:
        doc = tomlkit.parse(text)
    except (TOMLKitError, RecursionError) as exc:
        raise PhrasedValueError(phrase("change.cannot_edit", detail=str(exc))) from None
    *table_path, key = path
    node: Any = doc
    chain: list[Any] = [doc]  # the tables walked through, for an inline table's rendering
    for index, part in enumerate(table_path):
        if part not in node:
            if value is REMOVE:
                return text
            return _add_table(
                text, doc, chain, tuple(table_path[:index]), tuple(table_path[index:]), key, value
            )
        child = node[part]
        if not isinstance(child, (Table, InlineTable, OutOfOrderTableProxy)):
            where = ".".join(path[: index + 1])
            raise PhrasedValueError(phrase("change.not_a_table", where=where, key=".".join(path)))
        node = child
        chain.append(child)
    if value is REMOVE:
        return _remove(text, doc, chain, tuple(table_path), key)
    if key in node:
        return _replace(doc, chain, key, value, text)
    _add_key(doc, chain, key, value)
    return doc.as_string()


def _replace(doc: tomlkit.TOMLDocument, chain: list[Any], key: str, value: Any, text: str) -> str:
    node = chain[-1]
    old = node[key] if isinstance(node, OutOfOrderTableProxy) else node.item(key)
    if isinstance(old, (Table, InlineTable, AoT, OutOfOrderTableProxy)):
        raise PhrasedValueError(phrase("change.is_a_table", key=key))
    if _same(old.unwrap(), value):
        return text  # unchanged: its line stays exactly as it is
    if isinstance(old, Array) and isinstance(value, list) and _spans_lines(old):
        node[key] = _rebuilt_array(old, value)
    else:
        node[key] = _styled(value, old)  # tomlkit keeps the old item's indent, spacing and comment
    return doc.as_string()


def _spans_lines(array: Array) -> bool:
    return "\n" in array.as_string()  # only then can it hold comments: one runs to the end of its line


def _rebuilt_array(array: Array, new: list[Any]) -> Item:
    """A list written over several lines, changed: one item a line, each kept item with the comment
    that followed it, comment lines between items where they were. (tomlkit's own insert puts an item
    inside a comment when the first item shares the line of the opening bracket.)"""
    groups = array._value
    values = [g for g in groups if g.value is not None and not isinstance(g.value, Null)]
    indent = next(
        (g.indent.s.rsplit("\n", 1)[1] for g in values if g.indent is not None and "\n" in g.indent.s), "    "
    )
    last = groups[-1] if groups else None
    closing = ""
    if last is not None and last.value is None and last.comment is None and last.indent is not None:
        closing = last.indent.s.rsplit("\n", 1)[-1] if "\n" in last.indent.s else ""
    before: list[list[str]] = [[] for _ in range(len(values) + 1)]  # comment lines above each item
    after: list[str] = []  # the comment after each item, on its line
    for group in groups:
        is_value = group.value is not None and not isinstance(group.value, Null)
        comment = group.comment
        if is_value:
            after.append(comment.trivia.indent + comment.trivia.comment if comment is not None else "")
        elif comment is not None:
            before[len(after)].append(comment.trivia.comment)
    old = [g.value for g in values if g.value is not None]
    like = next((item for item in old if isinstance(item, String)), None)
    lines = ["["]
    matcher = difflib.SequenceMatcher(
        a=[repr(item.unwrap()) for item in old], b=[repr(v) for v in new], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for index in range(i1, i2):
            lines += [indent + text for text in before[index]]
            if tag == "equal":
                lines.append(f"{indent}{old[index].as_string()},{after[index]}")
        if tag != "equal":
            lines += [f"{indent}{_styled(v, like).as_string()}," for v in new[j1:j2]]
    lines += [indent + text for text in before[len(old)]]
    lines.append(closing + "]")
    item: Item = tomlkit.parse("x = " + "\n".join(lines) + "\n")["x"]
    return item


def _styled(value: Any, like: Item | None) -> Item:
    """A new item for `value`, written the way `like` (the old value) was where it can be."""
    if isinstance(value, str):
        if isinstance(like, String):
            try:
                return tomlkit.string(
                    value,
                    literal=like.type.is_literal(),
                    multiline=like.type.is_multiline() and "\n" in value,
                )
            except InvalidStringError:
                pass  # a quote or a control character: a basic string can say it
        return tomlkit.string(value)
    if isinstance(value, list):
        items = like if isinstance(like, Array) else []
        first = next((item for item in items if isinstance(item, String)), None)
        array = tomlkit.array()
        for element in value:
            array.append(_styled(element, first))
        return array
    plain: Item = tomlkit.item(value)
    return plain


def _add_key(doc: tomlkit.TOMLDocument, chain: list[Any], key: str, value: Any) -> None:
    node = chain[-1]
    item = _styled(value, None)
    if isinstance(node, (InlineTable, OutOfOrderTableProxy)):
        node[key] = item
        _tidy_inline(chain)
        return
    container: Container = node if isinstance(node, Container) else node.value
    body = container.body
    limit = next(
        (i for i, (k, v) in enumerate(body) if isinstance(v, (Table, AoT)) and not (k and k.is_dotted())),
        len(body),
    )
    keyed = [i for i in range(limit) if body[i][0] is not None]
    blank_after = False
    if keyed:
        index = keyed[-1] + 1  # after the table's last key
    elif node is doc:
        # no top-level key yet: before the first table, above the comments that touch its header
        index = limit
        while index > 0 and isinstance(body[index - 1][1], Comment) and limit < len(body):
            index -= 1
        while index > 0 and isinstance(body[index - 1][1], Whitespace):
            index -= 1
        blank_after = index < len(body) and not isinstance(body[index][1], Whitespace)
    else:
        index = 0  # after the comment lines right under the header
        while index < limit and isinstance(body[index][1], Comment):
            index += 1
    if blank_after:
        item.trivia.trail += "\n"  # a blank line between the new key and the table below it
    if index < len(body):
        container._insert_at(index, tomlkit.key(key), item)
    else:
        container.append(tomlkit.key(key), item)


def _tidy_inline(chain: list[Any]) -> None:
    """Write a changed inline table as `{ a = 1, b = 2 }`: tomlkit leaves odd spaces behind."""
    for depth, node in enumerate(chain):
        if isinstance(node, InlineTable):
            parent = chain[depth - 1]
            key = next(k for k in parent if parent[k] is node)
            rendered = _inline_text(node)
            if rendered is not None:
                parent[key] = tomlkit.parse(f"x = {rendered}\n")["x"]
            return


def _inline_text(table: InlineTable) -> str | None:
    parts = []
    for key, item in table.value.body:
        if key is None:
            continue
        if isinstance(item, InlineTable):
            inner = _inline_text(item)
            if inner is None:
                return None
            parts.append(f"{key.as_string().strip()} = {inner}")
        elif isinstance(item, (Table, AoT)):
            return None  # a dotted key inside: leave tomlkit's rendering alone
        else:
            parts.append(f"{key.as_string().strip()} = {item.as_string()}")
    return "{ " + ", ".join(parts) + " }" if parts else "{}"


def _add_table(
    text: str,
    doc: tomlkit.TOMLDocument,
    chain: list[Any],
    anchor: KeyPath,
    missing: KeyPath,
    key: str,
    value: Any,
) -> str:
    """A key in a table that is not there yet (`missing`, under the existing `anchor`)."""
    if any(isinstance(node, InlineTable) for node in chain):
        nested: Any = _styled(value, None)
        for part in reversed((*missing[1:], key)):
            table = tomlkit.inline_table()
            table.append(part, nested)
            nested = table
        chain[-1][missing[0]] = nested
        _tidy_inline(chain)
        return doc.as_string()
    header = "[" + ".".join(_key_text(part) for part in (*anchor, *missing)) + "]\n"
    line = f"{_key_text(key)} = {_styled(value, None).as_string()}\n"
    lines = _scan(text)
    siblings = [s for s in _sections(lines) if s.path[: len(anchor)] == anchor]
    if siblings:
        at = _content_end(lines, siblings[-1])
    else:
        at = max((i + 1 for i, ln in enumerate(lines) if ln.kind != "blank"), default=0)
    raw = [ln.raw for ln in lines]
    if at > 0 and not raw[at - 1].endswith("\n"):
        raw[at - 1] += "\n"
    new = [header, line]
    if at > 0 and lines[at - 1].kind != "blank":
        new.insert(0, "\n")
    if at < len(lines) and lines[at].kind != "blank":
        new.append("\n")
    return "".join(raw[:at] + new + raw[at:])


def _key_text(part: str) -> str:
    return tomlkit.key(part).as_string()


def _remove(text: str, doc: tomlkit.TOMLDocument, chain: list[Any], table_path: KeyPath, key: str) -> str:
    node = chain[-1]
    if key not in node:
        return text
    item = node[key]
    if isinstance(item, (Table, AoT, OutOfOrderTableProxy)):
        path = (*table_path, key)
        while True:  # every [section] the table is written in, and those of its sub-tables
            lines = _scan(text)
            section = next((s for s in _sections(lines) if s.path[: len(path)] == path), None)
            if section is None:
                break
            text = _cut_section(lines, section)
        doc = tomlkit.parse(text)
        node = doc
        for part in (*table_path, key):
            if part not in node:
                return text
            node, parent = node[part], node
        node = parent
        # what is left was written with dotted keys (`tea.at = "08:00"`): tomlkit takes those out
    del node[key]
    _tidy_inline([doc, *_walk(doc, table_path)])
    return doc.as_string()


def _walk(doc: tomlkit.TOMLDocument, table_path: KeyPath) -> Iterable[Any]:
    node: Any = doc
    for part in table_path:
        node = node[part]
        yield node


# --- a line scanner, for whole [sections] ---------------------------------------------------------


@dataclass
class _Line:
    raw: str  # with its line ending
    kind: Literal["blank", "comment", "header", "statement", "inside"]  # inside: a value's later lines
    path: KeyPath = ()  # a header's table


@dataclass(frozen=True)
class _Section:
    path: KeyPath
    start: int  # the header's line
    end: int  # the next header's line, or the number of lines


def _scan(text: str) -> list[_Line]:
    """Classify the lines of text that tomllib accepts. Split on "\\n" only: U+2028 and friends may stand
    in strings and comments, and str.splitlines would break lines there."""
    parts = text.split("\n")
    raws = [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    lines: list[_Line] = []
    quote, depth = "", 0  # an open multi-line string's delimiter; open [ and { of a value
    for raw in raws:
        stripped = raw.strip(" \t\r\n")
        if quote or depth > 0:
            kind: Literal["blank", "comment", "header", "statement", "inside"] = "inside"
        elif not stripped:
            kind = "blank"
        elif stripped.startswith("#"):
            kind = "comment"
        elif stripped.startswith("["):
            lines.append(_Line(raw, "header", _header_path(stripped)))
            continue
        else:
            kind = "statement"
        if kind in ("inside", "statement"):
            quote, depth = _scan_code(raw, quote, depth)
        lines.append(_Line(raw, kind))
    return lines


def _scan_code(raw: str, quote: str, depth: int) -> tuple[str, int]:
    """The multi-line string open and the brackets of a value open at the end of `raw`."""
    code, quote = scan_line(raw, quote)
    return quote, depth + code.count("[") + code.count("{") - code.count("]") - code.count("}")


def _header_path(stripped: str) -> KeyPath:
    start = 2 if stripped.startswith("[[") else 1
    i, quote = start, ""
    while i < len(stripped):
        char = stripped[i]
        if quote:
            if quote == '"' and char == "\\":
                i += 2
                continue
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "]":
            break
        i += 1
    data: Any = tomllib.loads(f"{stripped[start:i]} = 0")  # TOML itself reads the quoted parts
    path: list[str] = []
    while isinstance(data, dict):
        (name,) = data
        path.append(name)
        data = data[name]
    return tuple(path)


def _sections(lines: list[_Line]) -> list[_Section]:
    starts = [i for i, line in enumerate(lines) if line.kind == "header"]
    ends = [*starts[1:], len(lines)] if starts else []
    return [_Section(lines[s].path, s, e) for s, e in zip(starts, ends, strict=True)]


def _content_end(lines: list[_Line], section: _Section) -> int:
    """Where a section's own text ends: after its last key and the comment lines that follow that key
    without a blank line, unless they run on into the next header (then they belong to that one)."""
    last = max(i for i in range(section.start, section.end) if lines[i].kind not in ("blank", "comment"))
    end = last + 1
    while end < section.end and lines[end].kind == "comment":
        end += 1
    if end == section.end < len(lines):
        return last + 1
    return end


def _cut_section(lines: list[_Line], section: _Section) -> str:
    end = _content_end(lines, section)
    before, after = lines[: section.start], lines[end:]
    if all(line.kind == "blank" for line in after):  # the last table: no blank lines left dangling
        after = []
        while before and before[-1].kind == "blank":
            before.pop()
    elif not before or before[-1].kind == "blank":
        while after and after[0].kind == "blank":
            after.pop(0)
    elif before[-1].kind == "comment" and after[0].kind != "blank":
        # the comments above the removed header stay, set apart so they do not seem to be about what
        # now follows them
        after.insert(0, _Line("\n", "blank"))
    return "".join(line.raw for line in (*before, *after))


# --- save_settings ----------------------------------------------------------------------------------


def save_settings(snapshot: Snapshot, changes: Changes) -> Snapshot:
    """Apply `changes` to the file, if it is still what `snapshot` saw; return the new snapshot.

    Raises ChangedOnDisk (writing nothing) when the file was edited, created or removed since, and
    ValueError when it cannot be edited (not valid TOML: `config check` explains). When nothing changes,
    nothing is written (and no file is created).
    """
    # The check and the rename below are not one atomic step: an editor that saves in the microseconds
    # between this read and os.replace would lose that save. Closing the gap for real would mean moving
    # the file aside first (os.rename is atomic), comparing what was moved, and moving it back on a
    # difference; but then, for a moment, there is no settings file for the running app or an editor to
    # read, and a crash at that moment leaves it under another name. Editors take no lock we could share
    # either, so the short window is the better trade.
    current = read_snapshot(snapshot.path)
    if current.digest != snapshot.digest:
        raise ChangedOnDisk(snapshot.path, current)
    new_text = apply_changes(current.text, changes)
    if new_text == current.text or (
        current.text is None and not any(v is not REMOVE for v in changes.values())
    ):
        return current
    data = new_text.encode("utf-8")
    # a symlinked config.toml (dotfiles kept elsewhere) stays a symlink: the file it points to is replaced
    _write_atomically(Path(os.path.realpath(snapshot.path)), data)
    return Snapshot(snapshot.path, new_text, hashlib.sha256(data).hexdigest())


def _write_atomically(path: Path, data: bytes) -> None:
    folder = path.parent
    _make_folders(folder)
    try:
        old = os.stat(path)
    except FileNotFoundError:
        old = None
    mode = stat.S_IMODE(old.st_mode) if old is not None else 0o600
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)  # 0600 from the start
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            if old is not None and hasattr(os, "fchown"):
                with contextlib.suppress(OSError):  # keep the owner too, where we may (root, sudo)
                    os.fchown(f.fileno(), old.st_uid, old.st_gid)
            if hasattr(os, "fchmod"):
                os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_folder(folder)


def _make_folders(folder: Path) -> None:
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        try:
            os.mkdir(new, 0o700)
        except FileExistsError:
            continue
        os.chmod(new, 0o700)  # whatever the umask says


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable. Windows cannot open a folder for this; NTFS journals it."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
