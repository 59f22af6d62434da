"""Start the installed `rustlamp run` as a real process in the test desktop, and read what it logs."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from run_cli import RUSTLAMP, private_env

# English, active all day every day, reminders 45 minutes apart: nothing comes by itself during a test,
# so what happens is what the test did
QUIET_ALL_DAY = """language = "en"
[reminders]
every = "45m"
start = "00:00"
end = "00:00"
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
"""


# Every app started by the running test, so a failure's report can show what each of them logged.
STARTED: list[RunningApp] = []


class RunningApp:
    """`rustlamp run -v` with its own private XDG folders; stderr (the -v log) goes to a file."""

    def __init__(
        self,
        home: Path,
        desktop_env: Mapping[str, str],
        config: Path | None,
        extra_env: Mapping[str, str] | None = None,
        program: str = RUSTLAMP,
        cwd: Path | None = None,
        prefix: Sequence[str] = (),
    ) -> None:
        """`program`: another installed `rustlamp` (tests/test_packaging.py: one from the wheel), started
        in `cwd` (its windows, `python -m`, would find a rustlamp folder there first); `prefix`: a command
        that runs it (one that execs it, so the process is the lamp's)."""
        self.home = home
        self.env = private_env(home, {**_display_and_bus(desktop_env), **(extra_env or {})})
        self.stderr_path = home / "stderr.log"
        args = [*prefix, program, "run", "-v"] + (["--config", str(config)] if config else [])
        with self.stderr_path.open("wb") as stderr:
            self.proc = subprocess.Popen(
                args,
                env=self.env,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        STARTED.append(self)

    @property
    def log_file(self) -> Path:
        return Path(self.env["XDG_STATE_HOME"]) / "rustlamp" / "rustlamp.log"

    def output(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def wait_for_output(self, pattern: str, timeout: float = 15.0, after: int = 0) -> re.Match[str]:
        """The first match of `pattern` in the output past character `after`; fails with the output."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.compile(pattern, re.MULTILINE).search(self.output(), after)
            if match:
                return match
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(
            f"no {pattern!r} in rustlamp's output (exit {self.proc.poll()}):\n{self.output()}"
        )

    def signal(self, signum: int) -> None:
        self.proc.send_signal(signum)

    def stop(self, timeout: float = 10.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"rustlamp did not stop on SIGTERM:\n{self.output()}") from None


def window_child(app: RunningApp, module: str, timeout: float = 15.0) -> tuple[int, list[str]]:
    """The pid and command line of the window process `module` (rustlamp.ui.<module>) the app started."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                argv = (proc / "cmdline").read_bytes().split(b"\0")
                parent = (proc / "stat").read_text().rsplit(")", 1)[1].split()[1]
            except OSError:
                continue
            if int(parent) == app.proc.pid and f"rustlamp.ui.{module}".encode() in argv:
                return int(proc.name), [a.decode() for a in argv if a]
        time.sleep(0.05)
    raise AssertionError(f"no {module} under the app:\n{app.output()}")


def window_request(app: RunningApp, module: str, timeout: float = 15.0) -> list[str]:
    """The arguments of the last request the app gave its `module` window (its log says them: a window
    started ahead gets them on stdin, so its command line does not have them)."""
    found = app.wait_for_output(rf"the {module} \([^)]*\) is asked for: .*", timeout)
    last = re.findall(rf"the {module} \([^)]*\) is asked for: (.*)", app.output())[-1]
    assert found and isinstance(json.loads(last), list)
    return [str(arg) for arg in json.loads(last)]


def _display_and_bus(desktop_env: Mapping[str, str]) -> dict[str, str]:
    keys = ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "NO_AT_BRIDGE")
    return {k: desktop_env[k] for k in keys if k in desktop_env}


def answer_break_window(desktop_env: Mapping[str, str], title: str, key: str = "Return") -> None:
    """Find the break window the app opened, give it the focus, and press a key as a person would
    (XTEST input to the focused window; Return is "Done")."""
    env = dict(desktop_env)
    found = subprocess.run(
        ["xdotool", "search", "--sync", "--onlyvisible", "--name", f"^{title}$"],
        env=env, capture_output=True, text=True, timeout=20, check=True,
    )  # fmt: skip
    window = found.stdout.split()[0]
    subprocess.run(["xdotool", "windowfocus", "--sync", window], env=env, check=True, timeout=10)
    subprocess.run(["xdotool", "key", "--delay", "60", key], env=env, check=True, timeout=10)
