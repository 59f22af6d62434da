"""The lamp's decisions, as a state machine: an event and the time go in, effects come out.

Everything a person or the desk can do (a reminder comes due, a button, a menu item or a command, a break
window's answer, a check-in, the desk going quiet, the clock moving) is one method here; each returns what
should happen now (show or withdraw a notification, open a window, write to the journal, say what was
done). The runtime (rustlamp.runtime.App) and the command line without a running lamp only carry the
effects out, so they cannot disagree, and tests drive every path with an injected time and no waiting.

Rules kept here:
- While a break is open no reminder comes: one that falls due is let go, and the next one is planned from
  the break's end.
- A break shows the sentence the person was shown (and clicked); it withdraws that notification and any
  held reminder.
- A newer reminder replaces the one still on screen; an answer (a break, a snooze, a pause) withdraws it.
- While a reminder waits for an answer, its break window is readied (started ahead, so a click shows it
  at once); a break takes it, any other answer lets it go.
- The mild lines about a rest that did not work out only ever answer "Didn't work out this time".
- A wall clock set back is not rest: the clock starts again from now, and nothing is recorded.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any, Literal

from rustlamp import __version__
from rustlamp.core.checkin import CheckInAnswers, next_theme
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
    snooze_key,
)
from rustlamp.core.config import Problem, Settings
from rustlamp.core.content import PromptPicker, load_content
from rustlamp.core.desk import Desk, Rested, ShowHeld
from rustlamp.core.planner import Planner
from rustlamp.core.schedule import Event, Schedule, to_utc
from rustlamp.core.setting_names import problem_for_a_person
from rustlamp.core.texts import at_moment, human_duration, text, until_moment

# --- effects: what the runtime (or the command line) carries out -------------------------------------

Slot = Literal["reminder", "routine", "about", "settings"]


@dataclass(frozen=True)
class Notice:
    """A notification in the core's words; `slot` names it, so a later one can withdraw it."""

    slot: Slot
    title: str
    body: str
    buttons: tuple[tuple[str, str], ...] = ()  # (action key, label)
    click_key: str | None = None


@dataclass(frozen=True)
class Show:
    notice: Notice


@dataclass(frozen=True)
class Withdraw:
    """Take the notification in `slot` off the screen (it was answered, or something newer came)."""

    slot: Slot


@dataclass(frozen=True)
class OpenBreak:
    prompt: str  # the sentence the person was shown and clicked, when there was one
    attempt_reply: str | None  # the mild words after "Didn't work out this time"


@dataclass(frozen=True)
class OpenWindow:
    """The check-in, the week or the settings; an open one comes to the front instead."""

    window: Literal["checkin", "week", "settings"]


@dataclass(frozen=True)
class RaiseBreak:
    """The break window is open already: bring it to the front."""


@dataclass(frozen=True)
class PrepareBreak:
    """A break is likely soon (a reminder is on screen): have its window ready, so a click opens it at
    once. Only a readiness: nothing is shown or counted."""


@dataclass(frozen=True)
class DiscardBreak:
    """The break window readied for a reminder is not needed any more (the reminder was answered)."""


@dataclass(frozen=True)
class Record:
    """One journal entry."""

    kind: str
    detail: Mapping[str, Any]


@dataclass(frozen=True)
class Said:
    """What a command did, in the person's language: the command line prints it."""

    text: str


@dataclass(frozen=True)
class Note:
    """A line for the log."""

    text: str


@dataclass(frozen=True)
class Do:
    """Work only the runtime can do: read the settings file, stop, change start at login."""

    what: Literal["reload", "quit", "autostart"]


Effect = (
    Show
    | Withdraw
    | OpenBreak
    | OpenWindow
    | RaiseBreak
    | PrepareBreak
    | DiscardBreak
    | Record
    | Said
    | Note
    | Do
)

# --- the machine ------------------------------------------------------------------------------------

# The wall clock may drift from the monotonic one by a little (NTP); more than this is a jump or a sleep.
JUMP_TOLERANCE = timedelta(seconds=20)


