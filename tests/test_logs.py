"""The log: owner-only files in an owner-only folder, at every rotation too; one line per message."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from rustlamp.system.logs import setup_logging


@pytest.fixture
def clean_root() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_log_file_is_owner_only_at_every_rotation_in_a_folder_made_private(
    tmp_path: Path, clean_root: logging.Logger
) -> None:
    folder = tmp_path / "state"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)  # as an older rustlamp or another program left it
    old_umask = os.umask(0o022)
    try:
        setup_logging(folder / "rustlamp.log", 0)
        log = logging.getLogger("rustlamp.test")
        for n in range(3000):  # 512 kB a file: several rotations
            log.info("a reminder was shown with a prompt of some length, number %d %s", n, "x" * 200)
    finally:
        os.umask(old_umask)
    files = sorted(folder.glob("rustlamp.log*"))
    assert [f.name for f in files] == ["rustlamp.log", "rustlamp.log.1"]
    assert mode(folder) == 0o700
    assert all(mode(f) == 0o600 for f in files), {f.name: oct(mode(f)) for f in files}


def test_a_message_cannot_forge_a_log_line(tmp_path: Path, clean_root: logging.Logger) -> None:
    setup_logging(tmp_path / "rustlamp.log", 0)
    prompt = "Adem.\n2026-12-04 09:00:00,000 ERROR rustlamp: forged\rand\u2028more\x1b[2J"
    logging.getLogger("rustlamp.runtime").info("reminder shown: %s", prompt)
    lines = (tmp_path / "rustlamp.log").read_text(encoding="utf-8").splitlines()
    (line,) = [x for x in lines if "reminder shown" in x]
    assert line.endswith(
        r"reminder shown: Adem.\n2026-12-04 09:00:00,000 ERROR rustlamp: forged\rand\u2028more\x1b[2J"
    )
    assert not any("forged" in x and "reminder shown" not in x for x in lines)


def test_a_traceback_keeps_its_lines(tmp_path: Path, clean_root: logging.Logger) -> None:
    setup_logging(tmp_path / "rustlamp.log", 0)
    try:
        raise RuntimeError("inner")
    except RuntimeError:
        logging.getLogger("rustlamp").exception("failed:\nforged")
    text = (tmp_path / "rustlamp.log").read_text(encoding="utf-8")
    assert "failed:\\nforged\nTraceback (most recent call last):\n" in text
