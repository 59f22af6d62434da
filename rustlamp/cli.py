"""The `rustlamp` command: run the app, check the settings, show the plan."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from rustlamp import __version__
from rustlamp.core.commands import BY_NAME, COMMANDS, TODAY_WORDS, DelayArgument
from rustlamp.core.durations import parse_duration
from rustlamp.core.texts import cli_word
from rustlamp.journal_cli import add_journal_parser

if TYPE_CHECKING:
    from rustlamp.core.config import Settings
    from rustlamp.core.lamp import Effect, Lamp
    from rustlamp.runtime import App

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2


class _Formatter(argparse.HelpFormatter):
    usage_word = "usage: "

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, self.usage_word if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """argparse in the app's language: the usage word, the headings and -h from the catalogs. Each
    add_parser(..., language=...) passes the language on; argparse's own complaints (an unknown option,
    a missing argument) stay in its English."""

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        kwargs["add_help"] = False  # -h comes below, with its help in the language
        super().__init__(*args, **kwargs)
        self.language = language
        self._positionals.title = cli_word(language, "arguments")
        self._optionals.title = cli_word(language, "options")
        self.add_argument("-h", "--help", action="help", help=cli_word(language, "help"))

    def _get_formatter(self) -> argparse.HelpFormatter:
        formatter = _Formatter(prog=self.prog)
        formatter.usage_word = cli_word(self.language, "usage")
        return formatter

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: {argparse_said(message, self.language)}\n")


# argparse's own complaints a person meets most, said again in the language ("cli.<key>"); any other
# stays in argparse's English. Matched on its words, which Python has kept for years.
ARGPARSE_COMPLAINTS = (
    (re.compile(r"unrecognized arguments: (?P<words>.+)", re.DOTALL), "unknown"),
    (re.compile(r"the following arguments are required: (?P<names>.+)", re.DOTALL), "missing"),
    (
        re.compile(r"invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)", re.DOTALL),
        "no_such_choice",
    ),
    (re.compile(r"not allowed with argument (?P<other>.+)", re.DOTALL), "not_together"),
    (re.compile(r"expected one argument"), "needs_value"),
    (re.compile(r"one of the arguments (?P<names>.+) is required", re.DOTALL), "choose_one"),
    (re.compile(r"ambiguous option: (?P<option>\S+) could match (?P<matches>.+)", re.DOTALL), "ambiguous"),
)


def argparse_said(message: str, language: str) -> str:
    """argparse's complaint in `language`: "argument --count: ..." becomes "--count: ..." (the option's
    name reads the same in every language), and a complaint argparse makes itself is said in the catalog's
    words when it is one of ARGPARSE_COMPLAINTS."""
    name, said = "", message
    if message.startswith("argument ") and ": " in message:
        name, said = message.removeprefix("argument ").split(": ", 1)
    for pattern, key in ARGPARSE_COMPLAINTS:
        found = pattern.fullmatch(said)
        if found is not None:
            said = cli_word(language, key, **found.groupdict())
            break
    return f"{name}: {said}" if name else said


def _config_option(parser: argparse.ArgumentParser, top: bool, language: str) -> None:
    # every subcommand takes --config too; SUPPRESS keeps a subcommand's unset option from hiding the top one
    parser.add_argument(
        "--config",
        metavar=cli_word(language, "file"),
        type=Path,
        default=None if top else argparse.SUPPRESS,
        help=cli_word(language, "config"),
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0 if top else argparse.SUPPRESS,
        help=cli_word(language, "verbose"),
    )


COUNT_RANGE = range(1, 10_001)


def _count_reader(language: str) -> Callable[[str], int]:
    def read(value: str) -> int:
        try:
            count = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(cli_word(language, "not_whole", value=repr(value))) from None
        if count not in COUNT_RANGE:
            raise argparse.ArgumentTypeError(cli_word(language, "count_range", value=count))
        return count

    return read


PLAN_YEARS = range(1900, 9001)  # far enough either way; the plan looks ahead, so never up to year 9999


def _moment_reader(language: str) -> Callable[[str], datetime]:
    """An ISO 8601 moment, or a plain time of day ("16:30": today, local time)."""

    def read(value: str) -> datetime:
        from rustlamp.core.durations import parse_clock_time

        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            try:
                at = parse_clock_time(value)
            except ValueError:
                raise argparse.ArgumentTypeError(cli_word(language, "not_time", value=repr(value))) from None
            moment = datetime.combine(datetime.now().date(), at)
        if moment.year not in PLAN_YEARS:
            raise argparse.ArgumentTypeError(
                cli_word(language, "year_range", value=repr(value), first=PLAN_YEARS[0], last=PLAN_YEARS[-1])
            )
        return moment

    return read


def build_parser(language: str = "en") -> argparse.ArgumentParser:
    """The command line in `language`: its help, usage words and the answers to what it cannot read."""

    def word(key: str) -> str:
        return cli_word(language, key)

    parser = Parser(prog="rustlamp", description=word("description"), language=language)
    parser.add_argument(
        "--version", action="version", version=f"rustlamp {__version__}", help=word("version")
    )
    _config_option(parser, True, language)
    commands = parser.add_subparsers(dest="command", metavar=word("command"))

    run = commands.add_parser("run", help=word("run"), language=language)
    _config_option(run, False, language)

    config = commands.add_parser("config", help=word("config_command"), language=language)
    config_commands = config.add_subparsers(dest="config_command", metavar=word("action"), required=True)
    check = config_commands.add_parser("check", help=word("config_check"), language=language)
    check.add_argument("file", nargs="?", type=Path, metavar=word("file"), help=word("config_check_file"))
    _config_option(check, False, language)

    plan = commands.add_parser("plan", help=word("plan"), language=language)
    plan.add_argument(
        "--from", dest="start", type=_moment_reader(language), metavar=word("time"), help=word("plan_from")
    )
    plan.add_argument(
        "--count", type=_count_reader(language), default=10, metavar=word("count"), help=word("plan_count")
    )
    plan.add_argument("--json", action="store_true", help=word("json_array"))
    _config_option(plan, False, language)

    # talking to the running rustlamp: one row of the command table each, the same action key as the menu
    for row in COMMANDS:
        name = row.name.replace("-", "_")
        sub = commands.add_parser(row.name, help=word(name), language=language)
        if row.argument is not None:
            argument = row.argument
            optional = argument.default != "required"
            sub.add_argument(
                "delay",
                type=_delay_reader(argument, language),
                nargs="?" if optional else None,
                default=argument.default if optional else None,
                metavar=word("duration"),
                help=word(f"{name}_delay"),
            )
        _config_option(sub, False, language)
    status = commands.add_parser("status", help=word("status"), language=language)
    status.add_argument("--json", action="store_true", help=word("json_object"))
    _config_option(status, False, language)
    add_journal_parser(commands, lambda sub: _config_option(sub, False, language), language)
    autostart = commands.add_parser("autostart", help=word("autostart"), language=language)
    autostart.add_argument("state", choices=("on", "off", "status"), help=word("autostart_state"))
    _config_option(autostart, False, language)
    return parser


def _delay_reader(argument: DelayArgument, language: str) -> Callable[[str], timedelta | None]:
    """An argparse type from a command row's argument: the same check the control channel makes."""

    def read(value: str) -> timedelta | None:
        try:
            parse_duration(value) if value.strip().lower() not in TODAY_WORDS else None
        except ValueError:
            raise argparse.ArgumentTypeError(cli_word(language, "not_duration", value=repr(value))) from None
        try:
            return argument.read(value)
        except ValueError:
            from rustlamp.core.texts import human_duration

            low, high = human_duration(language, argument.low), human_duration(language, argument.high)
            raise argparse.ArgumentTypeError(
                cli_word(language, "delay_range", value=repr(value), low=low, high=high)
            ) from None

    return read


