"""Reading a file that should be small and ordinary (settings, an import, a kept-aside file) without ever
blocking or filling the memory: it is opened without waiting (a FIFO with no writer would hang a plain
open), refused unless it is a regular file, and read up to a limit. The checks are made on the opened file,
so swapping the path for something else between a check and the read changes nothing.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from rustlamp.core.problem_words import Phrase, phrase


class NotAFile(OSError):
    """The path is not a regular file, or it is too big; `phrase` says which, in the person's language,
    without the path (the caller names it); str() is the English."""

    def __init__(self, words: Phrase) -> None:
        super().__init__(str(words))
        self.phrase = words


def read_small_bytes(path: Path, limit: int) -> bytes:
    """The file's bytes. FileNotFoundError / PermissionError / OSError as open raises them; NotAFile for a
    FIFO, a device, a folder or a socket, and for a file over `limit` bytes."""
    flags = (
        os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    )
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotAFile(phrase(_kind(info.st_mode)))
        if info.st_size > limit:
            raise NotAFile(phrase("file.too_big", size=info.st_size, limit=limit))
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(65536, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # it grew while being read
                raise NotAFile(phrase("file.grew", limit=limit))
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_small_text(path: Path, limit: int, encoding: str = "utf-8") -> str:
    """The file as text; UnicodeDecodeError (a ValueError) when it is not in `encoding`."""
    return read_small_bytes(path, limit).decode(encoding)


def _kind(mode: int) -> str:
    """The catalog key that says what the path is instead of an ordinary file."""
    if stat.S_ISDIR(mode):
        return "file.folder"
    if stat.S_ISFIFO(mode):
        return "file.pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "file.device"
    if stat.S_ISSOCK(mode):
        return "file.socket"
    return "file.not_regular"
