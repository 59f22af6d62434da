"""From a click or a command to the break window on screen (target: median under 300 ms).

What is measured is what a person runs: rustlamp's wheel installed into a venv, as `pipx install .` does
(the README), not the checkout's editable install (`make run`), whose import hook costs every window
process some 20 ms more; the output says so. The wheel is built from this checkout first.

Three paths, each timed until the window is mapped (polled with xdotool every 10 ms): a click on the
tray's lamp as the panel sends it (Activate over D-Bus, through the running app) while a reminder is on
screen, when the lamp has started the break window ahead (3 s after the reminder came, as a person reads
it; the output says how many clicks took that window); the same click with no reminder on screen, when
the window process starts at the click; and `rustlamp break` typed in a terminal (a new process that asks
the running app over its socket).
Also: the window process's memory once it is on screen (RSS and PSS, from /proc), what Qt for Python
adds to the venv (the installed files of PySide6-Essentials and shiboken6), and the load average, since
the figures depend on how busy the machine is.

Where the time goes, with --parts: the floor (a bare PySide6 dialog with a label and three buttons,
started as a window is and timed the same way; then the same with Qt's `Qt` namespace imported, whose
~90 enums Qt for Python turns into Python enums when it is first imported, some 45 ms: no real window
does without it), and a window process's imports one layer at a time (Python alone, then rustlamp's own
modules, then PySide6, then the `Qt` namespace); then a real break window's start phase by phase
(benchmarks/window_phases.py), in wall-clock and CPU time; medians of RUNS runs each.
With --ahead: the break window started ahead (as the lamp does while a reminder is on screen) against one
started at the ask: request to mapped, and the waiting process's memory.
Run: .venv/bin/python benchmarks/break_window.py [--parts] [--ahead]
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

from measure import IDLE_CONFIG, ROOT, DesktopSession, Reading, RunningApp, desktop, read_proc, window_child

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


def timed_until_mapped(
    session: DesktopSession, start: subprocess.Popen[bytes] | None, began: float, title: str = TITLE
) -> float:
    # our own short poll: `xdotool search --sync` looks only every half second
    deadline = time.monotonic() + 20
    while session.run(["xdotool", "search", "--onlyvisible", "--name", title], check=False).returncode != 0:
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


def quietly(command: list[str], cwd: Path) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{command} failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip()


NOT_IN_THE_WHEEL = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "artifacts"
)


@contextmanager
def installed_from_the_wheel() -> Iterator[Path]:
    """rustlamp as `pipx install .` puts it (README): its wheel, built from this checkout and installed
    by pip (which compiles its bytecode) into a new venv; the `rustlamp` command of that venv. Qt and the
    other dependencies are borrowed from the running venv through a .pth file instead of fetched again,
    as tests/test_packaging.py does. Not the checkout's editable install (`make run`): its import hook
    costs every window process some 20 ms at start that an installed rustlamp does not have."""
    with tempfile.TemporaryDirectory(prefix="rustlamp-bench-wheel-") as folder:
        where = Path(folder)
        source = where / "source"
        shutil.copytree(ROOT, source, ignore=NOT_IN_THE_WHEEL)  # building writes next to the sources
        build = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(where / "dist")]
        quietly([*build, str(source)], where)
        (wheel,) = (where / "dist").glob("rustlamp-*.whl")
        venv = where / "venv"
        quietly([sys.executable, "-m", "venv", "--without-pip", str(venv)], where)
        python = venv / "bin" / "python"
        install = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps"]
        quietly([*install, "--no-index", str(wheel)], where)
        site = quietly(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], where
        )
        borrowed = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
        (Path(site) / "borrowed-dependencies.pth").write_text("\n".join(borrowed) + "\n")
        yield venv / "bin" / "rustlamp"


def window_memory(app: RunningApp) -> Reading:
    """The break window's process, on screen and settled (its first frames drawn)."""
    pid, _ = window_child(app, "break_window")
    time.sleep(1.0)
    return read_proc(pid)


