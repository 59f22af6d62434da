"""The Windows job (make test-windows) runs the tests marked `windows` under Wine: a test file that imports
rustlamp's Windows code must carry the mark, so a new one cannot slip past."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent
WINDOWS_CODE = {
    "rustlamp.desk.windows_desk",
    "rustlamp.desk.calls_windows",
    "rustlamp.desk.idle_other",
    "rustlamp.system.control_tcp",
    "rustlamp.system.autostart",
    "rustlamp.tray.pystray_tray",
}

# files that import Windows code but mean nothing under Wine, and why
NOT_FOR_WINE = {
    "test_packaging.py": "builds the sdist and wheel and installs them into Linux venvs",
    # the entry is for Linux's and the BSDs' desktops; that Windows gets none is tested with the platform set
    "test_desktop_entry.py": "writes and reads freedesktop desktop entries, and runs the Linux lamp",
}


def imported(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_every_test_file_that_imports_windows_code_is_marked_for_the_windows_job() -> None:
    unmarked = []
    for path in sorted(TESTS.glob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        if path.name in NOT_FOR_WINE or "pytest.mark.windows" in text:
            continue
        if imported(ast.parse(text)) & WINDOWS_CODE:
            unmarked.append(path.name)
    assert unmarked == [], "mark them `pytestmark = pytest.mark.windows` (or mark their tests)"


def test_the_check_sees_an_import_of_windows_code() -> None:
    assert imported(ast.parse("from rustlamp.desk import windows_desk")) & WINDOWS_CODE
    assert imported(ast.parse("import rustlamp.system.autostart as a")) & WINDOWS_CODE
    assert not imported(ast.parse('"""rustlamp.system.autostart in words"""')) & WINDOWS_CODE
