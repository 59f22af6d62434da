"""No module of rustlamp imports tkinter: Debian's and Ubuntu's own python3 has none, and Tk windows are
invisible to screen readers. Every window and the popup menu are Qt (issue 15)."""

from __future__ import annotations

import ast
from pathlib import Path

import rustlamp

PACKAGE = Path(rustlamp.__file__).parent
TK = {"tkinter", "_tkinter", "Tkinter"}


def tk_imports(source: Path, root: Path = PACKAGE) -> list[str]:
    """Each place in `source` that imports Tk: import statements, and a name handed to an import function."""
    found = []
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"), filename=str(source))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names = [node.value]  # importlib.import_module("tkinter"), __import__("tkinter")
        found += [f"{source.relative_to(root)}:{node.lineno}" for n in names if n.split(".")[0] in TK]
    return found


def test_no_module_of_rustlamp_imports_tkinter() -> None:
    sources = sorted(PACKAGE.rglob("*.py"))
    assert len(sources) > 50  # the whole package was read, not an empty folder
    assert [place for source in sources for place in tk_imports(source)] == []


def test_the_check_sees_every_way_of_importing_tk(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import tkinter\nfrom tkinter import ttk\nimport importlib\nimportlib.import_module('_tkinter')\n",
        encoding="utf-8",
    )
    assert tk_imports(sample, tmp_path) == ["sample.py:1", "sample.py:2", "sample.py:4"]
