"""Choose where idle time comes from on this desktop (the "natural breaks" source).

Linux: GNOME's idle monitor when it is on the session bus (right on Wayland and X11 alike); else the X
server's SYNC alarms when $DISPLAY answers and the session is not Wayland (under Wayland, XWayland sees
only input to X windows, so its idle time would be wrong); else the Wayland compositor's idle
protocols (KDE Plasma and sway on Wayland, where idle time is not on D-Bus); else
org.freedesktop.ScreenSaver (Plasma on X11, some others; it can only be asked). Windows and macOS ask
the OS. Each source is imported only when it is tried: X11 brings python-xlib, the D-Bus ones dbus-fast.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta

from rustlamp.desk.base import Emit, IdleWatcher

log = logging.getLogger("rustlamp.desk")

DESCRIPTIONS = {
    "mutter": "GNOME's idle monitor (org.gnome.Mutter.IdleMonitor)",
    "x11-sync": "the X server's idle time (SYNC alarms)",
    "freedesktop-screensaver": "org.freedesktop.ScreenSaver, asked only when a threshold may be crossed",
    "windows": "Windows' last input time, asked only when a threshold may be crossed",
    "macos": "macOS's HID idle time, asked only when a threshold may be crossed",
}


def _mutter() -> IdleWatcher:
    from rustlamp.desk.idle_dbus import MutterIdleWatcher

    return MutterIdleWatcher()


def _x11() -> IdleWatcher:
    from rustlamp.desk.idle_x11 import X11IdleWatcher

    return X11IdleWatcher()


def _wayland() -> IdleWatcher:
    from rustlamp.desk.idle_wayland import WaylandIdleWatcher

    return WaylandIdleWatcher()


def _screensaver() -> IdleWatcher:
    from rustlamp.desk.idle_dbus import ScreenSaverIdleWatcher

    return ScreenSaverIdleWatcher()


def _windows() -> IdleWatcher:
    from rustlamp.desk.idle_other import windows_watcher

    return windows_watcher()


def _macos() -> IdleWatcher:
    from rustlamp.desk.idle_other import macos_watcher

    return macos_watcher()


def _wayland_session() -> bool:
    return bool(os.environ.get("WAYLAND_DISPLAY")) or os.environ.get("XDG_SESSION_TYPE") == "wayland"


def _candidates() -> list[tuple[str, Callable[[], IdleWatcher]] | str]:
    """Factories to try in order; a string stands for a source skipped, and why."""
    if sys.platform == "win32":
        return [("windows", _windows)]
    if sys.platform == "darwin":
        return [("macos", _macos)]
    x11: tuple[str, Callable[[], IdleWatcher]] | str
    if _wayland_session():
        x11 = "x11-sync: a Wayland session, where X11 sees only the input to X windows"
    elif not os.environ.get("DISPLAY"):
        x11 = "x11-sync: no X display ($DISPLAY is not set)"
    else:
        x11 = ("x11-sync", _x11)
    wayland: tuple[str, Callable[[], IdleWatcher]] | str = (
        ("wayland", _wayland) if _wayland_session() else "wayland: not a Wayland session"
    )
    return [("mutter", _mutter), x11, wayland, ("freedesktop-screensaver", _screensaver)]


async def choose_idle_watcher(thresholds: Sequence[timedelta], emit: Emit) -> tuple[IdleWatcher | None, str]:
    """Start the first idle source that works here, with `thresholds`; never raises. Returns it (started)
    and a line for the log; or None and why no source works (then there are no natural breaks)."""
    reasons: list[str] = []
    for candidate in _candidates():
        if isinstance(candidate, str):
            reasons.append(candidate)
            continue
        name, factory = candidate
        try:
            watcher = factory()
        except ImportError as exc:  # python-xlib or dbus-fast missing: the others may not need them
            reasons.append(f"{name}: {exc}")
            continue
        watcher.set_thresholds(thresholds)
        try:
            reason = await watcher.start(emit)
        except Exception as exc:  # start() should report, not raise; be safe all the same
            log.warning("the idle source %s failed to start", name, exc_info=True)
            reason = f"{name}: {exc}"
        if reason is None:
            description = getattr(watcher, "description", "") or DESCRIPTIONS.get(name, name)
            return watcher, f"idle time from {description}"
        reasons.append(reason if reason.startswith(f"{name}:") else f"{name}: {reason}")
        try:
            await watcher.close()
        except Exception:
            log.warning("closing the idle source %s failed", name, exc_info=True)
    return None, "no idle time source works here, so no natural breaks: " + "; ".join(reasons)
