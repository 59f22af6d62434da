"""Where the running app gets its settings: the file when it is good, else the last good ones.

The person's file is only ever read here, never written.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from rustlamp.core.config import DEFAULTS, LoadResult, Problem, Settings, load_settings

log = logging.getLogger("rustlamp.settings")


@dataclass(frozen=True)
class SettingsUpdate:
    settings: Settings
    problems: tuple[Problem, ...]  # errors mean `settings` are the last good (or default) ones
    from_file: bool  # False when the file did not exist and defaults are in use

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")


class SettingsSource:
    def __init__(self, path: Path, explicit: bool) -> None:
        self.path = path
        self.explicit = explicit  # a file named with --config must exist; the default one may not
        self.current: Settings = DEFAULTS

    def load(self, quiet: bool = False) -> SettingsUpdate:
        """Read the file again. On errors keep what was good before, and say so in the log (not when
        `quiet`: a command that only needs the settings leaves the telling to the lamp and `config check`)."""
        if not self.explicit and not self.path.exists():
            log.info("no settings file at %s: using the built-in defaults", self.path)
            self.current = DEFAULTS
            return SettingsUpdate(DEFAULTS, (), from_file=False)
        result: LoadResult = load_settings(self.path)
        for problem in () if quiet else result.problems:
            (log.error if problem.severity == "error" else log.warning)("%s", problem)
        if result.settings is not None:
            self.current = result.settings
        return SettingsUpdate(self.current, result.problems, from_file=True)
