"""Start-up time: from exec to the scheduler armed (`rustlamp run`), and the short commands.

Run: .venv/bin/python benchmarks/startup.py   (needs the Debian packages of `make test`)
"""

from __future__ import annotations

import statistics
import subprocess
import time

from measure import DesktopSession, desktop, running_app
from run_cli import RUSTLAMP

RUNS = 7


def timed(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    for args in ([RUSTLAMP, "--version"], [RUSTLAMP, "plan"]):
        timings = [timed(args) for _ in range(RUNS)]
        print(
            f"{' '.join(['rustlamp', *args[1:]])}: median {statistics.median(timings) * 1000:.0f} ms "
            f"({RUNS} runs)"
        )
    with desktop() as session:
        # no SNI watcher yet: the app looks for one, then docks in the XEmbed tray (trayer)
        report("exec to scheduler armed, XEmbed tray", session, r"tray: The lamp is in the panel \(XEmbed")
        session.start_sni_tray()
        report(
            "exec to lamp registered (StatusNotifierItem)",
            session,
            r"tray: The lamp is in the panel \(Status",
        )


def report(what: str, session: DesktopSession, ready: str) -> None:
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        with running_app(session) as app:
            app.wait_for_output(ready, timeout=30)
            timings.append(time.perf_counter() - started)
    print(
        f"rustlamp run, {what}: median {statistics.median(timings) * 1000:.0f} ms, "
        f"best {min(timings) * 1000:.0f} ms ({RUNS} runs)"
    )


if __name__ == "__main__":
    main()
