"""The `rustlamp` command: run the app, check the settings, show the plan."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rustlamp import __version__
from rustlamp.core.durations import format_human, parse_duration
from rustlamp.journal_cli import add_journal_parser

if TYPE_CHECKING:
    from rustlamp.core.config import Settings
    from rustlamp.runtime import App

# on the command line as in the file and the menus: compact or in words, Dutch or English
CLI_DURATION_FORMS = "10m, 45 min, 1h30m or 1 uur"
TODAY_WORDS = ("today", "vandaag")

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2


def _config_option(parser: argparse.ArgumentParser, top: bool) -> None:
    # every subcommand takes --config too; SUPPRESS keeps a subcommand's unset option from hiding the top one
    parser.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        default=None if top else argparse.SUPPRESS,
        help="settings file (default: the platform's config dir, e.g. ~/.config/rustlamp/config.toml)",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0 if top else argparse.SUPPRESS,
        help="also log to the terminal (-vv for debug)",
    )


def _positive_count(value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number; use 1 to 10000") from None
    if not 1 <= count <= 10_000:
        raise argparse.ArgumentTypeError(f"{count} is out of range; use 1 to 10000")
    return count


PLAN_YEARS = range(1900, 9001)  # far enough either way; the plan looks ahead, so never up to year 9999


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an ISO 8601 time; use e.g. 2027-03-29T09:00 or 2027-03-29T09:00+02:00"
        ) from None
    if moment.year not in PLAN_YEARS:
        raise argparse.ArgumentTypeError(
            f"{value!r} is out of range; use a time from the year {PLAN_YEARS[0]} to {PLAN_YEARS[-1]}"
        )
    return moment


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rustlamp",
        description="A quiet lamp that invites you to rest. Without a command, runs the app.",
    )
    parser.add_argument("--version", action="version", version=f"rustlamp {__version__}")
    _config_option(parser, top=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", help="run the app (the default)")
    _config_option(run, top=False)

    config = commands.add_parser("config", help="work with the settings file")
    config_commands = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = config_commands.add_parser("check", help="check a settings file and list every problem")
    check.add_argument(
        "file", nargs="?", type=Path, help="the file to check (default: --config or the usual place)"
    )
    _config_option(check, top=False)

    plan = commands.add_parser("plan", help="show the next reminders and routines")
    plan.add_argument(
        "--from",
        dest="start",
        type=_moment,
        metavar="ISO8601",
        help="the last rest moment (default: now; without an offset it is local time)",
    )
    plan.add_argument("--count", type=_positive_count, default=10, help="how many events (default 10)")
    plan.add_argument("--json", action="store_true", help="print one JSON array")
    _config_option(plan, top=False)

    # talking to the running rustlamp: each becomes the same action key as its menu item
    for name, text_help in (
        ("break", "take a break now"),
        ("check-in", "open the check-in"),
        ("settings", "open the settings window"),
        ("reload", "make the running rustlamp read its settings file again"),
        ("resume", "end a pause now"),
        ("quit", "stop the running rustlamp"),
    ):
        _config_option(commands.add_parser(name, help=text_help), top=False)
    snooze = commands.add_parser("snooze", help="move the next reminder later")
    snooze.add_argument(
        "delay", type=_snooze_delay, metavar="DURATION|today", help=f"like {CLI_DURATION_FORMS}, or today"
    )
    _config_option(snooze, top=False)
    pause = commands.add_parser("pause", help="no reminders for a while (it ends by itself)")
    pause.add_argument(
        "delay",
        type=_pause_delay,
        nargs="?",
        default=timedelta(minutes=30),
        metavar="DURATION|today",
        help=f"like {CLI_DURATION_FORMS} (default 30 min), or today: until the next day's active hours",
    )
    _config_option(pause, top=False)
    status = commands.add_parser("status", help="is rustlamp running, and what comes next")
    status.add_argument("--json", action="store_true", help="print one JSON object")
    _config_option(status, top=False)
    add_journal_parser(commands, lambda sub: _config_option(sub, top=False))
    autostart = commands.add_parser("autostart", help="start rustlamp when you log in: on, off, or status")
    autostart.add_argument("state", choices=("on", "off", "status"), help="on, off, or status")
    _config_option(autostart, top=False)
    return parser


def _delay_or_today(value: str, low: timedelta, high: timedelta) -> timedelta | None:
    if value.strip().lower() in TODAY_WORDS:
        return None
    try:
        delay = parse_duration(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a duration; use forms like {CLI_DURATION_FORMS}, or today"
        ) from None
    if not low <= delay <= high:
        raise argparse.ArgumentTypeError(
            f"{value!r} is out of range; use {format_human(low, 'en')} to {format_human(high, 'en')}, "
            "or today"
        )
    return delay


def _snooze_delay(value: str) -> timedelta | None:
    return _delay_or_today(value, timedelta(seconds=10), timedelta(hours=24))


def _pause_delay(value: str) -> timedelta | None:
    return _delay_or_today(value, timedelta(minutes=1), timedelta(hours=24))


CONTROL_COMMANDS = ("break", "check-in", "settings", "reload", "resume", "quit", "snooze", "pause", "status")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    words = list(sys.argv[1:] if argv is None else argv)
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
        return _autostart(args.state)
    return _run(args)


def _refuse_negative_durations(parser: argparse.ArgumentParser, words: list[str]) -> None:
    """argparse takes `pause -5m` for an unknown option; say what is really wrong, and which forms work."""
    for command in ("snooze", "pause"):
        if command in words:
            after = words[words.index(command) + 1 :]
            if after and after[0].startswith("-") and after[0][1:2].isdigit():
                forms = f"use forms like {CLI_DURATION_FORMS}, or today"
                parser.error(f"argument {command}: {after[0]!r} is not a duration; {forms}")


def _action_key(args: argparse.Namespace) -> str:
    from rustlamp.core.commands import (
        BREAK_KEY,
        CHECKIN_KEY,
        QUIT_KEY,
        RELOAD_KEY,
        RESUME_KEY,
        SETTINGS_KEY,
        pause_key,
        snooze_key,
    )

    simple = {
        "break": BREAK_KEY,
        "check-in": CHECKIN_KEY,
        "settings": SETTINGS_KEY,
        "reload": RELOAD_KEY,
        "resume": RESUME_KEY,
        "quit": QUIT_KEY,
        "status": "status",
    }
    if args.command == "snooze":
        return snooze_key(args.delay)
    if args.command == "pause":
        return pause_key(args.delay)
    return simple[args.command]


def _control(args: argparse.Namespace) -> int:
    """Send a command to the running rustlamp and say what it answered."""
    from rustlamp.system.control import send

    try:
        reply = send(_action_key(args))
    except (OSError, ValueError) as exc:
        print(f"rustlamp: could not talk to the running rustlamp: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    if reply is None and args.command == "break":
        return _break_on_its_own(args)
    if reply is None and args.command == "settings":
        return _settings_on_its_own(args)
    if reply is None and args.command == "check-in":
        from rustlamp.journal_cli import check_in_on_its_own

        settings, language = _settings_and_language(args)
        return check_in_on_its_own(language, _journal_path(settings))
    if reply is None:
        print("rustlamp is not running; start it with `rustlamp`", file=sys.stderr)
        return EXIT_PROBLEM
    if not reply.get("ok"):
        print(f"rustlamp: {reply.get('error', 'the running rustlamp refused')}", file=sys.stderr)
        return EXIT_PROBLEM
    if args.command == "status" and args.json:
        print(json.dumps({k: v for k, v in reply.items() if k != "ok"}, ensure_ascii=False))
        return EXIT_OK
    if args.command == "status":
        from rustlamp.core.texts import text

        print(text(_settings_and_language(args)[1], "status_running"))
    if args.command == "reload":
        return _reloaded(reply)
    print(reply.get("message", "ok") if args.command != "quit" else "rustlamp is stopping.")
    return EXIT_OK


def _settings_on_its_own(args: argparse.Namespace) -> int:
    """`rustlamp settings` with no lamp running: the settings window right here."""
    import asyncio

    from rustlamp.system.windows import settings_window

    path, _ = _settings_path(args)
    _, language = _settings_and_language(args)
    outcome = asyncio.run(settings_window().run(["--language", language, "--config", str(path)]))
    if outcome is None:
        print("rustlamp: the settings window could not be shown (is there a display?)", file=sys.stderr)
        return EXIT_PROBLEM
    print("Settings saved." if outcome["outcome"] == "saved" else "Settings window closed.")
    return EXIT_OK


def _autostart(state: str) -> int:
    from rustlamp.system import autostart

    if not autostart.available():
        print("rustlamp: starting at login is not supported on this system", file=sys.stderr)
        return EXIT_PROBLEM
    if state == "status":
        print(f"start at login: {'on' if autostart.is_enabled() else 'off'}")
        return EXIT_OK
    try:
        change = autostart.enable() if state == "on" else autostart.disable()
    except OSError as exc:
        print(f"rustlamp: start at login could not be changed: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    print(f"start at login: {state} ({change})")
    return EXIT_OK


def _settings_and_language(args: argparse.Namespace) -> tuple[Settings, str]:
    """The settings as the app would use them (defaults when the file is broken), and their language."""
    from rustlamp.core.content import resolve_language
    from rustlamp.settings_source import SettingsSource

    path, explicit = _settings_path(args)
    settings = SettingsSource(path, explicit).load().settings
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
    errors = reply.get("settings_errors") or []
    for error in errors:
        print(error, file=sys.stderr)
    if errors:
        print("rustlamp keeps the settings it had; `rustlamp config check` shows the same", file=sys.stderr)
        return EXIT_PROBLEM
    print("Settings read again.")
    return EXIT_OK


def _settings_path(args: argparse.Namespace) -> tuple[Path, bool]:
    from rustlamp.system.paths import config_file

    if args.config is not None:
        return args.config, True
    return config_file(), False


def _config_check(args: argparse.Namespace) -> int:
    from rustlamp.core.config import load_settings

    path, explicit = (args.file, True) if args.file is not None else _settings_path(args)
    if not explicit and not path.exists():
        print(f"{path}: no settings file here; rustlamp uses its built-in defaults (see config.example.toml)")
        return EXIT_OK
    result = load_settings(path)
    for problem in result.problems:
        print(problem, file=sys.stderr if problem.severity == "error" else sys.stdout)
    if result.errors:
        count = len(result.errors)
        print(
            f"{path}: {count} error{'s' if count != 1 else ''}; rustlamp would keep its previous settings",
            file=sys.stderr,
        )
        return EXIT_USAGE
    print(f"{path}: ok")
    return EXIT_OK


def _plan(args: argparse.Namespace) -> int:
    from rustlamp.core.clock import SystemClock
    from rustlamp.core.content import resolve_language
    from rustlamp.core.schedule import Schedule
    from rustlamp.core.texts import human_moment, text
    from rustlamp.settings_source import SettingsSource

    path, explicit = _settings_path(args)
    update = SettingsSource(path, explicit).load()
    for problem in update.problems:
        print(problem, file=sys.stderr)
    if update.errors:
        print(f"{path}: has errors; planning with the built-in defaults instead", file=sys.stderr)
    clock = SystemClock()
    start = args.start or clock.now()
    if start.tzinfo is None:
        start = start.replace(tzinfo=clock.zone)
    settings = update.settings
    schedule = Schedule(settings.reminders, settings.routines, clock.zone)
    try:
        events = schedule.plan(start, args.count)
    except OverflowError:  # a plan that would run past the calendar's end
        print(
            f"rustlamp: cannot plan from {start.isoformat()}: that runs past the year 9999", file=sys.stderr
        )
        return EXIT_USAGE
    if args.json:
        items = []
        for event in events:
            item: dict[str, str] = {"at": event.at.isoformat(timespec="seconds"), "kind": event.kind}
            if event.kind == "routine":
                item["name"] = event.name
            items.append(item)
        print(json.dumps(items, ensure_ascii=False))
        return EXIT_OK
    language = resolve_language(settings.language, os.environ)
    if not events:
        print(text(language, "plan_none"))
    for event in events:
        what = (
            text(language, "plan_reminder")
            if event.kind == "reminder"
            else text(language, "plan_routine", name=event.name)
        )
        print(f"{human_moment(language, event.at)}  {what}")
    return EXIT_OK


def _break_on_its_own(args: argparse.Namespace) -> int:
    """`rustlamp break` with no lamp running: the break window all the same, right here."""
    import asyncio

    from rustlamp.core.content import PromptPicker, load_content
    from rustlamp.journal_cli import check_in_on_its_own, keep_on_its_own
    from rustlamp.system.windows import BreakRequest, break_window

    settings, language = _settings_and_language(args)
    request = BreakRequest(
        language=language,
        prompt=PromptPicker(load_content(language), settings.extra_prompts).next(),
        attempt_reply=PromptPicker(load_content(language)).after_attempt(),
        length=settings.break_.length,
        inhale=settings.break_.inhale,
        exhale=settings.break_.exhale,
        snooze=settings.reminders.snooze,
        offer_checkin=settings.checkin.offer_after_break,
    )
    outcome = asyncio.run(break_window().run(request.argv()))
    if outcome is None:
        print("rustlamp: the break window could not be shown (is there a display?)", file=sys.stderr)
        return EXIT_PROBLEM
    print(json.dumps(outcome))
    journal = _journal_path(settings)
    if journal is not None and outcome["outcome"] in ("done", "attempt"):
        detail = {"outcome": outcome["outcome"]}
        if outcome["outcome"] == "done":
            detail["how"] = "countdown" if outcome.get("natural") else "button"
        problem = keep_on_its_own(journal, "break", detail)
        if problem is not None:
            print(f"rustlamp: {problem}; the break was not written down", file=sys.stderr)
    if outcome.get("checkin") is True:
        return check_in_on_its_own(language, journal)
    return EXIT_OK


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
        print(f"rustlamp: cannot start: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    if lock is None:
        try:
            send("status")
        except (OSError, ValueError) as exc:  # stopped (SIGSTOP), or busy: it runs all the same
            print(f"rustlamp is already running, but it does not answer: {exc}", file=sys.stderr)
            return EXIT_PROBLEM
        from rustlamp.core.texts import text

        print(text(_settings_and_language(args)[1], "already_running"))
        return EXIT_OK
    setup_logging(log_file(), args.verbose)
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
