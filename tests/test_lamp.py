"""The lamp's state machine (rustlamp.core.lamp), driven with an injected clock: worked stories for every
path, then hypothesis properties over random sequences of what can happen (no reminder while a break is
open, the window shows the clicked sentence, the mild lines only after an attempt)."""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from rustlamp.core.clock import FakeClock
from rustlamp.core.commands import (
    About,
    CheckIn,
    Pause,
    Quit,
    Resume,
    Snooze,
    TakeBreak,
    command_from_key,
)
from rustlamp.core.config import DEFAULTS, EVERY_DAY, Reminders, Routine, Settings
from rustlamp.core.content import load_content
from rustlamp.core.lamp import (
    DiscardBreak,
    Do,
    Effect,
    Lamp,
    OpenBreak,
    OpenWindow,
    PrepareBreak,
    RaiseBreak,
    Record,
    Said,
    Show,
    Withdraw,
)
from rustlamp.core.plan import running_plan, settings_plan

AMS = ZoneInfo("Europe/Amsterdam")
MIN = timedelta(minutes=1)
EVERY = timedelta(minutes=45)
MONDAY_TEN = datetime(2026, 6, 1, 10, 0, tzinfo=AMS)
MILD = {lang: set(load_content(lang).after_attempt) for lang in ("nl", "en")}


def all_day(every: timedelta = EVERY, routines: tuple[Routine, ...] = ()) -> Settings:
    reminders = Reminders(every, time(0), time(0), EVERY_DAY, (10 * MIN, 30 * MIN))
    return dataclasses.replace(DEFAULTS, reminders=reminders, routines=routines)


class Story:
    """A lamp, a fake clock and the runtime's loop (sleep until next_wake, tick), for worked examples."""

    def __init__(self, settings: Settings | None = None, language: str = "en", seed: int = 1) -> None:
        self.clock = FakeClock(MONDAY_TEN)
        self.lamp = Lamp.start(settings or all_day(), language, self.clock.now(), rng=random.Random(seed))

    def now(self) -> datetime:
        return self.clock.now()

    def wait(self, delta: timedelta) -> list[Effect]:
        """Let `delta` pass, ticking at every wake on the way, as the runtime does."""
        target = self.now() + delta
        effects: list[Effect] = []
        while (wake := self.lamp.next_wake()) is not None and wake <= target:
            self.clock.advance(max(timedelta(0), wake - self.now()))
            effects += self.lamp.tick(self.now())
        self.clock.advance(target - self.now())
        # the runtime's loop also wakes for other things (a command, the lamp warming) and ticks then
        return effects + self.lamp.tick(self.now())

    def until_reminder(self) -> Show:
        effects = self.wait(EVERY)
        shown = shows(effects)
        assert shown, effects
        return shown[-1]

    def do(self, command: Any) -> list[Effect]:
        return self.lamp.command(command, self.now())


def shows(effects: list[Effect], slot: str = "reminder") -> list[Show]:
    return [e for e in effects if isinstance(e, Show) and e.notice.slot == slot]


def said(effects: list[Effect]) -> list[str]:
    return [e.text for e in effects if isinstance(e, Said)]


def records(effects: list[Effect]) -> list[tuple[str, dict[str, Any]]]:
    return [(e.kind, dict(e.detail)) for e in effects if isinstance(e, Record)]


def opened(effects: list[Effect]) -> OpenBreak:
    found = [e for e in effects if isinstance(e, OpenBreak)]
    assert len(found) == 1, effects
    return found[0]


# --- worked stories ------------------------------------------------------------------------------------


def test_a_reminder_comes_every_45_minutes_with_its_buttons() -> None:
    story = Story()
    shown = story.until_reminder()
    assert story.now() == MONDAY_TEN + EVERY
    assert shown.notice.title == "A moment of rest"
    assert dict(shown.notice.buttons) == {"break": "Take a break now", "snooze:600s": "Later (10 min)"}
    assert story.lamp.waiting


def test_clicking_break_opens_the_clicked_sentence_and_withdraws_the_reminder() -> None:
    story = Story()
    clicked = story.until_reminder().notice.body
    effects = story.do(TakeBreak("notification"))
    assert opened(effects).prompt == clicked
    assert Withdraw("reminder") in effects
    assert said(effects) == ["Your break is ready for you."]
    assert story.lamp.break_open and not story.lamp.waiting


