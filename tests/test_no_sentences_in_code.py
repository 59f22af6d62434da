"""No sentence for a person is written in Python: what rustlamp says comes from the catalogs (rustlamp/locale,
CONTRIBUTING.md), so it is said in the person's language. An AST scan of rustlamp/ finds English written in
the places a person reads: print(), writes to stdout or stderr, a list of problems, the running rustlamp's
"error" in a reply (the command line says it), and an exception raised with words of its own in a module
whose exceptions reach a person (RAISED_TO_A_PERSON).

Log lines are the exception, on purpose (CONTRIBUTING.md, "Log lines"): they stay English, so a bug report
reads the same whoever sends it; the test holds them to that too (no catalog words in a log call).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.windows

PACKAGE = Path(__file__).parent.parent / "rustlamp"

# two words of letters side by side: a sentence, or a piece of one ("cannot be read", "no settings file")
SENTENCE = re.compile(r"[A-Za-z]{2,}[ ,;:]+[A-Za-z]{2,}")

# Modules whose raised exceptions reach a person: the command line prints them (the journal's problems, an
# import's, the running rustlamp's, starting at login) or the settings window shows them (a change that
# cannot go into the file). Elsewhere an exception is a programming error or goes to the log, and the person
# hears the catalog's words for it (rustlamp/desk: what the desktop says; rustlamp/ui: the window processes,
# told by rustlamp.system.windows.why_not_shown; the lamp's notifications: "app." keys).
RAISED_TO_A_PERSON = {
    "cli.py",
    "journal_cli.py",
    "settings_file.py",
    "core/config.py",
    "core/entries.py",
    "core/entries_json.py",
    "core/journal.py",
    "core/small_file.py",
    "system/autostart.py",
    "system/control.py",
    "system/control_tcp.py",
}

LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}
CATALOG_CALLS = {"text", "cli_word", "counted", "cli_counted", "said", "word", "plural"}

# file, the start of the sentence: each with the reason it may stay English
ALLOWED = {
    # a developer's entry point, started by rustlamp itself with the right arguments; a person never types it
    ("ui/launch.py", "usage: python -m rustlamp.ui.launch"),
    # a window process's stderr goes to the lamp's log; the person hears why_not_shown's catalog words
    ("ui/qt_common.py", "{name}: Qt: {message}"),
    ("ui/qt_common.py", "{name}: no display to show a window on"),
    # `rustlamp status --json` is for programs: its keys and values are data, not words
    ("cli.py", "running lamp"),
    # programming errors, raised to the developer who wrote the call: a value with no form in the file, a
    # key path that is not one, a value not converted first
    ("settings_file.py", "{value!r} has no form in the settings file"),
    ("settings_file.py", "{path!r} is not a key path"),
    ("settings_file.py", "{'.'.join(path)}: {value!r} is not a plain TOML value"),
    # an autostart entry's Exec= line that rustlamp itself wrote; read back only to compare, never said
    ("system/autostart.py", "an unclosed quote in Exec="),
    # control.py: Windows' file lock on another system (never reached), and a request the lamp cannot read,
    # answered in the protocol (the command line that sent it says its own catalog words)
    ("system/control.py", "msvcrt locking is only there on Windows"),
    ("system/control.py", "not a JSON object"),
    ("system/control.py", "command is not a string"),
}


class Found(tuple[str, int, str]):
    """(file, line, the sentence as written)."""


def _literal(node: ast.AST) -> tuple[str, str] | None:
    """(the written text, and the same with {...} for each value) of a string or an f-string, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, node.value
    if isinstance(node, ast.JoinedStr):
        text, shown = [], []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                text.append(value.value)
                shown.append(value.value)
            elif isinstance(value, ast.FormattedValue):
                text.append(" {} ")
                shown.append(
                    "{" + ast.unparse(value.value) + ("!r" if value.conversion == ord("r") else "") + "}"
                )
        return "".join(text), "".join(shown)
    return None


