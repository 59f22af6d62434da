"""Take the README's screenshots with the installed app in the real headless test desktop.

    .venv/bin/python assets/make_screenshots.py [--out assets] [--language de] [--scheme dark]

For each language (Dutch, English) it starts `rustlamp run` in tests/desktop.py's desktop (Xvfb, a private
bus, dunst, and gtk-sni-tray-standalone as the panel) and photographs, each cropped to its own window:
the reminder as dunst draws it, the lamp's menu while running, while reminders are paused and while the
next reminder is snoozed, the break window, the check-in, the settings window and this week (with the
break just taken); docs/windows.md shows them in Dutch, English and German, light and dark (--out
docs/shots). dunst draws a notification's buttons only in its context menu, so the notification is shown
as drawn (the README names the buttons). The sentences are rustlamp's own, chosen at random as always, so
they change from run to run. The pictures are reduced to a palette and optimised, so they stay small.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from app_process import RunningApp  # noqa: E402  (the tests' own harness)
from desktop import DesktopSession  # noqa: E402
from run_cli import RUSTLAMP, rustlamp  # noqa: E402

T = TypeVar("T")
LANGUAGES = ("nl", "en")
SCHEME: dict[str, str] = {}  # the windows' colour scheme when asked for (the test desktop tells Qt none)

# Active all day, every day. The first run has reminders 10 s apart so one comes soon; the second has
# them 45 minutes apart, so nothing comes by itself while the menus and windows are photographed.
CONFIG = """language = "{language}"
[reminders]
every = "{every}"
start = "00:00"
end = "00:00"
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
"""

WORKING_DAY = """language = "{language}"
[reminders]
every = "45 min"
start = "08:30"
end = "17:30"
days = ["mon", "tue", "wed", "thu", "fri"]
"""


def poll(produce: Callable[[], T | None], timeout: float, what: str) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = produce()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:g} s")
        time.sleep(0.1)


class Camera:
    def __init__(self, desktop: DesktopSession, work: Path, out: Path) -> None:
        self.desktop = desktop
        self.work = work
        self.out = out
        self.saved: list[Path] = []
        self._count = 0

    def capture(self, window: str) -> Image.Image:
        self._count += 1
        path = self.work / f"capture-{self._count}.png"
        self.desktop.run(["import", "-window", window, str(path)])
        with Image.open(path) as image:
            return image.convert("RGB")

    def windows(self) -> set[str]:
        found = self.desktop.run(["xdotool", "search", "--onlyvisible", "--name", ".*"], check=False)
        return set(found.stdout.split())

    def new_window(self, known: set[str], min_height: int, what: str) -> str:
        """The biggest new window once its size holds still (menus and Qt windows settle after mapping)."""
        last: list[tuple[str, tuple[int, int, int, int]]] = []

        def settled() -> str | None:
            new = [(w, self.desktop.window_geometry(w)) for w in self.windows() - known]
            big = [(w, g) for w, g in new if g[3] >= min_height]
            if not big:
                return None
            biggest = max(big, key=lambda wg: wg[1][2] * wg[1][3])
            stable = bool(last) and last[-1] == biggest
            last.append(biggest)
            return biggest[0] if stable else None

        return poll(settled, 15, what)

    def save(self, picture: Image.Image, name: str) -> None:
        suffix = "-dark" if SCHEME.get("RUSTLAMP_COLOR_SCHEME") == "dark" else ""
        path = self.out / f"{name}{suffix}.png"
        # a palette of 128 colours keeps text sharp and the file a few KB
        picture.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
        self.saved.append(path)
        print(f"{path}: {picture.size[0]}x{picture.size[1]}, {path.stat().st_size} bytes")


def start_app(desktop: DesktopSession, home: Path, language: str, every: str) -> RunningApp:
    """`rustlamp run` with its settings where a person has them (~/.config/rustlamp/config.toml), as
    the settings window then says."""
    config_home = home / ".config"
    (config_home / "rustlamp").mkdir(parents=True)
    config = config_home / "rustlamp" / "config.toml"
    config.write_text(CONFIG.format(language=language, every=every), encoding="utf-8")
    return RunningApp(home, desktop.env, None, {"XDG_CONFIG_HOME": str(config_home), **SCHEME})


def notification(camera: Camera, home: Path, language: str) -> None:
    desktop = camera.desktop
    desktop.close_all()
    desktop.clear_recorded()
    app = start_app(desktop, home, language, "10s")
    try:
        desktop.wait_for_notification(lambda n: bool(n["actions"]), timeout=30)
        time.sleep(0.5)  # dunst draws
        found = desktop.run(["xdotool", "search", "--onlyvisible", "--class", "^Dunst$"]).stdout.split()
        camera.save(camera.capture(found[0]), f"screenshot-notification-{language}")
    finally:
        app.stop()
        desktop.close_all()


def lamp_position(camera: Camera, bar: str, empty: Image.Image) -> tuple[int, int]:
    x, y, _, _ = camera.desktop.window_geometry(bar)

    def icon() -> tuple[int, int, int, int] | None:
        box = ImageChops.difference(empty, camera.capture(bar)).getbbox()
        return box if box is not None and box[2] - box[0] >= 16 else None

    left, top, right, bottom = poll(icon, 15, "the lamp in the panel")
    return x + (left + right) // 2, y + (top + bottom) // 2


def menu(camera: Camera, at: tuple[int, int], name: str) -> None:
    desktop = camera.desktop
    desktop.run(["xdotool", "mousemove", "10", "10"])
    time.sleep(0.5)  # the lamp's tooltip goes, the state reaches the panel
    known = camera.windows()
    desktop.run(["xdotool", "mousemove", str(at[0]), str(at[1]), "click", "3"])
    window = camera.new_window(known, 60, "the lamp's menu")
    desktop.run(["xdotool", "mousemove", "10", "10"])  # no row highlighted
    time.sleep(0.5)
    camera.save(camera.capture(window), name)
    desktop.run(["xdotool", "key", "Escape"])
    poll(lambda: True if not (camera.windows() - known) else None, 5, "the menu closing")


def window_of_command(
    camera: Camera, env: dict[str, str], command: list[str], name: str, close: str, *keys: str
) -> None:
    """Open a window with `rustlamp COMMAND`, press `keys` in it, photograph it and close it with the
    key `close`."""
    known = camera.windows()
    # with no lamp running, the command shows the window itself and returns when it closes
    process = subprocess.Popen([RUSTLAMP, *command], env=env, stdout=subprocess.DEVNULL)
    window = camera.new_window(known, 100, f"the window of `rustlamp {' '.join(command)}`")
    if keys:
        camera.desktop.run(["xdotool", "windowfocus", "--sync", window, "key", "--delay", "100", *keys])
    time.sleep(1.0)  # fonts, focus ring and the first paint
    camera.save(camera.capture(window), name)
    camera.desktop.run(["xdotool", "windowfocus", "--sync", window, "key", close])
    poll(lambda: True if window not in camera.windows() else None, 10, f"{name} closing on {close}")
    process.wait(10)


def lamp_and_windows(camera: Camera, home: Path, language: str, bar: str, empty: Image.Image) -> None:
    app = start_app(camera.desktop, home, language, "45m")
    try:
        app.wait_for_output(r"tray: The lamp is in the panel")
        at = lamp_position(camera, bar, empty)
        menu(camera, at, f"screenshot-menu-running-{language}")
        rustlamp(["pause", "2h"], app.env)
        menu(camera, at, f"screenshot-menu-paused-{language}")
        rustlamp(["resume"], app.env)
        rustlamp(["snooze", "30m"], app.env)
        menu(camera, at, f"screenshot-menu-snoozed-{language}")
        window_of_command(camera, app.env, ["break"], f"screenshot-break-{language}", "Return")
        window_of_command(camera, app.env, ["check-in"], f"screenshot-checkin-{language}", "Escape")
    finally:
        app.stop()
    # The settings window shows a working day's settings (with no lamp running, the command opens it
    # itself); its reminders' tab says the most about what rustlamp does.
    settings = Path(app.env["XDG_CONFIG_HOME"]) / "rustlamp" / "config.toml"
    settings.write_text(WORKING_DAY.format(language=language), encoding="utf-8")
    window_of_command(camera, app.env, ["settings"], f"screenshot-settings-{language}", "Escape", "ctrl+Tab")
    # this week, with the rest moment of the break just taken
    window_of_command(camera, app.env, ["journal", "week"], f"screenshot-week-{language}", "Escape")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=ROOT / "assets", help="where the PNGs go")
    parser.add_argument(
        "--language",
        action="append",
        dest="languages",
        help="only this language (may be given more than once); the README's are Dutch and English",
    )
    parser.add_argument(
        "--scheme",
        choices=("light", "dark"),
        help="the windows' colours as on a desktop in this scheme (dark pictures end in -dark)",
    )
    args = parser.parse_args()
    if args.scheme:
        SCHEME["RUSTLAMP_COLOR_SCHEME"] = args.scheme
    args.out.mkdir(parents=True, exist_ok=True)
    with DesktopSession() as desktop, tempfile.TemporaryDirectory(prefix="rustlamp-shots-") as tmp:
        work = Path(tmp)
        camera = Camera(desktop, work, args.out.resolve())
        bar = desktop.start_sni_tray()
        time.sleep(0.5)  # GTK draws the empty bar once
        empty = camera.capture(bar)
        for language in args.languages or LANGUAGES:
            for step in ("notification", "lamp"):
                home = work / f"{language}-{step}"
                home.mkdir()
                if step == "notification":
                    notification(camera, home, language)
                else:
                    lamp_and_windows(camera, home, language, bar, empty)
        total = sum(path.stat().st_size for path in camera.saved)
        print(f"{len(camera.saved)} screenshots, {total // 1024} KB in all")


if __name__ == "__main__":
    main()
