"""A window whose Qt cannot be loaded answers CannotOpen through the launcher, never a silent death."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from rustlamp.ui.contract import CannotOpen, outcome_from_json
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
