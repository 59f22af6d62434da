"""macOS: the menu-bar icon owns the main thread and the app's loop runs beside it. Run here in a fresh
interpreter with the main-thread rule switched on and a stand-in for pystray's icon (pystray's dummy
backend cannot run a loop): the app starts in its thread, hands its icon to the main thread, and Quit
from the menu ends both."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from run_cli import private_env

SCRIPT = """
import asyncio, sys, threading
from pathlib import Path
from rustlamp.tray import pystray_tray
pystray_tray._needs_main_thread = lambda: True   # as on macOS

class StandInIcon:  # runs a loop until stop(), calls setup from a thread of its own, as pystray's icons do
    def __init__(self, image, title, menu):
        self.visible, self.stopped = False, threading.Event()
    def run(self, setup):
        print("icon loop on:", threading.current_thread().name, flush=True)
        threading.Thread(target=setup, args=(self,)).start()
        self.stopped.wait(30)
    def stop(self):
        self.stopped.set()

pystray_tray.PystrayTray._make_icon = lambda self, image, title, menu: StandInIcon(image, title, menu)
from rustlamp import cli
from rustlamp.core.clock import SystemClock
from rustlamp.runtime import App
from rustlamp.settings_source import SettingsSource

app = App(SettingsSource(Path(sys.argv[1]), True), SystemClock())
original = app._start_tray

async def start_then_quit() -> None:
    await original()
    print("tray:", app.tray.backend, flush=True)
    app.on_tray_action("quit")   # as if Quit were clicked in the menu

app._start_tray = start_then_quit
print("exit", cli._run_beside_the_menu_bar(app))
"""


def test_the_app_runs_beside_a_main_thread_tray_and_quits_from_its_menu(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('language = "en"\n', encoding="utf-8")
    env = private_env(
        tmp_path, {"PYSTRAY_BACKEND": "dummy", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent"}
    )
    env.pop("DISPLAY", None)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(config)], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "icon loop on: MainThread" in result.stdout
    assert "tray: pystray" in result.stdout
    assert result.stdout.strip().endswith("exit 0")
