"""Which "do not disturb" watchers work here: the desktop's own do-not-disturb, and (when the settings
ask for it) a fullscreen window. Each one is tried; those that start are returned, running, and each
one that cannot gives a line for the log saying why.

The modules are imported only where they can work: python-xlib and dbus-fast are Linux-only
dependencies of rustlamp.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from rustlamp.desk.base import DeskWatcher, Emit

# No cheap, public way to follow these; see dnd_dbus.py.
WINDOWS_FOCUS_ASSIST = (
    "Windows Focus Assist is not followed: Windows has no documented way to read it (only an undocumented "
    "WNF state), and SHQueryUserNotificationState would have to be polled."
)
MACOS_FOCUS = (
    "macOS Focus is not followed: it can only be read through INFocusStatusCenter, which needs an app "
    "bundle and the person's permission."
)
NO_FULLSCREEN_HERE = "Fullscreen windows are followed on X11 only, not on {platform}."


def _gnome_session(env: Mapping[str, str]) -> bool:
    """XDG_CURRENT_DESKTOP names GNOME ("GNOME", "ubuntu:GNOME", "GNOME-Classic:GNOME", ...)."""
    return any(part.strip().upper() == "GNOME" for part in env.get("XDG_CURRENT_DESKTOP", "").split(":"))


def _named(watcher: DeskWatcher, line: str) -> str:
    return f"{watcher.name}: {line}"


async def choose_dnd_watchers(
    emit: Emit,
    when_fullscreen: bool,
    *,
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
) -> tuple[list[DeskWatcher], list[str]]:
    """The hold/release watchers that work here, started (each emits to `emit`), and the log lines for
    those that do not. `when_fullscreen`: also hold while a fullscreen window is active."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    lines: list[str] = []
    if platform in ("win32", "darwin"):
        lines.append(WINDOWS_FOCUS_ASSIST if platform == "win32" else MACOS_FOCUS)
        if when_fullscreen:
            lines.append(NO_FULLSCREEN_HERE.format(platform="Windows" if platform == "win32" else "macOS"))
        return [], lines

    from rustlamp.desk.dnd_dbus import GnomeDndWatcher, NotificationsInhibitedWatcher, XfconfDndWatcher

    candidates: list[DeskWatcher] = []
    if when_fullscreen:
        if env.get("DISPLAY"):
            from rustlamp.desk.fullscreen_x11 import FullscreenX11Watcher

            candidates.append(FullscreenX11Watcher(env["DISPLAY"]))
            if env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE") == "wayland":
                lines.append(
                    "x11-fullscreen: this is a Wayland session: only X11 programs (through XWayland) can be "
                    "seen going fullscreen."
                )
        else:
            lines.append("x11-fullscreen: there is no X display (DISPLAY is not set).")
    bus = env.get("DBUS_SESSION_BUS_ADDRESS")
    candidates.append(NotificationsInhibitedWatcher(bus))
    candidates.append(XfconfDndWatcher(bus))
    if _gnome_session(env):
        candidates.append(GnomeDndWatcher(env))
    else:
        desktop = env.get("XDG_CURRENT_DESKTOP") or "not set"
        lines.append(f"gnome-gsettings: not a GNOME session (XDG_CURRENT_DESKTOP: {desktop}).")

    working: list[DeskWatcher] = []
    for watcher in candidates:
        reason = await watcher.start(emit)
        if reason is None:
            working.append(watcher)
        else:
            lines.append(_named(watcher, reason))
    return working, lines
