"""What comes next, as `rustlamp plan` shows it: from the running lamp's own state (a pause, a snooze, a held
reminder, an open break, the last rest), or, with no lamp running, from the settings alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from rustlamp.core.config import Settings
from rustlamp.core.lamp import Lamp
from rustlamp.core.schedule import Schedule, to_utc
from rustlamp.core.texts import human_moment, text

PlanKind = Literal["reminder", "routine", "held", "break", "pause-ends"]


@dataclass(frozen=True)
class PlanItem:
    at: datetime
    kind: PlanKind
    name: str = ""  # a routine's name
    snoozed: bool = False  # a reminder that comes when a snooze ends

    def to_json(self) -> dict[str, str]:
        item = {"at": self.at.isoformat(timespec="seconds"), "kind": self.kind}
        if self.kind == "routine":
            item["name"] = self.name
        if self.snoozed:
            item["snoozed"] = "true"
        return item

    def line(self, language: str) -> str:
        """'di 1 dec 15:00  herinnering' / 'Tue 1 Dec 15:00  reminder'."""
        what = {
            "reminder": text(language, "plan_reminder_snoozed" if self.snoozed else "plan_reminder"),
            "routine": text(language, "plan_routine", name=self.name),
            "held": text(language, "plan_held"),
            "break": text(language, "plan_break_open"),
            "pause-ends": text(language, "plan_pause_ends"),
        }[self.kind]
        return f"{human_moment(language, self.at)}  {what}"


def settings_plan(settings: Settings, start: datetime, count: int) -> list[PlanItem]:
    """No lamp running: what the settings give if `start` were the last rest and nothing were done."""
    assert start.tzinfo is not None
    schedule = Schedule(settings.reminders, settings.routines, start.tzinfo)
    return [PlanItem(e.at, e.kind, e.name) for e in schedule.plan(start, count)]


def running_plan(lamp: Lamp, now: datetime, count: int) -> list[PlanItem]:
    """What the running lamp will do if nothing else happens, `count` items at most."""
    planner = lamp.planner
    zone = lamp.zone
    now = now.astimezone(zone)
    items: list[PlanItem] = []
    if lamp.break_open:
        items.append(PlanItem(now, "break"))
    elif lamp.desk.held_reminder:
        items.append(PlanItem(now, "held"))
    paused = planner.paused_until
    if paused is not None:
        items.append(PlanItem(paused.astimezone(zone), "pause-ends"))
    first = None if lamp.break_open or lamp.desk.held_reminder else planner.next_reminder()
    snoozed = planner.snoozed_until is not None and paused is None
    events = planner.schedule.plan(now, count, first_reminder=first, quiet_until=paused)
    for event in events:
        items.append(
            PlanItem(
                event.at,
                event.kind,
                event.name,
                snoozed=snoozed and event.kind == "reminder" and first is not None and event.at == first,
            )
        )
    items.sort(key=lambda item: to_utc(item.at))
    return items[:count]
