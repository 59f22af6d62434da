"""Where rustlamp keeps things, per platform (XDG on Linux), from platformdirs."""

from __future__ import annotations

from pathlib import Path

from platformdirs import PlatformDirs

from rustlamp import APP_NAME

_DIRS = PlatformDirs(APP_NAME, appauthor=False)


def config_file() -> Path:
    """$XDG_CONFIG_HOME/rustlamp/config.toml on Linux."""
    return _DIRS.user_config_path / "config.toml"


def state_dir() -> Path:
    """Logs and other things that are the app's, not the person's: $XDG_STATE_HOME/rustlamp on Linux."""
    return _DIRS.user_state_path


def log_file() -> Path:
    return state_dir() / "rustlamp.log"


def journal_file() -> Path:
    """The person's journal: $XDG_DATA_HOME/rustlamp/journal.sqlite3 on Linux (their data, not the app's)."""
    return _DIRS.user_data_path / "journal.sqlite3"