def test_a_reminder_readies_the_break_window_which_a_break_takes_and_any_other_answer_lets_go() -> None:
    story = Story()
    shown = story.wait(EVERY)
    assert PrepareBreak() in shown and DiscardBreak() not in shown
    taken = story.do(TakeBreak("tray"))
    assert opened(taken) and DiscardBreak() not in taken  # the readied window is the one that opens
    story.lamp.break_ended({"outcome": "done"}, story.now())
    for answer in (Snooze(10 * MIN, "notification"), Pause(60 * MIN, "tray")):
        story.until_reminder()
        assert DiscardBreak() in story.do(answer), answer
    assert DiscardBreak() not in story.do(Resume("tray"))  # nothing on screen, nothing readied


def test_a_break_from_the_menu_with_a_reminder_on_screen_shows_that_sentence_too() -> None:
    story = Story()
    on_screen = story.until_reminder().notice.body
    assert opened(story.do(TakeBreak("tray"))).prompt == on_screen


def test_no_reminder_comes_while_a_break_is_open_and_the_next_is_planned_from_its_end() -> None:
    story = Story()
    story.wait(40 * MIN)  # 20 s before the reminder, as in the issue: five minutes here
    story.do(TakeBreak("command line"))
    assert story.lamp.next_wake() is None  # nothing wakes the lamp for a reminder now
    assert shows(story.wait(30 * MIN)) == []  # the reminder's time passes during the break
    ended = story.lamp.break_ended({"outcome": "done"}, story.now())
    assert records(ended) == [("break", {"outcome": "done", "how": "button"})]
    end = story.now()
    assert story.lamp.planner.next_reminder() == end + EVERY
    story.until_reminder()
    assert story.now() == end + EVERY


def test_a_second_break_brings_the_open_one_forward() -> None:
    story = Story()
    story.do(TakeBreak("tray"))
    effects = story.do(TakeBreak("command line"))
    assert RaiseBreak() in effects and not [e for e in effects if isinstance(e, OpenBreak)]
    assert said(effects) == ["Your break is already open."]


def test_a_break_window_that_could_not_say_still_plans_from_its_end() -> None:
    story = Story()
    story.do(TakeBreak("tray"))
    story.wait(50 * MIN)
    effects = story.lamp.break_ended(None, story.now())
    assert records(effects) == []  # no rest counted that nobody told of
    assert not story.lamp.break_open
    assert story.lamp.planner.next_reminder() == story.now() + EVERY


def test_later_in_the_break_window_snoozes_from_the_break_end() -> None:
    story = Story()
    story.do(TakeBreak("tray"))
    story.wait(3 * MIN)
    effects = story.lamp.break_ended({"outcome": "later", "snooze": 1800}, story.now())
    assert story.lamp.planner.next_reminder() == story.now() + 30 * MIN
    assert said(effects) == [f"Alright, later then. The next reminder is at {story.now() + 30 * MIN:%H:%M}."]


def test_an_attempt_counts_as_rest_and_the_mild_words_come_only_then() -> None:
    story = Story()
    story.until_reminder()
    brk = opened(story.do(TakeBreak("notification")))
    assert brk.attempt_reply in MILD["en"]  # for the window to show after "Didn't work out this time"
    assert brk.prompt not in MILD["en"]
    effects = story.lamp.break_ended({"outcome": "attempt"}, story.now())
    assert records(effects) == [("break", {"outcome": "attempt"})]
    assert story.lamp.planner.last_rest == story.now()


def test_check_in_after_the_break_opens_the_check_in_and_its_answers_lean_the_next_prompt() -> None:
    story = Story()
    story.do(TakeBreak("tray"))
    effects = story.lamp.break_ended({"outcome": "done", "checkin": True}, story.now())
    assert OpenWindow("checkin") in effects
    answers = {"body": "tense", "signals": [], "breath": "hurried", "need": "", "note": ""}
    kept = story.lamp.checkin_ended({"outcome": "saved", "checkin": answers}, story.now(), journal_kept=True)
    assert records(kept) == [("checkin", answers)]
    assert said(kept) == ["Your check-in is saved in your journal."]
    breath = set(load_content("en").themes["breath"])
    assert story.until_reminder().notice.body in breath  # a hurried breath asks for a breathing prompt


