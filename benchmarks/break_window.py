"""From a click or a command to the break window on screen (target: median under 300 ms).

Two paths, each timed until the window is mapped (polled with xdotool every 10 ms): a click on the
tray's lamp as the panel sends it (Activate over D-Bus, through the running app), and `rustlamp break`
typed in a terminal (a new process that asks the running app over its socket).
Also: the window process's memory once it is on screen (RSS and PSS, from /proc), what Qt for Python
adds to the venv (the installed files of PySide6-Essentials and shiboken6), and the load average, since
the figures depend on how busy the machine is.
Run: .venv/bin/python benchmarks/break_window.py
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import time
from importlib import metadata

from measure import DesktopSession, Reading, RunningApp, desktop, read_proc, running_app, window_child
from run_cli import RUSTLAMP

RUNS = 7
TITLE = "^A moment of rest$"


def close_window(session: DesktopSession) -> None:
    window = session.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", TITLE]).stdout.split()[0]
    session.run(["xdotool", "windowfocus", "--sync", window])
    session.run(["xdotool", "key", "Return"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if session.run(["xdotool", "search", "--onlyvisible", "--name", TITLE], check=False).returncode != 0:
            return
        time.sleep(0.05)


def timed_until_mapped(session: DesktopSession, start: subprocess.Popen[bytes] | None, began: float) -> float:
    # our own short poll: `xdotool search --sync` looks only every half second
    deadline = time.monotonic() + 20
    while session.run(["xdotool", "search", "--onlyvisible", "--name", TITLE], check=False).returncode != 0:
        if time.monotonic() > deadline:
            raise TimeoutError("the break window did not appear")
        time.sleep(0.01)
    elapsed = time.perf_counter() - began
    if start is not None:
        start.wait(10)
    return elapsed


def wait_for_outcomes(app: RunningApp, count: int) -> None:
    deadline = time.monotonic() + 10
    while app.output().count("break outcome: ") < count:
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not take the window's answer")
        time.sleep(0.02)


async def activate(address: str, pid: int) -> None:
    from sni_host import ITEM, connected_host

    async with connected_host(address) as host:
        names = [
            n for n in await host.registered_items() if n.startswith(f"org.kde.StatusNotifierItem-{pid}-")
        ]
        await host.ok(names[0], "/StatusNotifierItem", ITEM, "Activate", "ii", [0, 0])


def installed_bytes(distribution: str) -> int:
    """The size of the files a distribution installed (what `pip install` added to the venv)."""
    files = metadata.distribution(distribution).files or []
    return sum(path.stat().st_size for path in (file.locate() for file in files) if path.is_file())


def window_memory(app: RunningApp) -> Reading:
    """The break window's process, on screen and settled (its first frames drawn)."""
    pid, _ = window_child(app, "break_window")
    time.sleep(1.0)
    return read_proc(pid)


def main() -> None:
    load_before = os.getloadavg()
    memory: list[Reading] = []
    with desktop() as session:
        session.start_sni_tray()
        with running_app(session) as app:
            app.wait_for_output(r"listening for commands")
            command: list[float] = []
            click: list[float] = []
            for run in range(RUNS):
                began = time.perf_counter()
                proc = subprocess.Popen([RUSTLAMP, "break"], env=app.env, stdout=subprocess.DEVNULL)
                command.append(timed_until_mapped(session, proc, began))
                if run == 0:
                    memory.append(window_memory(app))
                close_window(session)
                wait_for_outcomes(app, 2 * run + 1)  # the app has taken the answer: the window is gone
                began = time.perf_counter()
                asyncio.run(activate(session.env["DBUS_SESSION_BUS_ADDRESS"], app.proc.pid))
                click.append(timed_until_mapped(session, None, began))
                close_window(session)
                wait_for_outcomes(app, 2 * run + 2)
    for name, timings in (("a click on the lamp (SNI Activate)", click), ("`rustlamp break`", command)):
        print(
            f"{name} to the break window mapped: median {statistics.median(timings) * 1000:.0f} ms, "
            f"best {min(timings) * 1000:.0f} ms, worst {max(timings) * 1000:.0f} ms ({RUNS} runs)"
        )
    (shown,) = memory
    print(
        f"the break window's process on screen: {shown.rss_kb / 1024:.1f} MB resident, "
        f"{shown.pss_kb / 1024:.1f} MB proportional (PSS), {shown.threads} threads"
    )
    qt = {name: installed_bytes(name) for name in ("PySide6-Essentials", "shiboken6")}
    parts = ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in qt.items())
    print(f"Qt for Python installed: {sum(qt.values()) / 1e6:.1f} MB ({parts})")
    load_after = os.getloadavg()
    print(
        f"load average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f}, "
        f"on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
