"""The private journal: check-ins and rest moments in one SQLite file that only its owner can read.

- The file is created 0600 in a 0700 folder before SQLite touches it (SQLite gives its -wal and -shm
  files the main file's mode). WAL with synchronous=FULL: a committed entry survives `kill -9` and a
  power cut; writes are a few an hour, so the fsyncs cost nothing anyone notices.
- secure_delete is on, and `forget` truncates the WAL afterwards: forgotten words are overwritten, not
  only unlinked from the index.
- A schema version (PRAGMA user_version) with forward migrations.
- A file that cannot be used (not a database, corrupt, from a newer rustlamp, another program's
  database) is moved aside (never deleted) and a new journal is started;
  `OpenedJournal.problem` says what happened and where the old file went, so the app can tell the person
  and keep running. The file is first looked at through a read-only connection, so a file that is not
  ours is moved aside exactly as it was (a read-write connection would switch it to WAL, or checkpoint
  its WAL on close). A file that is fine but cannot be reached (no permission, a full disk, held locked
  by another program) is left where it is: moving it would not help, and a lock passes.
- A journal moved or replaced underneath the running app refuses writes (JournalError) instead of
  writing into a file nobody will open again.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from rustlamp.core.entries import Entry
from rustlamp.core.journal_rows import entry_from_row
from rustlamp.core.problem_words import Phrase, phrase

FILE_NAME = "journal.sqlite3"
SCHEMA_VERSION = 1
BUSY_TIMEOUT = 3.0  # seconds to wait for another writer before calling the file locked
COMPANIONS = ("-wal", "-shm", "-journal")  # SQLite's files beside the journal; they belong with it

# Each step takes the schema from version i to i + 1; a new version appends one, never edits one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE entries (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,      -- local time with its offset, ISO 8601, as the person lived it
        utc TEXT NOT NULL,     -- the same instant in UTC, for order
        kind TEXT NOT NULL,
        detail TEXT NOT NULL,  -- a JSON object
        UNIQUE (at, kind, detail)
    );
    CREATE INDEX entries_by_utc ON entries (utc);
    """,
)
assert len(MIGRATIONS) == SCHEMA_VERSION


class JournalError(Exception):
    """The journal could not do what was asked. `phrase` says why in the person's language (the catalogs'
    "journal." keys); str() is its English, for the log."""

    def __init__(self, words: Phrase) -> None:
        super().__init__(str(words))
        self.phrase = words


class JournalUnusable(JournalError):
    """The file itself cannot be used as a journal (damaged, not a database, from a newer rustlamp)."""


class _Reason(Exception):
    """Why a file cannot be opened, as the end of a sentence about it ("is damaged"): `phrase`."""

    def __init__(self, words: Phrase) -> None:
        super().__init__(str(words))
        self.phrase = words


class _Unusable(_Reason):
    """The file on disk cannot be used as a journal: it is moved aside."""


class _Unreachable(_Reason):
    """The file may be fine but cannot be opened where it is: it stays."""


