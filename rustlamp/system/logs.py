"""Logging: a small rotating file in the state dir, always; the terminal too with -v."""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(log_file: Path, verbosity: int) -> None:
    """WARNING and up always reach the terminal; -v adds INFO, -vv DEBUG. The file keeps INFO and up."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbosity > 1 else logging.INFO)
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setLevel(logging.DEBUG if verbosity > 1 else logging.INFO if verbosity == 1 else logging.WARNING)
    terminal.setFormatter(logging.Formatter("rustlamp: %(message)s" if verbosity == 0 else FORMAT))
    root.addHandler(terminal)
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=512_000, backupCount=3, encoding="utf-8"
        )
        os.chmod(log_file, 0o600)  # the log names moments of rest: the person's business only
    except OSError as exc:
        logging.getLogger("rustlamp").warning("cannot write the log file %s: %s", log_file, exc)
        return
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    # libraries' chatter stays out of the person's log unless they ask for it
    for noisy in ("asyncio", "dbus_fast", "desktop_notifier"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbosity > 1 else logging.WARNING)
