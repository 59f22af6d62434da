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
        return args


def window_command(module: str, args: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", f"rustlamp.ui.{module}", *args]


class BreakWindow:
    """At most one break window: asking again while one is open brings that one to the front."""

    def __init__(self) -> None:
        self._proc: asyncio.subprocess.Process | None = None

    @property
    def is_open(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    def bring_to_front(self) -> None:
        if self._proc is not None and self._proc.returncode is None and hasattr(signal, "SIGUSR1"):
            with contextlib.suppress(ProcessLookupError):
                self._proc.send_signal(signal.SIGUSR1)

    async def run(self, request: BreakRequest) -> dict[str, Any] | None:
        """Show the window until it ends; its outcome, or None when it could not say (a crash)."""
        try:
            self._proc = await asyncio.create_subprocess_exec(
                *window_command("break_window", request.argv()),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                **_born_ignoring_sigusr1(),
            )
        except OSError as exc:
            log.warning("the break window could not start: %s", exc)
            return None
        try:
            output, _ = await self._proc.communicate()
        finally:
            code = self._proc.returncode
            self._proc = None
        return parse_outcome(output, code)

    async def close(self) -> None:
        if self._proc is not None and self._proc.returncode is None:
            self._proc.terminate()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._proc.wait(), 5)


def _born_ignoring_sigusr1() -> dict[str, Any]:
    """A second click right after the first sends SIGUSR1 before the window has its handler, and
    SIGUSR1's default is to end the process. An ignored signal stays ignored across exec until the
    window sets its own handler, so start it that way."""
    if not hasattr(signal, "SIGUSR1"):
        return {}

    def ignore() -> None:
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)

    return {"preexec_fn": ignore}


def parse_outcome(output: bytes, code: int | None) -> dict[str, Any] | None:
    """The window's last JSON line, when it has a known outcome."""
    lines = output.decode("utf-8", "replace").strip().splitlines()
    try:
        outcome = json.loads(lines[-1]) if lines else None
    except ValueError:
        outcome = None
    if not isinstance(outcome, dict) or outcome.get("outcome") not in ("done", "later", "attempt"):
        log.warning("the break window ended without an answer (exit %s): %r", code, output[-200:])
        return None
    return outcome
