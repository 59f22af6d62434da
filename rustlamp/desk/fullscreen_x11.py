"""A bad moment on X11: the active window is fullscreen (a presentation, a film, a shared screen, a game).

The window manager says which window is active (`_NET_ACTIVE_WINDOW` on the root window) and what state
each window is in (`_NET_WM_STATE` on the window; `_NET_WM_STATE_FULLSCREEN` in it means fullscreen),
both from the EWMH. We select PropertyChangeMask on the root window and on the active window and read
the X connection's socket with `loop.add_reader`, so the process sleeps until one of those windows
changes a property; there are no timers. X has no way to ask for one property only, so a title change
of the active window wakes us too: we look at the atom and go back to sleep.

Hold while the active window is fullscreen; release when it leaves fullscreen, when another window
becomes active, and when it closes (the window manager then names another active window, or none; a
window that is gone by the time we ask counts as not fullscreen).

Our own windows (WM_CLASS starting with "rustlamp", or _NET_WM_PID ours) change nothing: when one of
them becomes active we keep following the window that was active before it, so opening the lamp's menu
during a presentation does not count as the presentation ending.

Without a window manager (nothing sets `_NET_ACTIVE_WINDOW`) nothing can be fullscreen; we keep
watching the root window, and notice when one starts.

A Wayland session shows X11 programs only (through XWayland), so there this sees only those.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

import Xlib.error
import Xlib.X

from rustlamp.desk.base import DeskEvent, Emit, send
from rustlamp.desk.x_display import PlainDisplay

log = logging.getLogger("rustlamp.desk")

NAME = "x11-fullscreen"
REASON = "fullscreen"
OWN_CLASS_PREFIX = "rustlamp"  # RustlampBreak, RustlampCheckin, RustlampMenu, RustlampWeek, ...

_ATOMS = (
    "_NET_ACTIVE_WINDOW",
    "_NET_CLIENT_LIST",
    "_NET_WM_STATE",
    "_NET_WM_STATE_FULLSCREEN",
    "_NET_SUPPORTING_WM_CHECK",
    "_NET_WM_PID",
)


class FullscreenX11Watcher:
    """Holds while the active X11 window is fullscreen; see the module docstring."""

    name = NAME

    def __init__(self, display: str | None = None) -> None:
        self._display_name = display  # None: $DISPLAY
        self._display: Any = None
        self._root: Any = None
        self._atoms: dict[str, int] = {}
        self._emit: Emit | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._fd = -1
        self._selected = 0  # the client window we selected PropertyChangeMask on (0: none)
        self.holding = False
        self.active = 0  # the window the window manager last named active (0: none)
        self.followed = 0  # the window whose state counts: the active one, unless that one is ours
        self.wakeups = 0  # how often the X connection woke us: for tests and the idle benchmark

    # ----- the DeskWatcher protocol ----------------------------------------------------------------

    async def start(self, emit: Emit) -> str | None:
        await self.close()  # a second start begins afresh
        name = self._display_name or os.environ.get("DISPLAY", "")
        if not name:
            return "There is no X display (DISPLAY is not set), so fullscreen windows cannot be seen."
        try:
            display = PlainDisplay(name)
        except Exception as exc:  # DisplayNameError, DisplayConnectionError, an auth failure, ...
            return f"Could not connect to the X display {name} ({exc}), so fullscreen windows cannot be seen."
        try:
            self._display = display
            self._root = display.screen().root
            # Errors of requests without a reply arrive later, on their own: a window we stop (or
            # start) following may be gone already. That is expected; it must not reach stderr.
            display.set_error_handler(self._on_x_error)
            self._atoms = {atom: display.intern_atom(atom) for atom in _ATOMS}
            # Select first, then read: a change after the read is then always reported.
            self._root.change_attributes(event_mask=Xlib.X.PropertyChangeMask)
            self._refresh()
            if not self._has_window_manager():
                log.info(
                    "fullscreen: no window manager on %s says which window is active (no "
                    "_NET_SUPPORTING_WM_CHECK); watching in case one starts",
                    name,
                )
            self._loop = asyncio.get_running_loop()
            self._fd = display.fileno()
            self._loop.add_reader(self._fd, self._on_readable)
            self._drain()  # events that came in with the replies above
        except Exception as exc:
            log.warning("the fullscreen watcher could not start", exc_info=True)
            await self.close()
            return f"Could not follow the windows on the X display {name} ({exc})."
        self._emit = emit
        if self.holding:  # already fullscreen: said once, now
            emit(DeskEvent("hold", NAME, reason=REASON))
        return None

    async def close(self) -> None:
        if self._loop is not None and self._fd >= 0:
            self._loop.remove_reader(self._fd)
        self._loop, self._fd = None, -1
        display, self._display = self._display, None
        self._root = None
        self._emit = None
        self._selected = self.active = self.followed = 0
        self.holding = False
        if display is not None:
            try:
                display.close()
            except Exception:  # the server may be gone already
                log.debug("closing the X connection", exc_info=True)

    # ----- events ----------------------------------------------------------------------------------

    def _on_readable(self) -> None:
        self.wakeups += 1
        try:
            self._drain()
        except Exception as exc:  # ConnectionClosedError: the X server went away
            self._lost(exc)

    def _drain(self) -> None:
        """Handle every event read so far; a property that matters makes us look again (and looking
        reads replies, which may bring more events: hence the loop)."""
        display, root, atoms = self._display, self._root, self._atoms
        if display is None:
            return
        while True:
            look = False
            while display.pending_events():
                event = display.next_event()
                if event.type != Xlib.X.PropertyNotify:
                    continue
                window = event.window.id
                if window == root.id:
                    look = look or event.atom in (atoms["_NET_ACTIVE_WINDOW"], atoms["_NET_CLIENT_LIST"])
                elif window == self._selected and event.atom == atoms["_NET_WM_STATE"]:
                    look = True
            if not look:
                return
            self._refresh()

    def _lost(self, exc: BaseException) -> None:
        log.warning("fullscreen: the connection to the X display was lost (%s); no longer watching", exc)
        if self._loop is not None and self._fd >= 0:
            self._loop.remove_reader(self._fd)
        self._loop, self._fd = None, -1
        display, self._display = self._display, None
        if display is not None:
            try:
                display.close()
            except Exception:
                log.debug("closing the lost X connection", exc_info=True)
        self._set(False)  # nobody can be fullscreen on a display we cannot see: do not hold forever

    def _on_x_error(self, error: Any, request: Any) -> None:
        log.debug("fullscreen: X error (a window went away?): %s", error)

    # ----- looking ---------------------------------------------------------------------------------

    def _refresh(self) -> None:
        """Read which window is active and whether the window that counts is fullscreen."""
        self.active = self._active_window()
        if not self.active:
            self.followed = 0
        elif not self._is_ours(self.active):
            self.followed = self.active
        # else: one of ours is active: keep following the window that was active before it
        if self.followed != self._selected:
            self._select(self.followed)
        fullscreen = False
        if self.followed:
            state = self._state(self.followed)
            if state is None:  # gone before we could ask
                self.followed = 0
                self._select(0)
            else:
                fullscreen = self._atoms["_NET_WM_STATE_FULLSCREEN"] in state
        self._set(fullscreen)

    def _set(self, fullscreen: bool) -> None:
        if fullscreen == self.holding:
            return
        self.holding = fullscreen
        if fullscreen:
            log.info("fullscreen: the active window (0x%x) is fullscreen: holding reminders", self.followed)
        else:
            log.info("fullscreen: no fullscreen window is active any more: releasing reminders")
        send(self._emit, DeskEvent("hold" if fullscreen else "release", NAME, reason=REASON))

    def _select(self, window: int) -> None:
        """Follow property changes of `window` (0: none) instead of the window followed so far."""
        display = self._display
        if self._selected:
            old = display.create_resource_object("window", self._selected)
            old.change_attributes(event_mask=Xlib.X.NoEventMask)  # only our own mask: others keep theirs
        self._selected = window
        if window:
            new = display.create_resource_object("window", window)
            new.change_attributes(event_mask=Xlib.X.PropertyChangeMask)

    def _property(self, window: Any, atom: str) -> list[int] | None:
        """The property's values; [] when it is not set; None when the window is gone."""
        try:
            prop = window.get_full_property(self._atoms[atom], Xlib.X.AnyPropertyType)
        except Xlib.error.XError:  # BadWindow: it closed between the event and our question
            return None
        if prop is None or prop.format != 32:
            return []
        return [int(value) for value in prop.value]

    def _active_window(self) -> int:
        values = self._property(self._root, "_NET_ACTIVE_WINDOW")
        return values[0] if values else 0

    def _has_window_manager(self) -> bool:
        return bool(self._property(self._root, "_NET_SUPPORTING_WM_CHECK"))

    def _state(self, window: int) -> list[int] | None:
        return self._property(self._display.create_resource_object("window", window), "_NET_WM_STATE")

    def _is_ours(self, window: int) -> bool:
        resource = self._display.create_resource_object("window", window)
        try:
            wm_class = resource.get_wm_class()
        except Xlib.error.XError:
            return False
        if wm_class and any(part.lower().startswith(OWN_CLASS_PREFIX) for part in wm_class):
            return True
        pid = self._property(resource, "_NET_WM_PID")
        return pid is not None and pid[:1] == [os.getpid()]

    def __repr__(self) -> str:
        return f"<FullscreenX11Watcher display={self._display_name!r} holding={self.holding}>"