CONTROL_COMMANDS = (*BY_NAME, "status")
WINDOW_COMMANDS = ("break", "check-in", "settings")  # the running lamp opens a window for these


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    app_args = _only_runs_the_app(words)
    if app_args is not None:  # the lamp itself (at login): no parser of every command kept in its memory
        return _run(app_args)
    parser = build_parser(_language_of(words))
    _refuse_negative_durations(parser, words)
    args = parser.parse_args(words)
    if args.command == "config":
        return _config_check(args)
    if args.command == "plan":
        return _plan(args)
    if args.command in CONTROL_COMMANDS:
        return _control(args)
    if args.command == "journal":
        return _journal(args)
    if args.command == "autostart":
        return _autostart(args)
    return _run(args)


def _refuse_negative_durations(parser: argparse.ArgumentParser, words: list[str]) -> None:
    """argparse takes `pause -5m` for an unknown option; say what is really wrong, and which forms work."""
    for command in (row.name for row in COMMANDS if row.argument is not None):
        if command in words:
            after = words[words.index(command) + 1 :]
            if after and after[0].startswith("-") and after[0][1:2].isdigit():
                language = parser.language if isinstance(parser, Parser) else "en"
                parser.error(f"{command}: {cli_word(language, 'not_duration', value=repr(after[0]))}")


