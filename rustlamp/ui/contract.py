"""The contract between the lamp and its window processes, in one place: what a window is asked to show
(a request, turned into the child's arguments and read back from them) and how it ended (an outcome,
turned into the one JSON line the child prints and read back from it). No toolkit here: the lamp's
process uses this and never loads Qt.

    lamp                                         window process (python -m rustlamp.ui.<module>)
    request.to_argv()            -- argv -->      Request.from_argv(argv)
    (started ahead: WAIT_FOR_REQUEST as argv, then request_line(request.to_argv()) on stdin)
    outcome_from_json(line, ...) <-- 1 line --    emit(outcome.to_json())

Every window may also end with `CannotOpen` (Qt could not start: what to install).
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rustlamp.core.catalog import spoken_languages
from rustlamp.core.checkin import CheckInAnswers
from rustlamp.core.texts import text

if TYPE_CHECKING:  # at run time only the popup menu needs it: the other windows start without the menu's code
    from rustlamp.core.menu import MenuItem


class ContractError(ValueError):
    """A line or arguments that do not follow the contract."""


# ----- requests -------------------------------------------------------------------------------------


def _parser(module: str, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m rustlamp.ui.{module}", description=description)
    parser.add_argument("--language", choices=spoken_languages(), required=True)
    return parser


def _positive_seconds(value: str) -> timedelta:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number <= 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive number of seconds")
    return timedelta(seconds=number)


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2024-05-06") from None


def _seconds(delta: timedelta) -> str:
    seconds = delta.total_seconds()
    return str(int(seconds)) if seconds == int(seconds) else str(seconds)


@dataclass(frozen=True)
class BreakRequest:
    """The break window: the prompt (the sentence the person was shown and clicked), the break's length,
    the breathing pace, the Later choices, and the mild words to show after "Didn't work out now"."""

    module: ClassVar[str] = "break_window"
    language: str
    prompt: str
    length: timedelta
    inhale: timedelta
    exhale: timedelta
    snooze: tuple[timedelta, ...]
    offer_checkin: bool = False
    attempt_reply: str = ""  # empty: the window's own short reply

    def to_argv(self) -> list[str]:
        args = [
            "--language", self.language,
            "--length", _seconds(self.length),
            "--inhale", _seconds(self.inhale),
            "--exhale", _seconds(self.exhale),
            "--prompt", self.prompt,
        ]  # fmt: skip
        for choice in self.snooze:
            args += ["--snooze", str(max(1, round(choice.total_seconds())))]
        if self.offer_checkin:
            args.append("--offer-checkin")
        if self.attempt_reply:
            args += ["--attempt-reply", self.attempt_reply]
        return args

    @classmethod
    def from_argv(cls, argv: Sequence[str] | None = None) -> BreakRequest:
        parser = _parser(cls.module, "rustlamp's break window (run by rustlamp itself).")
        parser.add_argument("--length", type=_positive_seconds, required=True, help="seconds")
        parser.add_argument("--inhale", type=_positive_seconds, required=True, help="seconds per in-breath")
        parser.add_argument("--exhale", type=_positive_seconds, required=True, help="seconds per out-breath")
        parser.add_argument("--prompt", required=True, help="the sentence to show")
        parser.add_argument(
            "--snooze", type=_positive_seconds, action="append", required=True, help="seconds"
        )
        parser.add_argument("--offer-checkin", action="store_true", help="offer a check-in after the break")
        parser.add_argument("--attempt-reply", default="", help='the mild words after "Didn\'t work out now"')
        args = parser.parse_args(argv)
        return cls(
            language=args.language,
            prompt=args.prompt.strip(),
            length=args.length,
            inhale=args.inhale,
            exhale=args.exhale,
            snooze=tuple(args.snooze),
            offer_checkin=args.offer_checkin,
            attempt_reply=args.attempt_reply.strip(),
        )


@dataclass(frozen=True)
class CheckinRequest:
    """The check-in window."""

    module: ClassVar[str] = "checkin_window"
    language: str

    def to_argv(self) -> list[str]:
        return ["--language", self.language]

    @classmethod
    def from_argv(cls, argv: Sequence[str] | None = None) -> CheckinRequest:
        args = _parser(cls.module, "rustlamp's check-in window (run by rustlamp itself).").parse_args(argv)
        return cls(language=args.language)


@dataclass(frozen=True)
class WeekRequest:
    """This week: the journal's entries come on stdin (rustlamp.core.entries_json), `today` ends the week
    (None: the window's own today)."""

    module: ClassVar[str] = "week_window"
    language: str
    today: date | None = None
    entries: str = "-"  # where the window reads the entries: "-" stdin (as the lamp sends them), or a file

    def to_argv(self) -> list[str]:
        args = ["--language", self.language, "--entries", self.entries]
        return args if self.today is None else [*args, "--today", self.today.isoformat()]

    @classmethod
    def from_argv(cls, argv: Sequence[str] | None = None) -> WeekRequest:
        parser = _parser(cls.module, "rustlamp's look back at the week (run by rustlamp itself).")
        parser.add_argument("--entries", required=True, help="a JSON list of journal entries; - reads stdin")
        parser.add_argument("--today", type=_iso_date, help="the week's last day (default: today)")
        args = parser.parse_args(argv)
        return cls(language=args.language, today=args.today, entries=args.entries)


@dataclass(frozen=True)
class SettingsRequest:
    """The settings window for one settings file."""

    module: ClassVar[str] = "settings_window"
    language: str
    config: Path

    def to_argv(self) -> list[str]:
        return ["--language", self.language, "--config", str(self.config.absolute())]  # any working folder

    @classmethod
    def from_argv(cls, argv: Sequence[str] | None = None) -> SettingsRequest:
        """--config defaults to the usual place (rustlamp.system.paths.config_file)."""
        parser = _parser(cls.module, "rustlamp's settings window (run by rustlamp itself).")
        parser.add_argument(
            "--config", type=Path, default=None, help="the settings file (default: the usual place)"
        )
        args = parser.parse_args(argv)
        if args.config is None:
            from rustlamp.system.paths import config_file

            return cls(language=args.language, config=config_file())
        return cls(language=args.language, config=args.config.expanduser())


def _item_to_json(item: MenuItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "label": item.label,
        "enabled": item.enabled,
        "separator": item.separator,
        "checked": item.checked,
        "children": [_item_to_json(child) for child in item.children],
    }


def menu_to_json(items: Sequence[MenuItem]) -> str:
    """The menu as the popup reads it on stdin: a JSON list of objects with id, label, enabled, separator,
    checked (true or false for a check item, null for any other) and children (a list of the same;
    non-empty makes the item a submenu)."""
    return json.dumps([_item_to_json(item) for item in items], ensure_ascii=False)


def _item_from_json(data: Any, where: str) -> MenuItem:
    from rustlamp.core.menu import MenuItem

    if not isinstance(data, Mapping):
        raise ContractError(f"{where} must be a JSON object, not {data!r}")
    for key, kind in (("id", str), ("label", str), ("enabled", bool), ("separator", bool)):
        if key in data and not isinstance(data[key], kind):
            raise ContractError(f"{where}: {key} must be a {kind.__name__}, not {data[key]!r}")
    checked = data.get("checked")
    if checked is not None and not isinstance(checked, bool):
        raise ContractError(f"{where}: checked must be true, false or null, not {checked!r}")
    children = data.get("children", [])
    if not isinstance(children, list):
        raise ContractError(f"{where}: children must be a list")
    return MenuItem(
        id=data.get("id", ""),
        label=data.get("label", ""),
        enabled=data.get("enabled", True),
        separator=data.get("separator", False),
        checked=checked,
        children=tuple(_item_from_json(child, f"{where}, item {n + 1}") for n, child in enumerate(children)),
    )


def menu_from_json(text: str | bytes) -> tuple[MenuItem, ...]:
    """The menu `menu_to_json` wrote; ContractError (a ValueError) says what is wrong and where."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ContractError(f"the menu is not JSON: {exc}") from None
    if not isinstance(data, list):
        raise ContractError("the menu must be a JSON list of items")
    return tuple(_item_from_json(item, f"item {n + 1}") for n, item in enumerate(data))


def _coordinate(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of pixels") from None


@dataclass(frozen=True)
class MenuRequest:
    """The lamp's own menu (for trays whose host draws none), popped up with its corner at (x, y) in the
    screen's pixels; the items go on stdin (`stdin()`), as rustlamp.core.menu made them."""

    module: ClassVar[str] = "popup_menu"
    items: tuple[MenuItem, ...]
    x: int
    y: int
    timeout: timedelta = timedelta(seconds=60)  # a forgotten menu must not hold the pointer and keys long

    def to_argv(self) -> list[str]:
        return ["--x", str(self.x), "--y", str(self.y), "--timeout", _seconds(self.timeout), "--menu", "-"]

    def stdin(self) -> bytes:
        return menu_to_json(self.items).encode("utf-8")

    @classmethod
    def from_argv(cls, argv: Sequence[str] | None, read_stdin: Callable[[], str]) -> MenuRequest:
        """The request from the arguments and from what `read_stdin` gives (read after the arguments, so
        --help does not wait for a menu); argparse's exit (status 2) with the reason when either is wrong."""
        parser = argparse.ArgumentParser(
            prog=f"python -m rustlamp.ui.{cls.module}", description="rustlamp's own menu (run by rustlamp)."
        )
        parser.add_argument("--x", type=_coordinate, required=True, help="screen x of the menu's corner")
        parser.add_argument("--y", type=_coordinate, required=True, help="screen y of the menu's corner")
        parser.add_argument(
            "--timeout", type=_positive_seconds, default=timedelta(seconds=60), help="seconds until it closes"
        )
        parser.add_argument("--menu", choices=["-"], default="-", help="the menu's JSON comes on stdin")
        args = parser.parse_args(argv)
        try:
            items = menu_from_json(read_stdin())
        except ContractError as exc:
            parser.error(f"the menu on stdin: {exc}")
        return cls(items=items, x=args.x, y=args.y, timeout=args.timeout)


Request = BreakRequest | CheckinRequest | WeekRequest | SettingsRequest | MenuRequest

# A window process started ahead of the moment it is needed (the break window while a reminder is on
# screen) has this as its only argument: it starts Qt, then waits for its request's arguments as one line
# on stdin (`request_line`); an empty stdin (closed) means it is not needed, and it ends saying nothing.
WAIT_FOR_REQUEST = "--wait-for-request"


def request_line(args: Sequence[str]) -> bytes:
    """A request's arguments (`request.to_argv()`) as the one line a window started ahead reads."""
    return (json.dumps(list(args), ensure_ascii=False) + "\n").encode("utf-8")


def args_from_line(line: str | bytes) -> list[str]:
    """The arguments `request_line` wrote; ContractError (a ValueError) says what is wrong."""
    try:
        args = json.loads(line)
    except ValueError as exc:
        raise ContractError(f"the request is not JSON: {exc}") from None
    if not isinstance(args, list) or not all(isinstance(arg, str) for arg in args):
        raise ContractError("the request must be a JSON list of arguments")
    return args


# ----- outcomes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BreakDone:
    """Klaar/Done; `natural`: the countdown reached zero; `checkin`: the person asked for the check-in."""

    kind: ClassVar[str] = "done"
    natural: bool = False
    checkin: bool = False

    def to_json(self) -> dict[str, Any]:
        line: dict[str, Any] = {"outcome": self.kind}
        if self.natural:
            line["natural"] = True
        if self.checkin:
            line["checkin"] = True
        return line


@dataclass(frozen=True)
class BreakLater:
    """Later, with the chosen snooze."""

    kind: ClassVar[str] = "later"
    snooze: timedelta

    def to_json(self) -> dict[str, Any]:
        return {"outcome": self.kind, "snooze": round(self.snooze.total_seconds())}


@dataclass(frozen=True)
class BreakAttempt:
    """Lukte nu niet / Didn't work out now: it counts."""

    kind: ClassVar[str] = "attempt"

    def to_json(self) -> dict[str, Any]:
        return {"outcome": self.kind}


@dataclass(frozen=True)
class CheckinSaved:
    kind: ClassVar[str] = "saved"
    answers: CheckInAnswers = field(default_factory=CheckInAnswers)

    def to_json(self) -> dict[str, Any]:
        return {"outcome": self.kind, "checkin": self.answers.to_json()}


@dataclass(frozen=True)
class CheckinCancelled:
    kind: ClassVar[str] = "cancelled"

    def to_json(self) -> dict[str, Any]:
        return {"outcome": self.kind}


@dataclass(frozen=True)
class SettingsSaved:
    """Something was saved while the settings window was open."""

    kind: ClassVar[str] = "saved"

    def to_json(self) -> dict[str, Any]:
        return {"outcome": self.kind}


@dataclass(frozen=True)
class Closed:
    """The window was closed with nothing to tell (settings: nothing saved; the week: seen)."""

    kind: ClassVar[str] = "closed"

    def to_json(self) -> dict[str, Any]:
        return {"outcome": self.kind}


@dataclass(frozen=True)
class MenuChosen:
    """An item of the popup menu was chosen: its id."""

    kind: ClassVar[str] = "chosen"
    id: str

    def to_json(self) -> dict[str, Any]:
        return {"outcome": self.kind, "id": self.id}


@dataclass(frozen=True)
class CannotOpen:
    """Qt could not start: the packages to install (Debian/Ubuntu names), empty when the reason is not a
    missing library, and Qt's own first line for the log."""

    kind: ClassVar[str] = "cannot_open"
    missing_packages: tuple[str, ...] = ()
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"outcome": self.kind, "missing_packages": list(self.missing_packages), "detail": self.detail}

    def title(self, language: str = "en") -> str:
        return text(language, "windows_cannot_open")

    def sentence(self, language: str = "en") -> str:
        """What to do, for a person (a notification, the command line)."""
        if self.missing_packages:
            return text(language, "windows_install", packages=" ".join(self.missing_packages))
        return text(language, "windows_unknown")


