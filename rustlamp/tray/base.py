"""The tray interface the rest of rustlamp speaks; no tray or D-Bus library is imported here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from rustlamp.core.menu import Lamp, MenuItem, Tooltip

if TYPE_CHECKING:
    from rustlamp.ui.contract import CannotOpen

# Called with a menu item's id when it is clicked, or ACTIVATE for a (left) click on the icon itself.
TrayHandler = Callable[[str], None]
ACTIVATE = "activate"
# Called with the reason when the tray's own menu (a Qt window process) cannot open here.
CannotOpenHandler = Callable[["CannotOpen"], None]


@dataclass(frozen=True)
class TrayStatus:
    ok: bool
    backend: str  # "sni", "xembed", "pystray", "none"
    detail: str  # one clear sentence: where the lamp is, or what is missing and what to do


class Tray(Protocol):
    """Shows the lamp with its menu and tooltip; reports clicks to the handler given when it was made."""

    backend: str

    @property
    def in_panel(self) -> bool:
        """The lamp is in the panel now (as far as the tray can know)."""
        ...

    async def start(self, lamp: Lamp, menu: tuple[MenuItem, ...], tooltip: Tooltip) -> TrayStatus:
        """Put the lamp in the panel; never raises."""
        ...

    def update(self, lamp: Lamp, menu: tuple[MenuItem, ...], tooltip: Tooltip) -> None:
        """Show a new state; cheap when nothing changed (backends compare and send only differences)."""
        ...

    async def close(self) -> None:
        """Take the lamp out of the panel."""
        ...