def _only_runs_the_app(words: Sequence[str]) -> argparse.Namespace | None:
    """The arguments when the words only start the app ("run", --config FILE, -v, as argparse would read
    them); None for anything else, which the full parser reads and answers in the app's language."""
    config, verbose, rest = None, 0, list(words)
    if words.count("run") > 1:  # argparse: "rustlamp does not know run"
        return None
    while rest:
        word = rest.pop(0)
        if word == "--config" and rest:
            config = Path(rest.pop(0))
        elif word.startswith("--config="):
            config = Path(word.partition("=")[2])
        elif word == "--verbose" or re.fullmatch("-v+", word):
            verbose += 1 if word == "--verbose" else len(word) - 1
        elif word != "run":
            return None
    return argparse.Namespace(command="run" if "run" in words else None, config=config, verbose=verbose)


def _language_of(words: Sequence[str]) -> str:
    """The language the command line speaks, before it can read its words: the settings' (the file --config
    names, or the usual one), as the rest of the app speaks."""
    config = None
    for index, word in enumerate(words):
        if word == "--config" and index + 1 < len(words):
            config = Path(words[index + 1])
        elif word.startswith("--config="):
            config = Path(word.partition("=")[2])
    return _settings_and_language(argparse.Namespace(config=config))[1]


def _action_key(args: argparse.Namespace) -> str:
    if args.command == "status":
        return "status"
    row = BY_NAME[args.command]
    return row.key_for(getattr(args, "delay", None))


def _control(args: argparse.Namespace) -> int:
    """Send a command to the running rustlamp and say what it answered."""
    from rustlamp.system.control import send

    try:
        reply = send(_action_key(args))
    except (OSError, ValueError) as exc:
        from rustlamp.core.problem_words import said_reason
        from rustlamp.core.texts import text

        language = _settings_and_language(args)[1]
        print(text(language, "not_answering"), file=sys.stderr)
        print(f"rustlamp: {said_reason(exc, language)}", file=sys.stderr)  # the detail, on a line of its own
        return EXIT_PROBLEM
    if reply is None and args.command == "break":
        return _break_on_its_own(args)
    if reply is None and args.command == "settings":
        return _settings_on_its_own(args)
    if reply is None and args.command == "check-in":
        return _check_in_on_its_own(args)
    if reply is None:
        from rustlamp.core.texts import text

        _, language = _settings_and_language(args)
        print(text(language, "not_running"), file=sys.stderr)
        return EXIT_PROBLEM
    if not reply.get("ok"):
        from rustlamp.core.problem_words import phrase
        from rustlamp.journal_cli import say_problem

        error, words, values = reply.get("error"), reply.get("words"), reply.get("values") or {}
        if isinstance(words, str) and isinstance(values, dict):  # the lamp's words, said in the language
            with contextlib.suppress(KeyError, ValueError, IndexError):  # a newer lamp's words: its English
                known = phrase(words, **{str(k): str(v) for k, v in values.items()})
                known.said(_settings_and_language(args)[1])  # every field there
                error = known
        refused = phrase("cli.lamp_refused", reason=error) if error else phrase("cli.lamp_refused_no_reason")
        say_problem(_settings_and_language(args)[1], refused)
        return EXIT_PROBLEM
    if args.command == "status" and args.json:
        print(json.dumps({k: v for k, v in reply.items() if k != "ok"}, ensure_ascii=False))
        return EXIT_OK
    if args.command == "status":
        from rustlamp.core.texts import text

        print(text(reply.get("language", "en"), "running"))
        print(reply.get("message", ""))
        return EXIT_OK
    if args.command == "reload":
        return _reloaded(reply)
    if args.command in WINDOW_COMMANDS:
        problem = _windows_cannot_open(_settings_and_language(args)[1])
        if problem is not None:  # the lamp says the same in a notification when its window cannot open
            print(problem, file=sys.stderr)
            return EXIT_PROBLEM
    for line in reply.get("said") or [reply.get("message", "")]:
        print(line)
    return EXIT_OK


