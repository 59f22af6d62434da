"""Shared pytest fixtures."""

from __future__ import annotations

import sys
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from app_process import STARTED
from atspi import Accessibility
from desktop import DesktopSession


def pytest_ignore_collect(collection_path: Path) -> bool | None:
    """On Windows (the Wine job) only the files with tests marked `windows` are read: the others import
    what Windows lacks (dbus-fast, Xlib, termios). `-m windows` then picks the tests themselves."""
    name = collection_path.name
    if sys.platform != "win32" or not (name.startswith("test_") and name.endswith(".py")):
        return None
    return "pytest.mark.windows" not in collection_path.read_text(encoding="utf-8")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed test's report ends with what each rustlamp it started logged (CI keeps only the report)."""
    report = yield
    if report.failed:
        for number, app in enumerate(STARTED, 1):
            try:
                logged = app.output()[-6000:]
            except OSError as error:
                logged = f"(not readable: {error})"
            report.sections.append((f"rustlamp {number} (pid {app.proc.pid}) logged", logged))
    if call.when == "teardown":
        STARTED.clear()
    return report


@pytest.fixture(scope="session")
def desktop() -> Iterator[DesktopSession]:
    """One headless desktop (Xvfb, private D-Bus, dunst, trayer) for the whole test run."""
    with DesktopSession() as session:
        yield session


@pytest.fixture
def desktop_clean(desktop: DesktopSession) -> Iterator[DesktopSession]:
    """The shared desktop with no notification on screen and nothing recorded yet."""
    desktop.close_all()
    desktop.clear_recorded()
    yield desktop
    desktop.close_all()


@pytest.fixture
def accessible_desktop(desktop: DesktopSession) -> DesktopSession:
    """The shared desktop with its accessibility bus on (started once, stopped with the session): Qt
    windows started from now on are seen through AT-SPI (tests/atspi.py)."""
    desktop.start_accessibility()
    return desktop


@pytest.fixture
def a11y(accessible_desktop: DesktopSession) -> Iterator[Accessibility]:
    """A screen reader's view of the test desktop: find and press controls by role and name."""
    with Accessibility(accessible_desktop.env) as agent:
        yield agent
