"""The app's side of the break window: a child process, one at a time, brought forward on a second ask."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from app_process import answer_break_window
from desktop import DesktopSession

from rustlamp.system.windows import WindowProcess, break_window
from rustlamp.ui.contract import WAIT_FOR_REQUEST, BreakDone, BreakRequest, Closed

pytestmark = pytest.mark.desktop

REQUEST = BreakRequest(
    language="en",
    prompt="Breathe.",
    length=timedelta(minutes=5),
    inhale=timedelta(seconds=4),
    exhale=timedelta(seconds=6),
    snooze=(timedelta(minutes=10),),
)


def test_a_second_ask_at_once_brings_the_window_forward_and_does_not_end_it(
    desktop_clean: DesktopSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPLAY", desktop_clean.env["DISPLAY"])

    async def scenario() -> object:
        window = break_window()
        running = asyncio.create_task(window.run(REQUEST))
        while not window.is_open:
            await asyncio.sleep(0.001)
        window.bring_to_front()  # the quick second click: before the window has set its own handler
        await asyncio.to_thread(answer_break_window, desktop_clean.env, "A moment of rest")
        return await asyncio.wait_for(running, 20)

    assert asyncio.run(scenario()) == BreakDone()


# A window that has told its outcome and takes its time to exit, as a real process does while Tk tears down.
ANSWERS_THEN_LINGERS = [
    sys.executable,
    "-c",
    "import json, sys, time; print(json.dumps({'outcome': sys.argv[1]}), flush=True); "
    "time.sleep(float(sys.argv[2]))",
]


def test_a_window_that_has_answered_no_longer_counts_as_open() -> None:
    """The race from issue 4: an ask while the closing window's process exits must open a new window,
    not send SIGUSR1 to one that is going away (which would drop the ask)."""

    async def scenario() -> tuple[bool, bool, object]:
        window = WindowProcess("break_window", (BreakDone,), program=ANSWERS_THEN_LINGERS)
        running = asyncio.create_task(window.run(["done", "1.5"]))
        while not window.is_open:
            await asyncio.sleep(0.001)
        opened = window.is_open
        while window.is_open:  # becomes False when the answer line arrives, while the process lives on
            await asyncio.sleep(0.001)
        lingering = not running.done()
        return opened, lingering, await asyncio.wait_for(running, 10)

    opened, lingering, outcome = asyncio.run(scenario())
    assert opened and lingering
    assert outcome == BreakDone()


def test_a_new_window_while_the_last_one_exits_is_its_own() -> None:
    async def scenario() -> tuple[object, object]:
        window = WindowProcess("break_window", (BreakDone, Closed), program=ANSWERS_THEN_LINGERS)
        first = asyncio.create_task(window.run(["done", "1.0"]))
        while not window.is_open:
            await asyncio.sleep(0.001)
        while window.is_open:
            await asyncio.sleep(0.001)
        second = asyncio.create_task(window.run(["closed", "0.2"]))
        while not window.is_open:
            await asyncio.sleep(0.001)
        results = await asyncio.wait_for(asyncio.gather(first, second), 10)
        assert not window.is_open
        return results[0], results[1]

    assert asyncio.run(scenario()) == (BreakDone(), Closed())


def test_a_window_that_ends_without_an_answer_gives_none() -> None:
    window = WindowProcess("break_window", (BreakDone,), program=[sys.executable, "-c", "print('oops')"])
    assert asyncio.run(window.run([])) is None


# A window that may be started ahead (as rustlamp.ui.qt_common.window_main): with only WAIT_FOR_REQUEST it
# waits for its request's arguments on stdin and ends without a word when stdin closes. Its answer says
# which way it was started: `natural` true for one started ahead (only a marker here).
AHEAD_OR_NOT = [
    sys.executable,
    "-c",
    "import json, sys\n"
    "args = sys.argv[1:]\n"
    f"ahead = args == [{WAIT_FOR_REQUEST!r}]\n"
    "if ahead:\n"
    "    line = sys.stdin.readline()\n"
    "    if not line:\n"
    "        sys.exit(0)\n"
    "    args = json.loads(line)\n"
    "print(json.dumps({'outcome': args[0], 'natural': ahead}), flush=True)\n",
]


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"


def test_one_window_waits_ahead_at_most_and_takes_the_next_request() -> None:
    async def scenario() -> tuple[int | None, int | None, object, object, int | None]:
        window = WindowProcess("break_window", (BreakDone,), program=AHEAD_OR_NOT)
        await window.prepare()
        first = window.waiting_pid
        await window.prepare()  # a newer reminder: the same one waits
        second = window.waiting_pid
        ahead = await asyncio.wait_for(window.run(["done"]), 10)
        cold = await asyncio.wait_for(window.run(["done"]), 10)  # none waits now: one started at once
        return first, second, ahead, cold, window.waiting_pid

    first, second, ahead, cold, after = asyncio.run(scenario())
    assert first is not None and first == second
    assert ahead == BreakDone(natural=True) and cold == BreakDone(natural=False)
    assert after is None


def test_a_window_let_go_before_it_was_needed_ends_without_a_word() -> None:
    async def scenario() -> tuple[int, int | None, object]:
        window = WindowProcess("break_window", (BreakDone,), program=AHEAD_OR_NOT)
        await window.prepare()
        pid = window.waiting_pid
        assert pid is not None
        await window.discard()
        return pid, window.waiting_pid, await asyncio.wait_for(window.run(["done"]), 10)

    pid, waiting, outcome = asyncio.run(scenario())
    assert gone(pid) and waiting is None
    assert outcome == BreakDone(natural=False)


def test_a_window_started_ahead_and_never_asked_for_is_let_go_in_time() -> None:
    """The lamp is not told when a reminder leaves the screen: one started ahead goes after a while."""

    async def scenario() -> tuple[int, int, bool, object]:
        window = WindowProcess("break_window", (BreakDone,), program=AHEAD_OR_NOT, waits_at_most=0.5)
        await window.prepare()
        first = window.waiting_pid
        assert first is not None
        await window.prepare()  # a newer reminder: the same one waits, with time again
        deadline = asyncio.get_running_loop().time() + 20
        while not gone(first) and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
        return first, window.waiting_pid or 0, gone(first), await asyncio.wait_for(window.run(["done"]), 10)

    pid, waiting, went, outcome = asyncio.run(scenario())
    assert went and waiting == 0, pid
    assert outcome == BreakDone(natural=False)  # the ask after: a window started then


def test_closing_the_windows_lets_the_waiting_one_go() -> None:
    async def scenario() -> int:
        window = WindowProcess("break_window", (BreakDone,), program=AHEAD_OR_NOT)
        await window.prepare()
        pid = window.waiting_pid
        assert pid is not None
        await window.close()  # the lamp quits
        return pid

    assert gone(asyncio.run(scenario()))


# Qt cannot start where it was started ahead: it says so (to nobody) and ends; one started at the click
# answers as usual.
CANNOT_OPEN_AHEAD = [
    sys.executable,
    "-c",
    "import json, sys\n"
    f"if sys.argv[1:] == [{WAIT_FOR_REQUEST!r}]:\n"
    "    print(json.dumps({'outcome': 'cannot_open', 'missing_packages': ['libxcb-cursor0']}), flush=True)\n"
    "    sys.exit(2)\n"
    "print(json.dumps({'outcome': sys.argv[1]}), flush=True)\n",
]


@pytest.mark.parametrize("how", ["Qt could not start there", "it was killed"])
def test_a_window_that_died_waiting_is_replaced_by_one_started_at_the_ask(how: str) -> None:
    async def scenario() -> object:
        program = CANNOT_OPEN_AHEAD if how == "Qt could not start there" else AHEAD_OR_NOT
        window = WindowProcess("break_window", (BreakDone,), program=program)
        await window.prepare()
        pid = window.waiting_pid
        assert pid is not None
        if how == "it was killed":
            os.kill(pid, signal.SIGKILL)
        while not gone(pid):
            await asyncio.sleep(0.01)
        return await asyncio.wait_for(window.run(["done"]), 10)

    # the answer of the one started at the ask, and only that: the dead one's words are never read
    assert asyncio.run(scenario()) == BreakDone(natural=False)


def test_the_real_break_window_started_ahead_opens_on_the_request_or_ends_unseen(
    desktop_clean: DesktopSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The break window's own process (rustlamp.ui.qt_common.window_main) started ahead: let go, it ends
    at once and tells nothing; given the request, it is the window that opens and answers."""
    monkeypatch.setenv("DISPLAY", desktop_clean.env["DISPLAY"])

    async def scenario() -> tuple[int, int | None, object]:
        window = break_window()
        await window.prepare()
        let_go = window.waiting_pid
        assert let_go is not None
        await window.discard()
        await window.prepare()
        waiting = window.waiting_pid
        running = asyncio.create_task(window.run(REQUEST))
        while not window.is_open:
            await asyncio.sleep(0.001)
        opened = window.pid
        await asyncio.to_thread(answer_break_window, desktop_clean.env, "A moment of rest")
        outcome = await asyncio.wait_for(running, 30)
        assert opened == waiting, "the window that opened is the one that waited"
        return let_go, window.waiting_pid, outcome

    let_go, waiting_after, outcome = asyncio.run(scenario())
    assert gone(let_go) and waiting_after is None
    assert outcome == BreakDone()
