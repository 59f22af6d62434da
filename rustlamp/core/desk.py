"""What the desk says, and what it means for reminders. Pure: the OS watchers (rustlamp/desk/) report
events; this decides.

- A reminder is never shown to an empty desk, during a fullscreen window, while the desktop's own
  do-not-disturb is on, during a call, or on a locked or sleeping screen: it is *held*, not dropped.
- When the desk is free again, a held reminder comes once, gently: never a stack of them.
- Time away (no input, a locked screen) at least as long as a natural break counts as rest: it is
  recorded, the clock starts again from the return, and the held reminder is no longer needed.
  Sleep is counted by the runtime's wall-clock rule, so it is not counted twice here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

# No input for this long means nobody is looking at the screen: a reminder would go unseen, so it waits.
AWAY_AFTER = timedelta(minutes=1)


@dataclass(frozen=True)
class Rested:
    """Time away that counts as a natural break."""

    how: Literal["idle", "lock"]
    since: datetime
    until: datetime

    @property
    def length(self) -> timedelta:
        return self.until - self.since


@dataclass(frozen=True)
class ShowHeld:
    """The desk is free again and a reminder was held: show one now."""


Effect = Rested | ShowHeld


@dataclass
class Desk:
    natural_break_after: timedelta
    away_since: datetime | None = None  # the start of the idle time, once it passed AWAY_AFTER
    locked_since: datetime | None = None
    asleep: bool = False
    holds: set[str] = field(default_factory=set)  # "fullscreen (x11-fullscreen)", "call (linux-capture)", ...
    held_reminder: bool = False

    @property
    def away_after(self) -> timedelta:
        """Idle this long and the desk counts as empty (sooner when a natural break is shorter)."""
        return min(AWAY_AFTER, self.natural_break_after)

    @property
    def quiet(self) -> bool:
        """True while a reminder would not be welcome (or not seen)."""
        return bool(self.away_since or self.locked_since or self.asleep or self.holds)

    def holding_for(self, reason: str) -> bool:
        """A watcher holds for `reason` ("call", "dnd", ...) now, whichever watcher it is."""
        return any(held == reason or held.startswith(f"{reason} (") for held in self.holds)

    def why_quiet(self) -> str:
        reasons = sorted(self.holds)
        if self.away_since is not None:
            reasons.append("away")
        if self.locked_since is not None:
            reasons.append("locked")
        if self.asleep:
            reasons.append("asleep")
        return ", ".join(reasons)

    def hold_reminder(self) -> None:
        self.held_reminder = True

    def rested(self) -> None:
        """A rest moment from elsewhere (a break): a held reminder has done its work."""
        self.held_reminder = False

    # events; each returns what the runtime should do now

    def idle(self, idle_for: timedelta, now: datetime) -> list[Effect]:
        if idle_for >= self.away_after and self.away_since is None:
            self.away_since = now - idle_for
        return []

    def active(self, now: datetime) -> list[Effect]:
        since, self.away_since = self.away_since, None
        return self._back("idle", since, now)

    def lock(self, now: datetime) -> list[Effect]:
        if self.locked_since is None:  # two watchers may both report it
            self.locked_since = now
        return []

    def unlock(self, now: datetime) -> list[Effect]:
        since, self.locked_since = self.locked_since, None
        # the idle clock kept running while locked; input after unlocking says "active" on its own
        return self._back("lock", since, now)

    def sleep(self) -> list[Effect]:
        self.asleep = True
        return []

    def wake(self) -> list[Effect]:
        self.asleep = False
        return self._free_again()

    def hold(self, reason: str) -> list[Effect]:
        self.holds.add(reason)
        return []

    def release(self, reason: str) -> list[Effect]:
        if reason not in self.holds:
            return []
        self.holds.discard(reason)
        return self._free_again()

    def _back(self, how: Literal["idle", "lock"], since: datetime | None, now: datetime) -> list[Effect]:
        if since is None:
            return []
        effects: list[Effect] = []
        if now - since >= self.natural_break_after:
            effects.append(Rested(how, since, now))
            self.held_reminder = False  # rested: the reminder it held is not needed any more
        return effects + self._free_again()

    def _free_again(self) -> list[Effect]:
        if self.quiet or not self.held_reminder:
            return []
        self.held_reminder = False
        return [ShowHeld()]
