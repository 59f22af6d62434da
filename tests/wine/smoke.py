"""The installed rustlamp on Windows, end to end, under Wine on a headless X desktop (make test-windows).

Runs on Linux with the test desktop (Xvfb, trayer as the XEmbed tray Wine docks into) and drives the
Windows Python that tests/wine/setup.sh made: the lamp runs, its tray icon docks and its menu opens and is
read, a second run is refused, status and quit go over the token channel, autostart writes and removes the
Run key, a break window opens as a child process and its answer reaches the journal, the fallback
notification (plyer's balloon) is shown, and the log has no traceback. Each step prints its time; the
first failure stops the run with what the lamp said. Screenshots go to SHOTS (default: WINE_HOME/shots).
"""

from __future__ import annotations

import getpass
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from desktop import DesktopSession
from PIL import Image

HERE = Path(__file__).resolve().parent
WINE_HOME = Path(os.environ.get("WINE_HOME", HERE.parents[1] / ".venv" / "wine"))
PYTHON = WINE_HOME / "python" / "python.exe"
RUSTLAMP = WINE_HOME / "python" / "Scripts" / "rustlamp.exe"
SHOTS = Path(os.environ.get("SHOTS", WINE_HOME / "shots"))
RUN_KEY = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run"
WAIT = 30.0  # Wine is slow to start a process on a busy machine

# English, active all day every day, a reminder every 45 minutes: nothing comes by itself meanwhile
QUIET_ALL_DAY = """language = "en"
[reminders]
every = "45m"
start = "00:00"
end = "00:00"
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
"""
T = TypeVar("T")
started = time.monotonic()


def step(what: str) -> None:
    print(f"wine smoke [{time.monotonic() - started:5.1f} s]: {what}", flush=True)


def until(check: Callable[[], T | None], what: str, timeout: float = WAIT) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"waited {timeout:g} s for {what}")


def windows_path(path: Path) -> str:
    return "Z:" + str(path).replace("/", "\\")


