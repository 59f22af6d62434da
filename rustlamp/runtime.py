"""The running app: one asyncio loop that owns the schedule's single timer, the notifier and the signals.

The lamp's decisions are rustlamp.core.lamp.Lamp's: every event goes to it, and this module carries out the
effects it returns (notifications shown and withdrawn, windows, journal entries, the log). What stays here
is what only a process can do: the clock, the watchers, the windows' processes, the settings file.

The loop sleeps until the next event (no polling): asyncio's timer for the elapsed time and, on Linux, a
wall-clock alarm that also fires after a suspend or a clock change. Each time it wakes it compares how far
the wall clock moved with how long the process really lived; a difference means sleep or a clock jump, and
the planner's rule for that applies (nothing replayed, at most one reminder, a long gap counts as rest).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rustlamp import APP_NAME, __version__
from rustlamp.core.clock import Clock
from rustlamp.core.commands import Command, Forget, command_from_key
from rustlamp.core.config import Settings
from rustlamp.core.content import PromptPicker, resolve_language
from rustlamp.core.desk import Desk
from rustlamp.core.lamp import (
    JUMP_TOLERANCE,
    DiscardBreak,
    Do,
    Effect,
    Lamp,
    Note,
    Notice,
    OpenBreak,
    OpenWindow,
    PrepareBreak,
    RaiseBreak,
    Record,
    Said,
    Show,
    Slot,
    Withdraw,
)
from rustlamp.core.menu import TrayView, lamp, menu, next_warmth_change, status_line, tooltip
from rustlamp.core.planner import Planner
from rustlamp.core.schedule import Event
from rustlamp.core.texts import text
from rustlamp.journal_keeper import JournalKeeper
from rustlamp.notify.base import Button, Message
from rustlamp.settings_source import SettingsSource, SettingsUpdate
from rustlamp.system.wallclock import WallClockAlarm, make_alarm
from rustlamp.system.windows import break_window, checkin_window, settings_window, week_window
from rustlamp.ui.contract import (
    BreakRequest,
    CannotOpen,
    CheckinRequest,
    Outcome,
    SettingsRequest,
    SettingsSaved,
    WeekRequest,
)

if TYPE_CHECKING:
    from rustlamp.desk.base import DeskEvent, DeskWatcher, IdleWatcher
    from rustlamp.notify.base import Notifier
    from rustlamp.system.control import ControlServer
    from rustlamp.system.windows import WindowProcess
    from rustlamp.tray.base import Tray

log = logging.getLogger("rustlamp.runtime")

__all__ = ["JUMP_TOLERANCE", "App"]


class App:
    def __init__(self, source: SettingsSource, clock: Clock) -> None:
        self.source = source
        self.clock = clock
        self.zone = clock.now().tzinfo
        self._wake = asyncio.Event()
        self._stopping = False
        # a window started ahead only for the running lamp, whose stop lets it go (run()); a task left
        # spawning one when its loop closes would wait for the child forever (Python 3.11)
        self._readies_windows = False
        self._last_wall = clock.now()
        self._last_mono = clock.monotonic()
        self.notifier: Notifier | None = None
        self.tray: Tray | None = None
        self.made_tray: Tray | None = None  # one made before the loop (macOS: pystray's, on the main thread)
        self.control_folder: Path | None = None  # where the command line's channel lives; None: no channel
        self.journal_path: Path | None = None  # where the journal goes; None: keep no journal
        self.journal = JournalKeeper(None, clock)
        self.break_window = break_window()
        self.checkin_window = checkin_window()
        self.week_window = week_window()
        self.settings_window = settings_window()
        self._tasks: set[asyncio.Task[None]] = set()
        self._shown: dict[Slot, str] = {}  # what the notifier returned for the notice on screen in a slot
        update = source.load()
        language = resolve_language(update.settings.language, os.environ)
        self.lamp = Lamp.start(update.settings, language, clock.now())
        self._start_update = update
        self.settings_errors = tuple(str(p) for p in update.errors)  # the file's, when it has any
        self.reloads = 0  # how often the file was read again since the start
        self.watch_desk = True  # off in tests that drive the desk by hand
        self._idle_watcher: IdleWatcher | None = None
        self._dnd_watchers: list[DeskWatcher] = []  # fullscreen and do-not-disturb
        self._dnd_fullscreen: bool | None = None  # the `when_fullscreen` they were started with
        self._dnd_calls: bool | None = None  # and the `during_calls`
        self._power_watchers: list[DeskWatcher] = []  # sleep and lock

    # the lamp's state, read by the tray, the status and the tests
    @property
    def settings(self) -> Settings:
        return self.lamp.settings

    @property
    def language(self) -> str:
        return self.lamp.language

    @property
    def planner(self) -> Planner:
        return self.lamp.planner

    @property
    def desk(self) -> Desk:
        return self.lamp.desk

    @property
    def picker(self) -> PromptPicker:
        return self.lamp.picker

    @property
    def waiting(self) -> bool:
        return self.lamp.waiting

    # --- the loop ---------------------------------------------------------------------------------

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        await self._choose_notifier()
        handled = self._handle_signals(loop)
        alarm = make_alarm()
        if alarm is not None:
            loop.add_reader(alarm.fd, self._on_alarm, alarm)
        await self._start_tray()
        control = await self._start_control()
        log.info("rustlamp is running (settings: %s)", self.source.path)
        await self._open_journal()
        await self._start_desk()
        await self._tell_settings_problems(self._start_update)
        self._readies_windows = True
        try:
            while not self._stopping:
                view = self._view()  # once a wake: the tray, the next wake and the log all read it
                self._refresh_tray(view)
                wake_at = self._next_wake(view)
                if alarm is not None and not self._arm(alarm, wake_at):
                    loop.remove_reader(alarm.fd)
                    alarm.close()
                    alarm = None
                self._log_next(view.next_reminder, wake_at)
                await self._sleep_until(wake_at)
                if self._stopping:
                    break
                now = self._sync_clock()
                if self.lamp.reminder_due(now):
                    await self._look_at_desk()  # watchers that can only be asked: is this a bad moment?
                    now = self._sync_clock()
                # the loop plans afresh at its top anyway: what the tick did needs no extra wake
                await self._carry_out_now(self.lamp.tick(now), wake=False)
        finally:
            self._readies_windows = False  # none started ahead from here: the windows close below
            stop_watchdog = _watch_the_stop()
            if control is not None:
                await _close_within("the command line's channel", control.close())
            for window in (self.break_window, self.checkin_window, self.week_window, self.settings_window):
                await _close_within(f"the {window.module} process", window.close(), WINDOW_CLOSE_SECONDS)
            for watcher in [*([self._idle_watcher] if self._idle_watcher else []), *self._desk_watchers]:
                await _close_within(f"the {watcher.name} watcher", watcher.close())
            self.journal.close()
            if self.tray is not None:
                await _close_within("the tray", self.tray.close(), WINDOW_CLOSE_SECONDS)
            if alarm is not None:
                loop.remove_reader(alarm.fd)
                alarm.close()
            for signum in handled:
                loop.remove_signal_handler(signum)
            if self.notifier is not None:
                await _close_within("the notifications", self.notifier.close())
            stop_watchdog()
        log.info("rustlamp stopped")
        return 0

    # --- the command line's channel -----------------------------------------------------------------

    async def _start_control(self) -> ControlServer | None:
        if self.control_folder is None:
            return None
        from rustlamp.system.control import ControlServer

        server = ControlServer(self._on_request, self.control_folder)
        try:
            await server.start()
        except OSError as exc:
            log.warning("the command line cannot reach this rustlamp: %s", exc)
            return None
        return server

    async def _on_request(self, key: str) -> dict[str, Any]:
        """A request from `rustlamp status`, `rustlamp snooze 10m`, ...: the same keys as the menu, checked
        against the same table as the command line; "plan:N" asks for what comes next."""
        if key == "status":
            return {"ok": True, **self.status()}
        if key.startswith("plan:") and key[5:].isdigit() and 1 <= int(key[5:]) <= 10_000:
            return {"ok": True, **self.status(), "plan": self.plan(int(key[5:]))}
        command = command_from_key(key, "command line")
        if command is None:
            log.warning("refused an unknown command %r from the command line", key)
            from rustlamp.system.control import failed

            return failed("control.unknown_command", command=repr(key))
        if isinstance(command, Forget):  # the journal's business, not the lamp's
            journal = str(self.journal.path) if self.journal.path is not None else None
            return {"ok": True, "journal": journal, "forgotten": self.journal.forget(command.before)}
        said = self.handle(command)
        return {"ok": True, **self.status(), "said": said}

    def plan(self, count: int) -> list[dict[str, str]]:
        """What this lamp will do, as `rustlamp plan --json` prints it."""
        from rustlamp.core.plan import running_plan

        return [item.to_json() for item in running_plan(self.lamp, self.clock.now(), count)]

    def status(self) -> dict[str, Any]:
        """What `rustlamp status` shows; times as ISO 8601 with their offset, or null."""

        def iso(moment: datetime | None) -> str | None:
            return None if moment is None else moment.astimezone(self.zone).isoformat(timespec="seconds")

        view = self._view()
        return {
            "running": not self._stopping,
            "version": __version__,
            "pid": os.getpid(),
            "paused_until": iso(self.planner.paused_until),
            "snoozed_until": iso(self.planner.snoozed_until),
            "next_reminder": iso(view.next_reminder),
            "last_rest": iso(self.planner.last_rest),
            "waiting": self.waiting,
            "break_open": self.lamp.break_open,
            "language": self.language,
            "in_panel": self.tray is not None and self.tray.in_panel,
            "journal": str(self.journal.path) if self.journal.path is not None else None,
            "journal_state": self.journal.state,  # off, open, waiting (entries wait to go in), unavailable
            "journal_waiting": self.journal.waiting_count,
            "settings_errors": list(self.settings_errors),
            "message": status_line(view),
        }

    def _handle_signals(self, loop: asyncio.AbstractEventLoop) -> list[int]:
        """SIGINT/SIGTERM stop, SIGHUP reloads. Only possible where the loop owns the main thread (not on
        macOS, where the tray does, and not on Windows); there Quit in the menu ends the app."""
        wanted: list[tuple[int, Callable[[], object]]] = [
            (signal.SIGINT, self.stop),
            (signal.SIGTERM, self.stop),
        ]
        if hasattr(signal, "SIGHUP"):
            wanted.append((signal.SIGHUP, self.reload))
        handled: list[int] = []
        for signum, handler in wanted:
            try:
                loop.add_signal_handler(signum, handler)
            except (NotImplementedError, RuntimeError, ValueError):
                log.debug("signal %s is not handled on this loop", signum)
                continue
            handled.append(signum)
        return handled

    def _next_wake(self, view: TrayView) -> datetime | None:
        """The planner's next event, or the lamp's next step warmer, whichever is first."""
        times = [t for t in (self.lamp.next_wake(), next_warmth_change(view)) if t is not None]
        return min(times, key=lambda t: t.timestamp()) if times else None

    # --- the tray ---------------------------------------------------------------------------------

    def _view(self) -> TrayView:
        planner = self.planner
        return TrayView(
            language=self.language,
            now=self.clock.now(),
            last_rest=planner.last_rest.astimezone(self.zone),
            every=self.settings.reminders.every,
            next_reminder=planner.next_reminder(),
            snoozed_until=planner.snoozed_until,
            paused_until=planner.paused_until,
            waiting=self.waiting,
            snooze_choices=self.settings.reminders.snooze,
            journal_kept=self.journal.keeping,
            autostart=self._autostart_state(),
            in_call=self.desk.holding_for("call"),
        )

    async def _start_tray(self) -> None:
        from rustlamp.tray.select import choose_tray

        view = self._view()
        self.tray, status = await choose_tray(
            self.on_tray_action,
            lamp(view),
            menu(view),
            tooltip(view),
            made=self.made_tray,
            on_cannot_open=self._menu_could_not_open,
        )
        if status.ok:
            log.info("tray: %s", status.detail)
        else:
            log.warning("tray: %s", status.detail)
            body = text(
                self.language, "no_tray_body" if sys.platform.startswith("linux") else "no_tray_body_other"
            )
            if self.tray.backend != "none":  # a tray that waits for a panel to appear on the bus
                body += " " + text(self.language, "no_tray_later")
            await self._notify(Message(text(self.language, "no_tray_title"), body))

    def _refresh_tray(self, view: TrayView) -> None:
        if self.tray is not None:
            self.tray.update(lamp(view), menu(view), tooltip(view))

    def on_tray_action(self, key: str) -> None:
        self._act_on(key, "tray")

    async def _sleep_until(self, wake_at: datetime | None) -> None:
        timeout = None if wake_at is None else max(0.0, (wake_at - self.clock.now()).total_seconds())
        self._wake.clear()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    @staticmethod
    def _arm(alarm: WallClockAlarm, wake_at: datetime | None) -> bool:
        """Arm the wall-clock alarm; if the OS refuses, say so once and go on with asyncio's timer alone."""
        try:
            alarm.arm(wake_at)
        except OSError as exc:
            log.warning("the wall-clock alarm stopped (%s); reminders follow the monotonic timer", exc)
            return False
        return True

    def _on_alarm(self, alarm: object) -> None:
        assert isinstance(alarm, WallClockAlarm)
        if alarm.acknowledge() == "clock-set":
            log.info("the system clock was set")
        self._wake.set()

    def _sync_clock(self) -> datetime:
        """Notice a suspend or clock jump since the last look, and let the planner apply its rule."""
        now, mono = self.clock.now(), self.clock.monotonic()
        lived = timedelta(seconds=mono - self._last_mono)
        moved = now - self._last_wall
        self._last_wall, self._last_mono = now, mono
        if abs(moved - lived) > JUMP_TOLERANCE:
            effects = self.lamp.clock_moved(now - moved + lived, now)
            rested = any(isinstance(e, Record) for e in effects)
            back = "the clock was set back, not a rest" if moved < lived else "too short to count as rest"
            log.info(
                "woke: the wall clock moved %s while the process lived %s; %s",
                moved,
                lived,
                "counted as rest" if rested else back,
            )
            self._carry_out([e for e in effects if not isinstance(e, Note)])
        return now

    def _log_next(self, reminder: datetime | None, wake_at: datetime | None) -> None:
        log.info(
            "next reminder: %s; next wake: %s",
            reminder.isoformat(timespec="seconds") if reminder else "none",
            wake_at.isoformat(timespec="seconds") if wake_at else "none",
        )

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    # --- settings ---------------------------------------------------------------------------------

    def reload(self) -> list[str]:
        """Read the settings again (SIGHUP). A broken file keeps the last good settings running."""
        update = self.source.load()
        self.reloads += 1
        self.settings_errors = tuple(str(p) for p in update.errors)
        said: list[str] = []
        if not update.errors:
            language = resolve_language(update.settings.language, os.environ)
            said = self._carry_out(self.lamp.new_settings(update.settings, language, self.clock.now()))
            log.info("settings reloaded from %s", self.source.path)
            if self.settings.journal.enabled != self.journal.keeping:
                self._later(self._open_journal())
            if self.settings.idle.natural_breaks != (self._idle_watcher is not None):
                self._later(self._restart_idle())
            elif self._idle_watcher is not None:
                self._idle_watcher.set_thresholds(self._idle_thresholds())
            dnd = self.settings.dnd
            if self._dnd_fullscreen is not None and (dnd.when_fullscreen, dnd.during_calls) != (
                self._dnd_fullscreen,
                self._dnd_calls,
            ):
                self._later(self._restart_dnd())
        self._later(self._tell_settings_problems(update, reloaded=True))
        self._wake.set()
        return said

    async def _tell_settings_problems(self, update: SettingsUpdate, reloaded: bool = False) -> None:
        from rustlamp.ui.settings_words import SETTINGS_TEXTS  # words only, no toolkit

        await self._carry_out_now(self.lamp.settings_problems(update.errors, reloaded, SETTINGS_TEXTS))

    # --- events and commands ----------------------------------------------------------------------

    async def _show(self, event: Event) -> None:
        """One planned event, now (the loop's tick does the same for all that are due)."""
        if event.kind == "reminder" and not self.lamp.break_open:
            await self._look_at_desk()
        await self._carry_out_now(self.lamp.show_event(event, self._sync_clock()))

    # --- carrying out what the lamp decided ---------------------------------------------------------

    def _carry_out(self, effects: list[Effect], wake: bool = True) -> list[str]:
        """Do what the lamp decided. Notifications go out in order on the loop, without waiting for them;
        everything else happens now. Returns what was said for the person who asked. The loop wakes to
        plan afresh when something happened (`wake`), never for nothing: that would make it spin."""
        said: list[str] = []
        notices: list[Show | Withdraw] = []
        for effect in effects:
            if isinstance(effect, (Show, Withdraw)):
                notices.append(effect)
            elif isinstance(effect, Said):
                said.append(effect.text)
            elif isinstance(effect, Note):
                log.info("%s", effect.text)
            elif isinstance(effect, Record):
                self.journal.record(effect.kind, dict(effect.detail))
            elif isinstance(effect, OpenBreak):
                self._later(self._take_break(effect))
            elif isinstance(effect, RaiseBreak):
                self.break_window.bring_to_front()
            elif isinstance(effect, PrepareBreak):
                if self._readies_windows and not self._stopping:
                    self._later(self.break_window.prepare())
            elif isinstance(effect, DiscardBreak):
                self._later(self.break_window.discard())
            elif isinstance(effect, OpenWindow):
                self._open_window(effect.window)
            elif isinstance(effect, Do):
                said += self._do(effect)
        if notices:
            self._later(self._notices(notices))
        if wake and effects:
            self._wake.set()
        return said

    async def _carry_out_now(self, effects: list[Effect], wake: bool = True) -> list[str]:
        """As _carry_out, and wait until the notifications went out."""
        notices = [e for e in effects if isinstance(e, (Show, Withdraw))]
        said = self._carry_out([e for e in effects if not isinstance(e, (Show, Withdraw))], wake)
        await self._notices(notices)
        return said

    async def _notices(self, notices: list[Show | Withdraw]) -> None:
        for notice in notices:
            if isinstance(notice, Withdraw):
                shown = self._shown.pop(notice.slot, None)
                if shown is not None and self.notifier is not None:
                    await self.notifier.withdraw(shown)
            else:
                handle = await self._notify(self._message(notice.notice))
                if handle is not None:
                    self._shown[notice.notice.slot] = handle

    @staticmethod
    def _message(notice: Notice) -> Message:
        buttons = tuple(Button(key, label) for key, label in notice.buttons)
        return Message(notice.title, notice.body, buttons=buttons, click_key=notice.click_key)

    def _do(self, effect: Do) -> list[str]:
        if effect.what == "reload":
            return self.reload()
        if effect.what == "quit":
            self.stop()
        elif effect.what == "autostart":
            self._toggle_autostart()
        return []

    def _open_window(self, which: str) -> None:
        if which == "checkin":
            self._open_once(self.checkin_window, self._check_in)
        elif which == "week":
            self._open_once(self.week_window, self._show_week)
        elif which == "settings":
            self._open_once(self.settings_window, self._show_settings)

    async def _notify(self, message: Message) -> str | None:
        if self.notifier is not None and self.notifier.backend == "none":
            # started before the desktop's notification daemon (at login, say): ask again, only when
            # there is something to show, so nothing polls in the meantime
            await self._choose_notifier()
        if self.notifier is not None:
            return await self.notifier.show(message)
        return None

    async def _choose_notifier(self) -> None:
        from rustlamp.notify.select import choose_notifier

        if self.notifier is not None:
            await self.notifier.close()
        self._shown.clear()  # what the old one showed cannot be withdrawn through the new one
        self.notifier, status = await choose_notifier(APP_NAME, self._on_action)
        (log.info if status.ok else log.warning)("notifications: %s", status.detail)

    def _on_action(self, key: str) -> None:
        self._act_on(key, "notification")

    def _act_on(self, key: str, source: str) -> bool:
        """A button's or menu item's key becomes a command; an unknown one is refused and logged. True when
        it was handled."""
        command = command_from_key(key, source)
        if command is None:
            log.warning("refused an unknown command %r from the %s", key, source)
            return False
        self.handle(command)
        return True

    def handle(self, command: Command) -> list[str]:
        """Every wish (notification buttons, the tray, the command line) goes to the lamp; what it decides
        is carried out here. Returns what was done, in the person's words."""
        now = self._sync_clock()
        said = self._carry_out(self.lamp.command(command, now))
        self._wake.set()
        return said

    async def _take_break(self, effect: OpenBreak) -> None:
        """Show the break window with the sentence the lamp chose; its outcome goes back to the lamp."""
        settings = self.settings
        request = BreakRequest(
            language=self.language,
            prompt=effect.prompt,
            attempt_reply=effect.attempt_reply or "",
            length=settings.break_.length,
            inhale=settings.break_.inhale,
            exhale=settings.break_.exhale,
            snooze=settings.reminders.snooze,
            offer_checkin=settings.checkin.offer_after_break,
        )
        outcome = await self.break_window.run(request)
        if self._could_not_open(outcome):
            # the break never began: it must not stay open in the lamp, or no reminder would come again
            await self._carry_out_now(self.lamp.break_ended(None, self._sync_clock()))
            return
        await self._carry_out_now(self.lamp.break_ended(_line(outcome), self._sync_clock()))

    def _menu_could_not_open(self, outcome: CannotOpen) -> None:
        """The tray's own menu (XEmbed, swaybar) could not open: say so as for any window."""
        self._could_not_open(outcome)

    def _could_not_open(self, outcome: Outcome | None) -> bool:
        """A window that could not open (Qt cannot start here): say what to install, each time a window
        is asked for (never a silent nothing), and carry on; True when that was the outcome."""
        if not isinstance(outcome, CannotOpen):
            return False
        log.warning("a window could not open: %s (%s)", outcome.sentence("en"), outcome.detail)
        self._later(self._say(Message(outcome.title(self.language), outcome.sentence(self.language))))
        return True

    async def _check_in(self) -> None:
        """The check-in window; what the person answered goes to the lamp (the journal, the next prompt)."""
        outcome = await self.checkin_window.run(CheckinRequest(self.language))
        if self._could_not_open(outcome):
            return
        now = self._sync_clock()
        await self._carry_out_now(self.lamp.checkin_ended(_line(outcome), now, self.journal.keeping))

    async def _show_week(self) -> None:
        from rustlamp.core.entries_json import entries_to_json

        today = self.clock.now().date()
        entries = self.journal.entries(today - timedelta(days=6), today)
        data = json.dumps(entries_to_json(entries), ensure_ascii=False).encode("utf-8")
        self._could_not_open(await self.week_window.run(WeekRequest(self.language, today), stdin=data))

    def _open_once(self, window: WindowProcess, show: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Never two of a window: asking again brings the open one to the front."""
        if window.is_open:
            window.bring_to_front()
        else:
            self._later(show())

    async def _open_journal(self) -> None:
        self.journal.close()
        path = self.journal_path if self.settings.journal.enabled else None
        from rustlamp.journal_keeper import unsaved_folders

        spare = unsaved_folders(path) if path is not None else None
        self.journal = JournalKeeper(path, self.clock, spare, tell=self._tell_journal_waits)
        told = self.journal.open()
        if told is not None:
            key, problem = told
            await self._notify(
                Message(text(self.language, "journal_title"), text(self.language, key, problem=problem))
            )

    def _tell_journal_waits(self, problem: str) -> None:
        message = Message(
            text(self.language, "journal_title"), text(self.language, "journal_waiting", problem=problem)
        )
        self._later(self._say(message))

    # --- the desk: idle, do-not-disturb, sleep and lock ------------------------------------------

    def _idle_thresholds(self) -> list[timedelta]:
        return sorted({self.desk.away_after, self.settings.natural_break_after})

    async def _start_desk(self) -> None:
        """Start every desk watcher that works here; say once in the log what does not."""
        if not self.watch_desk:
            return
        from rustlamp.desk.power_select import choose_power_watchers

        await self._start_idle()
        await self._start_dnd()
        self._power_watchers, power_lines = await choose_power_watchers(self.on_desk)
        for line in power_lines:
            log.info("desk: %s", line)
        watchers = [*([self._idle_watcher] if self._idle_watcher else []), *self._desk_watchers]
        log.info("desk watchers: %s", ", ".join(w.name for w in watchers) or "none")

    @property
    def _desk_watchers(self) -> list[DeskWatcher]:
        return [*self._dnd_watchers, *self._power_watchers]

    async def _start_dnd(self) -> None:
        from rustlamp.desk.dnd_select import choose_dnd_watchers

        when_fullscreen, during_calls = self.settings.dnd.when_fullscreen, self.settings.dnd.during_calls
        self._dnd_watchers, lines = await choose_dnd_watchers(
            self.on_desk, when_fullscreen, during_calls=during_calls
        )
        self._dnd_fullscreen, self._dnd_calls = when_fullscreen, during_calls
        for line in lines:
            log.info("desk: %s", line)

    async def _restart_dnd(self) -> None:
        """`[dnd] when_fullscreen` or `during_calls` changed: the do-not-disturb watchers start afresh.
        What the old ones held is let go (a closed watcher cannot say "release"); the new ones say again
        what holds now."""
        from rustlamp.desk.base import DeskEvent

        old, self._dnd_watchers = self._dnd_watchers, []
        for watcher in old:
            await watcher.close()
        for watcher in old:
            ending = f" ({watcher.name})"
            for held in sorted(h for h in self.desk.holds if h.endswith(ending)):
                self.on_desk(DeskEvent("release", watcher.name, reason=held.removesuffix(ending)))
        await self._start_dnd()
        log.info("desk: do-not-disturb watchers now: %s", ", ".join(w.name for w in self._dnd_watchers))

    async def _start_idle(self) -> None:
        from rustlamp.desk.idle_select import choose_idle_watcher

        if not self.settings.idle.natural_breaks:
            log.info("natural breaks: off in the settings; reminders come whether or not the desk is empty")
            return
        idle, detail = await choose_idle_watcher(self._idle_thresholds(), self.on_desk)
        (log.info if idle is not None else log.warning)("natural breaks: %s", detail)
        self._idle_watcher = idle

    async def _restart_idle(self) -> None:
        if self._idle_watcher is not None:
            await self._idle_watcher.close()
            self._idle_watcher = None
        self.desk.away_since = None  # without a watcher nobody would say "active" again
        if self.watch_desk:
            await self._start_idle()

    async def _look_at_desk(self) -> None:
        """Ask the watchers that cannot tell us of a bad moment (Windows, macOS) whether this is one."""
        from rustlamp.desk.base import AskedWatcher

        for watcher in self._desk_watchers:
            if isinstance(watcher, AskedWatcher):
                try:
                    await watcher.look()
                except Exception:  # a watcher's bug must not cost the reminder
                    log.exception("desk: asking %s failed", watcher.name)

    def on_desk(self, event: DeskEvent) -> None:
        """A desk watcher saw something; the lamp (with the core's Desk) decides what it means."""
        now = self._sync_clock()
        detail = f", {event.reason}" if event.reason else ""
        detail += f", idle {event.idle_for}" if event.idle_for is not None else ""
        log.info("desk: %s (%s%s)", event.kind, event.source, detail)
        # one hold per reason and source: two do-not-disturb sources must not release each other's
        held = f"{event.reason} ({event.source})"
        self._carry_out(self.lamp.desk_event(event.kind, now, held, event.idle_for, event.at))
        self._wake.set()  # the desk changes the tray's words too ("held: a call"), effects or not

    def _iso(self, moment: datetime | None) -> str | None:
        return None if moment is None else moment.astimezone(self.zone).isoformat(timespec="seconds")

    async def _show_settings(self) -> None:
        """The settings window. It tells us over the control channel the moment it saves; its outcome says
        so too, and covers a save whose message did not arrive, so read the file only if it did not."""
        reloads = self.reloads
        outcome = await self.settings_window.run(SettingsRequest(self.language, self.source.path))
        if isinstance(outcome, SettingsSaved) and self.reloads == reloads:
            self.reload()
        elif outcome is None or self._could_not_open(outcome):
            self._open_settings()  # no window here: the file in the desktop's editor instead

    def _autostart_state(self) -> bool | None:
        from rustlamp.system import autostart

        return autostart.is_enabled() if autostart.available() else None

    def _toggle_autostart(self) -> None:
        from rustlamp.system import autostart

        try:
            change = autostart.disable() if autostart.is_enabled() else autostart.enable()
        except OSError as exc:
            log.warning("start at login could not be changed: %s", exc)
            said = text(self.language, "autostart_failed")  # the system's own words stay in the log
            self._later(self._say(Message(text(self.language, "menu_autostart"), said)))
            return
        log.info("start at login: %s", change)

    def _open_settings(self) -> None:
        from rustlamp.system.open_file import ensure_config_file, open_in_desktop

        path = self.source.path
        try:
            ensure_config_file(path)
        except OSError as exc:
            log.warning("cannot create %s: %s", path, exc)
        problem = open_in_desktop(path)
        if problem is None:
            log.info("opened %s in the desktop's editor", path)
        else:
            log.warning("cannot open %s: %s", path, problem)
            self._later(self._say(Message(text(self.language, "settings_title"), problem)))

    async def _say(self, message: Message) -> None:
        await self._notify(message)

    def _later(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` on the loop without waiting for it, keeping a reference so it is not collected."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _line(outcome: Outcome | None) -> dict[str, Any] | None:
    """The outcome as its contract line, the shape rustlamp.core.lamp reads (it knows no window types)."""
    return None if outcome is None else outcome.to_json()


# Stopping must end the lamp (a logout or `kill` waits for it): each part gets a few seconds to close,
# a window a little longer (it is asked to end and given time to say how), and then rustlamp goes on.
CLOSE_SECONDS = 3.0
WINDOW_CLOSE_SECONDS = 6.0
# Past this, something blocks the loop itself: the stack of every thread goes to stderr and the process
# ends, so a stop can never hang (and the log says where it stuck).
STOP_WATCHDOG_SECONDS = 20.0


async def _close_within(
    what: str, closing: Coroutine[Any, Any, None], seconds: float = CLOSE_SECONDS
) -> None:
    try:
        await asyncio.wait_for(closing, seconds)
    except asyncio.TimeoutError:
        log.warning("stopping: %s did not close within %g s; going on without it", what, seconds)
    except Exception:  # a part that fails to close must not keep the others open
        log.warning("stopping: closing %s failed", what, exc_info=True)


def _watch_the_stop(seconds: float = STOP_WATCHDOG_SECONDS) -> Callable[[], None]:
    """Arm the watchdog for the stop; returns what disarms it."""
    import faulthandler

    try:
        faulthandler.dump_traceback_later(seconds, exit=True)
    except (RuntimeError, ValueError, OSError):  # no usable stderr (a windowed Windows build)
        return lambda: None
    return faulthandler.cancel_dump_traceback_later