def _sentences(node: ast.AST) -> Iterator[tuple[int, str]]:
    """Every sentence written inside `node`, except inside a log call or a catalog lookup."""
    if isinstance(node, ast.Call) and (_is_log_call(node) or _name(node.func) in CATALOG_CALLS):
        return
    found = _literal(node)
    if found is not None:
        text, shown = found
        if SENTENCE.search(text):
            yield node.lineno, shown
        if isinstance(node, ast.JoinedStr):  # the values inside may hold more
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    yield from _sentences(value.value)
        return
    for child in ast.iter_child_nodes(node):
        yield from _sentences(child)


def _name(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_log_call(call: ast.Call) -> bool:
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr in LOG_METHODS):
        return False
    owner = func.value
    name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else ""
    return name in ("log", "logger", "logging", "_log", "LOG")


def _to_a_person(node: ast.AST, module: str) -> bool:
    """A place whose words a person reads."""
    if isinstance(node, ast.Call):
        name = _name(node.func)
        if name == "print":
            return True
        if name == "write" and ast.unparse(node.func).startswith(("sys.stderr", "sys.stdout")):
            return True
        if name == "append" and ast.unparse(node.func).split(".")[-2].endswith("problems"):
            return True
    if isinstance(node, ast.Dict):  # a reply of the running rustlamp: {"ok": False, "error": ...}
        return any(isinstance(key, ast.Constant) and key.value == "error" for key in node.keys)
    return isinstance(node, ast.Raise) and node.exc is not None and module in RAISED_TO_A_PERSON


def found_sentences() -> list[Found]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), relative)
        for node in ast.walk(tree):
            if not _to_a_person(node, relative):
                continue
            for line, words in _sentences(node):
                if not any(relative == file and words.startswith(start) for file, start in ALLOWED):
                    found.append(Found((relative, line, words)))
    return sorted(set(found))


def test_no_sentence_for_a_person_is_written_in_python() -> None:
    found = found_sentences()
    assert found == [], "\n".join(
        f"rustlamp/{file}:{line}: {words!r}: a catalog message (CONTRIBUTING.md), or a reason on ALLOWED"
        for file, line, words in found
    )


def test_the_scan_finds_what_it_is_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each place the scan watches, written the old way, is found; the same words in a log line are not."""
    package = tmp_path / "rustlamp"
    (package / "core").mkdir(parents=True)
    (package / "desk").mkdir()
    (package / "cli.py").write_text(
        "import sys, logging\n"
        "log = logging.getLogger(__name__)\n"
        "def main(path, exc, problems):\n"
        "    print(f'{path}: no settings file here')\n"
        "    print(f'rustlamp: {exc}; not kept, so here it is:', file=sys.stderr)\n"
        "    sys.stderr.write('the running rustlamp refused\\n')\n"
        "    problems.append(f'could not forget in a copy: {exc}')\n"
        "    log.warning('journal: %s could not be read', path)\n"
        "    return {'ok': False, 'error': f'unknown command {path!r}'}\n"
        "    print(text('nl', 'journal_kept_all'))\n"
        "    return {'ok': False, 'error': str(phrase('control.no_answer'))}\n",
        encoding="utf-8",
    )
    (package / "core" / "journal.py").write_text(
        "def f(path):\n    raise ValueError(f'there is no journal yet at {path}')\n", encoding="utf-8"
    )
    (package / "desk" / "idle.py").write_text(
        "def f():\n    raise OSError('no idle time here')\n", encoding="utf-8"
    )
    monkeypatch.setattr(__import__(__name__), "PACKAGE", package)
    assert [(file, line) for file, line, _ in found_sentences()] == [
        ("cli.py", 4),
        ("cli.py", 5),
        ("cli.py", 6),
        ("cli.py", 7),
        ("cli.py", 9),
        ("core/journal.py", 2),
    ]


def test_log_lines_stay_english() -> None:
    """A log line is for whoever reads a bug report: no catalog words in it, whatever the language."""
    translated = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _is_log_call(node):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Call) and _name(inner.func) in {"text", "cli_word", "counted"}:
                        translated.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert translated == []