Outcome = (
    BreakDone
    | BreakLater
    | BreakAttempt
    | CheckinSaved
    | CheckinCancelled
    | SettingsSaved
    | Closed
    | MenuChosen
    | CannotOpen
)

# What each window may answer (CannotOpen is possible for all).
BREAK_OUTCOMES: tuple[type[Outcome], ...] = (BreakDone, BreakLater, BreakAttempt)
CHECKIN_OUTCOMES: tuple[type[Outcome], ...] = (CheckinSaved, CheckinCancelled)
SETTINGS_OUTCOMES: tuple[type[Outcome], ...] = (SettingsSaved, Closed)
WEEK_OUTCOMES: tuple[type[Outcome], ...] = (Closed,)
MENU_OUTCOMES: tuple[type[Outcome], ...] = (MenuChosen, Closed)  # Closed: dismissed, nothing chosen


def _flag(line: Mapping[str, Any], key: str) -> bool:
    value = line.get(key, False)
    if not isinstance(value, bool):
        raise ContractError(f"{key} must be true or false, not {value!r}")
    return value


def _read(line: Mapping[str, Any], kind: type[Outcome]) -> Outcome:
    if kind is BreakDone:
        return BreakDone(natural=_flag(line, "natural"), checkin=_flag(line, "checkin"))
    if kind is BreakLater:
        seconds = line.get("snooze")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 < seconds < math.inf:
            raise ContractError(f"snooze must be a positive number of seconds, not {seconds!r}")
        return BreakLater(snooze=timedelta(seconds=seconds))
    if kind is CheckinSaved:
        answers = line.get("checkin", {})
        if not isinstance(answers, Mapping):
            raise ContractError("checkin must be an object")
        return CheckinSaved(answers=CheckInAnswers.from_json(answers))
    if kind is MenuChosen:
        ident = line.get("id")
        if not isinstance(ident, str) or not ident:
            raise ContractError(f"id must be a menu item's id, not {ident!r}")
        return MenuChosen(id=ident)
    if kind is CannotOpen:
        packages = line.get("missing_packages", [])
        if not isinstance(packages, list) or not all(isinstance(p, str) for p in packages):
            raise ContractError("missing_packages must be a list of names")
        return CannotOpen(missing_packages=tuple(packages), detail=str(line.get("detail", "")))
    if kind in (BreakAttempt, CheckinCancelled, SettingsSaved, Closed):
        return kind()  # these carry nothing
    raise ContractError(f"no reader for {kind.kind}")


def outcome_from_json(line: str | bytes, allowed: Sequence[type[Outcome]]) -> Outcome:
    """Read one outcome line; `allowed` are the outcomes this window may give (CannotOpen always).
    ContractError (a ValueError) says what is wrong."""
    try:
        data = json.loads(line)
    except ValueError as exc:
        raise ContractError(f"not a JSON line: {exc}") from None
    if not isinstance(data, Mapping):
        raise ContractError("an outcome must be a JSON object")
    for kind in (*allowed, CannotOpen):
        if data.get("outcome") == kind.kind:
            try:
                return _read(data, kind)
            except ValueError as exc:
                raise ContractError(f"{kind.kind}: {exc}") from None
    names = ", ".join(kind.kind for kind in (*allowed, CannotOpen))
    raise ContractError(f"outcome {data.get('outcome')!r} is not one of {names}")