BARE_DIALOG = """
import sys
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QPushButton, QVBoxLayout
if "with-qt-namespace" in sys.argv:
    from PySide6.QtCore import Qt  # the namespace and its ~90 enums, which any real window uses
app = QApplication(["rustlamp"])
dialog = QDialog()
dialog.setWindowTitle("A moment of rest")
layout = QVBoxLayout(dialog)
layout.addWidget(QLabel("Let your shoulders drop."))
for label in ("Done", "Later", "Didn't work out this time"):
    layout.addWidget(QPushButton(label))
dialog.show()
app.exec()
"""
# what a break window imports of ours, and its language's catalog read
OURS = (
    "import rustlamp.ui.contract, rustlamp.ui.lifecycle, rustlamp.ui.palette, rustlamp.ui.breathing, "
    "rustlamp.core.texts; from rustlamp.core.catalog import catalog; catalog('nl')"
)
LAYERS = (
    ("Python itself", "pass"),
    ("+ rustlamp's modules of a window", OURS),
    ("+ PySide6 (QtCore, QtGui, QtWidgets)", f"{OURS}; import PySide6.QtWidgets"),
    ("+ Qt's `Qt` namespace", f"{OURS}; import PySide6.QtWidgets; from PySide6.QtCore import Qt; Qt.Key"),
    ("all a break window imports", "import rustlamp.ui.break_window"),
)


PHASES_PROGRAM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "window_phases.py")
PHASES_REQUEST = [
    "--language", "en", "--length", "300", "--inhale", "4", "--exhale", "6",
    "--prompt", "Let your shoulders drop.", "--snooze", "300", "--snooze", "900",
]  # fmt: skip


def window_phases(session: DesktopSession, python: Path) -> None:
    """A break window's own start, phase by phase (benchmarks/window_phases.py): the wall clock from the
    spawn, and the process's CPU time, which a busy machine stretches far less than the wall clock."""
    walls: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}
    mapped: list[float] = []
    for run in range(RUNS):
        out = os.path.join(session.tmp, f"phases-{run}")
        env = dict(session.env, WINDOW_PHASES_OUT=out)
        began, began_perf = time.monotonic(), time.perf_counter()
        window = subprocess.Popen([str(python), "-P", PHASES_PROGRAM, *PHASES_REQUEST], env=env,
                                  stdout=subprocess.DEVNULL)  # fmt: skip
        mapped.append(timed_until_mapped(session, None, began_perf))
        deadline = time.monotonic() + 20
        while not (os.path.exists(out) and "first painted" in Path(out).read_text()):
            if time.monotonic() > deadline:
                raise TimeoutError("the phased window wrote no phases")
            time.sleep(0.02)
        window.terminate()
        window.wait(10)
        wall_before, cpu_before = began, 0.0
        with open(out) as lines:
            for line in lines:
                phase, wall, cpu = line.rstrip("\n").split("\t")
                walls.setdefault(phase, []).append(float(wall) - wall_before)
                cpus.setdefault(phase, []).append(float(cpu) - cpu_before)
                wall_before, cpu_before = float(wall), float(cpu)
    print(f"a break window's start, phase by phase (medians of {RUNS} runs; wall clock / the process's CPU):")
    for phase, took in cpus.items():
        wall, cpu = statistics.median(walls[phase]), statistics.median(took)
        print(f"  {phase}: {wall * 1000:.0f} ms / {cpu * 1000:.0f} ms")
    print(f"  (from the spawn to mapped, as xdotool sees it: {statistics.median(mapped) * 1000:.0f} ms)")


def started_ahead(session: DesktopSession, python: Path) -> None:
    """The break window started ahead, as the lamp does while a reminder is on screen (WAIT_FOR_REQUEST,
    rustlamp.system.windows.WindowProcess.prepare), against one started at the ask, on the same desktop,
    turn about: the request to the window mapped, and the waiting process's memory."""
    from rustlamp.ui.contract import WAIT_FOR_REQUEST, request_line

    ahead: list[float] = []
    cold: list[float] = []
    waiting: list[Reading] = []
    title = "^Even rust$"
    request = [
        "--language", "nl", "--length", "300", "--inhale", "4", "--exhale", "6",
        "--prompt", "Laat je schouders zakken.", "--snooze", "300", "--snooze", "900",
    ]  # fmt: skip
    command = [str(python), "-P", "-m", "rustlamp.ui.launch", "rustlamp.ui.break_window"]
    for _ in range(RUNS):
        window = subprocess.Popen([*command, WAIT_FOR_REQUEST], env=session.env, stdin=subprocess.PIPE,
                                  stdout=subprocess.DEVNULL)  # fmt: skip
        assert window.stdin is not None
        time.sleep(3.0)  # started and settled, as while a reminder is on screen
        waiting.append(read_proc(window.pid))
        began = time.perf_counter()
        window.stdin.write(request_line(request))
        window.stdin.close()
        ahead.append(timed_until_mapped(session, None, began, title))
        window.terminate()
        window.wait(10)
        began = time.perf_counter()
        launched = subprocess.Popen([*command, *request], env=session.env, stdout=subprocess.DEVNULL)
        cold.append(timed_until_mapped(session, None, began, title))
        launched.terminate()
        launched.wait(10)
    for name, timings in (("started ahead: request", ahead), ("started at the ask: spawn", cold)):
        print(
            f"{name} to the break window mapped: median {statistics.median(timings) * 1000:.0f} ms, "
            f"best {min(timings) * 1000:.0f} ms, worst {max(timings) * 1000:.0f} ms ({RUNS} runs)"
        )
    rss = statistics.median(r.rss_kb for r in waiting) / 1024
    pss = statistics.median(r.pss_kb for r in waiting) / 1024
    print(f"a break window process waiting ahead: {rss:.1f} MB resident, {pss:.1f} MB proportional (PSS)")


