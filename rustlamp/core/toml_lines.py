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


def code_lines(text: str) -> list[tuple[str, bool]]:
    """Each line with string contents and comments blanked out, and whether the line began inside a
    multi-line string (then it holds no key)."""
    result: list[tuple[str, bool]] = []
    quote = ""  # the open string's delimiter: ", ', \"\"\" or '''
    for raw in toml_lines(text):
        began_in_string = len(quote) == 3
        code: list[str] = []
        i = 0
        while i < len(raw):
            if quote:
                if (quote == '"' or quote == '"""') and raw[i] == "\\":
                    i += 2
                    continue
                if raw.startswith(quote, i):
                    code.append("s")
                    i += len(quote)
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
        result.append(("".join(code), began_in_string))
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
