"""Real Wayland desktops for tests, headless: sway 1.7 (swaybar, mako) so far.

Each desktop gets its own HOME and 0700 XDG_RUNTIME_DIR under a temporary folder, and its own private
session bus (tests/desktop.py's spawn_bus: no service activation, so the machine's own services cannot
take names the desktop should own). sway refuses to run as root: as root, it and everything inside it
run as "nobody" (setpriv); the tests talk to it as root, which may open the sockets of any user.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import struct
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from desktop import DesktopError, _stop_process, _tail, require_programs
from run_cli import RUSTLAMP

NOBODY = 65534
# No service activation (no <servicedir>): the machine's own services cannot take the desktop's names.
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={directory}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""
START_TIMEOUT = 20.0


def _as_desktop_user(args: Sequence[str]) -> list[str]:
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *args]


class WaylandDesktop:
    """What every headless Wayland desktop here shares: its folder, runtime dir, bus and processes."""

    def __init__(self, name: str, own_user: bool = False) -> None:
        """`own_user`: run the desktop as "nobody" when we are root (sway refuses root)."""
        self.name = name
        self.own_user = own_user and os.getuid() == 0
        self.directory = Path(tempfile.mkdtemp(prefix=f"rustlamp-{name}-"))
        os.chmod(self.directory, 0o755)
        self.runtime = self.directory / "runtime"
        self.home = self.directory / "home"
        self.runtime.mkdir(mode=0o700)
        self.home.mkdir()
        if self.own_user:
            for path in (self.runtime, self.home):
                os.chown(path, NOBODY, NOBODY)
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.env: dict[str, str] = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "XDG_RUNTIME_DIR": str(self.runtime),
            "XDG_SESSION_TYPE": "wayland",
            "LANG": "C.UTF-8",
            "NO_AT_BRIDGE": "1",
        }

    def install_desktop_entry(self) -> None:
        """rustlamp's desktop entry and hicolor icons (packaging/linux/) in a data folder of the desktop's
        XDG_DATA_DIRS, where a distribution package puts them in /usr/share: what the desktop matches
        rustlamp's windows with (their app id and WM_CLASS) to show its name and icon."""
        linux = Path(__file__).resolve().parents[1] / "packaging" / "linux"
        share = self.directory / "share"
        (share / "applications").mkdir(parents=True)
        shutil.copy(linux / "nl.rustlamp.Rustlamp.desktop", share / "applications")
        shutil.copytree(linux / "icons", share / "icons")
        self.env["XDG_DATA_DIRS"] = f"{share}:/usr/local/share:/usr/share"
        # GLib ignores an entry whose Exec program is not on the PATH: the installed rustlamp is on it, as
        # /usr/bin/rustlamp or pipx's ~/.local/bin/rustlamp is in a person's session
        self.env["PATH"] = f"{Path(RUSTLAMP).parent}:{self.env['PATH']}"

    def spawn(
        self, name: str, args: Sequence[str], env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        log = self.directory / f"{name}.log"
        with log.open("ab") as out:
            proc = subprocess.Popen(
                _as_desktop_user(args) if self.own_user else list(args),
                env={**self.env, **(env or {})},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.home,
                start_new_session=True,
            )
        self.processes[name] = proc
        return proc

    def log(self, name: str) -> str:
        path = self.directory / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def wait_for(self, ready: object, what: str, timeout: float = START_TIMEOUT) -> None:
        assert callable(ready)
        deadline = time.monotonic() + timeout
        while not ready():
            for name, proc in self.processes.items():
                if proc.poll() is not None:
                    raise DesktopError(
                        f"{name} exited ({proc.returncode}) while waiting for {what}:\n"
                        f"{_tail(self.directory / f'{name}.log')}"
                    )
            if time.monotonic() > deadline:
                raise DesktopError(f"{self.name}: {what} not within {timeout:g} s")
            time.sleep(0.05)

    def start_bus(self, kind: str = "session") -> None:
        """The desktop's own session bus (or a private stand-in for the system bus: `kind` "system"): it
        runs as us (root, say) and lets the desktop's user in."""
        bus_dir = self.directory / f"{kind}-bus"
        bus_dir.mkdir()
        config = bus_dir / "bus.conf"
        config.write_text(BUS_CONFIG.format(directory=bus_dir))
        proc, address = _bus_from(config, bus_dir)
        self.processes[f"{kind}-bus"] = proc
        self.env["DBUS_SESSION_BUS_ADDRESS" if kind == "session" else "DBUS_SYSTEM_BUS_ADDRESS"] = address

    def start_recorder(self) -> None:
        """Record every notification call and signal on the desktop's bus (tests/desktop.py's recorder)."""
        import sys

        self.record_file = self.directory / "notifications.jsonl"
        with self.record_file.open("wb") as out:
            self.processes["recorder"] = subprocess.Popen(
                [
                    sys.executable,
                    str(Path(__file__).with_name("desktop.py")),
                    "--record",
                    self.env["DBUS_SESSION_BUS_ADDRESS"],
                ],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.DEVNULL,
                env={**os.environ, **self.env},
                start_new_session=True,
            )
        self.wait_for(lambda: any(e["kind"] == "ready" for e in self.events()), "the notification recorder")

    def events(self, kind: str | None = None) -> list[dict[str, Any]]:
        path = getattr(self, "record_file", None)
        if path is None or not path.exists():
            return []
        found = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        return [e for e in found if kind is None or e["kind"] == kind]

    def stop(self) -> None:
        for proc in reversed(list(self.processes.values())):
            with contextlib.suppress(Exception):
                _stop_process(proc)
        self.processes.clear()
        shutil.rmtree(self.directory, ignore_errors=True)

    def run(
        self, args: Sequence[str], check: bool = True, timeout: float = 20
    ) -> subprocess.CompletedProcess[str]:
        """A client program inside this desktop (as root: the sockets let it in)."""
        return subprocess.run(
            list(args), env=self.env, capture_output=True, text=True, check=check, timeout=timeout
        )


def _bus_from(config: Path, directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    read_end, write_end = os.pipe()
    with (directory / "dbus-daemon.log").open("ab") as log_file:
        proc = subprocess.Popen(
            [
                "dbus-daemon",
                f"--config-file={config}",
                "--nofork",
                "--nopidfile",
                f"--print-address={write_end}",
            ],
            pass_fds=(write_end,),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    os.close(write_end)
    with os.fdopen(read_end) as ready:
        address = ready.readline().strip()
    if not address:
        raise DesktopError(f"dbus-daemon did not start:\n{_tail(directory / 'dbus-daemon.log')}")
    return proc, address


BTN_LEFT, BTN_RIGHT = 0x110, 0x111  # linux/input-event-codes.h
SHIFT = 0xFFE1  # XK_Shift_L
WIDTH, HEIGHT = 1280, 800


class VirtualPointer:
    """zwlr_virtual_pointer_v1 over our own Wayland wire client: a pointer the compositor believes."""

    # zwlr_virtual_pointer_manager_v1.create_virtual_pointer; zwlr_virtual_pointer_v1 requests
    CREATE, MOTION_ABSOLUTE, BUTTON, FRAME = 0, 1, 2, 4

    def __init__(self, socket: str) -> None:
        from rustlamp.desk.wayland_wire import WaylandConnection

        self.connection = WaylandConnection.connect(socket)
        seat, manager = (
            self.connection.find("wl_seat"),
            self.connection.find("zwlr_virtual_pointer_manager_v1"),
        )
        assert seat is not None and manager is not None, self.connection.globals
        seat_id = self.connection.bind(seat, 1)
        manager_id = self.connection.bind(manager, 1)
        self.pointer = self.connection.new_object()
        self.connection.send(manager_id, self.CREATE, struct.pack("=II", seat_id, self.pointer))
        self.time = 0

    def _send(self, opcode: int, *args: int) -> None:
        self.time += 1
        self.connection.send(self.pointer, opcode, struct.pack(f"={len(args) + 1}I", self.time, *args))
        self.connection.send(self.pointer, self.FRAME)

    def click(self, x: int, y: int, button: int) -> None:
        """Move there and let the client under the pointer hear of it before the press: swaybar acts on a
        button over the item it was told the pointer entered, and a press sent with the motion was lost."""
        self._send(self.MOTION_ABSOLUTE, x, y, WIDTH, HEIGHT)
        self.connection.roundtrip()
        time.sleep(0.3)
        self._send(self.BUTTON, button, 1)
        self.connection.roundtrip()
        time.sleep(0.1)
        self._send(self.BUTTON, button, 0)
        self.connection.roundtrip()

    def close(self) -> None:
        self.connection.close()


SWAY_CONFIG = """\
output HEADLESS-1 resolution 1280x800
default_border none
{extra}
"""


class Sway(WaylandDesktop):
    """sway 1.7 on wlroots' headless backend, drawn in software."""

    def __init__(self, extra_config: str = "") -> None:
        super().__init__("sway", own_user=True)
        self.extra_config = extra_config

    def start(self) -> Sway:
        require_programs(["sway", "setpriv"] if self.own_user else ["sway"])
        self.install_desktop_entry()
        config = self.directory / "sway.conf"
        config.write_text(SWAY_CONFIG.format(extra=self.extra_config))
        self.start_bus()
        self.env.update({"XDG_CURRENT_DESKTOP": "sway"})
        self.spawn(
            "sway",
            ["sway", "-c", str(config)],
            {"WLR_BACKENDS": "headless", "WLR_LIBINPUT_NO_DEVICES": "1", "WLR_RENDERER": "pixman"},
        )

        def sockets() -> bool:
            names = os.listdir(self.runtime)
            return any(n.startswith("wayland-") and not n.endswith(".lock") for n in names) and any(
                n.startswith("sway-ipc.") for n in names
            )

        self.wait_for(sockets, "sway's sockets")
        names = os.listdir(self.runtime)
        self.env["WAYLAND_DISPLAY"] = next(
            n for n in names if n.startswith("wayland-") and not n.endswith(".lock")
        )
        self.env["SWAYSOCK"] = str(self.runtime / next(n for n in names if n.startswith("sway-ipc.")))
        return self

    def swaymsg(self, *args: str) -> str:
        return self.run(["swaymsg", *args]).stdout

    def start_mako(self) -> None:
        """mako, sway's notification server, on the desktop's bus (it owns org.freedesktop.Notifications)."""
        config = self.home / ".config" / "mako" / "config"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text("default-timeout=0\n\n[mode=do-not-disturb]\ninvisible=1\n")
        self.spawn("mako", ["mako"])

        def owned() -> bool:
            found = self.run(
                ["busctl", "--user", "status", "org.freedesktop.Notifications"], check=False, timeout=5
            )
            return found.returncode == 0

        self.wait_for(owned, "mako on the bus")

    def allow_root_on_x(self) -> str:
        """Start sway's XWayland (lazily started by sway) and let root's X programs in (its X server admits
        only sway's user); returns the X display's name."""
        marker = self.home / "x-display"
        self.swaymsg(f"exec 'xhost +si:localuser:root >/dev/null; echo $DISPLAY > {marker}'")
        self.wait_for(lambda: marker.exists() and marker.read_text().strip() != "", "XWayland")
        display = marker.read_text().strip()
        self.env["DISPLAY"] = display
        return display

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.run(["grim", str(path)])
        return path

    def click(self, x: int, y: int, button: int = BTN_RIGHT) -> None:
        """A pointer click at (x, y) on the 1280x800 output, from a virtual pointer (wlr protocol)."""
        pointer = VirtualPointer(str(self.runtime / self.env["WAYLAND_DISPLAY"]))
        try:
            pointer.click(x, y, button)
        finally:
            pointer.close()

    def type_key(self, key: str = "Shift_L") -> None:
        """Input from a virtual keyboard (wtype): the compositor counts it as someone at the desk."""
        self.run(["wtype", "-k", key])

    @contextlib.contextmanager
    def keyboard(self) -> Iterator[None]:
        """A keyboard in the seat meanwhile, as every real session has: on the headless backend there is
        none but a virtual one, and a window binds a keyboard only while the seat has one, so the keys
        of a short-lived wtype alone would reach no window. (A wtype that only waits holds one.)"""
        held = subprocess.Popen(["wtype", "-s", "3600000"], env=self.env, stdin=subprocess.DEVNULL)

        def has_keyboard() -> bool:
            inputs = json.loads(self.swaymsg("-t", "get_inputs") or "[]")
            return any(device.get("type") == "keyboard" for device in inputs)

        try:
            self.wait_for(has_keyboard, "a keyboard in sway's seat")
            yield
        finally:
            _stop_process(held)


@contextlib.contextmanager
def sway(extra_config: str = "") -> Iterator[Sway]:
    desktop = Sway(extra_config)
    try:
        yield desktop.start()
    finally:
        desktop.stop()


KACTIVITYMANAGERD = "/usr/lib/x86_64-linux-gnu/libexec/kactivitymanagerd"


class Plasma(WaylandDesktop):
    """KDE Plasma 5.27: kwin_wayland on a virtual framebuffer with XWayland, and plasmashell in it."""

    def __init__(self) -> None:
        super().__init__("plasma")

    def start(self) -> Plasma:
        require_programs(["kwin_wayland", "plasmashell"])
        # The installed kwin_wayland has file capabilities (cap_sys_resource) that a container may refuse
        # to execute; a copy without them runs the same.
        kwin = self.directory / "kwin_wayland"
        shutil.copyfile(shutil.which("kwin_wayland") or "/usr/bin/kwin_wayland", kwin)
        kwin.chmod(0o755)
        self.install_desktop_entry()
        self.start_bus()
        # KWin lets a program take screenshots when a desktop file of its executable says so: this
        # Python's, for the tests' own screenshots.
        applications = self.home / ".local" / "share" / "applications"
        applications.mkdir(parents=True)
        (applications / "rustlamp-tests-screenshot.desktop").write_text(
            "[Desktop Entry]\nType=Application\nName=rustlamp tests\nNoDisplay=true\n"
            f"Exec={os.path.realpath('/proc/self/exe')}\n"
            "X-KDE-DBUS-Restricted-Interfaces=org.kde.KWin.ScreenShot2\n"
        )
        self.env.update(
            {
                "XDG_CURRENT_DESKTOP": "KDE",
                "KDE_FULL_SESSION": "true",
                "KDE_SESSION_VERSION": "5",
                "KWIN_WAYLAND_NO_PERMISSION_CHECKS": "1",  # lets the tests' fake input in
                "QT_QPA_PLATFORM": "wayland",
            }
        )
        self.spawn(
            "kwin",
            [str(kwin), "--virtual", "--xwayland", "--socket", "wayland-kde", "--width", str(WIDTH),
             "--height", str(HEIGHT), "--no-lockscreen"],
            {"QT_LOGGING_RULES": "kwin_scripting=true"},  # what the tests' KWin scripts print
        )  # fmt: skip
        self.wait_for(lambda: (self.runtime / "wayland-kde").exists(), "kwin_wayland's socket")
        self.env["WAYLAND_DISPLAY"] = "wayland-kde"
        # kded5 serves the StatusNotifierWatcher (a kded module); plasmashell's tray is the host, and its
        # notifications applet the notification server. A real session starts kded5 first, too.
        self.spawn("kded5", ["kded5"])
        self.spawn("kactivitymanagerd", [KACTIVITYMANAGERD])  # plasmashell refuses to load without it
        self.spawn("plasmashell", ["plasmashell"])
        return self

    def busctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run(["busctl", "--user", *args], check=check)

    def restart(self, name: str, args: Sequence[str]) -> None:
        proc = self.processes.pop(name)
        _stop_process(proc)
        self.spawn(name, args)

    def screenshot(self, path: Path) -> Path:
        """The whole screen through KWin's own screenshot interface (org.kde.KWin.ScreenShot2)."""
        import asyncio

        from PIL import Image

        path.parent.mkdir(parents=True, exist_ok=True)
        width, height, stride, data = asyncio.run(_kwin_capture(self.env["DBUS_SESSION_BUS_ADDRESS"]))
        # QImage::Format_ARGB32(_Premultiplied) / RGB32: B, G, R, A bytes on a little-endian machine
        image = Image.frombuffer("RGBA", (width, height), data, "raw", "BGRA", stride, 1)
        image.convert("RGB").save(path)
        return path

    def windows(self) -> list[dict[str, str]]:
        """Every window as KWin knows it (a KWin script run through org.kde.kwin.Scripting prints each
        one's caption, WM_CLASS and desktop file name, which Plasma's task manager takes the name and icon
        from), read back from KWin's log."""
        mark = f"rustlamp-tests-{time.monotonic_ns()}"
        script = self.directory / f"{mark}.js"
        script.write_text(
            "workspace.clientList().forEach(function (c) { print('" + mark + " ' + JSON.stringify("
            "{caption: c.caption, resourceClass: String(c.resourceClass), desktopFileName: "
            "String(c.desktopFileName), active: c.active})); });\n"
        )
        loaded = self.busctl(
            "call", "org.kde.KWin", "/Scripting", "org.kde.kwin.Scripting", "loadScript", "ss",
            str(script), mark,
        )  # fmt: skip
        assert loaded.stdout.split()[1] != "-1", loaded.stdout
        self.busctl("call", "org.kde.KWin", "/Scripting", "org.kde.kwin.Scripting", "start")  # runs it
        deadline = time.monotonic() + 5
        while mark not in self.log("kwin") and time.monotonic() < deadline:
            time.sleep(0.05)
        self.busctl("call", "org.kde.KWin", "/Scripting", "org.kde.kwin.Scripting", "unloadScript", "s", mark)
        return [
            json.loads(line.split(mark, 1)[1])
            for line in self.log("kwin").splitlines()
            if mark in line and "{" in line
        ]

    def fake_input(self) -> FakeInput:
        return FakeInput(str(self.runtime / self.env["WAYLAND_DISPLAY"]))


async def _kwin_capture(address: str) -> tuple[int, int, int, bytes]:
    import asyncio

    from dbus_fast import Message, MessageType
    from dbus_fast.aio import MessageBus

    bus = await MessageBus(bus_address=address, negotiate_unix_fd=True).connect()
    read_end, write_end = os.pipe()
    try:
        reading = asyncio.get_running_loop().run_in_executor(None, _read_all, read_end)
        reply = await bus.call(
            Message(
                destination="org.kde.KWin",
                path="/org/kde/KWin/ScreenShot2",
                interface="org.kde.KWin.ScreenShot2",
                member="CaptureWorkspace",
                signature="a{sv}h",
                body=[{}, 0],
                unix_fds=[write_end],
            )
        )
        os.close(write_end)
        write_end = -1
        assert reply is not None and reply.message_type == MessageType.METHOD_RETURN, reply and reply.body
        results = {k: v.value for k, v in reply.body[0].items()}
        data = await reading
        return int(results["width"]), int(results["height"]), int(results["stride"]), data
    finally:
        if write_end >= 0:
            os.close(write_end)
        bus.disconnect()


def _read_all(fd: int) -> bytes:
    with os.fdopen(fd, "rb") as pipe:
        return pipe.read()


class FakeInput:
    """KWin's org_kde_kwin_fake_input over our own Wayland wire client (KWIN_WAYLAND_NO_PERMISSION_CHECKS
    lets a test in): pointer and keys the compositor believes."""

    AUTHENTICATE, POINTER_MOTION, BUTTON, POINTER_MOTION_ABSOLUTE, KEYBOARD_KEY = 0, 1, 2, 9, 10

    def __init__(self, socket: str) -> None:
        from rustlamp.desk.wayland_wire import WaylandConnection, string_arg

        self.connection = WaylandConnection.connect(socket)
        found = self.connection.find("org_kde_kwin_fake_input")
        assert found is not None, self.connection.globals
        self.input = self.connection.bind(found, 4)
        self.connection.send(
            self.input, self.AUTHENTICATE, string_arg("rustlamp tests") + string_arg("tests")
        )

    def move(self, x: int, y: int) -> None:
        self.connection.send(self.input, self.POINTER_MOTION_ABSOLUTE, struct.pack("=ii", x * 256, y * 256))
        self.connection.roundtrip()

    def click(self, x: int, y: int, button: int = BTN_LEFT) -> None:
        """Move there, let the pointer settle (Qt Quick acts on a press only over a hovered item), click."""
        self.move(x, y)
        time.sleep(0.3)
        self.connection.send(self.input, self.BUTTON, struct.pack("=II", button, 1))
        self.connection.roundtrip()
        time.sleep(0.1)
        self.connection.send(self.input, self.BUTTON, struct.pack("=II", button, 0))
        self.connection.roundtrip()

    def key(self, code: int = 42) -> None:
        """A key press and release (evdev code; 42 is left Shift)."""
        self.connection.send(self.input, self.KEYBOARD_KEY, struct.pack("=II", code, 1))
        self.connection.send(self.input, self.KEYBOARD_KEY, struct.pack("=II", code, 0))
        self.connection.roundtrip()

    def close(self) -> None:
        self.connection.close()


@contextlib.contextmanager
def plasma() -> Iterator[Plasma]:
    desktop = Plasma()
    try:
        yield desktop.start()
    finally:
        desktop.stop()


APPINDICATOR_UUID = "ubuntu-appindicators@ubuntu.com"  # Debian's gnome-shell-extension-appindicator


class Gnome(WaylandDesktop):
    """GNOME Shell 43, headless on Wayland with a virtual monitor, the AppIndicator extension on (as
    Ubuntu ships it). Settings live in a key file (GSETTINGS_BACKEND=keyfile): there is no dconf
    service to activate on the private bus; gsettings run with the desktop's environment reads and
    writes the same file, and the shell follows changes to it."""

    def __init__(self) -> None:
        # as root the shell shows "Logged in as a privileged user" over everything: run it as nobody
        super().__init__("gnome", own_user=True)

    def start(self) -> Gnome:
        require_programs(["gnome-shell", "gsettings"])
        self.install_desktop_entry()
        self.start_bus()
        self.start_bus("system")  # the shell insists on a system bus; an empty private one will do
        settings = self.home / ".config" / "glib-2.0" / "settings"
        settings.mkdir(parents=True)
        (settings / "keyfile").write_text(
            "[org/gnome/shell]\n"
            f"enabled-extensions=['{APPINDICATOR_UUID}']\n"
            "disable-user-extensions=false\n"
            "welcome-dialog-last-shown-version='999'\n"
            # without GDM there is no screen lock, and the shell would say so over everything
            "[org/gnome/desktop/lockdown]\n"
            "disable-lock-screen=true\n"
        )
        if self.own_user:
            for path in [settings, *settings.parents]:
                if path == self.home:
                    break
                os.chown(path, NOBODY, NOBODY)
            os.chown(settings / "keyfile", NOBODY, NOBODY)
        self.env.update(
            {
                "XDG_CURRENT_DESKTOP": "GNOME",
                "XDG_SESSION_DESKTOP": "gnome",
                "GSETTINGS_BACKEND": "keyfile",
                "WAYLAND_DISPLAY": "wayland-gnome",
            }
        )
        self.spawn(
            "gnome-shell",
            ["gnome-shell", "--headless", "--wayland", "--no-x11", "--wayland-display", "wayland-gnome",
             "--virtual-monitor", f"{WIDTH}x{HEIGHT}"],
        )  # fmt: skip
        self.wait_for(lambda: (self.runtime / "wayland-gnome").exists(), "gnome-shell's socket", timeout=60)
        return self

    def gsettings(self, *args: str) -> str:
        """gsettings as the desktop's user: the key file it rewrites must stay the shell's to read."""
        command = ["gsettings", *args]
        return self.run(_as_desktop_user(command) if self.own_user else command).stdout.strip()

    def call(self, dest: str, path: str, method: str, *args: str, timeout: float = 10) -> str:
        """gdbus call on the desktop's bus; its printed reply."""
        return self.run(
            ["gdbus", "call", "--session", "--dest", dest, "--object-path", path, "--method", method, *args],
            timeout=timeout,
        ).stdout.strip()

    def screenshot(self, path: Path) -> Path:
        """The whole screen through the shell's own screenshot interface. The shell lets only a few bus
        names take screenshots (GNOME Screenshot's among them): the test's connection takes that name."""
        import asyncio

        path.parent.mkdir(parents=True, exist_ok=True)
        taken = self.home / path.name  # the shell writes it, as the desktop's user
        asyncio.run(_gnome_screenshot(self.env["DBUS_SESSION_BUS_ADDRESS"], taken))
        shutil.move(taken, path)
        return path

    def windows(self) -> list[dict[str, Any]]:
        """Every window as the shell sees it (GetWindows): app-id, title, wm-class, has-focus..."""
        import asyncio

        return list(asyncio.run(_gnome_windows(self.env["DBUS_SESSION_BUS_ADDRESS"])).values())

    def press_key(self, keycode: int = 42) -> None:
        """A key press and release through Mutter's remote desktop (evdev code; 42 is left Shift)."""
        import asyncio

        asyncio.run(
            _remote_desktop(
                self.env["DBUS_SESSION_BUS_ADDRESS"],
                ("NotifyKeyboardKeycode", "ub", [keycode, True]),
                ("NotifyKeyboardKeycode", "ub", [keycode, False]),
            )
        )

    def type_key(self, keysym: int) -> None:
        """A key typed into the focused window (an X keysym, 0xFF1B is Escape) through Mutter's remote
        desktop. This headless shell has no keyboard but the session's virtual one: windows bind a
        keyboard only once it is there, so a Shift goes first and the key a moment later, before the
        device goes again (press_key's keys reach the shell, never a window)."""
        import asyncio

        asyncio.run(
            _remote_desktop(
                self.env["DBUS_SESSION_BUS_ADDRESS"],
                ("NotifyKeyboardKeysym", "ub", [SHIFT, True]),
                ("NotifyKeyboardKeysym", "ub", [SHIFT, False]),
                ("NotifyKeyboardKeysym", "ub", [keysym, True]),
                ("NotifyKeyboardKeysym", "ub", [keysym, False]),
                pause=0.5,
            )
        )

    def point_at(self, x: int, y: int) -> None:
        """Move the pointer to (x, y) through Mutter's remote desktop: its absolute motion needs a screen
        cast stream (PipeWire), so relative motion: far down-right (the pointer stops in the corner; the
        top-left one would open the overview), then back to (x, y); virtual devices get no acceleration."""
        import asyncio

        asyncio.run(
            _remote_desktop(
                self.env["DBUS_SESSION_BUS_ADDRESS"],
                ("NotifyPointerMotionRelative", "dd", [4.0 * WIDTH, 4.0 * HEIGHT]),
                ("NotifyPointerMotionRelative", "dd", [float(x - WIDTH + 1), float(y - HEIGHT + 1)]),
            )
        )

    def click(self, button: int = BTN_LEFT) -> None:
        """A press and release of a pointer button where the pointer is (Mutter's remote desktop). While
        the session lasts the top bar shows GNOME's remote-access button left of the system menu, which
        moves the lamp left: a click on the lamp must find it in a picture taken during a session."""
        import asyncio

        asyncio.run(
            _remote_desktop(
                self.env["DBUS_SESSION_BUS_ADDRESS"],
                ("NotifyPointerButton", "ib", [button, True]),
                ("NotifyPointerButton", "ib", [button, False]),
            )
        )

    def start_notifications(self) -> None:
        """GNOME's notification server for other programs (org.freedesktop.Notifications), which the
        session starts on demand through D-Bus activation; the private bus has none, so it is started."""
        self.spawn("notifications", ["gjs", "/usr/share/gnome-shell/org.gnome.Shell.Notifications"])


async def _remote_desktop(address: str, *steps: tuple[str, str, list[Any]], pause: float = 0.0) -> None:
    """A Mutter remote-desktop session (the shell's own way to take input from outside), the given
    Notify* calls in it (`pause` seconds after each), and its end; the session lives as long as the
    connection that made it."""
    import asyncio

    from dbus_fast import Message, MessageType
    from dbus_fast.aio import MessageBus

    bus = await MessageBus(bus_address=address).connect()

    async def call(
        path: str, interface: str, member: str, signature: str = "", body: list[Any] | None = None
    ) -> Any:
        reply = await bus.call(
            Message(destination="org.gnome.Mutter.RemoteDesktop", path=path, interface=interface,
                    member=member, signature=signature, body=body or [])
        )  # fmt: skip
        assert reply is not None and reply.message_type == MessageType.METHOD_RETURN, reply and reply.body
        return reply.body

    try:
        (session,) = await call(
            "/org/gnome/Mutter/RemoteDesktop", "org.gnome.Mutter.RemoteDesktop", "CreateSession"
        )
        interface = "org.gnome.Mutter.RemoteDesktop.Session"
        await call(session, interface, "Start")
        for member, signature, body in steps:
            await call(session, interface, member, signature, body)
            await asyncio.sleep(pause)
        await call(session, interface, "Stop")
    finally:
        bus.disconnect()


async def _gnome_windows(address: str) -> dict[int, dict[str, Any]]:
    """The shell's own list of windows (org.gnome.Shell.Introspect GetWindows: the app it tracks each
    window to, its title, WM_CLASS or app id); the shell answers only a few bus names, a portal's among
    them, which the test's connection takes."""
    from dbus_fast import Message, MessageType
    from dbus_fast.aio import MessageBus

    bus = await MessageBus(bus_address=address).connect()
    try:
        await bus.request_name("org.freedesktop.impl.portal.desktop.gtk")
        reply = await bus.call(
            Message(destination="org.gnome.Shell", path="/org/gnome/Shell/Introspect",
                    interface="org.gnome.Shell.Introspect", member="GetWindows")
        )  # fmt: skip
        assert reply is not None and reply.message_type == MessageType.METHOD_RETURN, reply and reply.body
        return {int(k): {name: v.value for name, v in w.items()} for k, w in reply.body[0].items()}
    finally:
        bus.disconnect()


async def _gnome_screenshot(address: str, path: Path) -> None:
    from dbus_fast import Message, MessageType
    from dbus_fast.aio import MessageBus

    bus = await MessageBus(bus_address=address).connect()
    try:
        await bus.request_name("org.gnome.Screenshot")
        reply = await bus.call(
            Message(
                destination="org.gnome.Shell.Screenshot",
                path="/org/gnome/Shell/Screenshot",
                interface="org.gnome.Shell.Screenshot",
                member="Screenshot",
                signature="bbs",
                body=[False, False, str(path)],
            )
        )
        assert reply is not None and reply.message_type == MessageType.METHOD_RETURN, reply and reply.body
        assert reply.body[0] is True, reply.body
    finally:
        bus.disconnect()


@contextlib.contextmanager
def gnome() -> Iterator[Gnome]:
    desktop = Gnome()
    try:
        yield desktop.start()
    finally:
        desktop.stop()