def _iso(moment: datetime | None, zone: tzinfo | None) -> str | None:
    return None if moment is None else moment.astimezone(zone).isoformat(timespec="seconds")


@dataclass
class Lamp:
    """The lamp's state and decisions. `running` is False for the command line's one-off break or
    check-in with no lamp running: then nothing is planned, so nothing is promised."""

    settings: Settings
    language: str
    zone: tzinfo
    planner: Planner
    desk: Desk
    picker: PromptPicker
    running: bool = True
    waiting: bool = False  # a reminder was shown and nobody has answered it yet
    break_open: bool = False
    on_screen: str | None = None  # the prompt of the reminder still on screen
    lean: str | None = None  # the theme a check-in asked the next prompt to lean towards
    asleep_at: datetime | None = None  # a watcher said "sleep" and no rule has seen that sleep yet
    told_problems: tuple[str, ...] = ()  # the settings file's errors the person was last told of

    @classmethod
    def start(
        cls,
        settings: Settings,
        language: str,
        now: datetime,
        running: bool = True,
        rng: random.Random | None = None,
    ) -> Lamp:
        zone = now.tzinfo
        assert zone is not None
        schedule = Schedule(settings.reminders, settings.routines, zone)
        return cls(
            settings=settings,
            language=language,
            zone=zone,
            planner=Planner.start(schedule, settings.break_.length, now),
            desk=Desk(settings.natural_break_after),
            picker=PromptPicker(load_content(language), settings.extra_prompts, rng),
            running=running,
        )

    # --- what is pending ------------------------------------------------------------------------------

    def next_wake(self) -> datetime | None:
        """When the runtime should next call tick(); while a break is open no reminder wakes it."""
        return self.planner.next_wake(reminders=not self.break_open)

    def reminder_due(self, now: datetime) -> bool:
        """Whether tick(now) would bring a reminder (the runtime then asks the desk first)."""
        due = self.planner.next_reminder()
        return not self.break_open and due is not None and to_utc(due) <= to_utc(now)

    # --- time ---------------------------------------------------------------------------------------

    def tick(self, now: datetime) -> list[Effect]:
        """The timer fired: what is due now."""
        effects: list[Effect] = []
        for event in self.planner.due(now):
            effects += self.show_event(event, now)
        return effects

    def show_event(self, event: Event, now: datetime) -> list[Effect]:
        if self.break_open:
            # the person is resting right now: nothing comes over the break window; the next reminder is
            # planned from the break's end
            return [Note(f"{event.kind} let go: a break is open")]
        if event.kind == "reminder":
            if self.desk.quiet:
                # not to an empty desk, a presentation or a locked screen: held, and shown once when free
                self.desk.hold_reminder()
                return [Note(f"reminder held ({self.desk.why_quiet()})")]
            return self._remind()
        routine = next((r for r in self.settings.routines if r.name == event.name), None)
        if routine is None:
            return []
        prompt = routine.prompt or self.picker.routine(routine.kind)
        title = text(self.language, f"routine_title_{routine.kind}", name=routine.name)
        return [
            Show(Notice("routine", title, prompt)),
            Record("routine", {"name": routine.name}),
            Note(f"routine {routine.name} shown: {prompt}"),
        ]

    def _remind(self) -> list[Effect]:
        lang = self.language
        prompt = self.picker.next(self.lean)
        self.lean = None
        first_snooze = self.settings.reminders.snooze[0]
        notice = Notice(
            "reminder",
            text(lang, "reminder_title"),
            prompt,
            buttons=(
                (BREAK_KEY, text(lang, "button_break")),
                (
                    snooze_key(first_snooze),
                    text(lang, "button_snooze", duration=human_duration(lang, first_snooze)),
                ),
            ),
            click_key=BREAK_KEY,
        )
        effects: list[Effect] = [Withdraw("reminder")] if self.on_screen is not None else []
        self.on_screen = prompt
        self.waiting = True
        return [*effects, Show(notice), PrepareBreak(), Note(f"reminder shown: {prompt}")]

    def clock_moved(self, last_seen: datetime, now: datetime) -> list[Effect]:
        """The wall clock moved from `last_seen` to `now` while the process lived less (a suspend) or
        more (the clock was set back). A sleep as long as a break is rest; a clock set back is not."""
        self.asleep_at = None  # this rule has seen the sleep a watcher announced
        gap = to_utc(now) - to_utc(last_seen)
        if gap < timedelta(0):
            self.planner.clock_set_back(now)
            return [Note(f"the wall clock was set back by {-gap}: the clock starts again, no rest recorded")]
        rested = self.planner.woke(last_seen, now)
        if not rested:
            return [Note(f"woke after {gap}: too short to count as rest")]
        self.desk.rested()
        return [Record("break", {"outcome": "natural", "how": "sleep"}), Note(f"woke after {gap}: rest")]

    # --- the desk -------------------------------------------------------------------------------------

    def desk_event(
        self,
        kind: str,
        now: datetime,
        held: str = "",
        idle_for: timedelta | None = None,
        at: datetime | None = None,
    ) -> list[Effect]:
        """A desk watcher saw something (`held` names a hold: "fullscreen (x11-fullscreen)")."""
        desk = self.desk
        effects: list[Effect] = []
        if kind == "idle":
            desk_effects = desk.idle(idle_for or timedelta(0), now)
        elif kind == "hold":
            desk_effects = desk.hold(held)
        elif kind == "release":
            desk_effects = desk.release(held)
        elif kind == "sleep":
            # two watchers may both say it; the OS's moment, if the loop only hears of it after waking
            self.asleep_at = self.asleep_at or min(at or now, now, key=to_utc)
            desk_effects = desk.sleep()
        elif kind == "wake":
            effects += self._woke_from_event(now)  # first: a sleep that counts as rest ends the wait
            desk_effects = desk.wake()
        elif kind == "active":
            desk_effects = desk.active(now)
        elif kind == "lock":
            desk_effects = desk.lock(now)
        elif kind == "unlock":
            desk_effects = desk.unlock(now)
        else:
            return [Note(f"desk: unknown event {kind!r}")]
        for effect in desk_effects:
            if isinstance(effect, Rested):
                self.planner.rested(effect.until)
                minutes = round(effect.length.total_seconds() / 60)
                effects.append(Record("break", {"outcome": "natural", "how": effect.how, "minutes": minutes}))
                effects.append(Note(f"natural break: {effect.how} for {effect.length}; counted as rest"))
            elif isinstance(effect, ShowHeld) and not self.break_open:
                effects.append(Note("the desk is free again: the held reminder comes now"))
                effects += self._remind()
        return effects

    def _woke_from_event(self, now: datetime) -> list[Effect]:
        """A watcher said "wake". Where the monotonic clock counts through a suspend (Windows before
        Python 3.13), the wall-clock rule cannot see the sleep, so its start comes from the "sleep" event."""
        since, self.asleep_at = self.asleep_at, None
        if since is None or to_utc(now) - to_utc(since) <= JUMP_TOLERANCE:
            return []  # seen by the wall-clock rule already, or too short to tell from a busy moment
        return self.clock_moved(since, now)

    # --- what the person asks -------------------------------------------------------------------------

    def command(self, command: Command, now: datetime) -> list[Effect]:
        """A notification button, a menu item or a command on the command line."""
        lang = self.language
        if isinstance(command, TakeBreak):
            return self._take_break(command.source)
        if isinstance(command, Snooze):
            return self._snooze(command, now)
        if isinstance(command, Pause):
            until = self.planner.pause(now, command.delay)
            return [
                *self._answered(),
                Record("pause", {"until": _iso(until, self.zone)}),
                Note(f"paused ({command.source}) until {_iso(until, self.zone)}"),
                Said(text(lang, "did_pause", until=until_moment(lang, until, now))),
            ]
        if isinstance(command, Resume):
            if self.planner.paused_until is None:
                return [Said(text(lang, "did_not_paused"))]
            self.planner.resume(now)
            nxt = self.planner.next_reminder()
            said = (
                text(lang, "did_resume", when=at_moment(lang, nxt, now))
                if nxt is not None
                else text(lang, "did_resume_nothing")
            )
            return [*self._answered(), Note(f"resumed ({command.source})"), Said(said)]
        if isinstance(command, CheckIn):
            return [
                OpenWindow("checkin"),
                Note(f"check-in asked for ({command.source})"),
                Said(text(lang, "did_checkin")),
            ]
        if isinstance(command, ShowWeek):
            return [OpenWindow("week"), Note(f"this week asked for ({command.source})")]
        if isinstance(command, OpenSettings):
            return [OpenWindow("settings"), Said(text(lang, "did_settings"))]
        if isinstance(command, About):
            title = text(lang, "about_title", version=__version__)
            return [Show(Notice("about", title, text(lang, "about_body")))]
        if isinstance(command, ToggleAutostart):
            return [Do("autostart")]
        if isinstance(command, Reload):
            return [Note(f"reload asked for ({command.source})"), Do("reload")]
        if isinstance(command, Quit):
            return [Note(f"quit ({command.source})"), Said(text(lang, "did_quit")), Do("quit")]
        raise AssertionError(f"unhandled command {command!r}")

    def _answered(self, with_a_break: bool = False) -> list[Effect]:
        """A reminder was answered: it leaves the screen, and a held one is not needed any more; nor is
        the break window readied for it, unless the answer is a break (`with_a_break`), which opens it."""
        self.waiting = False
        self.desk.rested()
        if self.on_screen is None:
            return []
        self.on_screen = None
        return [Withdraw("reminder")] if with_a_break else [Withdraw("reminder"), DiscardBreak()]

    def _take_break(self, source: str) -> list[Effect]:
        if self.break_open:
            return [RaiseBreak(), Said(text(self.language, "did_break_already"))]
        # the sentence the person was shown (and clicked) is the sentence of the break
        prompt = self.on_screen if self.on_screen is not None else self.picker.next(self.lean)
        if self.on_screen is None:
            self.lean = None
        self.break_open = True
        return [
            *self._answered(with_a_break=True),
            OpenBreak(prompt, self.picker.after_attempt()),
            Note(f"break requested ({source}): {prompt}"),
            Said(text(self.language, "did_break")),
        ]

    def _snooze(self, command: Snooze, now: datetime) -> list[Effect]:
        lang = self.language
        paused = self.planner.paused_until
        if paused is not None:
            return [Said(text(lang, "did_snooze_paused", until=until_moment(lang, paused, now)))]
        if command.delay is None:
            until = self.planner.snooze_rest_of_today(now)
        else:
            until = self.planner.snooze(now, command.delay)
        if until is None:
            said = text(lang, "did_snooze_nothing")
        else:
            key = "did_snooze" if command.delay is not None else "did_snooze_today"
            said = text(lang, key, when=at_moment(lang, until, now))
        return [
            *self._answered(),
            Record("snooze", {"until": _iso(until, self.zone)}),
            Note(f"snoozed ({command.source}) until {_iso(until, self.zone) or 'no further reminder'}"),
            Said(said),
        ]

    # --- what a window answered -----------------------------------------------------------------------

    def break_ended(self, outcome: Mapping[str, Any] | None, now: datetime) -> list[Effect]:
        """The break window's outcome; None when it could not say (a crash, no display)."""
        lang = self.language
        self.break_open = False
        if outcome is None:
            self.planner.restart_from(now)  # the next reminder is planned from the break's end all the same
            return [Note("the break window ended without an answer"), Said(text(lang, "did_break_closed"))]
        kind = outcome.get("outcome")
        effects: list[Effect]
        if kind == "done":
            self.planner.rested(now)
            self.desk.rested()
            how = "countdown" if outcome.get("natural") else "button"
            effects = [
                Record("break", {"outcome": "done", "how": how}),
                Note(f"break outcome: done ({how}); a rest moment, the clock starts again"),
                Said(text(lang, "did_done")),
            ]
        elif kind == "attempt":
            # an attempt counts: it is rest practised, never a failure
            self.planner.rested(now)
            self.desk.rested()
            effects = [
                Record("break", {"outcome": "attempt"}),
                Note("break outcome: attempt; it counts, the clock starts again"),
                Said(text(lang, "did_attempt")),
            ]
        else:
            seconds = outcome.get("snooze")
            delay = self.settings.reminders.snooze[0]
            if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and seconds > 0:
                delay = timedelta(seconds=seconds)
            self.planner.restart_from(now)
            until = self.planner.snooze(now, delay)
            said = (
                text(lang, "did_later_when", when=at_moment(lang, until, now))
                if self.running and until is not None
                else text(lang, "did_later")
            )
            effects = [
                Record("break", {"outcome": "later", "until": _iso(until, self.zone)}),
                Note(f"break outcome: later; snoozed until {_iso(until, self.zone) or '-'}"),
                Said(said),
            ]
        if outcome.get("checkin") is True:
            effects.append(OpenWindow("checkin"))
        return effects

    def checkin_ended(
        self, outcome: Mapping[str, Any] | None, now: datetime, journal_kept: bool
    ) -> list[Effect]:
        """The check-in window's outcome: the answers go into the journal and lean the next prompt."""
        lang = self.language
        if outcome is None or outcome.get("outcome") != "saved":
            why = "cancelled, nothing kept" if outcome else "the window could not say"
            return [Note(f"check-in: {why}"), Said(text(lang, "did_checkin_closed"))]
        raw = outcome.get("checkin")
        said = Said(text(lang, "did_checkin_kept" if journal_kept else "did_checkin_no_journal"))
        try:
            answers = CheckInAnswers.from_json(raw if isinstance(raw, Mapping) else {})
        except ValueError as exc:
            # our own window sent something odd: keep the person's words as they came all the same
            # (the log names the kind of problem only: the person's words stay out of it)
            return [
                Note(
                    f"check-in: the window's answer was not as expected ({type(exc).__name__}); "
                    "kept as it came"
                ),
                Record("checkin", dict(raw) if isinstance(raw, Mapping) else {}),
                said,
            ]
        self.lean = next_theme(answers)
        hurried = answers.breath == "hurried"
        self.planner.checked_in(now, self.settings.checkin.sooner_when_hurried if hurried else timedelta(0))
        self.desk.rested()
        lean = f"; the next prompt leans to {self.lean}" if self.lean else ""
        return [Record("checkin", answers.to_json()), Note(f"check-in kept{lean}"), said]

    # --- settings -------------------------------------------------------------------------------------

    def settings_problems(
        self,
        errors: Sequence[Problem],
        reloaded: bool,
        window_words: Mapping[str, Mapping[str, str]] | None = None,
    ) -> list[Effect]:
        """The settings file has errors (at the start, or read again): say so once, gently, in the app's
        language, naming the setting with the settings window's `window_words` (by language); the same
        errors are not said again, and the command line leaves it to the lamp."""
        key = tuple(str(p) for p in errors)
        if not errors or key == self.told_problems:
            self.told_problems = key
            return []
        self.told_problems = key
        lang = self.language
        fallback = text(lang, "fallback_last_good" if reloaded else "fallback_defaults")
        problem = problem_for_a_person(errors[0], lang, (window_words or {}).get(lang, {}))
        if len(errors) > 1:
            problem += " " + text(lang, "more_problems", count=len(errors) - 1)
        body = text(lang, "config_body", problem=problem, fallback=fallback)
        return [Withdraw("settings"), Show(Notice("settings", text(lang, "config_title"), body))]

    def new_settings(self, settings: Settings, language: str, now: datetime) -> list[Effect]:
        """The settings file was read again and is good."""
        self.settings = settings
        self.picker = PromptPicker(load_content(language), settings.extra_prompts)
        self.language = language
        schedule = Schedule(settings.reminders, settings.routines, self.zone)
        self.planner.replace_schedule(schedule, settings.break_.length, now)
        self.desk.natural_break_after = settings.natural_break_after
        return [Said(text(language, "did_reload"))]
