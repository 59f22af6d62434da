"""An X connection for the lamp's own watchers, without python-xlib's extension modules.

Xlib.display.Display imports and sets up a module for every extension the server lists (RANDR, XInput,
RECORD, ... a dozen on Xvfb): about 0.7 MB that would stay resident for the lamp's whole life, and a
round trip each at start. The idle and fullscreen watchers speak only core requests (SYNC is spoken with
rustlamp's own request classes), so their connection offers Xlib no extension to load.
"""

from __future__ import annotations

import Xlib.display


class PlainDisplay(Xlib.display.Display):  # type: ignore[misc]  # python-xlib ships no type hints
    """A Display that loads none of Xlib's extension modules; `query_extension` still asks the server."""

    def list_extensions(self) -> list[str]:
        return []  # read by Display.__init__ only to choose the extension modules to load
