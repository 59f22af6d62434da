"""The running app's hand on the journal: it opens it, writes what happens, and makes sure nothing a person
wrote is lost when the journal cannot take it.

An entry the journal refuses (a full disk, a file locked for too long) waits in memory and goes in with the
next write that succeeds; the person is told once (`tell`) that it waits. A journal that could not be opened
at all (held locked by another program, no permission) is tried again when there is something to write, not
on a timer. Whatever still waits when the app stops is written as JSON (owner-only) into the first folder
that takes it: beside the journal, else the state folder, else the runtime folder (a full or read-only data
disk). The file is written whole or not at all and read back before it counts: never an empty or unreadable
file. At the next start, such files are taken into the journal and then wiped.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from rustlamp.core.clock import Clock
from rustlamp.core.entries import Entry
from rustlamp.core.journal import Journal, JournalError, open_journal

log = logging.getLogger("rustlamp.journal")

UNSAVED_PREFIX = "journal-unsaved-"
UNSAVED_SUFFIX = ".json"


def unsaved_folders(journal_path: Path) -> list[Path]:
    """Where waiting entries may be kept when the journal cannot take them, in the order tried; `journal
    forget` looks in the same places."""
    folders = [journal_path.parent]
    with contextlib.suppress(Exception):
        from rustlamp.system.paths import state_dir

        folders.append(state_dir())
    with contextlib.suppress(Exception):
        from rustlamp.system.control import runtime_dir

        folders.append(runtime_dir())
    return list(dict.fromkeys(folders))


def unsaved_files(folders: Sequence[Path]) -> list[Path]:
    found: list[Path] = []
    for folder in folders:
        with contextlib.suppress(OSError):
            found += sorted(
                p
                for p in folder.glob(f"{UNSAVED_PREFIX}*{UNSAVED_SUFFIX}")
                if p.is_file() and not p.is_symlink()
            )
    return found


class JournalKeeper:
    def __init__(
        self,
        path: Path | None,
        clock: Clock,
        spare_folders: Sequence[Path] | None = None,
        tell: Callable[[str], None] | None = None,
    ) -> None:
        self.path = path  # None: keep nothing (no journal path, or `[journal] enabled = false`)
        self.clock = clock
        # where waiting entries go at the end when the journal cannot take them; the journal's folder first
        self.spare_folders = list(spare_folders) if spare_folders else ([path.parent] if path else [])
        self.tell = tell  # says a problem to the person (a notification); at most once per keeper
        self._journal: Journal | None = None
        self._waiting: list[Entry] = []
        self._open_failed = False  # open() was tried and gave no journal: try again before a write
        self._told = False
        self.kept_in: Path | None = None  # where the waiting entries went at the end, if anywhere

    @property
    def state(self) -> str:
        """For `status`: "off", "open", "waiting" (entries wait to go in) or "unavailable" (not open)."""
        if self.path is None:
            return "off"
        if self._journal is None:
            return "unavailable"
        return "waiting" if self._waiting else "open"

    @property
    def waiting_count(self) -> int:
        return len(self._waiting)

    @property
    def keeping(self) -> bool:
        return self.path is not None

    def open(self) -> tuple[str, str] | None:
        """Open the journal; (text key, problem) to tell the person when something went wrong."""
        if self.path is None or self._journal is not None:
            return None
        opened = open_journal(self.path, self.clock.now())
        self._journal = opened.journal
        self._open_failed = opened.journal is None
        if opened.problem is None:
            log.info("journal: %s", self.path)
            self._take_in_unsaved()
            return None
        log.warning("journal: %s", opened.problem)
        if opened.journal is None:
            self._told = True  # this is the one time the person hears of it
        else:
            self._take_in_unsaved()
        return ("journal_moved" if opened.journal is not None else "journal_unavailable", str(opened.problem))

    def record(self, kind: str, detail: Mapping[str, Any]) -> None:
        if self.path is None:
            return
        entry = Entry(self.clock.now(), kind, detail)
        self._waiting.append(entry)
        self._open_again()
        if self._journal is None:
            log.warning("journal: not open; %d entries wait in memory", len(self._waiting))
            self._tell_once("the journal cannot be opened")
            return
        try:
            self._journal.add_all(self._waiting)
        except JournalError as exc:
            log.warning("journal: %s; %d entries wait in memory", exc, len(self._waiting))
            self._tell_once(str(exc))
            return
        self._waiting.clear()

    def _tell_once(self, problem: str) -> None:
        if self._told or self.tell is None:
            return
        self._told = True
        try:
            self.tell(problem)
        except Exception:  # telling is a courtesy: it must never cost the entry
            log.exception("journal: could not tell the person")

    def _take_in_unsaved(self) -> None:
        """Entries kept aside by an earlier run go into the journal now; the files are then wiped."""
        if self._journal is None:
            return
        from rustlamp.core.entries_json import entries_from_json
        from rustlamp.core.journal_copies import wipe_file
        from rustlamp.core.small_file import read_small_text

        for file in unsaved_files(self.spare_folders):
            try:
                entries = entries_from_json(json.loads(read_small_text(file, UNSAVED_LIMIT)))
                added = self._journal.add_all(entries)
                wipe_file(file)
            except (OSError, ValueError, RecursionError, JournalError) as exc:
                log.warning("journal: %s was not taken in: %s", file, exc)
                continue
            log.info("journal: %d entries kept aside earlier were taken in from %s", added, file)

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

    def forget(self, before: date | None) -> int:
        """`journal forget` reached the running lamp: the waiting entries it removes from the file (of the
        local days before `before`, or all) go from memory too, so they never come back at the next write
        or in a kept-aside file. How many went."""
        from rustlamp.core.commands import forgets

        kept = [e for e in self._waiting if not forgets(e.at.isoformat(), before)]
        gone = len(self._waiting) - len(kept)
        self._waiting[:] = kept
        if gone:
            log.info("journal: %d waiting entries forgotten", gone)
        return gone

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
        if self.keep_aside(self._waiting) is not None:
            self._waiting.clear()

    def keep_aside(self, entries: list[Entry]) -> Path | None:
        """Write `entries` as JSON into the first spare folder that takes them; where they went, or None
        (said in the log) when no folder would."""
        from rustlamp.core.entries_json import entries_to_json

        data = json.dumps(entries_to_json(entries), ensure_ascii=True, indent=1).encode("ascii")
        name = f"{UNSAVED_PREFIX}{self.clock.now():%Y%m%d-%H%M%S}{UNSAVED_SUFFIX}"
        problems = []
        for folder in self.spare_folders:
            try:
                target = _write_whole(folder, name, data)
            except OSError as exc:
                problems.append(f"{folder}: {exc.strerror or exc}")
                continue
            log.warning(
                "journal: %d entries could not go into the journal and were kept in %s "
                "(rustlamp takes them in at its next start; `rustlamp journal import` can too)",
                len(entries),
                target,
            )
            self.kept_in = target
            return target
        log.error("journal: %d entries could not be kept anywhere: %s", len(entries), "; ".join(problems))
        return None


UNSAVED_LIMIT = 64 * 1024 * 1024  # bytes: far more than years of entries


def _write_whole(folder: Path, name: str, data: bytes) -> Path:
    """`data` into folder/name, owner-only, whole or not at all: a temporary file, written, synced and read
    back, then renamed; on any failure it is removed, so no empty or cut-off file is left."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stem, n = Path(name).stem, 1
    target = folder / name
    while target.exists():
        n += 1
        target = folder / f"{stem}-{n}{UNSAVED_SUFFIX}"
    temporary = folder / f".{target.name}.tmp"
    # O_BINARY: on Windows a descriptor is text by default and would write "\r\n" for each "\n"
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(temporary, flags, 0o600)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        with open(temporary, "rb") as back:
            if back.read() != data:
                raise OSError(f"{temporary} did not read back as written")
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return target


def _within(day: date, since: date | None, until: date | None) -> bool:
    return (since is None or day >= since) and (until is None or day <= until)
