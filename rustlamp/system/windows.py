"""The app's windows run as child processes (`python -m rustlamp.ui.<window>`): no toolkit fights the
tray for the main thread, a crash there cannot take the lamp down, and the resident process never
loads Qt. What a window is asked and how it ended are typed values (rustlamp.ui.contract): a request
becomes the child's arguments, its one JSON line on stdout becomes an outcome."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rustlamp.ui.contract import (
    BREAK_OUTCOMES,
    CHECKIN_OUTCOMES,
    SETTINGS_OUTCOMES,
    WAIT_FOR_REQUEST,
    WEEK_OUTCOMES,
    BreakRequest,
    CannotOpen,
    ContractError,
    Outcome,
    Request,
    outcome_from_json,
    request_line,
)

__all__ = [
    "BreakRequest",
    "WindowProcess",
    "break_window",
    "checkin_window",
    "settings_window",
    "week_window",
]

log = logging.getLogger("rustlamp.windows")


# `python -m` puts the current folder first on sys.path: started from a source checkout, the checkout's
# rustlamp would run in the window instead of the lamp's own. -P (3.11+) leaves it out; older Pythons
# start in the folder the lamp's own rustlamp package was imported from, so the first entry is that one.
# A frozen app (PyInstaller) takes no Python options and has no working folder on its path.
FROZEN = bool(getattr(sys, "frozen", False))
SAFE_PATH_FLAG = ("-P",) if sys.version_info >= (3, 11) and not FROZEN else ()


def window_command(module: str, args: Sequence[str] = ()) -> list[str]:
    # through the launcher, so a Qt that cannot load still answers (CannotOpen) instead of dying silently
    return [sys.executable, *SAFE_PATH_FLAG, "-m", "rustlamp.ui.launch", f"rustlamp.ui.{module}", *args]


def window_folder() -> str | None:
    """The working folder of a window process: None (the lamp's own) where -P keeps it off sys.path."""
    if SAFE_PATH_FLAG or FROZEN:
        return None
    return str(Path(__file__).resolve().parents[2])  # the folder that holds the package `rustlamp`


# how long a window started ahead waits for a reminder's answer before it is let go (seconds)
WAITS_AT_MOST = 10 * 60


class WindowProcess:
    """At most one window of a kind: asking again while one is open brings that one to the front.

    A window that has already told its outcome is on its way out: it no longer counts as open, so a new
    ask in the moment while its process exits opens a new window instead of raising the closing one.

    `prepare()` starts one window process ahead, Qt started and waiting for its request on stdin, for a
    moment when a window is likely to be asked for soon (the break window while a reminder is on screen):
    Qt for Python's own start is some 300 ms on a small machine, which the ask then does not wait for.
    Never more than one waits; `discard()` closes its stdin, and it ends. `run()` hands its request to
    the waiting one, or, when there is none or it died (Qt could not start there, for one: it told
    nobody), starts one as always, which then says why it cannot open. One that waits `waits_at_most`
    seconds (from the last `prepare()`) unasked is let go too: the lamp is not told when a notification
    leaves the screen, and a reminder nobody answered for that long is no moment to hold some 55 MB for.
    """

    def __init__(
        self,
        module: str,
        outcomes: Sequence[type[Outcome]],
        program: Sequence[str] | None = None,
        waits_at_most: float = WAITS_AT_MOST,
    ) -> None:
        self.module = module
        self.waits_at_most = waits_at_most
        self._closing = False  # the lamp stops: a window that ends now is not started again
        self._unasked: asyncio.TimerHandle | None = None  # lets the one started ahead go if never asked
        self._letting_go: set[asyncio.Task[None]] = set()
        self.outcomes = tuple(outcomes)
        self._program = list(program) if program is not None else None  # instead of the module (tests)
        self._proc: asyncio.subprocess.Process | None = None
        self._answered = False
        self._ahead: asyncio.subprocess.Process | None = None  # started ahead, waiting for its request
        self._ahead_lock = asyncio.Lock()  # a click while one is being started ahead waits for it

    @property
    def is_open(self) -> bool:
        return self._proc is not None and self._proc.returncode is None and not self._answered

    @property
    def pid(self) -> int | None:
        """The open window's process id (tests find it on the accessibility bus by it)."""
        return self._proc.pid if self._proc is not None and self._proc.returncode is None else None

    def bring_to_front(self) -> None:
        if self.is_open and hasattr(signal, "SIGUSR1"):
            assert self._proc is not None
            with contextlib.suppress(ProcessLookupError):
                self._proc.send_signal(signal.SIGUSR1)

    @property
    def waiting_pid(self) -> int | None:
        """The process id of the one started ahead, while it waits (tests)."""
        ahead = self._ahead
        return ahead.pid if ahead is not None and ahead.returncode is None else None

    async def _start(self, args: Sequence[str], stdin: bool) -> asyncio.subprocess.Process | None:
        try:
            return await asyncio.create_subprocess_exec(
                *(self._program or window_command(self.module, [])),
                *args,
                stdin=asyncio.subprocess.PIPE if stdin else asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                cwd=window_folder() if self._program is None else None,
                **_born_ignoring_sigusr1(),
            )
        except OSError as exc:
            log.warning("the %s could not start: %s", self.module, exc)
            return None

    async def prepare(self) -> None:
        """Start a window process ahead (see the class), unless one waits already."""
        async with self._ahead_lock:
            if self.waiting_pid is None:
                await self._discard()  # one that died waiting: reap it
                self._ahead = await self._start([WAIT_FOR_REQUEST], stdin=True)
            if self._unasked is not None:
                self._unasked.cancel()  # a newer reminder: its own time to be answered
            if self._ahead is not None:
                ahead = self._ahead
                self._unasked = asyncio.get_running_loop().call_later(
                    self.waits_at_most, self._let_go_unasked, ahead
                )

    def _let_go_unasked(self, ahead: asyncio.subprocess.Process) -> None:
        task = asyncio.ensure_future(self._discard_if_still(ahead))
        self._letting_go.add(task)
        task.add_done_callback(self._letting_go.discard)

    async def _discard_if_still(self, ahead: asyncio.subprocess.Process) -> None:
        async with self._ahead_lock:
            if self._ahead is not ahead:
                return  # handed over or let go meanwhile
            self._ahead = None
        log.info("the %s started ahead was not asked for in %d s: let go", self.module, self.waits_at_most)
        await _let_go(ahead)

    async def discard(self) -> None:
        """Let the one started ahead go: its stdin closed, it ends without a word. (Its end is awaited
        outside the lock: an ask right after must not wait for it.)"""
        async with self._ahead_lock:
            ahead, self._ahead = self._ahead, None
        if ahead is not None:
            await _let_go(ahead)

    async def _discard(self) -> None:
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            await _let_go(ahead)

    async def _hand_over(self, args: Sequence[str]) -> asyncio.subprocess.Process | None:
        """The one started ahead, given `args` as its request; None when there is none or it died."""
        ahead, self._ahead = self._ahead, None
        if ahead is None:
            return None
        if ahead.returncode is None:
            assert ahead.stdin is not None
            try:
                ahead.stdin.write(request_line(args))
                await ahead.stdin.drain()
                ahead.stdin.close()
                return ahead
            except (BrokenPipeError, ConnectionResetError):
                pass  # it ended while waiting
        log.info("the %s started ahead has ended (exit %s): starting one now", self.module, ahead.returncode)
        await _let_go(ahead)
        return None

    async def run(self, request: Request | Sequence[str], stdin: bytes | None = None) -> Outcome | None:
        """Show the window for `request` (or bare arguments, for tests) until it ends; its outcome, or
        None when it could not say (a crash). CannotOpen when Qt could not start here."""
        args = request if isinstance(request, Sequence) else request.to_argv()
        async with self._ahead_lock:
            proc = await self._hand_over(args) if stdin is None else None
        how = "the one started ahead" if proc is not None else "started now"
        if proc is None:
            proc = await self._start(args, stdin=stdin is not None)
            if proc is None:
                return None
        # what it was asked (what the lamp already logs of its own: the prompt, the mild words)
        log.info("the %s (%s) is asked for: %s", self.module, how, json.dumps(list(args), ensure_ascii=False))
        self._proc, self._answered = proc, False
        try:
            if stdin is not None:
                await _feed(proc, stdin)
            output = await self._read_until_answered(proc)
            await proc.wait()
        finally:
            if self._proc is proc:
                self._proc = None
        if how == "the one started ahead" and not output.strip() and not self._closing:
            # it had died waiting (killed, say) before the lamp saw it end, so the request went nowhere
            log.info("the %s started ahead ended without a word (exit %s): starting one now", self.module,
                     proc.returncode)  # fmt: skip
            return await self.run(request, stdin)
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
        self._closing = True
        if self._unasked is not None:
            self._unasked.cancel()
        async with self._ahead_lock:
            ahead, self._ahead = self._ahead, None
        if ahead is not None:
            await _let_go(ahead, patience=0)  # the lamp stops: no need to wait for it to see its stdin close
        proc = self._proc
        if proc is not None and proc.returncode is None:
            proc.terminate()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(proc.wait(), 5)


async def _let_go(proc: asyncio.subprocess.Process, patience: float = 5) -> None:
    """End a process started ahead: stdin closed is its sign to go (once Qt has started there, which may
    take a while on a busy machine); stopped if it has not gone after `patience` seconds."""
    if proc.stdin is not None:
        proc.stdin.close()
    try:
        await asyncio.wait_for(proc.wait(), patience)
    except asyncio.TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()
        await proc.wait()


async def _feed(proc: asyncio.subprocess.Process, data: bytes) -> None:
    assert proc.stdin is not None
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # it ended before reading
        proc.stdin.write(data)
        await proc.stdin.drain()
        proc.stdin.close()


def why_not_shown(outcome: Outcome | None, language: str) -> str | None:
    """For the command line, in the person's language: why a window was not shown; None when it was."""
    from rustlamp.core.texts import text

    if isinstance(outcome, CannotOpen):
        return f"{outcome.title(language)}. {outcome.sentence(language)}"
    if outcome is None:
        return text(language, "window_missing")
    return None


def break_window() -> WindowProcess:
    return WindowProcess("break_window", BREAK_OUTCOMES)


def checkin_window() -> WindowProcess:
    return WindowProcess("checkin_window", CHECKIN_OUTCOMES)


def settings_window() -> WindowProcess:
    return WindowProcess("settings_window", SETTINGS_OUTCOMES)


def week_window() -> WindowProcess:
    return WindowProcess("week_window", WEEK_OUTCOMES)


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
    output: bytes, code: int | None, outcomes: Sequence[type[Outcome]], quiet: bool = False
) -> Outcome | None:
    """The window's last line, read by the contract, when it is one of `outcomes` (or CannotOpen)."""
    lines = output.decode("utf-8", "replace").strip().splitlines()
    try:
        if not lines:
            raise ContractError("no line")
        return outcome_from_json(lines[-1], outcomes)
    except ContractError:
        if not quiet:
            # its size only: a window's output may hold what the person wrote, and the log is no place for it
            log.warning("a window ended without an answer (exit %s, %d bytes of output)", code, len(output))
        return None
