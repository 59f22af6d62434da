"""The running app: one asyncio loop that owns the schedule's single timer, the notifier and the signals.

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
from collections.abc import Callable, Coroutine, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rustlamp import APP_NAME, __version__
from rustlamp.core.checkin import CheckInAnswers, next_theme
from rustlamp.core.clock import Clock
from rustlamp.core.commands import (
    BREAK_KEY,
    About,
    CheckIn,
    Command,
    OpenSettings,
    Pause,
    Quit,
    Reload,
    Resume,
    ShowWeek,
    Snooze,
    TakeBreak,
    ToggleAutostart,
    command_from_key,
    snooze_key,
)
from rustlamp.core.config import Settings
from rustlamp.core.content import PromptPicker, load_content, resolve_language
from rustlamp.core.desk import Desk, Rested, ShowHeld
from rustlamp.core.menu import TrayView, lamp, menu, next_warmth_change, status_line, tooltip
from rustlamp.core.planner import Planner
from rustlamp.core.schedule import Event, Schedule
from rustlamp.core.setting_names import problem_for_a_person
from rustlamp.core.texts import human_duration, human_moment, text
from rustlamp.journal_keeper import JournalKeeper
from rustlamp.notify.base import Button, Message
from rustlamp.settings_source import SettingsSource, SettingsUpdate
from rustlamp.system.wallclock import make_alarm
from rustlamp.system.windows import break_window, checkin_window, settings_window, week_window

if TYPE_CHECKING:
    from rustlamp.desk.base import DeskEvent, DeskWatcher, IdleWatcher
    from rustlamp.notify.base import Notifier
    from rustlamp.system.control import ControlServer
    from rustlamp.system.windows import WindowProcess
    from rustlamp.tray.base import Tray

log = logging.getLogger("rustlamp.runtime")

# The wall clock may drift from the monotonic one by a little (NTP); more than this is a jump or a sleep.
JUMP_TOLERANCE = timedelta(seconds=20)


class App:
    def __init__(self, source: SettingsSource, clock: Clock) -> None:
        self.source = source
        self.clock = clock
        self.zone = clock.now().tzinfo
        self._wake = asyncio.Event()
        self._stopping = False
        self._told_problems: tuple[str, ...] = ()
        self._last_wall = clock.now()
        self._last_mono = clock.monotonic()
        # when a watcher said "sleep" and the wall-clock rule has not yet seen that sleep
        self._asleep_at: datetime | None = None
        self.notifier: Notifier | None = None
        self.tray: Tray | None = None
        self.made_tray: Tray | None = None  # one made before the loop (macOS: pystray's, on the main thread)
        self.control_folder: Path | None = None  # where the command line's channel lives; None: no channel
        self.waiting = False  # a reminder was shown and nobody has answered it yet
        self.journal_path: Path | None = None  # where the journal goes; None: keep no journal
        self.journal = JournalKeeper(None, clock)
        self.break_window = break_window()
        self.checkin_window = checkin_window()
        self.week_window = week_window()
        self.settings_window = settings_window()
        self._lean: str | None = None  # the theme a check-in asked the next prompt to lean towards
        self._tasks: set[asyncio.Task[None]] = set()
        update = source.load()
        self.settings: Settings = update.settings
        self.language = resolve_language(self.settings.language, os.environ)
        self.picker = PromptPicker(load_content(self.language), self.settings.extra_prompts)
        self.planner = Planner.start(self._schedule(self.settings), self.settings.break_.length, clock.now())
        self._start_update = update
        self.settings_errors = tuple(str(p) for p in update.errors)  # the file's, when it has any
        self.reloads = 0  # how often the file was read again since the start
        self.desk = Desk(self.settings.natural_break_after)
        self.watch_desk = True  # off in tests that drive the desk by hand
        self._idle_watcher: IdleWatcher | None = None
        self._dnd_watchers: list[DeskWatcher] = []  # fullscreen and do-not-disturb
        self._dnd_fullscreen: bool | None = None  # the `when_fullscreen` they were started with
        self._dnd_calls: bool | None = None  # and the `during_calls`
        self._power_watchers: list[DeskWatcher] = []  # sleep and lock

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
        try:
            while not self._stopping:
                view = self._view()  # once a wake: the tray, the next wake and the log all read it
                self._refresh_tray(view)
                wake_at = self._next_wake(view)
                if alarm is not None:
                    alarm.arm(wake_at)
                self._log_next(view.next_reminder, wake_at)
                await self._sleep_until(wake_at)
                if self._stopping:
                    break
                now = self._sync_clock()
                for event in self.planner.due(now):
                    await self._show(event)
        finally:
            if control is not None:
                await control.close()
            for window in (self.break_window, self.checkin_window, self.week_window, self.settings_window):
                await window.close()
            for watcher in [*([self._idle_watcher] if self._idle_watcher else []), *self._desk_watchers]:
                await watcher.close()
            self.journal.close()
            if self.tray is not None:
                await self.tray.close()
            if alarm is not None:
                loop.remove_reader(alarm.fd)
                alarm.close()
            for signum in handled:
                loop.remove_signal_handler(signum)
            if self.notifier is not None:
                await self.notifier.close()
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
        """A request from `rustlamp status`, `rustlamp snooze 10m`, ...: the same keys as the menu."""
        if key != "status" and not self._act_on(key, "command line"):
            return {"ok": False, "error": f"unknown command {key!r}"}
        return {"ok": True, **self.status()}

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
        wanted = [(signal.SIGINT, self.stop), (signal.SIGTERM, self.stop)]
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
        times = [t for t in (self.planner.next_wake(), next_warmth_change(view)) if t is not None]
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
            self.on_tray_action, lamp(view), menu(view), tooltip(view), made=self.made_tray
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

    def _on_alarm(self, alarm: object) -> None:
        from rustlamp.system.wallclock import WallClockAlarm

        assert isinstance(alarm, WallClockAlarm)
        if alarm.acknowledge() == "clock-set":
            log.info("the system clock was set")
        self._wake.set()

    def _sync_clock(self) -> datetime:
        """Notice a suspend or clock jump since the last look, and let the planner apply its rule."""
        now, mono = self.clock.now(), self.clock.monotonic()
        lived = timedelta(seconds=mono - self._last_mono)
        moved = now - self._last_wall
        if abs(moved - lived) > JUMP_TOLERANCE:
            self._asleep_at = None  # this rule has seen the sleep a watcher announced
            rested = self._woke(self._last_wall + lived, now)
            log.info(
                "woke: the wall clock moved %s while the process lived %s; %s",
                moved,
                lived,
                "counted as rest" if rested else "too short to count as rest",
            )
        self._last_wall, self._last_mono = now, mono
        return now

    def _woke(self, last_seen: datetime, now: datetime) -> bool:
        """The machine slept (or the clock jumped) from `last_seen` to `now`: the planner's rule applies."""
        rested = self.planner.woke(last_seen, now)
        if rested:
            self.desk.rested()
            self.journal.record("break", {"outcome": "natural", "how": "sleep"})
        return rested

    def _woke_from_event(self, now: datetime) -> None:
        """A watcher said "wake". Where the monotonic clock counts through a suspend (Windows before
        Python 3.13), the wall-clock rule cannot see the sleep, so its start comes from the "sleep" event."""
        since, self._asleep_at = self._asleep_at, None
        if since is None or now - since <= JUMP_TOLERANCE:
            return  # seen by the wall-clock rule already, or too short to tell from a busy moment
        rested = self._woke(since, now)
        log.info("woke: asleep since %s; %s", self._iso(since), "counted as rest" if rested else "too short")

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

    def _schedule(self, settings: Settings) -> Schedule:
        assert self.zone is not None
        return Schedule(settings.reminders, settings.routines, self.zone)

    def reload(self) -> None:
        """Read the settings again (SIGHUP). A broken file keeps the last good settings running."""
        update = self.source.load()
        self.reloads += 1
        self.settings_errors = tuple(str(p) for p in update.errors)
        if not update.errors:
            self.settings = update.settings
            self.language = resolve_language(self.settings.language, os.environ)
            self.picker = PromptPicker(load_content(self.language), self.settings.extra_prompts)
            self.planner.replace_schedule(
                self._schedule(self.settings), self.settings.break_.length, self.clock.now()
            )
            log.info("settings reloaded from %s", self.source.path)
            if self.settings.journal.enabled != self.journal.keeping:
                self._later(self._open_journal())
            self.desk.natural_break_after = self.settings.natural_break_after
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

    async def _tell_settings_problems(self, update: SettingsUpdate, reloaded: bool = False) -> None:
        """Say once, gently, that the file has errors; the same errors are not repeated."""
        errors = update.errors
        key = tuple(str(p) for p in errors)
        if not errors or key == self._told_problems:
            self._told_problems = key
            return
        self._told_problems = key
        fallback = text(self.language, "fallback_last_good" if reloaded else "fallback_defaults")
        from rustlamp.ui.settings_words import SETTINGS_TEXTS  # words only, no toolkit

        # named as the settings window names it, said plainly
        problem = problem_for_a_person(errors[0], self.language, SETTINGS_TEXTS[self.language])
        if len(errors) > 1:
            problem += " " + text(self.language, "more_problems", count=len(errors) - 1)
        await self._notify(
            Message(
                text(self.language, "config_title"),
                text(self.language, "config_body", problem=problem, fallback=fallback),
            )
        )

    # --- events and commands ----------------------------------------------------------------------

    async def _show(self, event: Event) -> None:
        lang = self.language
        if event.kind == "reminder":
            await self._look_at_desk()
        if event.kind == "reminder" and self.desk.quiet:
            # not to an empty desk, a presentation or a locked screen: held, and shown once when free
            self.desk.hold_reminder()
            log.info("reminder held (%s)", self.desk.why_quiet())
            return
        if event.kind == "reminder":
            prompt = self.picker.next(self._lean)
            self._lean = None
            first_snooze = self.settings.reminders.snooze[0]
            message = Message(
                text(lang, "reminder_title"),
                prompt,
                buttons=(
                    Button(BREAK_KEY, text(lang, "button_break")),
                    Button(
                        snooze_key(first_snooze),
                        text(lang, "button_snooze", duration=human_duration(lang, first_snooze)),
                    ),
                ),
                click_key=BREAK_KEY,
            )
            log.info("reminder shown: %s", prompt)
            self.waiting = True
        else:
            routine = next(r for r in self.settings.routines if r.name == event.name)
            prompt = routine.prompt or self.picker.routine(routine.kind)
            message = Message(text(lang, f"routine_title_{routine.kind}", name=routine.name), prompt)
            log.info("routine %s shown: %s", routine.name, prompt)
            self.journal.record("routine", {"name": routine.name})
        await self._notify(message)

    async def _notify(self, message: Message) -> None:
        if self.notifier is not None and self.notifier.backend == "none":
            # started before the desktop's notification daemon (at login, say): ask again, only when
            # there is something to show, so nothing polls in the meantime
            await self._choose_notifier()
        if self.notifier is not None:
            await self.notifier.show(message)

    async def _choose_notifier(self) -> None:
        from rustlamp.notify.select import choose_notifier

        if self.notifier is not None:
            await self.notifier.close()
        self.notifier, status = await choose_notifier(APP_NAME, self._on_action)
        (log.info if status.ok else log.warning)("notifications: %s", status.detail)

    def _on_action(self, key: str) -> None:
        self._act_on(key, "notification")

    def _act_on(self, key: str, source: str) -> bool:
        """A button's, menu item's or command line's key becomes a command; an unknown one is refused and
        logged. True when it was handled."""
        command = command_from_key(key, source)
        if command is None:
            log.warning("refused an unknown command %r from the %s", key, source)
            return False
        self.handle(command)
        return True

    def handle(self, command: Command) -> None:
        """The one place where every wish becomes a change: notification buttons, the tray, and (later)
        the command line all come here, so they cannot disagree."""
        now = self._sync_clock()
        lang = self.language
        if not isinstance(command, (About, OpenSettings, CheckIn, ShowWeek, ToggleAutostart, Reload)):
            self.waiting = False  # any answer to the lamp settles a waiting reminder
        if isinstance(command, TakeBreak):
            log.info("break requested (%s)", command.source)
            self._open_once(self.break_window, self._take_break)
        elif isinstance(command, Snooze):
            if command.delay is None:
                until = self.planner.snooze_rest_of_today(now)
            else:
                until = self.planner.snooze(now, command.delay)
            log.info(
                "snoozed (%s) until %s",
                command.source,
                until.isoformat(timespec="seconds") if until else "no further reminder",
            )
            if until is not None:
                log.info("the next reminder comes %s", human_moment(lang, until))
            self.journal.record("snooze", {"until": self._iso(until)})
        elif isinstance(command, Pause):
            until = self.planner.pause(now, command.delay)
            log.info("paused (%s) until %s", command.source, until.isoformat(timespec="seconds"))
            self.journal.record("pause", {"until": self._iso(until)})
        elif isinstance(command, Resume):
            self.planner.resume(now)
            log.info("resumed (%s)", command.source)
        elif isinstance(command, OpenSettings):
            self._open_once(self.settings_window, self._show_settings)
        elif isinstance(command, About):
            self._later(
                self._notify(
                    Message(text(lang, "about_title", version=__version__), text(lang, "about_body"))
                )
            )
        elif isinstance(command, CheckIn):
            log.info("check-in asked for (%s)", command.source)
            self._open_once(self.checkin_window, self._check_in)
        elif isinstance(command, ShowWeek):
            log.info("this week asked for (%s)", command.source)
            self._open_once(self.week_window, self._show_week)
        elif isinstance(command, ToggleAutostart):
            self._toggle_autostart()
        elif isinstance(command, Reload):
            log.info("reload asked for (%s)", command.source)
            self.reload()
        elif isinstance(command, Quit):
            log.info("quit (%s)", command.source)
            self.stop()
        self._wake.set()

    async def _take_break(self) -> None:
        """Show the break window; what the person chose there decides what comes next."""
        from rustlamp.system.windows import BreakRequest

        settings = self.settings
        request = BreakRequest(
            language=self.language,
            prompt=self.picker.next(),
            attempt_reply=self.picker.after_attempt(),
            length=settings.break_.length,
            inhale=settings.break_.inhale,
            exhale=settings.break_.exhale,
            snooze=settings.reminders.snooze,
            offer_checkin=settings.checkin.offer_after_break,
        )
        outcome = await self.break_window.run(request.argv())
        now = self._sync_clock()
        if outcome is None:
            return
        kind = outcome["outcome"]
        if kind == "done":
            self._rested(now)
            how = "countdown" if outcome.get("natural") else "button"
            log.info("break outcome: done (%s); a rest moment, the clock starts again", how)
            self.journal.record("break", {"outcome": "done", "how": how})
        elif kind == "attempt":
            # an attempt counts: it is rest practised, never a failure
            self._rested(now)
            log.info("break outcome: attempt; it counts, the clock starts again")
            self.journal.record("break", {"outcome": "attempt"})
        else:
            seconds = outcome.get("snooze")
            delay = timedelta(seconds=seconds) if isinstance(seconds, (int, float)) and seconds > 0 else None
            until = self.planner.snooze(now, delay or settings.reminders.snooze[0])
            log.info("break outcome: later; snoozed until %s", self._iso(until) or "-")
            self.journal.record("break", {"outcome": "later", "until": self._iso(until)})
        self._wake.set()
        if outcome.get("checkin") is True:
            self._open_once(self.checkin_window, self._check_in)

    async def _check_in(self) -> None:
        """The check-in window; what the person answered goes into the journal and leans the next prompt."""
        outcome = await self.checkin_window.run(["--language", self.language])
        if outcome is None or outcome["outcome"] != "saved":
            log.info("check-in: %s", "cancelled, nothing kept" if outcome else "the window could not say")
            return
        now = self._sync_clock()
        raw = outcome.get("checkin")
        try:
            answers = CheckInAnswers.from_json(raw if isinstance(raw, Mapping) else {})
        except ValueError as exc:
            # our own window sent something odd: keep the person's words as they came all the same
            log.warning(
                "check-in: the window's answer was not as expected (%s); kept as it came", type(exc).__name__
            )
            self.journal.record("checkin", raw if isinstance(raw, Mapping) else {})
            return
        self.journal.record("checkin", answers.to_json())
        self._lean = next_theme(answers)
        sooner = self.settings.checkin.sooner_when_hurried if answers.breath == "hurried" else timedelta(0)
        self.planner.checked_in(now, sooner)
        self.desk.rested()
        log.info("check-in kept%s", f"; the next prompt leans to {self._lean}" if self._lean else "")
        self._wake.set()

    async def _show_week(self) -> None:
        from rustlamp.core.entries_json import entries_to_json

        today = self.clock.now().date()
        entries = self.journal.entries(today - timedelta(days=6), today)
        data = json.dumps(entries_to_json(entries), ensure_ascii=False).encode("utf-8")
        args = ["--language", self.language, "--entries", "-", "--today", today.isoformat()]
        await self.week_window.run(args, stdin=data)

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
        self._later(self._notify(message))

    def _rested(self, now: datetime) -> None:
        self.planner.rested(now)
        self.desk.rested()

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
        """A desk watcher saw something; the core's Desk decides what it means."""
        now = self._sync_clock()
        desk = self.desk
        kind = event.kind
        if kind == "idle":
            effects = desk.idle(event.idle_for or timedelta(0), now)
        elif kind in ("hold", "release"):
            # one hold per reason and source: two do-not-disturb sources must not release each other's
            held = f"{event.reason} ({event.source})"
            effects = desk.hold(held) if kind == "hold" else desk.release(held)
        elif kind == "sleep":
            # two watchers may both say it; the OS's moment, if the loop only hears of it after waking
            self._asleep_at = self._asleep_at or min(event.at or now, now)
            effects = desk.sleep()
        elif kind == "wake":
            self._woke_from_event(now)  # first: a sleep that counts as rest ends the held reminder's wait
            effects = desk.wake()
        else:
            effects = {"active": desk.active, "lock": desk.lock, "unlock": desk.unlock}[kind](now)
        detail = f", {event.reason}" if event.reason else ""
        detail += f", idle {event.idle_for}" if event.idle_for is not None else ""
        log.info("desk: %s (%s%s)", kind, event.source, detail)
        for effect in effects:
            if isinstance(effect, Rested):
                self.planner.rested(effect.until)
                minutes = round(effect.length.total_seconds() / 60)
                log.info("natural break: %s for %s; counted as rest", effect.how, effect.length)
                self.journal.record("break", {"outcome": "natural", "how": effect.how, "minutes": minutes})
            elif isinstance(effect, ShowHeld):
                log.info("the desk is free again: the held reminder comes now")
                self._later(self._show(Event(now, "reminder")))
        self._wake.set()

    def _iso(self, moment: datetime | None) -> str | None:
        return None if moment is None else moment.astimezone(self.zone).isoformat(timespec="seconds")

    async def _show_settings(self) -> None:
        """The settings window. It tells us over the control channel the moment it saves; its outcome says
        so too, and covers a save whose message did not arrive, so read the file only if it did not."""
        args = ["--language", self.language, "--config", str(self.source.path)]
        reloads = self.reloads
        outcome = await self.settings_window.run(args)
        if outcome is not None and outcome["outcome"] == "saved" and self.reloads == reloads:
            self.reload()
        elif outcome is None:
            self._open_settings()  # no window here (no Tk?): the file in the desktop's editor instead

    def _autostart_state(self) -> bool | None:
        from rustlamp.system import autostart

        return autostart.is_enabled() if autostart.available() else None

    def _toggle_autostart(self) -> None:
        from rustlamp.system import autostart

        try:
            change = autostart.disable() if autostart.is_enabled() else autostart.enable()
        except OSError as exc:
            log.warning("start at login could not be changed: %s", exc)
            self._later(self._notify(Message(text(self.language, "menu_autostart"), str(exc))))
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
            self._later(self._notify(Message(text(self.language, "settings_title"), problem)))

    def _later(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` on the loop without waiting for it, keeping a reference so it is not collected."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
