"""A window whose Qt cannot be loaded answers CannotOpen through the launcher, never a silent death."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rustlamp.system import windows
from rustlamp.ui.contract import BREAK_OUTCOMES, CannotOpen, outcome_from_json
from rustlamp.ui.lifecycle import FAILED


def _launch(tmp_path: Path, broken: str, *argv: str) -> subprocess.CompletedProcess[str]:
    fake = tmp_path / "fake" / "PySide6"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(broken, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path / "fake"), *sys.path]))
    command = [sys.executable, "-m", "rustlamp.ui.launch", *argv]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)


def test_a_qt_that_does_not_load_gives_cannot_open_with_the_reason(tmp_path: Path) -> None:
    done = _launch(
        tmp_path,
        'raise ImportError("DLL load failed while importing QtCore: Module not found.")',
        "rustlamp.ui.break_window",
        "--language",
        "en",
    )
    assert done.returncode == FAILED, done.stderr
    outcome = outcome_from_json(done.stdout.splitlines()[-1], ())
    assert isinstance(outcome, CannotOpen)
    assert "DLL load failed" in outcome.detail


def test_an_error_of_our_own_is_not_taken_for_qt(tmp_path: Path) -> None:
    done = _launch(tmp_path, "", "rustlamp.ui.no_such_window")
    assert done.returncode == 1
    assert "cannot_open" not in done.stdout
    assert "No module named" in done.stderr


@pytest.mark.parametrize("safe_path_flag", [("-P",), ()], ids=["-P", "neutral working folder"])
def test_a_window_started_from_a_source_checkout_runs_the_lamps_own_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, safe_path_flag: tuple[str, ...]
) -> None:
    """`python -m` puts the working folder first on sys.path: from another checkout's folder, its rustlamp
    would answer for the window. Both ways (-P on 3.11+, a neutral working folder before) keep it out."""
    checkout = tmp_path / "checkout"
    (checkout / "rustlamp" / "ui").mkdir(parents=True)
    (checkout / "rustlamp" / "__init__.py").write_text("", encoding="utf-8")
    (checkout / "rustlamp" / "ui" / "__init__.py").write_text("", encoding="utf-8")
    marker = tmp_path / "the checkout's code ran"
    (checkout / "rustlamp" / "ui" / "launch.py").write_text(
        f"open({str(marker)!r}, 'w').close()\nprint('{{\"outcome\": \"done\"}}', flush=True)\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(checkout)
    monkeypatch.setattr(windows, "SAFE_PATH_FLAG", safe_path_flag)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    window = windows.WindowProcess("break_window", BREAK_OUTCOMES)

    outcome = asyncio.run(window.run(["--version-that-does-not-exist"]))  # ours: argparse's usage, no outcome

    assert not marker.exists()
    assert outcome is None


def test_a_window_is_started_with_the_safe_path_flag_where_python_has_it() -> None:
    command = windows.window_command("break_window", ["--language", "nl"])
    assert ("-P" in command) == (sys.version_info >= (3, 11))
    assert command[-4:] == ["rustlamp.ui.launch", "rustlamp.ui.break_window", "--language", "nl"]