def test_a_hurried_check_in_brings_the_next_reminder_sooner_when_set() -> None:
    settings = dataclasses.replace(
        all_day(), checkin=dataclasses.replace(DEFAULTS.checkin, sooner_when_hurried=10 * MIN)
    )
    story = Story(settings)
    answers = {"breath": "hurried"}
    story.lamp.checkin_ended({"outcome": "saved", "checkin": answers}, story.now(), journal_kept=False)
    assert story.lamp.planner.next_reminder() == story.now() + EVERY - 10 * MIN


def test_a_cancelled_check_in_keeps_nothing() -> None:
    story = Story(language="nl")
    effects = story.lamp.checkin_ended({"outcome": "cancelled"}, story.now(), journal_kept=True)
    assert records(effects) == [] and said(effects) == ["Check-in gesloten; er is niets bewaard."]


def test_a_newer_reminder_replaces_the_one_on_screen() -> None:
    story = Story()
    story.until_reminder()
    effects = story.wait(EVERY)
    assert effects.index(Withdraw("reminder")) < effects.index(shows(effects)[0])


def test_snooze_withdraws_the_reminder_and_says_when_the_next_comes() -> None:
    story = Story(language="nl")
    story.until_reminder()
    effects = story.do(Snooze(10 * MIN, "notification"))
    assert Withdraw("reminder") in effects
    when = story.now() + 10 * MIN
    assert said(effects) == [f"Goed, straks. De volgende herinnering komt om {when:%H:%M}."]
    assert records(effects) == [("snooze", {"until": when.isoformat(timespec="seconds")})]


def test_snooze_during_a_pause_says_there_is_nothing_to_snooze() -> None:
    story = Story()
    story.do(Pause(60 * MIN, "command line"))
    effects = story.do(Snooze(10 * MIN, "command line"))
    assert said(effects) == ["Reminders are already paused until 11:00, so there is nothing to snooze."]
    assert story.lamp.planner.snoozed_until is None and records(effects) == []


def test_pause_and_resume_say_what_they_did() -> None:
    story = Story(language="nl")
    assert said(story.do(Pause(60 * MIN, "tray"))) == ["Goed, geen herinneringen tot 11:00."]
    assert said(story.do(Resume("tray"))) == ["De herinneringen staan weer aan. De volgende komt om 10:45."]
    assert said(story.do(Resume("tray"))) == ["De herinneringen stonden al aan."]
    tomorrow = said(story.do(Pause(None, "tray")))
    assert tomorrow == ["Goed, geen herinneringen tot morgen 00:00."]


def test_a_held_reminder_comes_once_when_the_desk_is_free_and_a_break_drops_it() -> None:
    story = Story()
    story.lamp.desk_event("hold", story.now(), held="fullscreen (test)")
    assert shows(story.wait(EVERY)) == [] and story.lamp.desk.held_reminder
    assert running_plan(story.lamp, story.now(), 3)[0].kind == "held"
    freed = story.lamp.desk_event("release", story.now(), held="fullscreen (test)")
    assert len(shows(freed)) == 1
    story.lamp.desk_event("hold", story.now(), held="fullscreen (test)")
    story.wait(EVERY)
    story.do(TakeBreak("tray"))  # a break, however it began, ends the wait of a held reminder
    assert shows(story.lamp.desk_event("release", story.now(), held="fullscreen (test)")) == []


def test_a_held_reminder_is_not_shown_over_an_open_break() -> None:
    story = Story()
    story.lamp.desk_event("hold", story.now(), held="dnd (test)")
    story.wait(EVERY)
    story.lamp.break_open = True  # opened by the tray while held: the machine would also drop the hold
    story.lamp.desk.held_reminder = True
    assert shows(story.lamp.desk_event("release", story.now(), held="dnd (test)")) == []


def test_a_sleep_as_long_as_a_break_is_rest_and_a_clock_set_back_is_not() -> None:
    story = Story()
    slept = story.lamp.clock_moved(story.now(), story.now() + 2 * 60 * MIN)
    assert records(slept) == [("break", {"outcome": "natural", "how": "sleep"})]
    story.clock.jump(-2 * 60 * MIN)
    rest = story.lamp.planner.last_rest
    back = story.lamp.clock_moved(story.now() + 2 * 60 * MIN, story.now())
    assert records(back) == []  # nothing recorded as a rest that never happened
    assert story.lamp.planner.last_rest <= rest
    assert story.lamp.planner.next_reminder() == story.now() + EVERY  # and reminders are not silenced


