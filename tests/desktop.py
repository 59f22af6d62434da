"""A throwaway but real X desktop for tests on a headless machine.

DesktopSession starts, each on its own and each waited for:
  Xvfb (a free display), a private D-Bus session bus (no service activation), a recorder that
  monitors that bus and writes every org.freedesktop.Notifications call and signal as a JSON line,
  dunst (the notification daemon, with a picker standing in for dmenu so a test can press buttons),
  and trayer (an XEmbed tray host).
Nothing here touches the person's own display, bus or files: `env` points the app at this session
and at private XDG directories.

Run as a script (`python desktop.py --record ADDRESS`) this file is the recorder itself.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

READY_TIMEOUT = 10.0  # seconds each part of the desktop gets to come up
SCREEN = "1280x800x24"

# Program -> the Debian package that ships it.
REQUIRED_PROGRAMS = {
    "Xvfb": "xvfb",
    "dbus-daemon": "dbus",
    "dbus-send": "dbus",  # dunstctl is a shell script around it
    "dunst": "dunst",
    "dunstctl": "dunst",
    "trayer": "trayer",
    "xdotool": "xdotool",
    "import": "imagemagick",
}

# A session bus like Debian's session.conf, but without <standard_session_servicedirs/>: with service
# activation a call to org.freedesktop.Notifications before our dunst owns the name would make the bus
# spawn a second dunst of its own (one we did not start and could not stop), and a "bare" bus would
# start one instead of having no notification service.
_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={directory}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

# dunst pipes one line per action to its "dmenu": "#Label (summary) [id,key]". The picker prints the
# first line that contains every line of the action file, or nothing (dunst then presses nothing), and
# keeps what it was offered so a failing test can show it.
_PICKER = """#!/bin/sh
offered=$(cat)
printf '%s\\n' "$offered" >{offered}
chosen=$(printf '%s\\n' "$offered")
while IFS= read -r needle; do
    [ -n "$needle" ] || continue
    chosen=$(printf '%s\\n' "$chosen" | grep -F -- "$needle")
done <{wanted}
printf '%s\\n' "$chosen" | head -n 1
"""

_DUNSTRC = """[global]
    dmenu = {picker}
    history_length = 100
    notification_limit = 0
    # never treat the (input-less) test display as an idle person
    idle_threshold = 0
    sort = yes
    mouse_left_click = do_action, close_current
    startup_notification = false
    # Said explicitly, as Debian's own dunstrc does: dunst 1.9 with no markup line still draws the
    # body as markup but does not advertise "body-markup", so a client cannot know to escape it.
    markup = full

[urgency_low]
    timeout = 0
[urgency_normal]
    timeout = 0
[urgency_critical]
    timeout = 0

# Tests read notifications at their own pace: nothing disappears by itself, even when the
# sender asks for an expiry time (the recorder still shows what it asked for).
[tests_keep_everything]
    summary = "*"
    timeout = 0
