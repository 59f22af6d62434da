"""The app's windows run as child processes (`python -m rustlamp.ui.<window>`): no toolkit fights the
tray for the main thread, a crash there cannot take the lamp down, and the resident process never
imports Tk. Each window says how it ended in one JSON line on stdout."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

log = logging.getLogger("rustlamp.windows")


@dataclass(frozen=True)
class BreakRequest:
    language: str
    prompt: str
    length: timedelta
    inhale: timedelta
    exhale: timedelta
    snooze: tuple[timedelta, ...]

    offer_checkin: bool = False
    attempt_reply: str | None = None  # the mild words after "Didn't work out now"; None: the window's own

    def argv(self) -> list[str]:
        args = [
            "--language", self.language,
            "--length", str(int(self.length.total_seconds())),
            "--inhale", str(self.inhale.total_seconds()),
            "--exhale", str(self.exhale.total_seconds()),
            "--prompt", self.prompt,
        ]  # fmt: skip
        for choice in self.snooze:
            args += ["--snooze", str(int(choice.total_seconds()))]
        if self.offer_checkin:
            args.append("--offer-checkin")
        if self.attempt_reply:
            args += ["--attempt-reply", self.attempt_reply]
        return args


def window_command(module: str, args: Sequence[str] = ()) -> list[str]:
    return [sys.executable, "-m", f"rustlamp.ui.{module}", *args]


class WindowProcess:
    """At most one window of a kind: asking again while one is open brings that one to the front.

    A window that has already told its outcome is on its way out: it no longer counts as open, so a new
    ask in the moment while its process exits opens a new window instead of raising the closing one.
    """

    def __init__(self, module: str, outcomes: Sequence[str], program: Sequence[str] | None = None) -> None:
        self.module = module
        self.outcomes = tuple(outcomes)
        self._program = list(program) if program is not None else None  # instead of the module (tests)
        self._proc: asyncio.subprocess.Process | None = None
        self._answered = False

    @property
    def is_open(self) -> bool:
        return self._proc is not None and self._proc.returncode is None and not self._answered

    def bring_to_front(self) -> None:
        if self.is_open and hasattr(signal, "SIGUSR1"):
            assert self._proc is not None
            with contextlib.suppress(ProcessLookupError):
                self._proc.send_signal(signal.SIGUSR1)

    async def run(self, args: Sequence[str], stdin: bytes | None = None) -> dict[str, Any] | None:
        """Show the window until it ends; its outcome, or None when it could not say (a crash)."""
        try:
            proc = await asyncio.create_subprocess_exec(
                *(self._program or window_command(self.module, [])),
                *args,
                stdin=asyncio.subprocess.DEVNULL if stdin is None else asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                **_born_ignoring_sigusr1(),
            )
        except OSError as exc:
            log.warning("the %s could not start: %s", self.module, exc)
            return None
        self._proc, self._answered = proc, False
        try:
            if stdin is not None:
                await _feed(proc, stdin)
            output = await self._read_until_answered(proc)
            await proc.wait()
        finally:
            if self._proc is proc:
                self._proc = None
        return parse_outcome(output, proc.returncode, self.outcomes)

    async def _read_until_answered(self, proc: asyncio.subprocess.Process) -> bytes:
        assert proc.stdout is not None
        output = b""
        while line := await proc.stdout.readline():
            output += line
            if self._proc is proc and parse_outcome(line, None, self.outcomes, quiet=True) is not None:
                self._answered = True
        return output

    async def close(self) -> None:
        proc = self._proc
        if proc is not None and proc.returncode is None:
            proc.terminate()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(proc.wait(), 5)


async def _feed(proc: asyncio.subprocess.Process, data: bytes) -> None:
    assert proc.stdin is not None
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # it ended before reading
        proc.stdin.write(data)
        await proc.stdin.drain()
        proc.stdin.close()


def break_window() -> WindowProcess:
    return WindowProcess("break_window", ("done", "later", "attempt"))


def checkin_window() -> WindowProcess:
    return WindowProcess("checkin_window", ("saved", "cancelled"))


def settings_window() -> WindowProcess:
    return WindowProcess("settings_window", ("saved", "closed"))


def week_window() -> WindowProcess:
    return WindowProcess("week_window", ("closed",))


def _born_ignoring_sigusr1() -> dict[str, Any]:
    """A second click right after the first sends SIGUSR1 before the window has its handler, and
    SIGUSR1's default is to end the process. An ignored signal stays ignored across exec until the
    window sets its own handler, so start it that way."""
    if not hasattr(signal, "SIGUSR1"):
        return {}

    def ignore() -> None:
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)

    return {"preexec_fn": ignore}


def parse_outcome(
    output: bytes, code: int | None, outcomes: Sequence[str], quiet: bool = False
) -> dict[str, Any] | None:
    """The window's last JSON line, when it has one of the known `outcomes`."""
    lines = output.decode("utf-8", "replace").strip().splitlines()
    try:
        outcome = json.loads(lines[-1]) if lines else None
    except ValueError:
        outcome = None
    if not isinstance(outcome, dict) or outcome.get("outcome") not in outcomes:
        if not quiet:
            # its size only: a window's output may hold what the person wrote, and the log is no place for it
            log.warning("a window ended without an answer (exit %s, %d bytes of output)", code, len(output))
        return None
    return outcome