def _windows_cannot_open(language: str) -> str | None:
    """Why the running lamp's window cannot open on this system, when a library Qt needs is missing (as
    the window process would find); None when nothing is missing. The lamp opens the window after it
    answered, so this is the command line's only chance to say so."""
    from rustlamp.system.windows import why_not_shown
    from rustlamp.ui.contract import CannotOpen
    from rustlamp.ui.qt_libraries import missing_packages

    missing = missing_packages()
    return why_not_shown(CannotOpen(tuple(missing)), language) if missing else None


def _settings_on_its_own(args: argparse.Namespace) -> int:
    """`rustlamp settings` with no lamp running: the settings window right here."""
    import asyncio

    from rustlamp.system.windows import settings_window, why_not_shown
    from rustlamp.ui.contract import SettingsRequest, SettingsSaved

    path, _ = _settings_path(args)
    _, language = _settings_and_language(args)
    from rustlamp.core.texts import text

    outcome = asyncio.run(settings_window().run(SettingsRequest(language, path)))
    problem = why_not_shown(outcome, language)
    if problem is not None:
        print(problem, file=sys.stderr)
        return EXIT_PROBLEM
    print(text(language, "settings_saved" if isinstance(outcome, SettingsSaved) else "settings_closed"))
    return EXIT_OK


def _autostart(args: argparse.Namespace) -> int:
    from rustlamp.core.texts import text
    from rustlamp.system import autostart

    _, language = _settings_and_language(args)
    if not autostart.available():
        print(text(language, "autostart_unavailable"), file=sys.stderr)
        return EXIT_PROBLEM
    if args.state == "status":
        print(text(language, "autostart_is_on" if autostart.is_enabled() else "autostart_is_off"))
        return EXIT_OK
    try:
        autostart.enable() if args.state == "on" else autostart.disable()
    except OSError as exc:
        from rustlamp.core.problem_words import said_reason

        print(text(language, "autostart_failed"), file=sys.stderr)
        print(f"rustlamp: {said_reason(exc, language)}", file=sys.stderr)  # the detail, on a line of its own
        return EXIT_PROBLEM
    print(text(language, "autostart_on" if args.state == "on" else "autostart_off"))
    return EXIT_OK


def _settings_and_language(args: argparse.Namespace) -> tuple[Settings, str]:
    """The settings as the app would use them (defaults when the file is broken), and their language."""
    from rustlamp.core.content import resolve_language
    from rustlamp.settings_source import SettingsSource

    path, explicit = _settings_path(args)
    settings = SettingsSource(path, explicit).load(quiet=True).settings
    return settings, resolve_language(settings.language, os.environ)


def _journal_path(settings: Settings) -> Path | None:
    from rustlamp.system.paths import journal_file

    return journal_file() if settings.journal.enabled else None


def _journal(args: argparse.Namespace) -> int:
    from rustlamp.journal_cli import run_journal
    from rustlamp.system.paths import journal_file

    _, language = _settings_and_language(args)
    return run_journal(args, language, journal_file())


def _reloaded(reply: dict[str, Any]) -> int:
    from rustlamp.core.texts import text

    errors = reply.get("settings_errors") or []
    for error in errors:
        print(error, file=sys.stderr)
    if errors:
        print(text(reply.get("language", "en"), "reload_kept"), file=sys.stderr)
        return EXIT_PROBLEM
    for line in reply.get("said") or []:
        print(line)
    return EXIT_OK


def _settings_path(args: argparse.Namespace) -> tuple[Path, bool]:
    from rustlamp.system.paths import config_file

    if args.config is not None:
        return args.config, True
    return config_file(), False


def _config_check(args: argparse.Namespace) -> int:
    from rustlamp.core.config import load_settings
    from rustlamp.core.texts import cli_counted

    language = _settings_and_language(args)[1]
    path, explicit = (args.file, True) if args.file is not None else _settings_path(args)
    if not explicit and not path.exists():
        print(cli_word(language, "config_no_file", path=path))
        return EXIT_OK
    result = load_settings(path)
    for problem in result.problems:  # precise (durations as the file writes them), in the person's language
        print(problem.line_in(language), file=sys.stderr if problem.severity == "error" else sys.stdout)
    if result.errors:
        print(cli_counted(language, "config_errors", len(result.errors), path=path), file=sys.stderr)
        return EXIT_USAGE
    print(cli_word(language, "config_ok", path=path))
    return EXIT_OK


