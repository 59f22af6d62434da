"""Where keys stand in a TOML text, so a message can name the line. tomllib gives values, not positions.

A small scanner, not a parser: it knows strings (all four kinds), comments, tables and brackets well
enough that a `[` inside a string or a comment does not throw the count off. It runs only on text that
tomllib has already accepted.
"""

from __future__ import annotations

import re

_BARE_OR_QUOTED = r"""[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*'"""
_DOTTED = rf"(?:{_BARE_OR_QUOTED})(?:\s*\.\s*(?:{_BARE_OR_QUOTED}))*"
_HEADER = re.compile(rf"^\s*\[\[?\s*({_DOTTED})\s*\]\]?")
_ASSIGN = re.compile(rf"^\s*({_DOTTED})\s*=")


def toml_lines(text: str) -> list[str]:
    """The text's lines as TOML counts them: only LF (or CRLF) ends one. str.splitlines would also break
    at form feeds, U+2028 and others, which TOML allows inside strings and comments."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the newline that ends the last line starts no line of its own
    return [line.removesuffix("\r") for line in lines]


def split_key(dotted: str) -> tuple[str, ...]:
    """'routines."tea time".at' -> ('routines', 'tea time', 'at')."""
    parts = re.findall(_BARE_OR_QUOTED, dotted)
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in parts)


def scan_line(raw: str, quote: str = "") -> tuple[str, str]:
    """One line's code: what stands outside strings and comments, each string shown as "s". `quote` is the
    multi-line string open when the line begins ("", \"\"\" or '''); returned is the one open at its end.
    The one scanner for both config check's line numbers and the settings file's in-place edits."""
    code: list[str] = []
    i = 0
    while i < len(raw):
        if quote:
            if quote[0] == '"' and raw[i] == "\\":
                i += 2
                continue
            if raw.startswith(quote, i):
                run = len(quote)
                if run == 3:  # up to two more quotes just inside the closing ones are the string's own
                    run = min(len(raw[i:]) - len(raw[i:].lstrip(quote[0])), 5)
                code.append("s")
                i += run
                quote = ""
                continue
            i += 1
            continue
        char = raw[i]
        if char == "#":
            break
        if raw.startswith('"""', i) or raw.startswith("'''", i):
            quote = raw[i : i + 3]
            i += 3
            continue
        if char in "\"'":
            quote = char
            i += 1
            continue
        code.append(char)
        i += 1
    if len(quote) == 1:  # a one-line string cannot run past its line (tomllib would have refused it)
        quote = ""
    return "".join(code), quote


def code_lines(text: str) -> list[tuple[str, bool]]:
    """Each line's code (scan_line), and whether the line began inside a multi-line string (then it holds
    no key)."""
    result: list[tuple[str, bool]] = []
    quote = ""
    for raw in toml_lines(text):
        began_in_string = bool(quote)
        code, quote = scan_line(raw, quote)
        result.append((code, began_in_string))
    return result


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Map each key path (and each table, and the tables above it) to the line that first names it."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    depth = 0  # inside a multi-line array or inline table, assignments belong to the outer key
    for number, ((code, in_string), raw) in enumerate(
        zip(code_lines(text), toml_lines(text), strict=True), 1
    ):
        if depth == 0 and not in_string:
            header = _HEADER.match(raw)
            if header:
                table = split_key(header.group(1))
                for cut in range(1, len(table) + 1):
                    lines.setdefault(table[:cut], number)
                continue
            assign = _ASSIGN.match(raw)
            if assign:
                lines.setdefault(table + split_key(assign.group(1)), number)
        depth = max(0, depth + code.count("[") + code.count("{") - code.count("]") - code.count("}"))
    return lines