class Lamp:
    """`rustlamp run -v` in the Windows Python, through menu_probe.py; its output read from a pipe (Wine's
    Python dies at start-up when its stdout is a plain file)."""

    def __init__(self, env: dict[str, str], config: Path, menu_file: Path) -> None:
        args = ["wine", str(PYTHON), str(HERE / "menu_probe.py"), windows_path(menu_file)]
        args += ["run", "-v", "--config", windows_path(config)]
        self.proc = subprocess.Popen(
            args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.decode("utf-8", "replace").rstrip("\r\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, pattern: str, timeout: float = WAIT) -> re.Match[str]:
        def seen() -> re.Match[str] | None:
            if self.proc.poll() is not None:
                raise AssertionError(f"the lamp stopped (exit {self.proc.returncode}):\n{self.output()}")
            return re.search(pattern, self.output(), re.MULTILINE)

        try:
            return until(seen, repr(pattern), timeout)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; the lamp said:\n{self.output()}") from None


def main() -> int:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with DesktopSession() as desktop:
        env = {
            **desktop.env,
            "WINEPREFIX": str(WINE_HOME / "prefix"),
            "WINEDEBUG": "-all",
            "WINEDLLOVERRIDES": "mscoree,mshtml=",
        }
        env = {k: v for k, v in env.items() if not k.startswith(("XDG_", "RUSTLAMP_"))}
        work = desktop.tmp / "wine-smoke"
        work.mkdir()
        try:
            return smoke(desktop, env, work)
        except BaseException:
            desktop.screenshot(SHOTS / "failed.png")
            log = app_folder(env) / "rustlamp.log"
            said = log.read_text(encoding="utf-8", errors="replace") if log.exists() else "(none)"
            print(f"wine smoke: failed ({SHOTS / 'failed.png'}); the lamp's log:\n{said}", file=sys.stderr)
            raise
        finally:
            subprocess.run(["wineserver", "-k"], env=env, check=False)


def rustlamp(env: dict[str, str], *args: str, timeout: float = WAIT) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["wine", str(RUSTLAMP), *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        encoding="utf-8",
        errors="replace",
    )
    result.stdout = result.stdout.replace("\r\n", "\n")
    return result


def run_key(env: dict[str, str]) -> str | None:
    """rustlamp's value under the Run key, as Wine's own `reg` reads it."""
    found = subprocess.run(
        ["wine", "reg", "query", RUN_KEY, "/v", "rustlamp"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        errors="replace",
    )
    match = re.search(r"rustlamp\s+REG_SZ\s+(.*)", found.stdout)
    return match.group(1).strip() if match else None


def app_folder(env: dict[str, str]) -> Path:
    """%LOCALAPPDATA%\\rustlamp inside the Wine prefix (logs, journal, the control channel's file)."""
    users = Path(env["WINEPREFIX"]) / "drive_c" / "users"
    return users / getpass.getuser() / "AppData" / "Local" / "rustlamp"  # Wine names it after the Unix user


def children(desktop: DesktopSession, window: str) -> list[str]:
    tree = desktop.run(["xwininfo", "-children", "-id", window], check=False).stdout  # gone: none
    return re.findall(r"^\s+(0x[0-9a-f]+) ", tree, re.MULTILINE)


def docked_icons(desktop: DesktopSession) -> list[tuple[int, int, int, int]]:
    """The geometry of each icon docked in trayer's panel: XEmbed sockets holding one of Wine's windows."""
    panel = desktop.run(["xdotool", "search", "--onlyvisible", "--name", "^panel$"]).stdout.split()[0]
    sockets = [absolute_geometry(desktop, s) for s in children(desktop, panel) if children(desktop, s)]
    return [g for g in sockets if g[2] > 1 and g[3] > 1]


def absolute_geometry(desktop: DesktopSession, window: str) -> tuple[int, int, int, int]:
    info = desktop.run(["xwininfo", "-id", window], check=False).stdout  # a window gone meanwhile: 0x0

    def value(name: str) -> int:
        found = re.search(rf"{name}:\s+(-?\d+)", info)
        return int(found.group(1)) if found else 0

    return value("Absolute upper-left X"), value("Absolute upper-left Y"), value("Width"), value("Height")


def wine_windows(desktop: DesktopSession) -> set[str]:
    """Wine's own windows on screen bigger than a tray icon (explorer.exe draws the balloons), each as its
    id and geometry."""
    found = desktop.run(["xdotool", "search", "--onlyvisible", "--class", "^explorer\\.exe$"], check=False)
    shown = {w: absolute_geometry(desktop, w) for w in found.stdout.split()}
    return {f"{w} {x},{y} {width}x{height}" for w, (x, y, width, height) in shown.items() if height > 40}


def visible_windows(desktop: DesktopSession, name: str) -> list[str]:
    found = desktop.run(["xdotool", "search", "--onlyvisible", "--name", name], check=False)
    return found.stdout.split()


def qt_under_wine(env: dict[str, str]) -> str:
    """Whether PySide6's Qt loads in the Windows Python here, and if not, which library Wine lacks. The
    windows that have moved to Qt are shown here once it loads; until then this says exactly why not."""
    tried = subprocess.run(
        ["wine", str(PYTHON), "-c", "import PySide6.QtWidgets"],
        env={**env, "WINEDEBUG": "err+module"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=WAIT,
    )
    if tried.returncode == 0:
        return "Qt loads: the Qt windows can be shown under Wine now (see tests/wine/smoke.py)"
    missing = re.search(r"Library (\S+) \(which is needed by .*?([^\\]+\.dll)\S*\) not found", tried.stderr)
    assert missing, f"PySide6 did not load, for a reason not known here:\n{tried.stderr[-2000:]}"
    return f"Qt cannot load: {missing.group(2)} needs {missing.group(1)}, which Wine does not have"


def smoke(desktop: DesktopSession, env: dict[str, str], work: Path) -> int:
    folder = app_folder(env)
    shutil.rmtree(folder, ignore_errors=True)  # a fresh start: no journal, no channel file, no old log
    config = work / "config.toml"
    # a mistake in the settings: the lamp says so at start in a notification, the fallback's balloon here
    config.write_text(QUIET_ALL_DAY + '[break]\nlength = "banana"\n', encoding="utf-8")
    menu_file = work / "menu.json"

    step("rustlamp run")
    before = wine_windows(desktop)
    lamp = Lamp(env, config, menu_file)
    lamp.wait_for(r"rustlamp is running")
    lamp.wait_for(r"next reminder: ")

    step("the fallback notification is shown (plyer's balloon; WinRT's toasts are not registered in Wine)")
    lamp.wait_for(r"Using plyer: .* Windows error 0x80040154 \(class not registered\)")
    balloon = until(lambda: wine_windows(desktop) - before, "a balloon")
    time.sleep(0.5)  # drawn
    bx, by, _, bh = absolute_geometry(desktop, sorted(balloon)[0].split()[0])
    with Image.open(desktop.screenshot(work / "screen.png")) as screen:
        screen.crop((bx - 8, 0, screen.width, by + bh + 8)).save(SHOTS / "notification.png")
    print(f"    the balloon: {', '.join(sorted(balloon))}")
    config.write_text(QUIET_ALL_DAY, encoding="utf-8")
    reload = rustlamp(env, "reload")
    assert reload.returncode == 0 and "read again" in reload.stdout, reload
    # plyer's balloon has a tray icon of its own for its 10 s; the lamp's menu is opened once it went
    until(lambda: len(docked_icons(desktop)) == 1, "plyer's icon to leave the tray")

    step("the lamp is docked in the tray")
    x, y, width, height = until(lambda: docked_icons(desktop), "the lamp in trayer's panel")[0]
    print(f"    the lamp: {width}x{height} at {x},{y}")

    step("its menu opens and is read")
    # clicked at its left edge, so the menu (which opens leftwards at the screen's edge) leaves it in sight
    desktop.run(["xdotool", "mousemove", str(x + 2), str(y + height // 2), "click", "3"])
    menu = until(lambda: menu_file.exists() and json.loads(menu_file.read_text(encoding="utf-8")), "the menu")
    print("    " + " | ".join(menu))
    for wanted in ("Take a break now", "This week…", "Settings…", "Start at login", "Quit"):
        assert wanted in menu, f"{wanted!r} is not in the menu: {menu}"
    assert any(item.startswith("Next reminder") for item in menu), menu
    assert sum(item.startswith("  ") for item in menu) >= 6, f"the snooze and pause submenus: {menu}"
    found = desktop.run(["xdotool", "search", "--onlyvisible", "--class", "^python\\.exe$"]).stdout.split()
    mx, my, mw, mh = max((absolute_geometry(desktop, w) for w in found), key=lambda g: g[3])
    # the pointer on "This week…" (about a third down), as a person reading the menu; the tooltip goes
    desktop.run(["xdotool", "mousemove", str(mx + mw // 2), str(my + mh * 37 // 100)])
    time.sleep(1.0)  # drawn
    with Image.open(desktop.screenshot(work / "screen.png")) as screen:
        screen.crop((mx - 24, 0, screen.width, my + mh + 24)).save(SHOTS / "lamp-and-menu.png")
    desktop.run(["xdotool", "key", "Escape"])
    desktop.run(["xdotool", "mousemove", "300", "500", "click", "1"])  # no window manager: a click elsewhere

    step("a second run is refused")
    second = rustlamp(env, "run", "--config", windows_path(config))
    assert second.returncode == 0 and "already running" in second.stdout, second

    step("status over the token channel")
    status = rustlamp(env, "status", "--json")
    assert status.returncode == 0, status
    reply = json.loads(status.stdout)
    assert reply["running"] is True and reply["next_reminder"], reply
    print(f"    {status.stdout.strip()}")

    step("autostart on and off (the Run key)")
    assert run_key(env) is None
    on = rustlamp(env, "autostart", "on")
    assert on.returncode == 0, on
    value = run_key(env)
    assert value is not None and "pythonw.exe" in value and "-m rustlamp" in value, value
    print(f"    Run\\rustlamp = {value}")
    assert "on" in rustlamp(env, "autostart", "status").stdout
    off = rustlamp(env, "autostart", "off")
    assert off.returncode == 0 and run_key(env) is None, off

    qt = qt_under_wine(env)
    asked = rustlamp(env, "break")
    assert asked.returncode == 0, asked
    lamp.wait_for(r"break requested")
    if qt.startswith("Qt loads"):
        step("a break window opens as a child process and is answered")
        window = until(lambda: visible_windows(desktop, "^A moment of rest$"), "the break window")[0]
        time.sleep(1.0)  # drawn
        desktop.screenshot(SHOTS / "break-window.png")
        desktop.run(["xdotool", "windowfocus", "--sync", window])
        desktop.run(["xdotool", "key", "--window", window, "Return"])
        lamp.wait_for(r"break outcome: done")
        journal = rustlamp(env, "journal", "export", "--format", "json")
        assert journal.returncode == 0, journal
        entries = json.loads(journal.stdout)
        assert any(e["kind"] == "break" and e["detail"].get("outcome") == "done" for e in entries), entries
    else:
        # The window process runs and answers through the contract; Qt is what cannot load here.
        step("a break window that cannot open says so, and the lamp carries on")
        lamp.wait_for(r"a window could not open: .*Qt could not be loaded")
        lamp.wait_for(r"the break window ended without an answer")
        status = json.loads(rustlamp(env, "status", "--json").stdout)
        assert status["break_open"] is False and status["next_reminder"], status
        print(f"    {qt}")

    step("quit over the token channel")
    quit_ = rustlamp(env, "quit")
    assert quit_.returncode == 0, quit_
    assert lamp.proc.wait(WAIT) == 0, lamp.output()

    step("the log: no traceback")
    log = (folder / "rustlamp.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log and "Traceback" not in lamp.output(), lamp.output()
    stubs = [line for line in log.splitlines() if " WARNING " in line]
    print("    what Wine's stubs made the lamp say:" + "".join(f"\n      {line}" for line in stubs))
    step("Qt (PySide6) under Wine")
    print("    " + qt)
    step("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
