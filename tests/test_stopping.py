"""Stopping always ends the lamp: a part that does not close in time is left behind with a line in the
log, and a stop stuck in the loop itself ends the process with every thread's stack on stderr."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import time

import pytest

from rustlamp.runtime import _close_within


async def _never() -> None:
    await asyncio.Event().wait()


async def _fails() -> None:
    raise OSError("the bus is gone")


def test_a_part_that_does_not_close_is_left_behind_and_named(caplog: pytest.LogCaptureFixture) -> None:
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="rustlamp"):
        # the outer limit fails the test instead of hanging it, should the inner one not hold
        asyncio.run(asyncio.wait_for(_close_within("the sway-fullscreen watcher", _never(), 0.2), 5))
    assert time.monotonic() - started < 5
    assert "the sway-fullscreen watcher did not close within 0.2 s" in caplog.text


def test_a_part_that_fails_to_close_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    async def both() -> list[str]:
        closed: list[str] = []

        async def fine() -> None:
            closed.append("tray")

        await _close_within("the notifications", _fails())
        await _close_within("the tray", fine())
        return closed

    with caplog.at_level(logging.WARNING, logger="rustlamp"):
        assert asyncio.run(both()) == ["tray"]
    assert "closing the notifications failed" in caplog.text


def test_a_stop_stuck_in_the_loop_ends_the_process_and_says_where() -> None:
    stuck = (
        "import time\n"
        "from rustlamp.runtime import _watch_the_stop\n"
        "_watch_the_stop(0.5)\n"
        "def held_in_a_blocking_call():\n"
        "    time.sleep(60)\n"
        "held_in_a_blocking_call()\n"
    )
    started = time.monotonic()
    ended = subprocess.run([sys.executable, "-c", stuck], capture_output=True, text=True, timeout=30)
    assert time.monotonic() - started < 20
    assert ended.returncode != 0
    assert "held_in_a_blocking_call" in ended.stderr


def test_a_stop_that_finishes_disarms_the_watchdog() -> None:
    finishes = (
        "import time\n"
        "from rustlamp.runtime import _watch_the_stop\n"
        "_watch_the_stop(0.3)()\n"
        "time.sleep(1.0)\n"
        "print('still here')\n"
    )
    ended = subprocess.run([sys.executable, "-c", finishes], capture_output=True, text=True, timeout=30)
    assert (ended.returncode, ended.stdout.strip()) == (0, "still here"), ended.stderr
