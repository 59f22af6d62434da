"""Which "do not disturb" watchers work here: the desktop's own do-not-disturb, and (when the settings
ask for them) a fullscreen window and a call (the microphone or a camera in use). Each one is tried;
those that start are returned, running, and each one that cannot gives a line for the log saying why.

Linux: X11's fullscreen window, sway's (its IPC), the desktop's switch (KDE, XFCE, GNOME) and the
capture devices' nodes (calls_linux.py), followed as they change; mako's do-not-disturb mode, asked
when a reminder is due (mako 1.7 tells no one when it changes).
Windows and macOS cannot notify about those, so there the OS is asked when a reminder is due
(asked_hold.py): Windows' notification state and Focus Assist, macOS's window list and Focus. Calls are
followed there too: Windows' consent store (calls_windows.py), CoreAudio and CoreMediaIO (calls_macos.py).

The modules are imported only where they can work: python-xlib and dbus-fast are Linux-only
dependencies of rustlamp.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from rustlamp.desk.base import DeskWatcher, Emit

# A folder laid out like /dev (snd/pcmC0D0c, video0) that stands in for it, for tests on a machine
# without sound cards or cameras.
CAPTURE_DEV_ENV = "RUSTLAMP_CAPTURE_DEV"


def _gnome_session(env: Mapping[str, str]) -> bool:
    """XDG_CURRENT_DESKTOP names GNOME ("GNOME", "ubuntu:GNOME", "GNOME-Classic:GNOME", ...)."""
    return any(part.strip().upper() == "GNOME" for part in env.get("XDG_CURRENT_DESKTOP", "").split(":"))


def _named(watcher: DeskWatcher, line: str) -> str:
    return f"{watcher.name}: {line}"


async def choose_dnd_watchers(
    emit: Emit,
    when_fullscreen: bool,
    *,
    during_calls: bool = True,
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
) -> tuple[list[DeskWatcher], list[str]]:
    """The hold/release watchers that work here, started (each emits to `emit`), and the log lines for
    those that do not. `when_fullscreen`: also hold while a fullscreen window is active; `during_calls`:
    also while another program uses the microphone or a camera."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    lines: list[str] = []
    if platform == "win32":
        return await _windows(emit, when_fullscreen, during_calls, lines)
    if platform == "darwin":
        return await _macos(emit, when_fullscreen, during_calls, lines)

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
        if env.get("SWAYSOCK"):
            from rustlamp.desk.fullscreen_sway import SwayFullscreenWatcher

            candidates.append(SwayFullscreenWatcher(env["SWAYSOCK"]))
        else:
            lines.append("sway-fullscreen: not a sway session (SWAYSOCK is not set).")
    bus = env.get("DBUS_SESSION_BUS_ADDRESS")
    candidates.append(NotificationsInhibitedWatcher(bus))
    from rustlamp.desk.dnd_mako import MakoModeWatcher

    candidates.append(MakoModeWatcher(bus))
    candidates.append(XfconfDndWatcher(bus))
    if _gnome_session(env):
        candidates.append(GnomeDndWatcher(env))
    else:
        desktop = env.get("XDG_CURRENT_DESKTOP") or "not set"
        lines.append(f"gnome-gsettings: not a GNOME session (XDG_CURRENT_DESKTOP: {desktop}).")

    if during_calls:
        from rustlamp.desk.calls_linux import CaptureDevicesWatcher

        candidates.append(CaptureDevicesWatcher(env.get(CAPTURE_DEV_ENV) or "/dev"))
    return await _started(candidates, emit, lines)


# Windows and macOS cannot tell us when a fullscreen window or do-not-disturb begins: these are asked
# when a reminder is due (asked_hold.py).


async def _windows(
    emit: Emit, when_fullscreen: bool, during_calls: bool, lines: list[str]
) -> tuple[list[DeskWatcher], list[str]]:
    from rustlamp.desk import windows_desk
    from rustlamp.desk.asked_hold import AskedHoldWatcher

    candidates: list[DeskWatcher] = [AskedHoldWatcher("windows-dnd", "dnd", windows_desk.do_not_disturb_now)]
    if when_fullscreen:
        candidates.append(AskedHoldWatcher("windows-fullscreen", "fullscreen", windows_desk.fullscreen_now))
    calls = None
    if during_calls:  # followed, not asked: the registry says when it changes
        from rustlamp.desk.calls_windows import WindowsCallWatcher

        calls = WindowsCallWatcher()
        candidates.append(calls)
    working, lines = await _started(candidates, emit, lines)
    problem = windows_desk.focus_assist_problem()  # known after the first question, asked by start()
    if problem is not None and any(w.name == "windows-dnd" for w in working):
        lines.append(f"windows-dnd: {problem}")
    if calls is not None and calls in working and calls.note is not None:
        lines.append(_named(calls, calls.note))
    return working, lines


async def _macos(
    emit: Emit, when_fullscreen: bool, during_calls: bool, lines: list[str]
) -> tuple[list[DeskWatcher], list[str]]:
    from rustlamp.desk import macos_desk
    from rustlamp.desk.asked_hold import AskedHoldWatcher

    candidates: list[DeskWatcher] = [AskedHoldWatcher("macos-dnd", "dnd", macos_desk.focus_now)]
    if when_fullscreen:
        candidates.append(AskedHoldWatcher("macos-fullscreen", "fullscreen", macos_desk.fullscreen_now))
    calls = None
    if during_calls:  # followed, not asked: CoreAudio and CoreMediaIO call a listener
        from rustlamp.desk.calls_macos import MacCallWatcher

        calls = MacCallWatcher()
        candidates.append(calls)
    working, lines = await _started(candidates, emit, lines)
    if calls is not None and calls in working and calls.note is not None:
        lines.append(_named(calls, calls.note))
    return working, lines


async def _started(
    candidates: list[DeskWatcher], emit: Emit, lines: list[str]
) -> tuple[list[DeskWatcher], list[str]]:
    working: list[DeskWatcher] = []
    for watcher in candidates:
        reason = await watcher.start(emit)
        if reason is None:
            working.append(watcher)
        else:
            lines.append(_named(watcher, reason))
    return working, lines