def _plan(args: argparse.Namespace) -> int:
    """What comes next: the running lamp's own plan when one runs (and no --from), else the settings'."""
    from rustlamp.core.clock import SystemClock
    from rustlamp.core.content import resolve_language
    from rustlamp.core.plan import PlanItem, settings_plan
    from rustlamp.core.texts import human_moment, text
    from rustlamp.settings_source import SettingsSource

    reply = None
    if args.start is None:
        from rustlamp.system.control import send

        try:
            reply = send(f"plan:{args.count}")
        except (OSError, ValueError):
            reply = None  # no lamp to ask: plan from the settings
    clock = SystemClock()
    if reply is not None and reply.get("ok") and isinstance(reply.get("plan"), list):
        language = str(reply.get("language", "en"))
        raw = [item for item in reply["plan"] if isinstance(item, dict)]
        if args.json:
            print(json.dumps({"from": "running lamp", "events": raw}, ensure_ascii=False))
            return EXIT_OK
        items = [
            PlanItem(datetime.fromisoformat(i["at"]), i["kind"], i.get("name", ""), "snoozed" in i)
            for i in raw
        ]
        print(text(language, "plan_from_lamp"))
        if not items:
            print(text(language, "plan_none"))
        for item in items:
            print(item.line(language))
        return EXIT_OK
    path, explicit = _settings_path(args)
    update = SettingsSource(path, explicit).load(quiet=True)
    settings = update.settings
    language = resolve_language(settings.language, os.environ)
    start = args.start or clock.now()
    if start.tzinfo is None:
        start = start.replace(tzinfo=clock.zone)
    try:
        planned = settings_plan(settings, start, args.count)
    except OverflowError:  # a plan that would run past the calendar's end
        print(cli_word(language, "plan_too_far", start=start.isoformat()), file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        events = [item.to_json() for item in planned]
        print(
            json.dumps({"from": "settings", "start": start.isoformat(timespec="seconds"), "events": events})
        )
        return EXIT_OK
    if update.errors:
        print(text(language, "plan_settings_broken"), file=sys.stderr)
    said = (
        "plan_from_settings" if args.start is None else "plan_from_time"
    )  # --from: a lamp may run all the same
    print(text(language, said, when=human_moment(language, start)))
    if not planned:
        print(text(language, "plan_none"))
    for item in planned:
        print(item.line(language))
    return EXIT_OK


def _break_on_its_own(args: argparse.Namespace) -> int:
    """`rustlamp break` with no lamp running: the break window all the same, right here, decided by the
    same lamp as a running one (rustlamp.core.lamp), with what it decides carried out here."""
    import asyncio

    from rustlamp.core.commands import TakeBreak
    from rustlamp.core.lamp import OpenBreak, OpenWindow
    from rustlamp.system.windows import break_window, why_not_shown
    from rustlamp.ui.contract import BreakRequest

    lamp, journal = _lamp_on_its_own(args)
    effects = lamp.command(TakeBreak("command line"), _now())
    opened = next(e for e in effects if isinstance(e, OpenBreak))
    settings = lamp.settings
    request = BreakRequest(
        language=lamp.language,
        prompt=opened.prompt,
        attempt_reply=opened.attempt_reply or "",
        length=settings.break_.length,
        inhale=settings.break_.inhale,
        exhale=settings.break_.exhale,
        snooze=settings.reminders.snooze,
        offer_checkin=settings.checkin.offer_after_break,
    )
    outcome = asyncio.run(break_window().run(request))
    problem = why_not_shown(outcome, lamp.language)
    if problem is not None or outcome is None:
        print(problem, file=sys.stderr)
        return EXIT_PROBLEM
    ended = lamp.break_ended(outcome.to_json(), _now())
    code = _carry_out_on_its_own(ended, journal, lamp.language)
    if any(isinstance(e, OpenWindow) and e.window == "checkin" for e in ended):
        return _check_in_with(lamp, journal)
    return code


def _check_in_on_its_own(args: argparse.Namespace) -> int:
    """`rustlamp check-in` with no lamp running: the window here, the answers straight into the journal."""
    lamp, journal = _lamp_on_its_own(args)
    return _check_in_with(lamp, journal)


def _check_in_with(lamp: Lamp, journal: Path | None) -> int:
    import asyncio

    from rustlamp.system.windows import checkin_window, why_not_shown
    from rustlamp.ui.contract import CheckinRequest

    outcome = asyncio.run(checkin_window().run(CheckinRequest(lamp.language)))
    problem = why_not_shown(outcome, lamp.language)
    if problem is not None or outcome is None:
        print(problem, file=sys.stderr)
        return EXIT_PROBLEM
    ended = lamp.checkin_ended(outcome.to_json(), _now(), journal is not None)
    return _carry_out_on_its_own(ended, journal, lamp.language)


def _lamp_on_its_own(args: argparse.Namespace) -> tuple[Lamp, Path | None]:
    from rustlamp.core.lamp import Lamp

    settings, language = _settings_and_language(args)
    return Lamp.start(settings, language, _now(), running=False), _journal_path(settings)


def _carry_out_on_its_own(effects: Sequence[Effect], journal: Path | None, language: str) -> int:
    """What the lamp decided, with no lamp running: journal entries written here, its words printed.
    Never lose what was written: an entry that cannot be kept is shown, so it can be kept some other way."""
    from rustlamp.core.lamp import Record, Said
    from rustlamp.core.problem_words import phrase
    from rustlamp.journal_cli import keep_on_its_own, say_problem

    code = EXIT_OK
    for effect in effects:
        if isinstance(effect, Record) and journal is not None:
            problem, kept_aside = keep_on_its_own(journal, effect.kind, dict(effect.detail), language)
            if problem is not None and kept_aside:
                say_problem(language, problem)  # kept aside, as the lamp does
                code = EXIT_PROBLEM
            elif problem is not None:
                say_problem(language, phrase("journal.shown_instead", problem=problem))
                print(json.dumps({"kind": effect.kind, **effect.detail}, ensure_ascii=False), file=sys.stderr)
                code = EXIT_PROBLEM
        elif isinstance(effect, Said) and code == EXIT_OK:
            print(effect.text)
    return code


def _now() -> datetime:
    from rustlamp.core.clock import SystemClock

    return SystemClock().now()


def _run(args: argparse.Namespace) -> int:
    from rustlamp.system.lean import keep_openssl_out

    keep_openssl_out()  # first: before asyncio and dbus-fast would load OpenSSL for nothing
    import asyncio

    from rustlamp.core.clock import SystemClock
    from rustlamp.runtime import App
    from rustlamp.settings_source import SettingsSource
    from rustlamp.system.control import runtime_dir, send, take_instance_lock
    from rustlamp.system.logs import setup_logging
    from rustlamp.system.paths import journal_file, log_file

    try:
        lock = take_instance_lock()
    except OSError as exc:
        from rustlamp.core.problem_words import said_reason

        ours = _settings_and_language(args)[1]
        print(cli_word(ours, "cannot_start"), file=sys.stderr)
        print(f"rustlamp: {said_reason(exc, ours)}", file=sys.stderr)  # the detail, on a line of its own
        return EXIT_PROBLEM
    if lock is None:
        from rustlamp.core.texts import text

        try:
            reply = send("status")
        except (OSError, ValueError) as exc:  # stopped (SIGSTOP), or busy: it runs all the same
            from rustlamp.core.problem_words import said_reason

            ours = _settings_and_language(args)[1]
            print(text(ours, "already_running_not_answering"), file=sys.stderr)
            print(f"rustlamp: {said_reason(exc, ours)}", file=sys.stderr)
            return EXIT_PROBLEM
        from rustlamp.core.content import LANGUAGES

        language = reply.get("language") if reply else None
        if language not in LANGUAGES:
            language = _settings_and_language(args)[1]
        print(text(str(language), "already_running"))
        return EXIT_OK
    setup_logging(log_file(), args.verbose)
    from rustlamp.system.desktop_entry import ensure_quietly

    ensure_quietly()  # a pip or pipx install: the desktop's name and icon for rustlamp's windows
    path, explicit = _settings_path(args)
    app = App(SettingsSource(path, explicit), SystemClock())
    app.control_folder = runtime_dir()
    app.journal_path = journal_file()
    try:
        if sys.platform == "darwin":
            return _run_beside_the_menu_bar(app)
        return asyncio.run(app.run())
    except KeyboardInterrupt:  # a second Ctrl-C while stopping
        return 130


def _run_beside_the_menu_bar(app: App) -> int:
    """macOS: the menu-bar icon must own the main thread; the app's loop runs in a thread beside it."""
    import asyncio

    from rustlamp.tray.pystray_tray import PystrayTray

    tray = PystrayTray(app.on_tray_action)
    app.made_tray = tray
    result: list[int] = []
    tray.run_on_main_thread(lambda: result.append(asyncio.run(app.run())))
    return result[0] if result else 1
