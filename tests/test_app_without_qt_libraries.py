"""Where Qt cannot start a window, the person is told, and the lamp goes on: the installed `rustlamp run`
on the test desktop, on a system that lacks one of the libraries Qt's X11 platform plugin needs.

Stock Debian 12 and Ubuntu lack libxcb-cursor0 (Qt 6.5 and later need it on X11). Here the lamp runs in a
private mount namespace whose /usr/lib/x86_64-linux-gnu is the real one with that library taken out (an
overlay with a whiteout), which is that machine exactly: the loader does not find it, Qt gives up on its
xcb plugin, `ldd` says "not found". That needs root; without it the lamp gets a copy of PySide6 whose xcb
plugin needs a library no system has (tests/test_qt_common.py), the same failure under another name.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_process import RunningApp
from desktop import DesktopSession, markup_text
from run_cli import RUSTLAMP
from test_app import FAST, reminders, wait_for_new_reminder
from test_qt_common import pyside_missing_a_library

from rustlamp.cli import EXIT_PROBLEM
from rustlamp.ui.contract import CannotOpen
from rustlamp.ui.qt_libraries import platform_plugin

pytestmark = pytest.mark.desktop

LIBRARIES = Path("/usr/lib/x86_64-linux-gnu")
HIDDEN = "libxcb-cursor.so.0"
WITHOUT_LIBRARY = """#!/bin/sh
# rustlamp where {hidden} is not installed: the system's libraries with it taken out, in a mount
# namespace of this process alone
set -e
mount -t overlay overlay -o lowerdir={libraries},upperdir={upper},workdir={work} {libraries}
exec "$@"
"""


def whiteout(path: Path) -> None:
    """In an overlay's upper folder, a character device 0/0 hides the lower folder's file of that name."""
    os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(0, 0))


def _overlay_works(tmp_path: Path) -> bool:
    """Root, unshare and overlayfs: can this machine take a library out for one process?"""
    if os.geteuid() != 0 or shutil.which("unshare") is None or not (LIBRARIES / HIDDEN).exists():
        return False
    probe = tmp_path / "probe"
    for folder in ("upper", "work", "merged"):
        (probe / folder).mkdir(parents=True)
    try:
        whiteout(probe / "upper" / HIDDEN)  # a container's root may not make device files
    except OSError:
        return False
    mount = f"mount -t overlay overlay -o lowerdir={LIBRARIES},upperdir={probe}/upper,workdir={probe}/work"
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", f"{mount} {probe}/merged"], capture_output=True, timeout=30
    )
    return done.returncode == 0


def _without_libxcb_cursor(tmp_path: Path) -> tuple[list[str], dict[str, str], str]:
    """How to start a program on a system without libxcb-cursor0: the command's prefix, extra env, and
    the package the person will be told to install."""
    if _overlay_works(tmp_path):
        upper, work = tmp_path / "upper", tmp_path / "work"
        upper.mkdir()
        work.mkdir()
        for name in LIBRARIES.glob("libxcb-cursor.so*"):
            whiteout(upper / name.name)
        script = tmp_path / "without-library.sh"
        script.write_text(
            WITHOUT_LIBRARY.format(hidden=HIDDEN, libraries=LIBRARIES, upper=upper, work=work),
            encoding="utf-8",
        )
        return ["unshare", "-m", "sh", str(script)], {}, "libxcb-cursor0"
    root = Path(__file__).resolve().parent.parent
    site = pyside_missing_a_library(tmp_path)
    return [], {"PYTHONPATH": f"{site}:{root}"}, "libxcb-iccxm4"


@pytest.fixture
def lamp_without_a_library(desktop_clean: DesktopSession, tmp_path: Path) -> Iterator[tuple[RunningApp, str]]:
    prefix, extra_env, package = _without_libxcb_cursor(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    config = home / "config.toml"
    config.write_text(FAST, encoding="utf-8")
    app = RunningApp(home, desktop_clean.env, config, extra_env=extra_env, prefix=prefix)
    try:
        app.wait_for_output(r"next reminder: ")
        yield app, package
    finally:
        app.stop()


def in_lamps_world(app: RunningApp, args: list[str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run a command on the lamp's system (its mount namespace, where the library is gone), in its env."""
    enter = ["nsenter", "-t", str(app.proc.pid), "-m"] if app.env.get("PYTHONPATH") is None else []
    return subprocess.run([*enter, *args], env=app.env, capture_output=True, text=True, timeout=timeout)


def test_where_qt_cannot_start_the_lamp_says_what_to_install_each_time_and_goes_on_reminding(
    lamp_without_a_library: tuple[RunningApp, str], desktop_clean: DesktopSession
) -> None:
    app, package = lamp_without_a_library
    plugin = platform_plugin()
    assert plugin is not None
    find = "from rustlamp.ui.qt_libraries import platform_plugin; print(platform_plugin())"
    lamps_plugin = in_lamps_world(app, [sys.executable, "-c", find]).stdout.strip()
    missing = in_lamps_world(app, ["ldd", lamps_plugin]).stdout
    assert "=> not found" in missing, missing  # the lamp's system really lacks it...
    assert "=> not found" not in subprocess.run(["ldd", str(plugin)], capture_output=True, text=True).stdout
    told = CannotOpen((package,))
    title, sentence = told.title("en"), told.sentence("en")
    assert f"sudo apt install {package}" in sentence

    for time_asked in (1, 2):  # each time a window is asked for: never a silent nothing
        asked = in_lamps_world(app, [RUSTLAMP, "break"])
        assert (asked.returncode, asked.stderr.strip()) == (EXIT_PROBLEM, f"{title}. {sentence}"), asked
        notification = desktop_clean.wait_for_notification(
            lambda n, count=time_asked: (
                [m["summary"] for m in desktop_clean.notifications()].count(title) >= count
            ),
            timeout=30,
        )
        shown = [n for n in desktop_clean.notifications() if n["summary"] == title]
        assert len(shown) == time_asked and markup_text(notification["body"]) == sentence
        app.wait_for_output(rf"a window could not open: {re.escape(sentence)}")

    seen = len(reminders(desktop_clean))
    wait_for_new_reminder(desktop_clean, seen, app=app)  # the break never began: reminders go on
    assert app.proc.poll() is None
