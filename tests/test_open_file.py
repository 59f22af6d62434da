"""'Open settings': the file is created from the example only when missing, then handed to the desktop."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from platforms import not_on_windows

from rustlamp.system.open_file import ensure_config_file, open_in_desktop

pytestmark = pytest.mark.windows

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"


def test_a_missing_file_is_created_from_the_example(tmp_path: Path) -> None:
    path = tmp_path / "rustlamp" / "config.toml"
    assert ensure_config_file(path) is True
    assert path.read_bytes() == EXAMPLE.read_bytes()


def test_an_existing_file_is_never_touched(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# mine\nlanguage = 'nl'\n", encoding="utf-8")
    assert ensure_config_file(path) is False
    assert path.read_text(encoding="utf-8") == "# mine\nlanguage = 'nl'\n"


@not_on_windows("xdg-open")
def test_the_desktop_opener_gets_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a stand-in xdg-open on PATH that writes down what it was asked to open
    record = tmp_path / "opened"
    opener = tmp_path / "bin" / "xdg-open"
    opener.parent.mkdir()
    opener.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {record}\n', encoding="utf-8")
    opener.chmod(0o755)
    monkeypatch.setenv("PATH", f"{opener.parent}{os.pathsep}{os.environ['PATH']}")
    target = tmp_path / "config with space.toml"
    assert open_in_desktop(target) is None
    deadline = time.monotonic() + 5
    while not record.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert record.read_text(encoding="utf-8") == str(target)


@not_on_windows("xdg-open")
def test_no_opener_is_a_clear_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    problem = open_in_desktop(tmp_path / "config.toml")
    assert problem is not None and "xdg-open" in problem and "config.toml" in problem
