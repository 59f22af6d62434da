"""Real Wayland desktops for tests, headless: sway 1.7 (swaybar, mako) so far.

Each desktop gets its own HOME and 0700 XDG_RUNTIME_DIR under a temporary folder, and its own private
session bus (tests/desktop.py's spawn_bus: no service activation, so the machine's own services cannot
take names the desktop should own). sway refuses to run as root: as root, it and everything inside it
run as "nobody" (setpriv); the tests talk to it as root, which may open the sockets of any user.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import struct
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from desktop import DesktopError, _stop_process, _tail, require_programs

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
    if os.getuid() != 0:
        return list(args)
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *args]


class WaylandDesktop:
    """What every headless Wayland desktop here shares: its folder, runtime dir, bus and processes."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.directory = Path(tempfile.mkdtemp(prefix=f"rustlamp-{name}-"))
        os.chmod(self.directory, 0o755)
        self.runtime = self.directory / "runtime"
        self.home = self.directory / "home"
        self.runtime.mkdir(mode=0o700)
        self.home.mkdir()
        if os.getuid() == 0:
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

    def spawn(
        self, name: str, args: Sequence[str], env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        log = self.directory / f"{name}.log"
        with log.open("ab") as out:
            proc = subprocess.Popen(
                _as_desktop_user(args),
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

    def start_bus(self) -> None:
        """The desktop's own session bus: it runs as us (root, say) and lets the desktop's user in."""
        bus_dir = self.directory / "bus"
        bus_dir.mkdir()
        config = bus_dir / "bus.conf"
        config.write_text(BUS_CONFIG.format(directory=bus_dir))
        proc, address = _bus_from(config, bus_dir)
        self.processes["dbus"] = proc
        self.env["DBUS_SESSION_BUS_ADDRESS"] = address

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
        self._send(self.MOTION_ABSOLUTE, x, y, WIDTH, HEIGHT)
        self._send(self.BUTTON, button, 1)
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
        super().__init__("sway")
        self.extra_config = extra_config

    def start(self) -> Sway:
        require_programs(["sway", "setpriv"] if os.getuid() == 0 else ["sway"])
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
def sway(extra_config: str = "") -> Iterator[Sway]:
    desktop = Sway(extra_config)
    try:
        yield desktop.start()
    finally:
        desktop.stop()
