"""Skips for what a test checks that only one kind of system has (used where the Windows job runs them)."""

from __future__ import annotations

import sys

import pytest

WINDOWS = sys.platform == "win32"

# Windows has no POSIX modes to check: the per-user folders' ACLs keep rustlamp's files private there
posix_modes = pytest.mark.skipif(WINDOWS, reason="POSIX file modes")


def not_on_windows(why: str) -> pytest.MarkDecorator:
    """Skip on Windows, saying why the test means nothing there."""
    return pytest.mark.skipif(WINDOWS, reason=why)
