"""Every copy rustlamp makes of what a person wrote, besides the journal itself, and how to forget it:
journals moved aside because they could not be used (with their -wal/-shm), entries kept aside as JSON when
the journal could not take them, and the log (which names rest times and routines). `journal forget` goes
through all of them, so forgetting is never only forgetting the main file.

Removing a copy overwrites its bytes with zeros before unlinking it, so the words are not left in the file's
old blocks for anything reading the folder's files.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from rustlamp.core.journal_rows import clean

COMPANIONS = ("-wal", "-shm", "-journal")
MOVED_ASIDE_MARK = ".unreadable-"


def wipe_file(path: Path) -> None:
    """Overwrite the file with zeros, sync, and remove it. A symlink is removed, never followed."""
    if path.is_symlink() or not path.is_file():
        path.unlink()
        return
    blank(path)
    path.unlink()


def blank(path: Path) -> None:
    """Overwrite the file's bytes with zeros and cut it to nothing, leaving an empty file (a log that the
    running lamp keeps open goes on from there)."""
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    try:
        size = os.fstat(fd).st_size
        zeros = bytes(min(size, 1 << 20))
        written = 0
        while written < size:
            written += os.write(fd, zeros[: size - written])
        os.fsync(fd)
        os.ftruncate(fd, 0)
        os.fsync(fd)
    finally:
        os.close(fd)


def moved_aside(journal_path: Path) -> list[Path]:
    """Journals moved aside (journal.sqlite3.unreadable-<when>) and their SQLite companions."""
    folder = journal_path.parent
    try:
        names = sorted(p.name for p in folder.iterdir())
    except OSError:
        return []
    prefix = journal_path.name + MOVED_ASIDE_MARK
    return [folder / name for name in names if name.startswith(prefix)]


def journal_with_companions(journal_path: Path) -> list[Path]:
    each = [journal_path, *(journal_path.with_name(journal_path.name + s) for s in COMPANIONS)]
    return [p for p in each if p.exists() or p.is_symlink()]


def forget_in_kept_file(path: Path, before: date | None, read: Callable[[Path], str]) -> int:
    """Entries of local days before `before` (all: None) out of a kept-aside JSON file; the file is wiped
    when nothing is left in it, else written again without them. How many went (-1: the file could not be
    read as entries, and with `before` set it is left as it was)."""
    if before is None:
        try:
            count = len(_items(read(path)))
        except (OSError, ValueError, RecursionError):
            count = -1
        wipe_file(path)
        return count
    items = _items(read(path))
    keep = [item for item in items if not _before(item, before)]
    if len(keep) == len(items):
        return 0
    if not keep:
        wipe_file(path)
        return len(items)
    data = json.dumps(clean(keep), ensure_ascii=True, indent=1).encode("ascii")
    _overwrite_in_place(path, data)
    return len(items) - len(keep)


def forget_in_log(path: Path, before: date | None) -> int:
    """Log lines of days before `before` out of one log file (all: None, the file is blanked). Lines that
    continue a logged line (a traceback) go with it. How many lines went."""
    if before is None:
        lines = path.read_bytes().count(b"\n")
        blank(path)
        return lines
    kept: list[bytes] = []
    gone = 0
    dropping = False
    for line in path.read_bytes().splitlines(keepends=True):
        day = _log_day(line)
        if day is not None:
            dropping = day < before
        if dropping:
            gone += 1
        else:
            kept.append(line)
    if gone:
        _overwrite_in_place(path, b"".join(kept))
    return gone


def _log_day(line: bytes) -> date | None:
    try:
        return date.fromisoformat(line[:10].decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return None


def _items(text: str) -> list[object]:
    data = json.loads(text)
    if not isinstance(data, list):
        raise ValueError("not a JSON list of entries")
    return data


def _before(item: object, before: date) -> bool:
    at = item.get("at") if isinstance(item, dict) else None
    try:
        return isinstance(at, str) and datetime.fromisoformat(at).date() < before
    except ValueError:
        return False


def _overwrite_in_place(path: Path, data: bytes) -> None:
    """Zero the old bytes, then write `data` over them: a rename would leave the old blocks as they were."""
    blank(path)
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