def where_the_time_goes(session: DesktopSession, python: Path) -> None:
    """The floor and the layers of the start-up (see the module's docstring)."""
    for name, extra in (("", []), (", with Qt's `Qt` namespace", ["with-qt-namespace"])):
        bare = []
        for _ in range(RUNS):
            began = time.perf_counter()
            dialog = subprocess.Popen([str(python), "-P", "-c", BARE_DIALOG, *extra], env=session.env)
            bare.append(timed_until_mapped(session, None, began))
            dialog.terminate()
            dialog.wait(10)
        median = statistics.median(bare) * 1000
        print(f"a bare PySide6 dialog{name} to mapped: median {median:.0f} ms ({RUNS} runs)")
    for name, code in LAYERS:
        took = []
        for _ in range(RUNS):
            began = time.perf_counter()
            subprocess.run([str(python), "-P", "-c", code], env=session.env, check=True, cwd=session.tmp)
            took.append(time.perf_counter() - began)
        print(f"  {name}: {statistics.median(took) * 1000:.0f} ms")
    window_phases(session, python)


# A reminder every 10 s, to click the lamp while one is on screen.
REMINDING = IDLE_CONFIG.replace('every = "45m"', 'every = "10s"')


@contextmanager
def running_lamp(
    session: DesktopSession, program: Path, config_text: str = IDLE_CONFIG
) -> Iterator[RunningApp]:
    """The lamp of `program`, started away from the checkout (its windows, `python -m`, must find the
    installed rustlamp, not the checkout's)."""
    with tempfile.TemporaryDirectory(prefix="rustlamp-bench-") as folder:
        home = Path(folder)
        config = home / "config.toml"
        config.write_text(config_text, encoding="utf-8")
        app = RunningApp(home, session.env, config, program=str(program), cwd=home)
        try:
            yield app
        finally:
            app.stop()


def main() -> None:
    load_before = os.getloadavg()
    memory: list[Reading] = []
    with desktop() as session, installed_from_the_wheel() as program:
        if "--parts" in sys.argv[1:]:
            where_the_time_goes(session, program.with_name("python"))
        if "--ahead" in sys.argv[1:]:
            started_ahead(session, program.with_name("python"))
        session.start_sni_tray()
        with running_lamp(session, program) as app:
            app.wait_for_output(r"listening for commands")
            command: list[float] = []
            click: list[float] = []
            reminded: list[float] = []
            for run in range(RUNS):
                began = time.perf_counter()
                proc = subprocess.Popen([str(program), "break"], env=app.env, stdout=subprocess.DEVNULL)
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
        with running_lamp(session, program, REMINDING) as app:
            app.wait_for_output(r"listening for commands")
            for run in range(RUNS):
                app.wait_for_output(r"reminder shown: ", timeout=30, after=len(app.output()))
                time.sleep(3.0)  # a person reads the reminder; its break window gets ready meanwhile
                began = time.perf_counter()
                asyncio.run(activate(session.env["DBUS_SESSION_BUS_ADDRESS"], app.proc.pid))
                reminded.append(timed_until_mapped(session, None, began))
                close_window(session)
                wait_for_outcomes(app, run + 1)
            ahead = app.output().count("(the one started ahead) is asked for")
    print(
        "rustlamp installed from its wheel into a venv, as `pipx install .` does (not the editable install)"
    )
    print(
        f"a click on the lamp while a reminder is on screen (the lamp starts its break window ahead; "
        f"{ahead} of {RUNS} took that one) to the break window mapped: median "
        f"{statistics.median(reminded) * 1000:.0f} ms, best {min(reminded) * 1000:.0f} ms, "
        f"worst {max(reminded) * 1000:.0f} ms"
    )
    for name, timings in (
        ("a click on the lamp, no reminder on screen", click),
        ("`rustlamp break`", command),
    ):
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