"""


class DesktopError(RuntimeError):
    """A part of the test desktop is missing or did not start."""


# StatusNotifierItem hosts: started only by the tests that need them (start_sni_watcher, start_sni_tray).
SNI_PROGRAMS = {
    "status-notifier-watcher": "haskell-status-notifier-item-utils",
    "gtk-sni-tray-standalone": "haskell-gtk-sni-tray-utils",
}
SNI_WATCHER = "org.kde.StatusNotifierWatcher"

# at-spi2-core's accessibility bus launcher, where Debian (and others) put it
ATSPI_LAUNCHERS = ("/usr/libexec/at-spi-bus-launcher", "/usr/lib/at-spi2-core/at-spi-bus-launcher")


def require_programs(programs: Sequence[str] = tuple(REQUIRED_PROGRAMS)) -> None:
    """Raise DesktopError naming the Debian packages to install when a program is missing."""
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        known = {**REQUIRED_PROGRAMS, **SNI_PROGRAMS}
        packages = sorted({known.get(p, p) for p in missing})
        raise DesktopError(
            f"the test desktop needs {', '.join(missing)}: apt-get install {' '.join(packages)}"
        )


def _tail(path: Path, limit: int = 2000) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return text[-limit:].strip() or "(empty log)"


def _read_line_from(fd: int, proc: subprocess.Popen[bytes], what: str, log: Path) -> str:
    """Read one line from a pipe a child writes when it is ready (Xvfb -displayfd, dbus --print-address)."""
    deadline = time.monotonic() + READY_TIMEOUT
    data = b""
    while b"\n" not in data:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise DesktopError(f"{what} did not start within {READY_TIMEOUT:g} s; its log:\n{_tail(log)}")
        readable, _, _ = select.select([fd], [], [], remaining)
        if readable:
            chunk = os.read(fd, 4096)
            if not chunk:
                proc.poll()
                raise DesktopError(f"{what} exited (status {proc.returncode}); its log:\n{_tail(log)}")
            data += chunk
    return data.decode().strip()


def spawn_bus(directory: Path, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """Start a private dbus-daemon with its socket in `directory`; return it and its address.

    The caller owns the process. There is no service activation on it (see _BUS_CONFIG).
    """
    require_programs(["dbus-daemon"])
    config = directory / "bus.conf"
    config.write_text(_BUS_CONFIG.format(directory=directory))
    log = directory / "dbus-daemon.log"
    read_end, write_end = os.pipe()
    try:
        with log.open("wb") as log_file:
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
                env=env,
                start_new_session=True,
            )
        os.close(write_end)
        write_end = -1
        try:
            address = _read_line_from(read_end, proc, "dbus-daemon", log)
        except BaseException:
            _stop_process(proc)
            raise
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)
    return proc, address


@contextlib.contextmanager
def bare_bus() -> Iterator[str]:
    """A private session bus with nothing on it (no notification service); yields its address."""
    with tempfile.TemporaryDirectory(prefix="rustlamp-bus-") as directory:
        proc, address = spawn_bus(Path(directory))
        try:
            yield address
        finally:
            _stop_process(proc)


@contextlib.contextmanager
def extra_display(screen: str = "640x480x24", *options: str) -> Iterator[str]:
    """A second, bare X server (no tray, no daemon) for one test; yields its display name (":N").

    -noreset: by default Xvfb resets when its last client leaves, and a client connecting during the reset
    is dropped; tests open and close short-lived clients all the time."""
    if "-noreset" not in options:
        options = ("-noreset", *options)
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", screen, "-nolisten", "tcp", *options],
        pass_fds=(write_end,),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    os.close(write_end)
    try:
        with os.fdopen(read_end) as ready:
            number = ready.readline().strip()  # Xvfb writes it once it accepts clients
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        # by PID; killed should it not be gone in 5 s (once seen under load: the test had passed, and
        # its teardown failed on the wait)
        _stop_process(xvfb)


def _stop_process(proc: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    if proc.poll() is None:
        proc.terminate()  # by PID, never by name
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def markup_text(markup: str) -> str:
    """The text a Pango-markup string shows (tags dropped, entities decoded), as dunst draws it."""
    return "".join(ET.fromstring(f"<markup>{markup}</markup>").itertext())


class DesktopSession:
    """Xvfb + private D-Bus + notification recorder + dunst + trayer; see the module docstring."""

    def __init__(self, screen: str = SCREEN) -> None:
        self.screen = screen
        self.tmp = Path()
        self.env: dict[str, str] = {}
        self.display = ""
        self.bus_address = ""
        self._procs: list[tuple[str, subprocess.Popen[bytes]]] = []
        self._record_file = Path()
        self._record_from = 0  # recorder lines before this one were cleared by clear_recorded()
        self._wanted_file = Path()
        self._offered_file = Path()
        self._started = False

    # ----- lifecycle -----------------------------------------------------------------------------

    def __enter__(self) -> DesktopSession:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def pids(self) -> list[int]:
        """PIDs of the processes this session started, oldest first."""
        return [proc.pid for _, proc in self._procs]

    def start(self) -> None:
        if self._started:
            raise DesktopError("this DesktopSession is already started")
        require_programs()
        self.tmp = Path(tempfile.mkdtemp(prefix="rustlamp-desktop-"))
        self._started = True
        atexit.register(self.stop)  # a test run cut short still cleans up
        try:
            self._start_all()
        except BaseException:
            self.stop()
            raise

    def _start_all(self) -> None:
        home = self.tmp / "home"
        xdg = {
            "XDG_RUNTIME_DIR": home / "runtime",
            "XDG_CONFIG_HOME": home / "config",
            "XDG_STATE_HOME": home / "state",
            "XDG_DATA_HOME": home / "data",
            "XDG_CACHE_HOME": home / "cache",
        }
        for path in xdg.values():
            path.mkdir(parents=True, mode=0o700)  # XDG_RUNTIME_DIR must be 0700

        # 1. X server: -displayfd lets Xvfb choose a free display and tells us once it accepts clients
        read_end, write_end = os.pipe()
        try:
            xvfb = self._spawn(
                "Xvfb",
                ["Xvfb", "-displayfd", str(write_end), "-screen", "0", self.screen, "-nolisten", "tcp"],
                pass_fds=(write_end,),
            )
            os.close(write_end)
            write_end = -1
            self.display = ":" + _read_line_from(read_end, xvfb, "Xvfb", self._log("Xvfb"))
        finally:
            os.close(read_end)
            if write_end >= 0:
                os.close(write_end)

        # 2. private session bus
        bus_dir = self.tmp / "bus"
        bus_dir.mkdir()
        bus, self.bus_address = spawn_bus(bus_dir)
        self._procs.append(("dbus-daemon", bus))

        env = dict(os.environ)
        env.pop("WAYLAND_DISPLAY", None)  # GTK and friends would prefer a real Wayland session
        env.update({k: str(v) for k, v in xdg.items()})
        env.update(
            DISPLAY=self.display,
            DBUS_SESSION_BUS_ADDRESS=self.bus_address,
            NO_AT_BRIDGE="1",  # keeps GTK from starting the accessibility bus
        )
        self.env = env

        # 3. the recorder, before dunst, so it sees every call
        self._record_file = self.tmp / "notifications.jsonl"
        with self._record_file.open("wb") as out, self._log("recorder").open("wb") as err:
            recorder = subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve()), "--record", self.bus_address],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env=self.env,
                start_new_session=True,
            )
        self._procs.append(("recorder", recorder))
        self._wait_until(lambda: any(e["kind"] == "ready" for e in self._read_events(0)), "recorder")

        # 4. dunst, with the picker as its dmenu
        dunst_dir = self.tmp / "dunst"
        dunst_dir.mkdir()
        self._wanted_file = dunst_dir / "wanted"
        self._wanted_file.write_text("")
        self._offered_file = dunst_dir / "offered"
        picker = dunst_dir / "picker"
        picker.write_text(_PICKER.format(offered=self._offered_file, wanted=self._wanted_file))
        picker.chmod(0o755)
        dunstrc = dunst_dir / "dunstrc"
        dunstrc.write_text(_DUNSTRC.format(picker=picker))
        self._spawn("dunst", ["dunst", "-config", str(dunstrc)])
        self._wait_until(lambda: self._succeeds(["dunstctl", "is-paused"]), "dunst")

        # 5. XEmbed tray host; it owns _NET_SYSTEM_TRAY_S0 before its panel window is mapped
        self._spawn(
            "trayer",
            [
                "trayer",
                "--edge",
                "top",
                "--align",
                "right",
                "--widthtype",
                "pixel",
                "--width",
                "200",
                "--height",
                "32",
                "--transparent",
                "false",
                "--SetDockType",
                "true",
            ],
        )
        self._wait_until(
            lambda: self._succeeds(["xdotool", "search", "--onlyvisible", "--name", "^panel$"]), "trayer"
        )

    def stop(self) -> None:
        """Stop exactly what start() started (newest first, by PID), then remove the temp dir."""
        if not self._started:
            return
        self._started = False
        atexit.unregister(self.stop)
        self.stop_accessibility()  # its bus and registry are not in the list: stopped with their group
        for _, proc in reversed(self._procs):
            if proc.poll() is None:
                proc.terminate()
        for _, proc in reversed(self._procs):
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._procs.clear()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _log(self, name: str) -> Path:
        return self.tmp / f"{name}.log"

    def _spawn(self, name: str, args: list[str], pass_fds: Sequence[int] = ()) -> subprocess.Popen[bytes]:
        """Start a part of the desktop, output to NAME.log, in this session's env once there is one."""
        with self._log(name).open("wb") as log:
            proc = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env or None,
                pass_fds=pass_fds,
                start_new_session=True,
            )
        self._procs.append((name, proc))
        return proc

    def _succeeds(self, args: list[str]) -> bool:
        try:
            done = subprocess.run(args, env=self.env, capture_output=True, timeout=5, check=False)
        except subprocess.TimeoutExpired:
            return False
        return done.returncode == 0

    def _wait_until(self, ready: Callable[[], bool], name: str) -> None:
        """Poll `ready` for at most READY_TIMEOUT seconds; fail naming `name` and showing its log."""
        proc = dict(self._procs)[name]
        deadline = time.monotonic() + READY_TIMEOUT
        while not ready():
            if proc.poll() is not None:
                problem = f"exited (status {proc.returncode})"
            elif time.monotonic() > deadline:
                problem = f"did not become ready within {READY_TIMEOUT:g} s"
            else:
                time.sleep(0.05)
                continue
            raise DesktopError(f"{name} {problem}; its log:\n{_tail(self._log(name))}")

    def _running(self, name: str) -> subprocess.Popen[bytes] | None:
        proc = dict(self._procs).get(name)
        return proc if proc is not None and proc.poll() is None else None

    def _stop_part(self, name: str) -> None:
        """Stop one part started by this session (by PID) and forget it."""
        for entry in [e for e in self._procs if e[0] == name]:
            _stop_process(entry[1])
            self._procs.remove(entry)

    # ----- StatusNotifierItem hosts (on demand; stopped with the session) ------------------------

    def _sni_watcher_property(self, name: str) -> str | None:
        """dbus-send's print-out of a watcher property, None when the watcher does not answer."""
        done = self.run(
            [
                "dbus-send",
                "--session",
                "--print-reply",
                f"--dest={SNI_WATCHER}",
                "/StatusNotifierWatcher",
                "org.freedesktop.DBus.Properties.Get",
                f"string:{SNI_WATCHER}",
                f"string:{name}",
            ],
            check=False,
            timeout=5,
        )
        return done.stdout if done.returncode == 0 else None

    def _sni_watcher_answers(self) -> bool:
        # Its name is owned a moment before its object is exported: ask the object, not the name.
        return self._sni_watcher_property("ProtocolVersion") is not None

    def start_sni_watcher(self) -> None:
        """Start Debian's status-notifier-watcher on this session's bus (unless it runs) and wait until
        it answers there."""
        if self._running("sni-watcher"):
            return
        require_programs(["status-notifier-watcher"])
        self._spawn("sni-watcher", ["status-notifier-watcher"])
        self._wait_until(self._sni_watcher_answers, "sni-watcher")

    def stop_sni_watcher(self) -> None:
        """Stop the watcher and wait until its bus name is free (a host or item sees it go)."""
        self._stop_part("sni-watcher")
        deadline = time.monotonic() + READY_TIMEOUT
        while self._succeeds(
            [
                "dbus-send",
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.GetNameOwner",
                f"string:{SNI_WATCHER}",
            ]
        ):
            if time.monotonic() > deadline:
                raise DesktopError(f"{SNI_WATCHER} still has an owner after the watcher was stopped")
            time.sleep(0.02)

    def sni_tray_window(self) -> str | None:
        """The X window id of the running gtk-sni-tray-standalone bar, once it is mapped."""
        proc = self._running("sni-tray")
        if proc is None:
            return None
        found = self.run(
            [
                "xdotool",
                "search",
                "--all",
                "--onlyvisible",
                "--pid",
                str(proc.pid),
                "--classname",
                "^gtk-sni-tray-standalone$",
            ],
            check=False,
        ).stdout.split()
        return found[0] if found else None

    def start_sni_tray(self) -> str:
        """The watcher, then Debian's gtk-sni-tray-standalone (a real SNI host): a 32 px bar along the
        bottom of the screen with the icons at its right end. Waits until the bar is mapped and the
        host has registered with the watcher; returns the bar's X window id."""
        self.start_sni_watcher()
        if not self._running("sni-tray"):
            require_programs(["gtk-sni-tray-standalone"])
            self._spawn("sni-tray", ["gtk-sni-tray-standalone", "--bottom", "--end", "--size", "32"])
        self._wait_until(
            lambda: (
                self.sni_tray_window() is not None
                and "true" in (self._sni_watcher_property("IsStatusNotifierHostRegistered") or "")
            ),
            "sni-tray",
        )
        window = self.sni_tray_window()
        assert window is not None
        return window

    def stop_sni_tray(self) -> None:
        self._stop_part("sni-tray")

    # ----- the accessibility bus (on demand; stopped with the session) ---------------------------

    def _a11y_bus_address(self) -> str | None:
        done = self.run(
            [
                "dbus-send",
                "--session",
                "--print-reply=literal",
                "--dest=org.a11y.Bus",
                "/org/a11y/bus",
                "org.a11y.Bus.GetAddress",
            ],
            check=False,
            timeout=5,
        )
        return done.stdout.strip() or None if done.returncode == 0 else None

    def start_accessibility(self) -> None:
        """A private accessibility bus, as a desktop has one for screen readers: at-spi2-core's bus launcher
        on this session's bus, with accessibility switched on (org.a11y.Status IsEnabled, as Orca does),
        so Qt programs started from now on register their windows there. Waits until it answers."""
        if self._running("at-spi-bus-launcher"):
            return
        launcher = next((p for p in ATSPI_LAUNCHERS if Path(p).exists()), None)
        if launcher is None:
            raise DesktopError("the accessibility bus needs at-spi2-core: apt-get install at-spi2-core")
        self._spawn("at-spi-bus-launcher", [launcher, "--launch-immediately", "--a11y=1"])
        self._wait_until(lambda: self._a11y_bus_address() is not None, "at-spi-bus-launcher")

    def stop_accessibility(self) -> None:
        """Stop the launcher; with it go the accessibility bus and the registry it started."""
        proc = self._running("at-spi-bus-launcher")
        self._stop_part("at-spi-bus-launcher")
        if proc is not None:
            # Its bus and the registry share its process group (it was started in a session of its own).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)

    # ----- helpers for tests ---------------------------------------------------------------------

    def window_geometry(self, window: str) -> tuple[int, int, int, int]:
        """x, y, width, height of an X window, in screen pixels."""
        shell = self.run(["xdotool", "getwindowgeometry", "--shell", window]).stdout
        values = dict(line.split("=", 1) for line in shell.split())
        return int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"])

    def run(
        self, args: Sequence[str], *, check: bool = True, timeout: float = 30, **kw: Any
    ) -> subprocess.CompletedProcess[str]:
        """subprocess.run inside this desktop (its env), capturing text output."""
        kw.setdefault("capture_output", True)
        return subprocess.run(list(args), env=self.env, check=check, timeout=timeout, text=True, **kw)

    def screenshot(self, path: str | os.PathLike[str]) -> Path:
        """Save the whole screen as an image (format from the file name, e.g. .png); return its path."""
        self.run(["import", "-window", "root", str(path)])
        return Path(path)

    def _read_events(self, start: int | None = None) -> list[dict[str, Any]]:
        first = self._record_from if start is None else start
        try:
            lines = self._record_file.read_text().split("\n")
        except FileNotFoundError:
            return []
        # The last element is "" or a line the recorder is still writing.
        return [json.loads(line) for line in lines[first:-1]]

    def events(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Everything the recorder saw since the last clear_recorded(), optionally of one kind:
        "notify", "reply" (a Notify call's id), "action" (ActionInvoked), "closed"
        (NotificationClosed), "call" (any other method)."""
        return [e for e in self._read_events() if kind is None or e["kind"] == kind]

    def notifications(self) -> list[dict[str, Any]]:
        """The Notify calls sent on this bus since the last clear_recorded(), oldest first.

        Each is a dict: app_name, replaces_id, app_icon, summary, body (exactly as sent, markup and
        all), actions [(key, label), ...], hints, expire_timeout, sender, id (dunst's id, None until it
        answered) and closed (NotificationClosed reason, None while it is open).
        """
        events = self._read_events()
        ids = {(e["destination"], e["reply_serial"]): e["id"] for e in events if e["kind"] == "reply"}
        closed = {e["id"]: e["reason"] for e in events if e["kind"] == "closed"}
        found = []
        for e in events:
            if e["kind"] != "notify":
                continue
            n = {k: v for k, v in e.items() if k not in ("kind", "serial")}
            n["actions"] = [tuple(pair) for pair in e["actions"]]
            n["id"] = ids.get((e["sender"], e["serial"]))
            n["closed"] = closed.get(n["id"])
            found.append(n)
        return found

    def wait_for_notification(
        self, predicate: Callable[[dict[str, Any]], bool] = lambda n: True, timeout: float = 10.0
    ) -> dict[str, Any]:
        """The first recorded notification that matches (and that dunst has given an id)."""
        deadline = time.monotonic() + timeout
        while True:
            seen = self.notifications()
            for n in seen:
                if n["id"] is not None and predicate(n):
                    return n
            if time.monotonic() > deadline:
                summaries = [n["summary"] for n in seen]
                raise TimeoutError(f"no matching notification within {timeout:g} s; recorded: {summaries}")
            time.sleep(0.05)

    def _wait_for_action(self, after: int, nid: int | None, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            for e in self._read_events(after):
                if e["kind"] == "action" and (nid is None or e["id"] == nid):
                    return str(e["key"])
            if time.monotonic() > deadline:
                offered = self._offered_file.read_text() if self._offered_file.exists() else "(nothing)"
                raise TimeoutError(
                    f"dunst invoked no action within {timeout:g} s; the picker was offered:\n{offered}\n"
                    f"dunst log:\n{_tail(self._log('dunst'))}"
                )
            time.sleep(0.05)

    def _line_count(self) -> int:
        try:
            return self._record_file.read_text().count("\n")
        except FileNotFoundError:
            return 0

    def press_action(self, label: str, timeout: float = 10.0) -> str:
        """Press the button whose label contains `label` on the newest open notification that has one.

        Goes through dunst's context menu (as a person with a keyboard would), and waits until dunst
        has sent ActionInvoked. Returns the action key that was invoked.
        """
        candidates = [
            (n["id"], key)
            for n in self.notifications()
            if n["id"] is not None and n["closed"] is None
            for key, text in n["actions"]
            if label in text
        ]
        if not candidates:
            open_ones = [(n["summary"], n["actions"]) for n in self.notifications() if n["closed"] is None]
            raise DesktopError(f"no open notification has a button labelled {label!r}; open: {open_ones}")
        nid, key = candidates[-1]
        # The menu line ends in "[id,key]", so this picks exactly that button.
        self._wanted_file.write_text(f"{label}\n[{nid},{key}]\n")
        after = self._line_count()
        self.run(["dunstctl", "context"])  # returns at once; dunst runs the picker in the background
        return self._wait_for_action(after, nid, timeout)

    def click_notification(self, timeout: float = 10.0) -> str:
        """Click the body of the top notification on screen (`dunstctl action 0`).

        dunst sorts by urgency, then age: the top one is the oldest of the most urgent. Returns the
        action key dunst invoked ("default" for a body click).
        """
        self._wanted_file.write_text("\n(nothing)\n")  # should dunst open its menu instead, pick nothing
        after = self._line_count()
        self.run(["dunstctl", "action", "0"])
        return self._wait_for_action(after, None, timeout)

    def displayed_count(self) -> int:
        return int(self.run(["dunstctl", "count", "displayed"]).stdout.strip())

    def close_all(self, timeout: float = 5.0) -> None:
        """Close every notification on screen (they go to dunst's history) and wait until none shows."""
        deadline = time.monotonic() + timeout
        while True:
            self.run(["dunstctl", "close-all"])
            if (
                self.displayed_count() == 0
                and self.run(["dunstctl", "count", "waiting"]).stdout.strip() == "0"
            ):
                return
            if time.monotonic() > deadline:
                raise DesktopError("dunst still shows notifications after close-all")
            time.sleep(0.05)

    def clear_recorded(self) -> None:
        """Forget what the recorder saw so far (notifications(), events() start afresh)."""
        self._record_from = self._line_count()

    def history(self) -> list[dict[str, Any]]:
        """dunst's history (closed notifications only, newest first) as plain dicts: summary, body
        (as received), message (the Pango markup dunst draws; see markup_text), appname, id, ..."""
        raw = json.loads(self.run(["dunstctl", "history"]).stdout)
        return [{k: v["data"] for k, v in item.items()} for item in raw["data"][0]]


# ----- the recorder (runs in its own process) -------------------------------------------------------


def _plain(value: Any) -> Any:
    """D-Bus values as JSON-friendly Python values."""
    from dbus_fast import Variant

    if isinstance(value, Variant):
        return _plain(value.value)
    if isinstance(value, bytes | bytearray):
        return {"bytes": len(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _record(address: str, out: IO[str]) -> None:
    import asyncio

    from dbus_fast import Message, MessageType
    from dbus_fast.aio import MessageBus

    interface = "org.freedesktop.Notifications"

    def emit(event: dict[str, Any]) -> None:
        out.write(json.dumps(event) + "\n")
        out.flush()

    async def main() -> None:
        bus = await MessageBus(bus_address=address).connect()
        notify_calls: set[tuple[str, int]] = set()

        def on_message(msg: Message) -> bool:
            kind = msg.message_type
            if kind in (MessageType.METHOD_RETURN, MessageType.ERROR) and msg.destination == bus.unique_name:
                return False  # our own BecomeMonitor reply: let dbus-fast deliver it
            if kind == MessageType.METHOD_CALL and msg.interface == interface:
                if msg.member == "Notify":
                    app_name, replaces_id, app_icon, summary, body, actions, hints, expire = msg.body
                    notify_calls.add((str(msg.sender), msg.serial))
                    emit(
                        {
                            "kind": "notify",
                            "sender": msg.sender,
                            "serial": msg.serial,
                            "app_name": app_name,
                            "replaces_id": replaces_id,
                            "app_icon": app_icon,
                            "summary": summary,
                            "body": body,
                            "actions": [[actions[i], actions[i + 1]] for i in range(0, len(actions) - 1, 2)],
                            "hints": _plain(hints),
                            "expire_timeout": expire,
                        }
                    )
                else:
                    emit(
                        {"kind": "call", "member": msg.member, "sender": msg.sender, "args": _plain(msg.body)}
                    )
            elif kind == MessageType.METHOD_RETURN:
                key = (str(msg.destination), msg.reply_serial)
                if key in notify_calls:
                    notify_calls.discard(key)
                    emit({"kind": "reply", "destination": key[0], "reply_serial": key[1], "id": msg.body[0]})
            elif kind == MessageType.SIGNAL and msg.interface == interface:
                if msg.member == "ActionInvoked":
                    emit({"kind": "action", "id": msg.body[0], "key": msg.body[1]})
                elif msg.member == "NotificationClosed":
                    emit({"kind": "closed", "id": msg.body[0], "reason": msg.body[1]})
                else:
                    emit({"kind": "signal", "member": msg.member, "args": _plain(msg.body)})
            # A monitor must never send anything (the bus would drop it), so claim every message:
            # dbus-fast then sends no "unknown method" replies on our behalf.
            return True

        bus.add_message_handler(on_message)
        rules = [
            f"type='method_call',interface='{interface}'",
            f"type='signal',interface='{interface}'",
            "type='method_return'",  # returns carry no interface; we keep only Notify's
        ]
        reply = await bus.call(
            Message(
                destination="org.freedesktop.DBus",
                path="/org/freedesktop/DBus",
                interface="org.freedesktop.DBus.Monitoring",
                member="BecomeMonitor",
                signature="asu",
                body=[rules, 0],
            )
        )
        if reply is None or reply.message_type != MessageType.METHOD_RETURN:
            raise SystemExit(f"BecomeMonitor failed: {reply and reply.body}")
        emit({"kind": "ready"})
        await bus.wait_for_disconnect()  # type: ignore[no-untyped-call]  # ends when the bus goes away

    asyncio.run(main())


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--record":
        _record(sys.argv[2], sys.stdout)
    else:
        sys.exit(f"usage: {sys.argv[0]} --record BUS_ADDRESS")
