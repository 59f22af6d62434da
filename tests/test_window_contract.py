"""The window contract (rustlamp.ui.contract): a request survives the trip through argv, an outcome the
trip through its JSON line, and a line that breaks the contract is refused with a reason."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rustlamp.core.checkin import CheckInAnswers
from rustlamp.core.menu import SEPARATOR, MenuItem
from rustlamp.ui.contract import (
    BREAK_OUTCOMES,
    CHECKIN_OUTCOMES,
    MENU_OUTCOMES,
    SETTINGS_OUTCOMES,
    WEEK_OUTCOMES,
    BreakAttempt,
    BreakDone,
    BreakLater,
    BreakRequest,
    CannotOpen,
    CheckinCancelled,
    CheckinRequest,
    CheckinSaved,
    Closed,
    ContractError,
    MenuChosen,
    MenuRequest,
    SettingsSaved,
    WeekRequest,
    args_from_line,
    menu_from_json,
    outcome_from_json,
    request_line,
)

pytestmark = pytest.mark.windows

seconds = st.integers(min_value=1, max_value=24 * 3600).map(lambda s: timedelta(seconds=s))


@given(
    language=st.sampled_from(["nl", "en"]),
    prompt=st.text(min_size=1).map(str.strip).filter(bool).filter(lambda p: not p.startswith("-")),
    length=seconds,
    inhale=seconds,
    exhale=seconds,
    snooze=st.lists(seconds, min_size=1, max_size=4).map(tuple),
    offer_checkin=st.booleans(),
    attempt_reply=st.text().map(str.strip).filter(lambda p: not p.startswith("-")),
)
def test_a_break_request_survives_argv(
    language: str,
    prompt: str,
    length: timedelta,
    inhale: timedelta,
    exhale: timedelta,
    snooze: tuple[timedelta, ...],
    offer_checkin: bool,
    attempt_reply: str,
) -> None:
    request = BreakRequest(language, prompt, length, inhale, exhale, snooze, offer_checkin, attempt_reply)
    assert BreakRequest.from_argv(request.to_argv()) == request


def test_a_checkin_request_survives_argv() -> None:
    assert CheckinRequest.from_argv(CheckinRequest("en").to_argv()) == CheckinRequest("en")


def test_a_week_request_survives_argv() -> None:
    for request in (WeekRequest("nl"), WeekRequest("en", date(2024, 5, 12), "/tmp/entries.json")):
        assert WeekRequest.from_argv(request.to_argv()) == request


def test_bad_break_arguments_end_with_argparse_status_2() -> None:
    with pytest.raises(SystemExit) as ended:
        BreakRequest.from_argv(["--language", "nl", "--length", "-5", "--inhale", "4", "--exhale", "6",
                                "--prompt", "x", "--snooze", "600"])  # fmt: skip
    assert ended.value.code == 2


@pytest.mark.parametrize(
    ("outcome", "allowed"),
    [
        (BreakDone(), BREAK_OUTCOMES),
        (BreakDone(natural=True), BREAK_OUTCOMES),
        (BreakDone(checkin=True), BREAK_OUTCOMES),
        (BreakLater(timedelta(minutes=10)), BREAK_OUTCOMES),
        (BreakAttempt(), BREAK_OUTCOMES),
        (CheckinSaved(CheckInAnswers(body="tired", breath="hurried", need="water")), CHECKIN_OUTCOMES),
        (CheckinSaved(), CHECKIN_OUTCOMES),
        (CheckinCancelled(), CHECKIN_OUTCOMES),
        (SettingsSaved(), SETTINGS_OUTCOMES),
        (Closed(), SETTINGS_OUTCOMES),
        (Closed(), WEEK_OUTCOMES),
        (CannotOpen(("libxcb-cursor0",), "no xcb"), BREAK_OUTCOMES),
        (MenuChosen("snooze:600s"), MENU_OUTCOMES),
        (Closed(), MENU_OUTCOMES),
    ],
)
def test_an_outcome_survives_its_json_line(outcome: object, allowed: tuple[type, ...]) -> None:
    import json

    line = json.dumps(outcome.to_json())  # type: ignore[attr-defined]
    assert outcome_from_json(line, allowed) == outcome


def test_the_json_lines_are_the_ones_the_windows_always_printed() -> None:
    assert BreakDone().to_json() == {"outcome": "done"}
    assert BreakDone(natural=True).to_json() == {"outcome": "done", "natural": True}
    assert BreakLater(timedelta(seconds=600)).to_json() == {"outcome": "later", "snooze": 600}
    assert CheckinCancelled().to_json() == {"outcome": "cancelled"}


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("not json", "not a JSON line"),
        ("[1]", "must be a JSON object"),
        ('{"outcome": "saved"}', "not one of done, later, attempt, cannot_open"),
        ('{"outcome": "later", "snooze": -1}', "snooze must be a positive number"),
        ('{"outcome": "later", "snooze": true}', "snooze must be a positive number"),
        ('{"outcome": "done", "natural": "yes"}', "natural must be true or false"),
    ],
)
def test_a_line_that_breaks_the_contract_is_refused_with_a_reason(line: str, reason: str) -> None:
    with pytest.raises(ContractError, match=reason):
        outcome_from_json(line, BREAK_OUTCOMES)


def test_cannot_open_says_what_to_install_in_both_languages() -> None:
    missing = CannotOpen(("libxcb-icccm4", "libxcb-keysyms1"))
    assert "sudo apt install libxcb-icccm4 libxcb-keysyms1" in missing.sentence("en")
    assert "sudo apt install libxcb-icccm4 libxcb-keysyms1" in missing.sentence("nl")
    assert "log" in CannotOpen().sentence("en")


leaves = st.builds(
    MenuItem,
    id=st.text(max_size=12),
    label=st.text(max_size=30),
    enabled=st.booleans(),
    checked=st.sampled_from([None, True, False]),
)
menu_items = st.recursive(
    leaves | st.just(SEPARATOR),
    lambda inner: st.builds(
        MenuItem,
        id=st.just(""),
        label=st.text(max_size=30),
        enabled=st.booleans(),
        children=st.lists(inner, min_size=1, max_size=4).map(tuple),
    ),
    max_leaves=12,
)


@given(
    items=st.lists(menu_items, max_size=8).map(tuple),
    x=st.integers(-5000, 10000),
    y=st.integers(-5000, 10000),
    timeout=seconds,
)
def test_a_menu_request_survives_argv_and_stdin(
    items: tuple[MenuItem, ...], x: int, y: int, timeout: timedelta
) -> None:
    request = MenuRequest(items, x, y, timeout)
    assert MenuRequest.from_argv(request.to_argv(), request.stdin().decode("utf-8").strip) == request


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{", "the menu is not JSON"),
        ('{"id": "quit"}', "the menu must be a JSON list of items"),
        ("[1]", "item 1 must be a JSON object"),
        ('[{"id": "a"}, {"enabled": "no"}]', "item 2: enabled must be a bool"),
        ('[{"children": [{"checked": 1}]}]', "item 1, item 1: checked must be true, false or null"),
        ('[{"children": {}}]', "item 1: children must be a list"),
    ],
)
def test_a_menu_that_breaks_the_contract_is_refused_with_where_and_why(text: str, reason: str) -> None:
    with pytest.raises(ContractError, match=reason):
        menu_from_json(text)


def test_a_chosen_item_must_name_one() -> None:
    with pytest.raises(ContractError, match="id must be a menu item's id"):
        outcome_from_json('{"outcome": "chosen", "id": ""}', MENU_OUTCOMES)


@given(st.lists(st.text()))
def test_a_request_for_a_window_started_ahead_comes_back_as_the_same_arguments(args: list[str]) -> None:
    line = request_line(args)
    assert line.endswith(b"\n") and line.count(b"\n") == 1  # one line, whatever the words hold
    assert args_from_line(line) == args


@pytest.mark.parametrize(
    ("line", "said"),
    [
        (b"--language nl\n", "not JSON"),
        (b'{"language": "nl"}\n', "a JSON list"),
        (b'["--length", 5]\n', "a JSON list"),
    ],
)
def test_a_request_line_that_is_not_one_says_what_is_wrong(line: bytes, said: str) -> None:
    with pytest.raises(ContractError, match=said):
        args_from_line(line)
