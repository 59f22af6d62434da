"""Shared pieces of the benchmarks: the test desktop, a running app, and /proc readings."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from app_process import QUIET_ALL_DAY, RunningApp, answer_break_window, window_child  # noqa: E402  (the tests' own helpers, on the path just above)
from capture_nodes import dev_folder  # noqa: E402
from desktop import DesktopSession  # noqa: E402
from run_cli import rustlamp  # noqa: E402

IDLE_CONFIG = QUIET_ALL_DAY

# what the benchmarks take from here, some of it the tests' own helpers passed on
__all__ = [
    "IDLE_CONFIG",
    "ROOT",
    "DesktopSession",
    "Reading",
    "RunningApp",
    "answer_break_window",
    "desktop",
    "dev_folder",
    "read_proc",
    "running_app",
    "rustlamp",
    "window_child",
]


@dataclass(frozen=True)
class Reading:
    rss_kb: int
    pss_kb: int  # proportional: shared library pages divided among the processes that map them
    threads: int
    cpu_ticks: int  # utime + stime, in clock ticks
    switches: int  # voluntary + involuntary context switches, all threads


def read_proc(pid: int) -> Reading:
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    switches = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        task_fields = dict(
            line.split(":", 1) for line in (task / "status").read_text().splitlines() if ":" in line
        )
        switches += int(task_fields["voluntary_ctxt_switches"]) + int(
            task_fields["nonvoluntary_ctxt_switches"]
        )
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    pss_kb = next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
    return Reading(
        rss_kb=int(fields["VmRSS"].split()[0]),
        pss_kb=pss_kb,
        threads=int(fields["Threads"]),
        cpu_ticks=int(stat[11]) + int(stat[12]),
        switches=switches,
    )


@contextmanager
def desktop() -> Iterator[DesktopSession]:
    with DesktopSession() as session:
        yield session


@contextmanager
def running_app(
    session: DesktopSession, config_text: str = IDLE_CONFIG, extra_env: Mapping[str, str] | None = None
) -> Iterator[RunningApp]:
    with tempfile.TemporaryDirectory(prefix="rustlamp-bench-") as folder:
        home = Path(folder)
        config = home / "config.toml"
        config.write_text(config_text, encoding="utf-8")
        app = RunningApp(home, session.env, config, extra_env)
        try:
            yield app
        finally:
            app.stop()