class Journal:
    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        connection.text_factory = _text  # a row with bytes that are not UTF-8 is read, not refused
        self._db = connection
        self._identity = _identity(path)  # the file this connection writes to, to notice a swap

    # writing

    def add(self, entry: Entry) -> None:
        self.add_all([entry])

    def add_all(self, entries: Iterable[Entry]) -> int:
        """Store entries in one transaction; an exact copy of a stored entry is skipped. How many were new."""
        rows = [self._row(entry) for entry in entries]
        with self._writing() as db:
            before = db.total_changes
            db.executemany("INSERT OR IGNORE INTO entries (at, utc, kind, detail) VALUES (?, ?, ?, ?)", rows)
            return db.total_changes - before

    def forget(self, before: date | None) -> int:
        """Remove the entries of local days before `before`, or all of them (None). How many went."""
        with self._writing() as db:
            if before is None:
                cursor = db.execute("DELETE FROM entries")
            else:
                cursor = db.execute("DELETE FROM entries WHERE substr(at, 1, 10) < ?", (before.isoformat(),))
            gone = cursor.rowcount
        # Copy the WAL back and empty it, so the forgotten pages are overwritten there too; should that
        # fail (a reader holds on to an old page), the rows are gone all the same and the WAL is removed
        # when the last connection closes.
        with suppress(sqlite3.Error):
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        return gone

    # reading

    def entries(self, since: date | None = None, until: date | None = None) -> list[Entry]:
        """Entries by the local day they happened on, `since` and `until` included, oldest first."""
        query = "SELECT id, at, utc, kind, detail FROM entries WHERE 1=1"
        args: list[str] = []
        # The local day decides; the UTC bounds only let the index skip the rest of the year. An offset is
        # less than a day, so a local day lies within the UTC days just before and after it.
        if since is not None:
            query += " AND substr(at, 1, 10) >= ?"
            args.append(since.isoformat())
            if since > date.min:
                query += " AND utc >= ?"
                args.append((since - timedelta(days=1)).isoformat())
        if until is not None:
            query += " AND substr(at, 1, 10) <= ?"
            args.append(until.isoformat())
            if until < date.max - timedelta(days=1):
                query += " AND utc < ?"
                args.append((until + timedelta(days=2)).isoformat())
        try:
            rows = self._db.execute(query + " ORDER BY utc, id", args).fetchall()
        except sqlite3.Error as exc:
            raise JournalError(phrase("journal.cannot_read", path=str(self.path), reason=str(exc))) from exc
        return [entry_from_row(at, utc, kind, detail) for _row_id, at, utc, kind, detail in rows]

    def count(self, before: date | None = None) -> int:
        """How many entries there are (of the local days before `before`); reads no row's content."""
        query, args = "SELECT count(*) FROM entries", []
        if before is not None:
            query, args = query + " WHERE substr(at, 1, 10) < ?", [before.isoformat()]
        try:
            return int(self._db.execute(query, args).fetchone()[0])
        except sqlite3.Error as exc:
            raise JournalError(phrase("journal.cannot_read", path=str(self.path), reason=str(exc))) from exc

    def close(self) -> None:
        self._db.close()

    def _row(self, entry: Entry) -> tuple[str, str, str, str]:
        try:
            return _row(entry)
        except (ValueError, TypeError, OverflowError) as exc:
            words = phrase(
                "journal.cannot_keep", path=str(self.path), kind=entry.kind, at=str(entry.at), reason=str(exc)
            )
            raise JournalError(words) from exc

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        self._same_file()
        try:
            with self._db:  # one transaction: committed as a whole, or not at all
                yield self._db
        except sqlite3.Error as exc:
            # After a failed COMMIT (a full disk) SQLite may leave the transaction open; end it, so the next
            # write starts clean instead of carrying these rows along.
            if self._db.in_transaction:
                with suppress(sqlite3.Error):
                    self._db.rollback()
            raise JournalError(phrase("journal.cannot_write", path=str(self.path), reason=str(exc))) from exc

    def _same_file(self) -> None:
        """Refuse to write into a file that is no longer at the path: nobody would ever open it again."""
        try:
            now = _identity(self.path)
        except FileNotFoundError:
            raise JournalError(phrase("journal.gone", path=str(self.path))) from None
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise JournalError(phrase("journal.cannot_reach", path=str(self.path), reason=reason)) from exc
        if now != self._identity:
            raise JournalError(phrase("journal.replaced", path=str(self.path)))


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _identity(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_dev, status.st_ino


def _row(entry: Entry) -> tuple[str, str, str, str]:
    utc = entry.at.astimezone(timezone.utc).isoformat()
    return entry.at.isoformat(), utc, entry.kind, _detail_text(entry.detail)


def _detail_text(detail: Any) -> str:
    text = json.dumps(dict(detail), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (a broken emoji from a text field) cannot be stored as UTF-8 text; written as
        # \u escapes it can, and reads back the same. Only then, so every other entry keeps one spelling.
        text = json.dumps(dict(detail), ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return text


@dataclass(frozen=True)
class OpenedJournal:
    journal: Journal | None  # None when the file could not be opened, nor a new one made in its place
    problem: Phrase | None = None  # what went wrong with the old file, in words for a person
    moved_to: Path | None = None


def open_journal(path: Path, now: datetime) -> OpenedJournal:
    """Open the journal at `path`, making it when missing; an unusable file is moved aside for a new one.
    `now` names the moved file."""
    try:
        _private_folder(path.parent)
        _writable(path)
        return OpenedJournal(_open(path))
    except _Unusable as unusable:
        reason = unusable.phrase
    except _Unreachable as unreachable:
        return OpenedJournal(
            None, phrase("journal.left_where_it_is", path=str(path), reason=unreachable.phrase)
        )
    except OSError as exc:
        return OpenedJournal(None, _cannot_open(path, exc))
    try:
        moved = _move_aside(path, now)
    except OSError as exc:
        cause = exc.strerror or str(exc)
        return OpenedJournal(None, phrase("journal.not_moved", path=str(path), reason=reason, why=cause))
    problem = phrase("journal.moved", path=str(path), reason=reason, name=moved.name)
    try:
        return OpenedJournal(_open(path), problem, moved)
    except (_Reason, OSError) as exc:
        why: Phrase | str = exc.phrase if isinstance(exc, _Reason) else (exc.strerror or str(exc))
        return OpenedJournal(None, phrase("journal.new_one_neither", problem=problem, why=why), moved)


def _cannot_open(path: Path, exc: OSError) -> Phrase:
    return phrase("journal.cannot_open", path=str(path), reason=exc.strerror or str(exc))


def _about(path: Path, reason: _Reason) -> Phrase:
    """ "the journal PATH" and the reason: "... is damaged"."""
    return phrase("journal.problem", path=str(path), reason=reason.phrase)


def _private_folder(folder: Path) -> None:
    if not folder.is_dir():
        folder.mkdir(mode=0o700, parents=True)
    if os.name == "posix" and folder.stat().st_mode & 0o077:
        folder.chmod(0o700)  # our own data folder: nobody else needs to look in


def _writable(path: Path) -> None:
    """The running app writes: a journal it may only read is said so now, not at the first entry (SQLite
    would quietly open it read-only). Not a fault of the file, so it stays where it is. (access(), not a
    test open: closing any descriptor of the file would drop this process's SQLite locks on it.)"""
    if path.exists() and not os.access(path, os.W_OK):
        raise _Unreachable(phrase("journal.read_only"))


def _private_files(path: Path) -> None:
    if not path.exists():
        # Made here with 0600, so SQLite never creates it with the umask's wider mode.
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    if os.name != "posix":
        return
    for each in (path, *(_companion(path, suffix) for suffix in COMPANIONS)):
        # an older or hand-made file, or a -wal left by one: SQLite keeps an existing file's mode
        with suppress(FileNotFoundError):
            if each.stat().st_mode & 0o077:
                each.chmod(0o600)


def _open(path: Path) -> Journal:
    _private_files(path)
    _look(path)
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False)
    try:
        _prepare(db)
    except sqlite3.Error as exc:
        db.close()
        raise _failure(exc) from exc
    except _Unusable:
        db.close()
        raise
    db.isolation_level = "DEFERRED"  # from here on, `with db:` makes each write one transaction
    return Journal(path, db)


def _look(path: Path) -> None:
    """Check the file through a read-only connection, which writes nothing, not even on close."""
    try:
        _look_read_only(path)
    except sqlite3.Error as exc:
        if not (_is_read_only_error(exc) and _companion(path, "-journal").exists()):
            raise _failure(exc) from exc
    else:
        return
    # A hot rollback journal: a process died while it wrote in rollback mode (a new journal, killed as it
    # switched to WAL). Only a connection that may write can roll it back; then the file can be looked at.
    try:
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
        try:
            db.execute("PRAGMA user_version").fetchone()
        finally:
            db.close()
        _look_read_only(path)
    except sqlite3.Error as exc:
        raise _failure(exc) from exc


def _look_read_only(path: Path) -> None:
    uri = path.absolute().as_uri() + "?mode=ro"
    db = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT, isolation_level=None)
    try:
        _check_version(db)
        report = "\n".join(row[0] for row in db.execute("PRAGMA quick_check").fetchall())
        if report != "ok":
            # the first problem is enough to say it: "*** in database main ***" only heads the list
            problems = [line for line in report.splitlines() if not line.startswith("***")]
            raise _Unusable(phrase("journal.damaged_check", detail=(problems or [report])[0]))
    finally:
        db.close()


def _is_read_only_error(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", -1) & 0xFF  # Python 3.11+; before that, SQLite's message
    return code == 8 or "readonly database" in str(exc)  # SQLITE_READONLY


def _companion(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _check_version(db: sqlite3.Connection) -> int:
    """The file's schema version, after making sure it is a journal this rustlamp can read."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if (version == 0 and tables) or (version > 0 and "entries" not in tables):
        raise _Unusable(phrase("journal.not_ours"))
    if version > SCHEMA_VERSION:
        raise _Unusable(phrase("journal.newer", version=version, known=SCHEMA_VERSION))
    return version


def _prepare(db: sqlite3.Connection) -> None:
    """Bring a checked file's schema up to date; raise _Unusable or sqlite3.Error when it cannot be."""
    db.execute("PRAGMA secure_delete = ON")
    mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise _Unusable(phrase("journal.no_wal", mode=str(mode)))
    db.execute("PRAGMA synchronous = FULL")
    # IMMEDIATE takes the write lock now: a file another program holds locked shows here, at the start,
    # and two rustlamps starting together cannot both migrate.
    db.execute("BEGIN IMMEDIATE")
    try:
        version = _check_version(db)  # again, inside the lock
        for step in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[step].split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {step + 1}")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def _failure(exc: sqlite3.Error) -> _Reason:
    """_Unusable when the file itself is at fault: it is moved aside. Anything else (held locked by another
    program, no permission, a full disk, an I/O error) is about where the file is or who holds it; moving it
    would not help, and would leave the other program writing into the moved file."""
    message = str(exc)
    code = getattr(exc, "sqlite_errorcode", -1) & 0xFF  # Python 3.11+; before that, SQLite's message
    if code == 5 or "database is locked" in message:  # SQLITE_BUSY
        return _Unreachable(phrase("journal.locked"))
    if code == 26 or "file is not a database" in message:  # SQLITE_NOTADB
        return _Unusable(phrase("journal.not_a_database"))
    if code == 11 or "malformed" in message:  # SQLITE_CORRUPT
        return _Unusable(phrase("journal.damaged"))
    return _Unreachable(phrase("journal.cannot_open_because", detail=message))


def _move_aside(path: Path, now: datetime) -> Path:
    """Rename the file (and its -wal/-shm/-journal, so they stay a set) to a name that says when and why."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.unreadable-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.unreadable-{stamp}-{n}")
    os.replace(path, target)
    for suffix in COMPANIONS:
        if _companion(path, suffix).exists():
            os.replace(_companion(path, suffix), _companion(target, suffix))
    return target


READ_COPY_PREFIX = "rustlamp-read-"  # a private copy made to read a journal that cannot be read in place


def reading_journal(path: Path, scratch: Path | None = None) -> Journal:
    """Open an existing journal only to read it (export, the week): it writes nothing, so a journal on a
    read-only disk, or one the person may only read, can still be taken out. Where SQLite cannot read it
    in place (a read-only folder without the WAL's index file), a private copy in a temporary folder is
    read and removed at close; it is made in `scratch` (rustlamp's runtime folder, which `forget` looks in,
    should a copy outlive a killed process), else the system's temporary folder. JournalError when it cannot
    be read; nothing is moved."""
    if not path.exists():
        raise JournalError(phrase("journal.none_yet", path=str(path)))
    try:
        _look_read_only(path)
        uri = path.absolute().as_uri() + "?mode=ro"
        return Journal(path, sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT, check_same_thread=False))
    except _Unusable as exc:
        raise JournalError(_about(path, exc)) from exc
    except sqlite3.Error as exc:
        if not _is_read_only_error(exc) and "unable to open" not in str(exc):
            failure = _failure(exc)
            raise JournalError(_about(path, failure)) from exc
    return _read_copy(path, scratch)


def _read_copy(path: Path, scratch: Path | None) -> Journal:
    import shutil
    import tempfile

    folder = tempfile.TemporaryDirectory(prefix=READ_COPY_PREFIX, dir=scratch)  # made 0700
    try:
        copy = Path(folder.name) / path.name
        for suffix in ("", "-wal"):
            if _companion(path, suffix).exists():
                shutil.copyfile(_companion(path, suffix), _companion(copy, suffix))
        db = sqlite3.connect(copy, timeout=BUSY_TIMEOUT, check_same_thread=False)
        _check_version(db)
    except (OSError, sqlite3.Error, _Unusable) as exc:
        folder.cleanup()
        reason: Phrase | str = exc.phrase if isinstance(exc, _Unusable) else str(exc)
        raise JournalError(phrase("journal.cannot_read", path=str(path), reason=reason)) from exc
    return _CopiedJournal(path, db, folder)


class _CopiedJournal(Journal):
    def __init__(self, path: Path, connection: sqlite3.Connection, folder: Any) -> None:
        self.path = path
        connection.text_factory = _text
        self._db = connection
        self._identity = (-1, -1)  # never the file at `path`: any write is refused
        self._folder = folder

    def close(self) -> None:
        super().close()
        self._folder.cleanup()


def read_journal(path: Path) -> Journal:
    """Open an existing journal for the command line. When it cannot be used this raises JournalError and
    moves nothing: moving a file aside is the running app's decision, made where the person is told."""
    if not path.exists():
        raise JournalError(phrase("journal.none_yet", path=str(path)))
    try:
        _writable(path)
        return _open(path)
    except _Unusable as exc:
        raise JournalUnusable(_about(path, exc)) from exc
    except _Unreachable as exc:
        raise JournalError(_about(path, exc)) from exc
    except OSError as exc:
        raise JournalError(_cannot_open(path, exc)) from exc