def test_routines_get_the_words_of_their_kind_whatever_their_name() -> None:
    ochtend = Routine("ochtend", time(10, 30), kind="morning")
    story = Story(all_day(routines=(ochtend,)), language="nl")
    routine = shows(story.wait(31 * MIN), slot="routine")
    assert len(routine) == 1
    assert routine[0].notice.title == "Je ochtendmoment"
    assert routine[0].notice.body in load_content("nl").routines["morning"]


def test_other_commands_become_their_effects() -> None:
    story = Story()
    assert OpenWindow("checkin") in story.do(CheckIn("tray"))
    assert Do("quit") in story.do(Quit("tray"))
    assert shows(story.do(About("tray")), slot="about")


def test_the_channel_refuses_what_the_command_line_refuses() -> None:
    assert command_from_key("snooze:600s", "x") == Snooze(10 * MIN, "x")
    for key in ("snooze:5s", "snooze:25h", "pause:30s", "pause:25h", "break:1m", "snooze", "dance"):
        assert command_from_key(key, "x") is None, key


def test_the_running_plan_tells_the_pause_and_the_snooze() -> None:
    story = Story()
    story.do(Pause(60 * MIN, "command line"))
    plan = running_plan(story.lamp, story.now(), 3)
    assert [(p.kind, p.at) for p in plan] == [
        ("pause-ends", MONDAY_TEN + 60 * MIN),
        ("reminder", MONDAY_TEN + 60 * MIN + EVERY),
        ("reminder", MONDAY_TEN + 60 * MIN + 2 * EVERY),
    ]
    story.do(Resume("command line"))
    story.do(Snooze(20 * MIN, "command line"))
    first = running_plan(story.lamp, story.now(), 1)[0]
    assert (first.kind, first.at, first.snoozed) == ("reminder", MONDAY_TEN + 20 * MIN, True)
    assert first.line("en") == "Mon 1 Jun 10:20  reminder (snoozed)"
    # and without a lamp, the settings alone give reminders `every` apart from the start
    assert [p.at for p in settings_plan(story.lamp.settings, MONDAY_TEN, 2)] == [
        MONDAY_TEN + EVERY,
        MONDAY_TEN + 2 * EVERY,
    ]


def test_with_no_lamp_running_a_later_promises_nothing() -> None:
    lamp = Lamp.start(all_day(), "en", MONDAY_TEN, running=False)
    lamp.command(TakeBreak("command line"), MONDAY_TEN)
    assert said(lamp.break_ended({"outcome": "later", "snooze": 600}, MONDAY_TEN)) == ["Alright, later then."]


# --- properties ----------------------------------------------------------------------------------------


