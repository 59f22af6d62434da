"""`rustlamp journal ...`: the person's own data, on their own terms.

    rustlamp journal export [--format csv|json] [--since DATE] [--until DATE]   to stdout
    rustlamp journal import FILE                  entries from an export (or a kept-aside file)
    rustlamp journal forget --before DATE | --all [--yes]
    rustlamp journal week [--png FILE]            the week's picture: a window, or a PNG file

These read and write the journal file directly (WAL lets them do so beside a running rustlamp). They
never move a broken journal aside: they say what is wrong and leave that to the running app.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from rustlamp.core.texts import cli_word, day_with_year

if TYPE_CHECKING:
    from rustlamp.core.entries import Entry
    from rustlamp.core.journal import Journal
    from rustlamp.core.problem_words import Phrase

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2
IMPORT_LIMIT = 64 * 1024 * 1024  # bytes (characters from stdin): far more than years of entries
CSV_COLUMNS = ("at", "kind", "outcome", "how", "until", "name", "body", "signals", "breath", "need", "note")


# today and yesterday as a person types them, in each language the command line speaks
DAY_WORDS = {"today": 0, "vandaag": 0, "heute": 0, "yesterday": 1, "gisteren": 1, "gestern": 1}


def day_reader(language: str) -> Callable[[str], date]:
    """An argparse type: an ISO date, or today / yesterday (local), said in `language`'s words."""

    def read(value: str) -> date:
        word = value.strip().lower()
        if word in DAY_WORDS:
            return date.today() - timedelta(days=DAY_WORDS[word])
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(cli_word(language, "not_date", value=repr(value))) from None

    return read


def add_journal_parser(
    commands: argparse._SubParsersAction[Any],
    common: Callable[[argparse.ArgumentParser], None],
    language: str,
) -> None:
    def word(key: str) -> str:
        return cli_word(language, key)

    day, date_word = day_reader(language), cli_word(language, "date")
    journal = commands.add_parser("journal", help=word("journal"), language=language)
    actions = journal.add_subparsers(
        dest="journal_command", metavar=cli_word(language, "action"), required=True
    )

    export = actions.add_parser("export", help=word("journal_export"), language=language)
    export.add_argument("--format", choices=("csv", "json"), default="csv", help=word("journal_format"))
    export.add_argument("--since", type=day, metavar=date_word, help=word("journal_since"))
    export.add_argument("--until", type=day, metavar=date_word, help=word("journal_until"))
    common(export)

    take_in = actions.add_parser("import", help=word("journal_import"), language=language)
    take_in.add_argument(
        "file", type=Path, metavar=cli_word(language, "file"), help=word("journal_import_file")
    )
    common(take_in)

    forget = actions.add_parser("forget", help=word("journal_forget"), language=language)
    which = forget.add_mutually_exclusive_group(required=True)
    which.add_argument("--before", type=day, metavar=date_word, help=word("journal_before"))
    which.add_argument("--all", action="store_true", help=word("journal_all"))
    forget.add_argument("--yes", action="store_true", help=word("journal_yes"))
    common(forget)

    week = actions.add_parser("week", help=word("journal_week"), language=language)
    week.add_argument("--png", type=Path, metavar=cli_word(language, "file"), help=word("journal_png"))
    common(week)


def run_journal(args: argparse.Namespace, language: str, journal_path: Path) -> int:
    action: dict[str, Callable[[argparse.Namespace, str, Path], int]] = {
        "export": _export,
        "import": _import,
        "forget": _forget,
        "week": _week,
    }
    return action[args.journal_command](args, language, journal_path)


def say_problem(language: str, problem: Phrase) -> None:
    """A problem on stderr, after the program's name, in the person's language."""
    print(f"rustlamp: {problem.said(language)}", file=sys.stderr)


def _opened(path: Path, language: str, must_exist: bool = True) -> Journal | None:
    from rustlamp.core.journal import JournalError, open_journal, read_journal

    try:
        if must_exist or path.exists():
            return read_journal(path)
    except JournalError as exc:
        say_problem(language, exc.phrase)
        return None
    opened = open_journal(path, _now())
    if opened.problem:
        say_problem(language, opened.problem)
    return opened.journal


