"""The `rustlamp` command: run the app, check the settings, show the plan."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rustlamp import __version__

if TYPE_CHECKING:
    from rustlamp.runtime import App

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


def _moment(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an ISO 8601 time; use e.g. 2027-03-29T09:00 or 2027-03-29T09:00+02:00"
        ) from None


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "config":
        return _config_check(args)
    if args.command == "plan":
        return _plan(args)
    return _run(args)


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
    events = schedule.plan(start, args.count)
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


def _run(args: argparse.Namespace) -> int:
    import asyncio

    from rustlamp.core.clock import SystemClock
    from rustlamp.runtime import App
    from rustlamp.settings_source import SettingsSource
    from rustlamp.system.logs import setup_logging
    from rustlamp.system.paths import log_file

    setup_logging(log_file(), args.verbose)
    path, explicit = _settings_path(args)
    app = App(SettingsSource(path, explicit), SystemClock())
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
