"""Helpers for the hostile-input tests: run the `rustlamp` command line in this process with private XDG
folders (fast enough for hundreds of cases), or as a real process where only a real process can show that
nothing hangs (a FIFO, /dev/zero)."""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from run_cli import RUSTLAMP

from rustlamp.core.journal import open_journal


@dataclass(frozen=True)
class Answer:
    code: int
    out: str
    err: str

    @property
    def said(self) -> str:
        return self.out + self.err


def run_here(args: Sequence[str], stdin: str = "") -> Answer:
    """`rustlamp ARGS` in this process; argparse's exit becomes the exit code. Any other exception is
    left to fail the test: a traceback is never an answer."""
    from rustlamp.cli import main

    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        sys.stdin = old_stdin
    return Answer(code, out.getvalue(), err.getvalue())


def run_process(args: Sequence[str], env: dict[str, str], timeout: float = 20) -> Answer:
    """`rustlamp ARGS` as a real process: a hang fails the test at `timeout` instead of stalling it."""
    result = subprocess.run(
        [RUSTLAMP, *args], env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )
    return Answer(result.returncode, result.stdout, result.stderr)


@dataclass(frozen=True)
class Text:
    """Bytes stored as SQLite TEXT as they are, even when they are not UTF-8 (as a damaged disk might)."""

    data: bytes


def raw_journal(path: Path, rows: Sequence[tuple[object, object, object, object]]) -> None:
    """A real journal with `rows` (at, utc, kind, detail) written straight into its table, as a hand, a
    newer rustlamp or a damaged disk could."""
    opened = open_journal(path, datetime.now().astimezone())
    assert opened.journal is not None, opened.problem
    opened.journal.close()
    db = sqlite3.connect(path)
    for row in rows:
        values = ", ".join("CAST(? AS TEXT)" if isinstance(v, Text) else "?" for v in row)
        db.execute(
            f"INSERT INTO entries (at, utc, kind, detail) VALUES ({values})",
            [v.data if isinstance(v, Text) else v for v in row],
        )
    db.commit()
    db.close()


def private_folders(home: Path) -> dict[str, str]:
    """XDG folders under `home`, as environment variables."""
    folders = {}
    for name in ("CONFIG", "STATE", "DATA", "CACHE"):
        folder = home / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        folders[f"XDG_{name}_HOME"] = str(folder)
    runtime = home / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    folders["XDG_RUNTIME_DIR"] = str(runtime)
    folders["HOME"] = str(home)
    return folders


def no_traceback(answer: Answer) -> None:
    assert "Traceback" not in answer.said, answer.said


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path
