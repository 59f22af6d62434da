"""The running app's hand on the journal: it opens it, writes what happens, and makes sure nothing a person
wrote is lost when the journal cannot take it.

An entry the journal refuses (a full disk, a file locked for too long) waits in memory and goes in with the
next write that succeeds. A journal that could not be opened at all (held locked by another program, no
permission) is tried again when there is something to write, not on a timer. Whatever still waits when the
app stops is written beside the journal as JSON (owner-only), and the log says where.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from rustlamp.core.clock import Clock
from rustlamp.core.entries import Entry
from rustlamp.core.journal import Journal, JournalError, open_journal

log = logging.getLogger("rustlamp.journal")


class JournalKeeper:
    def __init__(self, path: Path | None, clock: Clock) -> None:
        self.path = path  # None: keep nothing (no journal path, or `[journal] enabled = false`)
        self.clock = clock
        self._journal: Journal | None = None
        self._waiting: list[Entry] = []
        self._open_failed = False  # open() was tried and gave no journal: try again before a write

    @property
    def keeping(self) -> bool:
        return self.path is not None

    def open(self) -> tuple[str, str] | None:
        """Open the journal; (text key, the old file's new name or "") to tell the person when something
        went wrong. The technical reason, path and all, goes to the log."""
        if self.path is None or self._journal is not None:
            return None
        opened = open_journal(self.path, self.clock.now())
        self._journal = opened.journal
        self._open_failed = opened.journal is None
        if opened.problem is None:
            log.info("journal: %s", self.path)
            return None
        log.warning("journal: %s", opened.problem)
        moved = opened.moved_to.name if opened.moved_to is not None else ""
        return ("journal_moved" if opened.journal is not None else "journal_unavailable", moved)

    def record(self, kind: str, detail: Mapping[str, Any]) -> None:
        if self.path is None:
            return
        entry = Entry(self.clock.now(), kind, detail)
        self._waiting.append(entry)
        self._open_again()
        if self._journal is None:
            log.warning("journal: not open; %d entries wait in memory", len(self._waiting))
            return
        try:
            self._journal.add_all(self._waiting)
        except JournalError as exc:
            log.warning("journal: %s; %d entries wait in memory", exc, len(self._waiting))
            return
        self._waiting.clear()

    def entries(self, since: date | None = None, until: date | None = None) -> list[Entry]:
        """What the journal holds, plus what still waits to go in."""
        kept: list[Entry] = []
        if self._journal is not None:
            try:
                kept = self._journal.entries(since, until)
            except JournalError as exc:
                log.warning("journal: %s", exc)
        waiting = [e for e in self._waiting if _within(e.at.date(), since, until)]
        return sorted(kept + waiting, key=lambda e: e.at.timestamp())

    def _open_again(self) -> None:
        """The journal could not be opened before; perhaps now it can (a lock let go, room on the disk)."""
        if not self._open_failed or self.path is None:
            return
        opened = open_journal(self.path, self.clock.now())
        if opened.journal is None:
            return  # said when it first failed; the entries keep waiting
        self._journal, self._open_failed = opened.journal, False
        if opened.problem is not None:
            log.warning("journal: %s", opened.problem)
        log.info("journal: open now: %s", self.path)

    def close(self) -> None:
        if self._waiting:
            self._open_again()
        if self._journal is not None and self._waiting:
            try:
                self._journal.add_all(self._waiting)
                self._waiting.clear()
            except JournalError as exc:
                log.warning("journal: %s", exc)
        if self._waiting:
            self._keep_aside()
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def _keep_aside(self) -> None:
        assert self.path is not None
        from rustlamp.core.entries_json import entries_to_json

        target = self.path.with_name(f"journal-unsaved-{self.clock.now():%Y%m%d-%H%M%S}.json")
        try:
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(entries_to_json(self._waiting), out, ensure_ascii=False, indent=1)
        except OSError as exc:
            log.error("journal: %d entries could not be kept anywhere: %s", len(self._waiting), exc)
            return
        log.warning(
            "journal: %d entries could not go into the journal and were kept in %s "
            "(`rustlamp journal import` takes them in)",
            len(self._waiting),
            target,
        )
        self._waiting.clear()


def _within(day: date, since: date | None, until: date | None) -> bool:
    return (since is None or day >= since) and (until is None or day <= until)
