"""Logging: a small rotating file in the state dir, always; the terminal too with -v.

The log names moments of rest and the prompts shown: the person's business only. Its folder is 0700 and
every file is made 0600 when it is opened, at the first start and at every rotation (a rotated-in file is
made by the handler, not by us, and would otherwise get the umask's 0644). A message is one line: a newline
or another control character in it (from a prompt, a file name) is written escaped, so nothing a message
carries can make a line that looks like rustlamp wrote it.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]")


def one_line(text: str) -> str:
    r"""`text` with line breaks and other control characters written as escapes (\n, \x1b, \u2028)."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class OneLineFormatter(logging.Formatter):
    """The message part stays on its line; a traceback (exc_text), which is ours, keeps its lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = one_line(record.message)
        return super().formatMessage(record)


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A RotatingFileHandler whose files are made 0600, whatever the umask, at every rotation too."""

    def _open(self):  # type: ignore[no-untyped-def]  # logging's own signature
        flags = (
            os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        )
        fd = os.open(self.baseFilename, flags, 0o600)
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)  # an older file, made before this rule
        return open(fd, "a", encoding=self.encoding, errors=self.errors)


def private_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix" and folder.stat().st_mode & 0o077:
        folder.chmod(0o700)  # our own state folder: nobody else needs to look in


def setup_logging(log_file: Path, verbosity: int) -> None:
    """WARNING and up always reach the terminal; -v adds INFO, -vv DEBUG. The file keeps INFO and up."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbosity > 1 else logging.INFO)
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setLevel(logging.DEBUG if verbosity > 1 else logging.INFO if verbosity == 1 else logging.WARNING)
    terminal.setFormatter(OneLineFormatter("rustlamp: %(message)s" if verbosity == 0 else FORMAT))
    root.addHandler(terminal)
    try:
        private_folder(log_file.parent)
        handler = PrivateRotatingFileHandler(log_file, maxBytes=512_000, backupCount=3, encoding="utf-8")
    except OSError as exc:
        logging.getLogger("rustlamp").warning("cannot write the log file %s: %s", log_file, exc)
        return
    handler.setFormatter(OneLineFormatter(FORMAT))
    root.addHandler(handler)
    # libraries' chatter stays out of the person's log unless they ask for it
    for noisy in ("asyncio", "dbus_fast", "desktop_notifier"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbosity > 1 else logging.WARNING)