def _now() -> datetime:
    from rustlamp.core.clock import SystemClock

    return SystemClock().now()


def _read(
    path: Path, language: str, since: date | None = None, until: date | None = None
) -> list[Entry] | None:
    """The entries, [] when there is no journal yet, None (after saying why) when it cannot be read."""
    from rustlamp.core.journal import JournalError, reading_journal

    if not path.exists():
        return []
    try:
        journal = reading_journal(
            path, _scratch()
        )  # writes nothing: a read-only journal can be taken out too
        try:
            return journal.entries(since, until)
        finally:
            journal.close()
    except JournalError as exc:
        say_problem(language, exc.phrase)
        return None


def _scratch() -> Path | None:
    """rustlamp's runtime folder, for a private copy of a journal that cannot be read in place."""
    from rustlamp.system.control import _private_dir, runtime_dir

    try:
        return _private_dir(runtime_dir())
    except OSError:
        return None


def _export(args: argparse.Namespace, language: str, path: Path) -> int:
    from rustlamp.core.entries_json import entries_to_json
    from rustlamp.core.problem_words import phrase

    if args.since and args.until and args.since > args.until:
        since, until = args.since.isoformat(), args.until.isoformat()
        say_problem(language, phrase("cli.since_after_until", since=since, until=until))
        return EXIT_USAGE
    entries = _read(path, language, args.since, args.until)
    if entries is None:
        return EXIT_PROBLEM
    if args.format == "json":
        json.dump(entries_to_json(entries), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        write_csv(entries, sys.stdout)
    return EXIT_OK


def write_csv(entries: Sequence[Entry], out: TextIO) -> None:
    """One row an entry, one column a detail field (signals joined with ';'), for a spreadsheet."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        detail = dict(entry.detail)
        row: list[str] = [entry.at.isoformat(), entry.kind]
        for column in CSV_COLUMNS[2:]:
            value = detail.get(column)
            if isinstance(value, list):
                value = ";".join(str(v) for v in value)
            row.append("" if value is None else str(value))
        writer.writerow(row)


def _import(args: argparse.Namespace, language: str, path: Path) -> int:
    from rustlamp.core.entries_json import entries_from_json
    from rustlamp.core.journal import JournalError
    from rustlamp.core.problem_words import phrase, phrase_of
    from rustlamp.core.small_file import NotAFile, read_small_text

    name = "stdin" if str(args.file) == "-" else str(args.file)
    try:
        if name == "stdin":
            text = sys.stdin.read(IMPORT_LIMIT + 1)
            if len(text) > IMPORT_LIMIT:
                raise NotAFile(phrase("file.too_many_characters", limit=IMPORT_LIMIT))
        else:
            text = read_small_text(args.file, IMPORT_LIMIT)
        entries = entries_from_json(json.loads(text))
    except NotAFile as exc:
        say_problem(language, phrase("cli.import_not_export", name=name, reason=exc.phrase))
        return EXIT_USAGE
    except OSError as exc:
        say_problem(language, phrase("cli.cannot_read", name=name, reason=exc.strerror or str(exc)))
        return EXIT_PROBLEM
    except RecursionError:
        say_problem(language, phrase("cli.import_too_deep", name=name))
        return EXIT_USAGE
    except ValueError as exc:  # JSONDecodeError is one: it names the line and column, in Python's English
        say_problem(language, phrase("cli.import_not_export", name=name, reason=phrase_of(exc)))
        return EXIT_USAGE
    journal = _opened(path, language, must_exist=False)
    if journal is None:
        return EXIT_PROBLEM
    try:
        added = journal.add_all(entries)
    except JournalError as exc:
        say_problem(language, exc.phrase)
        return EXIT_PROBLEM
    finally:
        journal.close()
    skipped = len(entries) - added
    key = "journal_taken_in_some_there" if skipped else "journal_taken_in"
    print(_said(language, key, entries=_entries(added, language), skipped=skipped, path=path))
    return EXIT_OK


def _forget(args: argparse.Namespace, language: str, path: Path) -> int:
    """Forget in the journal and in every copy rustlamp made of it (rustlamp.core.journal_copies), and say
    what went where."""
    from rustlamp.core.journal import JournalError, JournalUnusable
    from rustlamp.core.problem_words import phrase, reason_of

    before: date | None = None if args.all else args.before
    what = (
        _said(language, "journal_all")
        if before is None
        else _said(language, "journal_before", date=day_with_year(language, before))
    )
    journal: Journal | None = None
    count, whole = 0, False
    problems: list[Phrase] = []
    if path.exists():
        try:
            journal = _read_writable(path)
            count = journal.count(before)
        except JournalUnusable as exc:
            if before is not None:
                problems.append(phrase("cli.forget_all_removes", problem=exc.phrase))
            whole = before is None  # unreadable: all of it can only go as a whole file
        except JournalError as exc:
            problems.append(exc.phrase)
    copies = _copies(path, before, language)
    waiting = _lamp_waiting(path)
    if count == 0 and not whole and not copies and not waiting:
        if journal is not None:
            journal.close()
        for problem in problems:
            say_problem(language, problem)
        if problems:
            return EXIT_PROBLEM
        print(
            _said(language, "journal_nothing_all")
            if before is None
            else _said(language, "journal_nothing_before", date=day_with_year(language, before))
        )
        return EXIT_OK
    parts = [_entries(count, language)] if count else []
    parts += [_said(language, "journal_unreadable_file")] if whole else []
    parts += [label for label, _ in copies]
    parts += [_said(language, "journal_lamp_waiting_label")] if waiting else []
    question = _said(language, "journal_ask", what=what, parts="; ".join(parts))
    if not args.yes and not _confirmed(question[:1].upper() + question[1:], language):
        if journal is not None:
            journal.close()
        print(_said(language, "journal_kept_all"))
        return EXIT_PROBLEM if not sys.stdin.isatty() else EXIT_OK
    said: list[str] = []
    if journal is not None and count:
        try:
            said.append(_entries(journal.forget(before), language))
        except JournalError as exc:
            problems.append(exc.phrase)
    if journal is not None:
        journal.close()
    also = _wipe_whole(path, problems, language) if whole else []
    for _label, forget in copies:
        try:
            also.append(forget())
        except (OSError, ValueError, RecursionError) as exc:
            problems.append(phrase("cli.forget_copy_failed", reason=reason_of(exc)))
    if waiting:
        also += _forget_in_lamp(path, before, problems, language)
    for problem in problems:
        say_problem(language, problem)
    print(
        _said(
            language, "journal_forgotten", what=said[0] if said else _said(language, "journal_forgotten_none")
        )
    )
    for line in also:
        print(_said(language, "journal_also_forgotten", what=line))
    return EXIT_PROBLEM if problems else EXIT_OK


def _lamp_waiting(path: Path) -> int:
    """How many entries the running lamp of this journal holds in memory, waiting to be written (the
    journal could not take them); 0 when no lamp runs, or one that keeps another journal."""
    from rustlamp.system.control import send

    try:
        reply = send("status")
    except (OSError, ValueError):
        return 0  # nothing that answers as a lamp: nothing it could bring back either
    if not reply or not reply.get("ok") or reply.get("journal") != str(path):
        return 0
    waiting = reply.get("journal_waiting")
    return waiting if isinstance(waiting, int) and waiting > 0 else 0


def _forget_in_lamp(path: Path, before: date | None, problems: list[Phrase], language: str) -> list[str]:
    """The running lamp drops the waiting entries the file lost, so they are not written later; what it
    said it forgot, in words."""
    from rustlamp.core.commands import forget_key
    from rustlamp.core.problem_words import phrase, reason_of
    from rustlamp.system.control import send

    try:
        reply = send(forget_key(before))
    except (OSError, ValueError) as exc:
        problems.append(phrase("cli.forget_lamp_not_told", reason=reason_of(exc)))
        return []
    if not reply or not reply.get("ok") or reply.get("journal") != str(path):
        error = (reply or {}).get("error") or phrase("cli.lamp_gone")
        problems.append(phrase("cli.forget_lamp_not_told", reason=error))
        return []
    gone = reply.get("forgotten")
    if not isinstance(gone, int) or gone <= 0:
        return []
    return [_said(language, "journal_lamp_waiting_gone", what=_entries(gone, language))]


def _read_writable(path: Path) -> Journal:
    from rustlamp.core.journal import read_journal

    return read_journal(path)


def _wipe_whole(path: Path, problems: list[Phrase], language: str) -> list[str]:
    from rustlamp.core.journal_copies import journal_with_companions, wipe_file
    from rustlamp.core.problem_words import phrase

    gone = []
    for file in journal_with_companions(path):
        try:
            wipe_file(file)
            gone.append(file.name)
        except OSError as exc:
            problems.append(phrase("cli.file_not_removed", file=str(file), reason=exc.strerror or str(exc)))
    return [_said(language, "journal_unreadable_gone", names=", ".join(gone))] if gone else []


def _copies(path: Path, before: date | None, language: str) -> list[tuple[str, Callable[[], str]]]:
    """Copies of the person's words besides the journal, each as (what it is, how to forget in it)."""
    from functools import partial

    from rustlamp.core.journal_copies import forget_in_kept_file, forget_in_log, moved_aside, wipe_file
    from rustlamp.core.small_file import read_small_text
    from rustlamp.journal_keeper import UNSAVED_LIMIT, unsaved_files, unsaved_folders
    from rustlamp.system.paths import log_file

    def wiped(file: Path) -> str:
        wipe_file(file)
        return _said(language, "journal_moved_gone", name=file.name)

    def wiped_copy(file: Path) -> str:
        wipe_file(file)
        with contextlib.suppress(OSError):
            file.parent.rmdir()  # when it was the last one
        return _said(language, "journal_read_copy_gone", name=file.name)

    def kept(file: Path) -> str:
        gone = forget_in_kept_file(file, before, partial(read_small_text, limit=UNSAVED_LIMIT))
        what = _entries(gone, language) if gone >= 0 else _said(language, "journal_kept_file")
        return _said(language, "journal_kept_gone", what=what, path=file)

    def logged(file: Path) -> str:
        return _said(language, "journal_log_gone", count=forget_in_log(file, before), name=file.name)

    found: list[tuple[str, Callable[[], str]]] = []
    if before is None:
        found += [
            (_said(language, "journal_moved_label", name=f.name), partial(wiped, f))
            for f in moved_aside(path)
        ]
        found += [
            (_said(language, "journal_read_copy_label", name=f.name), partial(wiped_copy, f))
            for f in _read_copies()
        ]
    for file in unsaved_files(unsaved_folders(path)):
        if before is None or _kept_before(file, before):
            found.append((_said(language, "journal_kept_label", name=file.name), partial(kept, file)))
    log = log_file()
    logs = sorted(log.parent.glob(log.name + "*")) if log.parent.is_dir() else []
    for file in logs:
        ordinary = file.is_file() and not file.is_symlink() and file.stat().st_size
        if ordinary and (before is None or _logged_before(file, before)):
            found.append((_said(language, "journal_log_label", name=file.name), partial(logged, file)))
    return found


def _read_copies() -> list[Path]:
    """Files of private copies made to read a journal (rustlamp.core.journal.reading_journal) that a killed
    process left behind."""
    from rustlamp.core.journal import READ_COPY_PREFIX

    scratch = _scratch()
    if scratch is None:
        return []
    return [f for d in scratch.glob(READ_COPY_PREFIX + "*") if d.is_dir() for f in d.iterdir() if f.is_file()]


def _kept_before(file: Path, before: date) -> bool:
    from rustlamp.core.small_file import read_small_text
    from rustlamp.journal_keeper import UNSAVED_LIMIT

    try:
        items = json.loads(read_small_text(file, UNSAVED_LIMIT))
    except (OSError, ValueError, RecursionError):
        return False
    if not isinstance(items, list):
        return False
    for item in items:
        at = item.get("at") if isinstance(item, dict) else None
        with contextlib.suppress(ValueError, TypeError):
            if datetime.fromisoformat(at).date() < before:  # type: ignore[arg-type]
                return True
    return False


def _logged_before(file: Path, before: date) -> bool:
    """Logs are written in order: the first dated line is the oldest."""
    try:
        with file.open("rb") as lines:
            for line in lines:
                with contextlib.suppress(UnicodeDecodeError, ValueError):
                    return date.fromisoformat(line[:10].decode("ascii")) < before
    except OSError:
        return False
    return False


def _said(language: str, key: str, **values: object) -> str:
    from rustlamp.core.texts import text

    return text(language, key, **values)


def _entries(count: int, language: str) -> str:
    from rustlamp.core.texts import counted

    return counted(language, "journal_entries", count)


def _confirmed(question: str, language: str) -> bool:
    if not sys.stdin.isatty():
        print(f"rustlamp: {_said(language, 'journal_no_terminal')}", file=sys.stderr)
        return False
    try:
        return input(question).strip().lower() in ("y", "yes", "j", "ja")
    except EOFError:
        return False


def _week(args: argparse.Namespace, language: str, path: Path) -> int:
    from rustlamp.core.week import summarize_week, summary_line

    today = date.today()
    entries = _read(path, language, today - timedelta(days=6), today)
    if entries is None:
        return EXIT_PROBLEM
    if args.png is None:
        return _week_window(entries, language)
    from rustlamp.ui.week_picture import save_week_png

    summary = summarize_week(entries, today)
    try:
        save_week_png(summary, language, args.png)
    except OSError as exc:
        from rustlamp.core.problem_words import phrase

        say_problem(language, phrase("cli.cannot_write", file=str(args.png), reason=exc.strerror or str(exc)))
        return EXIT_PROBLEM
    print(summary_line(summary, language))
    return EXIT_OK


def _week_window(entries: list[Entry], language: str) -> int:
    import asyncio

    from rustlamp.core.entries_json import entries_to_json
    from rustlamp.system.windows import week_window, why_not_shown
    from rustlamp.ui.contract import WeekRequest

    data = json.dumps(entries_to_json(entries), ensure_ascii=False).encode("utf-8")
    problem = why_not_shown(asyncio.run(week_window().run(WeekRequest(language), stdin=data)), language)
    if problem is not None:
        print(problem, file=sys.stderr)
        return EXIT_PROBLEM
    return EXIT_OK


def keep_on_its_own(
    journal_path: Path, kind: str, detail: dict[str, Any], language: str
) -> tuple[Phrase | None, bool]:
    """Write one entry with no lamp running: (the problem when it could not go into the journal, whether
    it was kept aside instead, for the next start; the problem then says where)."""
    from rustlamp.core.problem_words import phrase

    problem, kept_in = _keep_entry_on_its_own(journal_path, kind, detail, language)
    if problem is not None and kept_in is not None:
        return phrase("journal.kept_for_later", problem=problem, path=str(kept_in)), True
    return problem, False


def _keep_entry_on_its_own(
    journal_path: Path, kind: str, detail: dict[str, Any], language: str
) -> tuple[Phrase | None, Path | None]:
    """(the problem, where the entry was kept instead): (None, None) when it went into the journal."""
    from rustlamp.core.clock import SystemClock
    from rustlamp.core.entries import Entry
    from rustlamp.core.journal import JournalError
    from rustlamp.core.problem_words import phrase
    from rustlamp.journal_keeper import JournalKeeper, unsaved_folders

    entry = Entry(_now(), kind, detail)
    journal = _opened(journal_path, language, must_exist=False)
    problem: Phrase
    if journal is None:
        problem = phrase("journal.not_opened", path=str(journal_path))
    else:
        try:
            journal.add(entry)
            return None, None
        except JournalError as exc:
            problem = exc.phrase
        finally:
            journal.close()
    # as the running lamp does: kept aside where it can be, for the next start to take in
    keeper = JournalKeeper(journal_path, SystemClock(), unsaved_folders(journal_path))
    return problem, keeper.keep_aside([entry])
