"""config.example.toml documents the defaults: loading it must give exactly the built-in settings."""

import re
from pathlib import Path

import pytest

from rustlamp.core import config
from rustlamp.core.config import DEFAULTS, load_settings

pytestmark = pytest.mark.windows

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"


def test_the_example_loads_to_exactly_the_defaults() -> None:
    result = load_settings(EXAMPLE)
    assert result.problems == ()
    assert result.settings == DEFAULTS


def test_the_example_mentions_every_key_rustlamp_knows() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    known = {
        "": config._KNOWN_TOP,
        "reminders": config._KNOWN_REMINDERS,
        "break": config._KNOWN_BREAK,
        "routines.morning": config._KNOWN_ROUTINE,
        "prompts": config._KNOWN_PROMPTS,
    }
    for table, keys in known.items():
        for key in keys:
            assert re.search(rf"^#?\s*{key}\s*=|^#?\s*\[{key}[.\]]", text, re.MULTILINE), f"{table}.{key}"


def test_the_packaged_example_is_the_same_file() -> None:
    # the app creates a person's config.toml from the packaged copy; the two must never drift apart
    packaged = Path(__file__).resolve().parents[1] / "rustlamp" / "config.example.toml"
    assert packaged.read_bytes() == EXAMPLE.read_bytes()
