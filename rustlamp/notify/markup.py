"""Whether a notification service reads the body as markup, so that what the person wrote (a prompt with
`<b>`, `&amp;` or `<a href=…>`) can be escaped and shown as written, never as markup or a hidden link.

The spec says a service reads markup only when it advertises "body-markup". dunst does not keep to that:
with no `markup` line in its settings (its default) it draws the body as markup without advertising it;
with `markup = no` it shows it as plain text, and advertises nothing either. The two cannot be told apart
over D-Bus, so for dunst its settings file is read (the one on its command line, else the usual places):
only an explicit `markup = no` in [global] means plain text. When that cannot be found out, dunst may parse,
and the body is escaped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from rustlamp.core.small_file import read_small_text

CONFIG_LIMIT = 1024 * 1024  # bytes
_SECTION = re.compile(r"^\s*\[([^\]]*)\]")
_MARKUP = re.compile(r"""^\s*markup\s*=\s*["']?([A-Za-z]+)""")


def may_read_markup(
    name: str, capabilities: frozenset[str], pid: int | None, env: Mapping[str, str] = os.environ
) -> bool:
    """True when the service named `name` may draw the body as markup: escape it then."""
    if "body-markup" in capabilities:
        return True
    if name.lower() != "dunst":
        return False  # it keeps to the spec: plain text
    return dunst_markup(pid, env) != "no"


def dunst_markup(pid: int | None, env: Mapping[str, str]) -> str | None:
    """The `markup` setting in the [global] section of the dunst settings file in use, or None."""
    for path in _dunst_configs(_command_line(pid), env):
        try:
            text = read_small_text(path, CONFIG_LIMIT, encoding="utf-8")
        except (OSError, ValueError):
            continue
        return _global_markup(text)  # dunst reads the first file it finds
    return None


def _global_markup(text: str) -> str | None:
    section, found = "", None
    for line in text.splitlines():
        header = _SECTION.match(line)
        if header:
            section = header.group(1).strip()
            continue
        setting = _MARKUP.match(line)
        if setting and section == "global":
            found = setting.group(1).lower()
    return found


def _command_line(pid: int | None) -> list[str]:
    if pid is None:
        return []
    try:
        raw = read_small_text(Path(f"/proc/{pid}/cmdline"), 1 << 16, encoding="utf-8")
    except (OSError, ValueError):
        return []
    return raw.split("\0")


def _dunst_configs(argv: Sequence[str], env: Mapping[str, str]) -> list[Path]:
    for flag in ("-config", "-conf", "--config"):
        if flag in argv[:-1]:
            return [Path(argv[argv.index(flag) + 1])]
    home = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".config")
    dirs = [home, *(env.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(":")]
    return [Path(folder) / "dunst" / "dunstrc" for folder in dirs if folder]


def escape_text(text: str) -> str:
    """`text` as markup that shows it as written: &, < and > as entities. Quotes need no escaping in
    markup text, and some services only decode &amp; &lt; &gt;. (html.escape does the same, but the html
    module loads its table of two thousand entities, a half megabyte kept for the lamp's whole life.)"""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
