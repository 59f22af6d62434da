"""Why Qt cannot open a window, in terms a person can act on: which system libraries its platform plugin
misses, and the Debian/Ubuntu packages that bring them. No Qt import: the lamp asks this too, and its
process never loads Qt.

Qt's own message is not enough: on X11 it always blames libxcb-cursor0, also when that is installed and
libxcb-icccm4 and libxcb-keysyms1 are what is missing (seen on a stock Debian 12)."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

_SONAME = re.compile(r"^lib(?P<name>.+?)\.so\.(?P<version>[0-9]+)")


def debian_package(soname: str) -> str:
    """The Debian package that ships a library, by Debian's naming rule: libxcb-icccm.so.4 ->
    libxcb-icccm4, libxkbcommon-x11.so.0 -> libxkbcommon-x11-0 (a name ending in a digit takes a dash)."""
    found = _SONAME.match(soname)
    if found is None:
        return soname
    name, version = found["name"].lower(), found["version"]
    return f"lib{name}-{version}" if name[-1].isdigit() else f"lib{name}{version}"


def platform_plugin() -> Path | None:
    """The platform plugin Qt will load for this session (xcb on X11, wayland on Wayland), if it is there."""
    spec = importlib.util.find_spec("PySide6")  # finds the package without importing it (no Qt loaded)
    if spec is None or not spec.submodule_search_locations:
        return None
    plugins = os.environ.get("QT_QPA_PLATFORM_PLUGIN_PATH") or str(
        Path(next(iter(spec.submodule_search_locations))) / "Qt" / "plugins" / "platforms"
    )
    wanted = os.environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0]
    if not wanted:
        wanted = "wayland" if os.environ.get("WAYLAND_DISPLAY") else "xcb"
    plugin = Path(plugins) / f"libq{wanted}.so"
    return plugin if plugin.exists() else None


def missing_libraries(plugin: Path | None = None) -> list[str]:
    """The shared libraries the platform plugin needs and the system does not have, by soname."""
    if not sys.platform.startswith("linux"):
        return []
    plugin = plugin or platform_plugin()
    ldd = shutil.which("ldd")
    if plugin is None or ldd is None:
        return []
    try:
        listed = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    missing = [line.split("=>")[0].strip() for line in listed.splitlines() if "=> not found" in line]
    return sorted(set(missing))


def missing_packages(plugin: Path | None = None) -> list[str]:
    """The Debian/Ubuntu packages to install so Qt can open a window; empty when nothing is missing (or
    the reason is something else)."""
    return sorted({debian_package(soname) for soname in missing_libraries(plugin)})
