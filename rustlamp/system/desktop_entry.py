"""rustlamp's own application entry and icons for a pip or pipx install, written at `rustlamp run`.

A distribution package (packaging/linux/) puts nl.rustlamp.Rustlamp.desktop and the hicolor icons in
/usr/share; a pip or pipx install puts neither anywhere, and then GNOME and Plasma show rustlamp's windows
and notifications with a generic icon and the app id as their name: they find an app by the desktop
entry named like the window's app id. So, on Linux and the BSDs outside a Flatpak, `rustlamp run` looks
for an entry with that id in $XDG_DATA_HOME and $XDG_DATA_DIRS (the spec's order) and:

- finds none: writes the user's own one, $XDG_DATA_HOME/applications/nl.rustlamp.Rustlamp.desktop,
  marked as rustlamp's (X-Rustlamp-Written=true), and the lamp in the hicolor theme under
  $XDG_DATA_HOME/icons;
- finds rustlamp's own: writes it again only when what it starts or its words changed (a new venv);
- finds any other (a package's, or the person's own, Hidden=true among them): leaves it alone.

To take it away for good, a person replaces it with an entry of their own that says Hidden=true (the
spec's way to delete an entry in a user's folder); README.md's "Installing" says how.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from rustlamp import APP_NAME
from rustlamp.system.autostart import (
    APP_ID,
    GROUP,
    _comments,
    entry_keys,
    exec_value,
    in_flatpak,
    launch_command,
    write_atomically,
)

log = logging.getLogger("rustlamp.desktop_entry")

ENTRY_NAME = f"{APP_ID}.desktop"
MARKER = "X-Rustlamp-Written"
ICONS = Path(__file__).resolve().parent.parent / "icons"
ICON_PICTURE = "calm-2"  # the lamp as the app shows itself (assets/make_icons.py's APP_PICTURE)
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)


def data_home() -> Path:
    """$XDG_DATA_HOME, or ~/.local/share when it is unset or not absolute (the spec says to ignore it)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def data_dirs() -> list[Path]:
    """$XDG_DATA_DIRS (absolute ones only), or the spec's default /usr/local/share:/usr/share."""
    value = os.environ.get("XDG_DATA_DIRS", "") or "/usr/local/share:/usr/share"
    return [Path(part) for part in value.split(":") if os.path.isabs(part)]


def found_entry() -> Path | None:
    """The entry a desktop would take for rustlamp's app id: the first in the spec's order."""
    for folder in [data_home(), *data_dirs()]:
        path = folder / "applications" / ENTRY_NAME
        if path.is_file():
            return path
    return None


def app_entry(command: list[str]) -> str:
    """The entry rustlamp writes: the packaged one's keys (packaging/linux/) that a desktop uses to show
    and start rustlamp, the command of this very install, and the marker."""
    lines = [
        GROUP,
        "Type=Application",
        "Version=1.4",
        f"Name={APP_NAME}",
        *_comments(),
        f"Exec={exec_value(command)}",
        f"Icon={APP_ID}",
        "Terminal=false",
        "StartupNotify=false",
        f"StartupWMClass={APP_NAME}",
        "Categories=Utility;",
        "X-GNOME-UsesNotifications=true",
        f"{MARKER}=true",
    ]
    return "\n".join(lines) + "\n"


def _write_icons(home: Path) -> None:
    for size in ICON_SIZES:
        source = ICONS / f"{ICON_PICTURE}-{size}.png"
        if source.is_file():
            target = home / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
            data = source.read_bytes()
            if not target.is_file() or target.read_bytes() != data:
                write_atomically(target, data)


def ensure(command: list[str] | None = None) -> str:
    """Make sure a desktop finds an entry for rustlamp's app id (see the module docstring); says what was
    done: "written", "written again", "rustlamp's own, as it is", "another one is there" or "not here"."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd", "dragonfly")) or in_flatpak():
        return "not here"
    if getattr(sys, "frozen", False):
        return "not here"
    wanted = app_entry(command or launch_command())
    found = found_entry()
    home = data_home()
    path = home / "applications" / ENTRY_NAME
    if found is not None:
        try:
            text = found.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "another one is there"
        if found != path or entry_keys(text).get(MARKER, "").lower() != "true":
            return "another one is there"  # a package's or the person's own: never ours to change
        if text == wanted:
            return "rustlamp's own, as it is"
    _write_icons(home)
    write_atomically(path, wanted.encode())
    what = "written" if found is None else "written again"
    log.info(
        "desktop entry: %s %s (and the lamp in %s), so the desktop shows rustlamp's name and lamp; "
        "an entry of your own there with Hidden=true takes it away for good",
        what,
        path,
        home / "icons" / "hicolor",
    )
    return what


def ensure_quietly() -> None:
    """ensure(), for `rustlamp run`: a folder that cannot be written is logged, never a reason to stop."""
    try:
        ensure()
    except OSError as exc:
        log.warning("desktop entry: could not write it (%s); the desktop may show a generic icon", exc)
