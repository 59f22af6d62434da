"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from desktop import DesktopSession


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
