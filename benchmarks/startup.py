"""Start-up time: from exec to the scheduler armed (`rustlamp run`), and the short commands.

Run: .venv/bin/python benchmarks/startup.py   (needs the Debian packages of `make test`)
"""

from __future__ import annotations

import statistics
import subprocess
import time

from measure import desktop, running_app
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
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            with running_app(session) as app:
                app.wait_for_output(r"next reminder: ", timeout=30)
                timings.append(time.perf_counter() - started)
        print(
            f"rustlamp run, exec to scheduler armed (notifier probed): median "
            f"{statistics.median(timings) * 1000:.0f} ms, best {min(timings) * 1000:.0f} ms ({RUNS} runs)"
        )


if __name__ == "__main__":
    main()