class LampMachine(RuleBasedStateMachine):
    """Random sequences of time passing, clicks, menu items, window answers and desk events."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock(MONDAY_TEN.astimezone(timezone.utc))
        every = timedelta(minutes=10)
        self.lamp = Lamp.start(all_day(every), "en", self.clock.now(), rng=random.Random(0))
        self.mild = MILD["en"]
        self.on_screen: str | None = None  # the sentence of the reminder the person sees
        self.break_prompt: str | None = None
        self.readied = False  # a break window waits, started ahead

    def check(self, effects: list[Effect]) -> None:
        for effect in effects:
            if isinstance(effect, Show) and effect.notice.slot == "reminder":
                assert not self.lamp.break_open, "a reminder came while a break was open"
                assert effect.notice.body not in self.mild, "a mild line came as a reminder"
                self.on_screen = effect.notice.body
            elif isinstance(effect, Withdraw):
                self.on_screen = None
            elif isinstance(effect, OpenBreak):
                assert effect.prompt not in self.mild, "a break began with a mild line"
                assert effect.attempt_reply in self.mild
                self.break_prompt = effect.prompt
                self.readied = False  # the readied window is the break's, or there was none
            elif isinstance(effect, PrepareBreak):
                assert not self.lamp.break_open, "a break window readied while a break is open"
                self.readied = True
            elif isinstance(effect, DiscardBreak):
                self.readied = False

    @invariant()
    def a_break_window_waits_only_while_a_reminder_is_on_screen(self) -> None:
        assert not self.readied or (self.lamp.on_screen is not None and not self.lamp.break_open)

    @rule(minutes=st.integers(0, 90))
    def time_passes(self, minutes: int) -> None:
        target = self.clock.now() + timedelta(minutes=minutes)
        while (wake := self.lamp.next_wake()) is not None and wake <= target:
            self.clock.advance(max(timedelta(0), wake - self.clock.now()))
            self.check(self.lamp.tick(self.clock.now()))
        self.clock.advance(target - self.clock.now())

    @rule()
    def the_loop_wakes_for_something_else(self) -> None:
        self.check(self.lamp.tick(self.clock.now()))

    @rule(source=st.sampled_from(["notification", "tray", "command line"]))
    def take_a_break(self, source: str) -> None:
        was_open, clicked = self.lamp.break_open, self.on_screen
        effects = self.lamp.command(TakeBreak(source), self.clock.now())
        self.check(effects)
        if not was_open and clicked is not None:
            assert self.break_prompt == clicked, "the window shows another sentence than the one clicked"
        assert self.lamp.break_open

    @rule(outcome=st.sampled_from(["done", "attempt", "later", None]))
    def the_break_ends(self, outcome: str | None) -> None:
        if not self.lamp.break_open:
            return
        answer = None if outcome is None else {"outcome": outcome, "snooze": 600}
        self.check(self.lamp.break_ended(answer, self.clock.now()))
        assert not self.lamp.break_open
        due = self.lamp.planner.next_reminder()
        assert due is None or due > self.clock.now(), "a reminder is due the moment a break ends"

    @rule(key=st.sampled_from(["snooze:600s", "snooze:today", "pause:1800s", "resume", "checkin"]))
    def a_menu_item(self, key: str) -> None:
        command = command_from_key(key, "tray")
        assert command is not None
        self.check(self.lamp.command(command, self.clock.now()))

    @rule(kind=st.sampled_from(["hold", "release", "lock", "unlock", "idle", "active"]))
    def the_desk(self, kind: str) -> None:
        idle = timedelta(minutes=2) if kind == "idle" else None
        self.check(self.lamp.desk_event(kind, self.clock.now(), held="fullscreen (t)", idle_for=idle))

    @rule(minutes=st.integers(1, 180))
    def the_clock_is_set_back(self, minutes: int) -> None:
        before = self.clock.now()
        self.clock.jump(-timedelta(minutes=minutes))
        rest = self.lamp.planner.last_rest
        effects = self.lamp.clock_moved(before, self.clock.now())
        assert not [e for e in effects if isinstance(e, Record)], "a clock set back was recorded as rest"
        assert self.lamp.planner.last_rest <= rest
        self.check(effects)

    @invariant()
    def no_reminder_is_woken_for_during_a_break(self) -> None:
        if self.lamp.break_open:
            wake = self.lamp.next_wake()
            reminder = self.lamp.planner.next_reminder()
            assert (
                wake is None or reminder is None or wake != reminder or wake == self.lamp.planner.paused_until
            )


LampMachine.TestCase.settings = settings(
    max_examples=150, stateful_step_count=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_the_lamp_keeps_its_promises = LampMachine.TestCase


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_new_sentence_exists_in_both_languages(language: str) -> None:
    from rustlamp.core.texts import TEXTS

    assert set(TEXTS["nl"]) == set(TEXTS["en"])
    assert all(value.strip() for value in TEXTS[language].values())


def test_settings_problems_are_told_once_in_the_apps_language() -> None:
    from rustlamp.core.config import parse_settings

    errors = tuple(
        p for p in parse_settings('[reminders]\nevery = "banaan"\n').problems if p.severity == "error"
    )
    story = Story(language="nl")
    words = {"nl": {"every": "Hoe vaak"}}  # the settings window's name for the setting
    told = shows(story.lamp.settings_problems(errors, reloaded=False, window_words=words), slot="settings")
    assert len(told) == 1 and told[0].notice.title == "Er klopt iets niet in je instellingen"
    assert "de standaardinstellingen" in told[0].notice.body
    assert told[0].notice.body.startswith("Hoe vaak: 'banaan' is geen duur")  # no path, no key
    assert story.lamp.settings_problems(errors, reloaded=True) == []  # the same errors: not again
    assert story.lamp.settings_problems((), reloaded=True) == []
    again = shows(story.lamp.settings_problems(errors, reloaded=True), slot="settings")
    assert len(again) == 1 and "je vorige instellingen" in again[0].notice.body
