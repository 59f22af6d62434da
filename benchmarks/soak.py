"""Weeks of use, compressed: `rustlamp run` with a reminder every 10 s for MINUTES (default 10), answered
the ways a person would, in turn: left alone, snoozed with the notification's button, a break taken from
its body (the break window opens, Return says "done"), paused and resumed from the command line, and
`rustlamp status`. Every 30 s it reads the process: resident memory, open files, threads, child processes.

What it shows: whether anything grows with use (memory, file descriptors, threads, leftover windows). A
few hundred KB of growth early on is Python's allocator settling; growth that keeps its slope is a leak.
Run: .venv/bin/python benchmarks/soak.py [MINUTES]   (needs the Debian packages of `make test`)
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from measure import IDLE_CONFIG, answer_break_window, desktop, read_proc, running_app, rustlamp

# snoozed for 20 s (10 s is the shortest), so a snooze does not stop the stream of reminders
CONFIG = IDLE_CONFIG.replace('every = "45m"', 'every = "10s"\nsnooze = ["20s"]')
CONFIG += "[idle]\nnatural_breaks = false\n"  # nobody touches the test desktop: reminders must not wait
REMINDER = "A moment of rest"
BREAK_WINDOW = "A moment of rest"
SAMPLE_EVERY = 30.0


def open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def children(pid: int) -> int:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return len(found.stdout.split())


def main() -> None:
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    samples: list[tuple[float, int, int, int, int, int]] = []  # seconds, reminders, rss, fds, threads, kids
    answered = {"left": 0, "snoozed": 0, "break": 0, "paused": 0, "status": 0}
    failures: list[str] = []
    with desktop() as session:
        session.start_sni_tray()
        with running_app(session, CONFIG) as app:
            app.wait_for_output(r"tray: The lamp is in the panel")
            pid = app.proc.pid
            started = time.monotonic()
            next_sample = started
            seen = 0
            turn = 0
            while time.monotonic() - started < minutes * 60:
                now = time.monotonic()
                if now >= next_sample:
                    reading = read_proc(pid)
                    samples.append(
                        (now - started, seen, reading.rss_kb, open_files(pid), reading.threads, children(pid))
                    )
                    next_sample += SAMPLE_EVERY
                reminders = [n for n in session.notifications() if n["summary"] == REMINDER]
                if len(reminders) <= seen or reminders[-1]["id"] is None:
                    time.sleep(0.2)
                    continue
                seen = len(reminders)
                way = ("left", "snoozed", "break", "paused", "status")[turn % 5]
                turn += 1
                try:
                    if way == "snoozed":
                        session.press_action("Later")
                    elif way == "break":
                        session.click_notification()
                        answer_break_window(session.env, BREAK_WINDOW)
                    elif way == "paused":
                        rustlamp(["pause", "30m"], app.env)
                        rustlamp(["resume"], app.env)
                    elif way == "status":
                        rustlamp(["status"], app.env)
                    answered[way] += 1
                except Exception as exc:  # keep soaking; say it at the end
                    failures.append(f"{way}: {exc}")
                session.close_all()
            exit_code = app.stop()
    print(f"rustlamp run, {minutes:g} min with a reminder every 10 s (SNI panel, dunst, private D-Bus):")
    print(f"  reminders shown: {seen}; answered: {answered}; app exit code {exit_code}")
    print("  seconds  reminders   RSS MB  fds  threads  children")
    for at, count, rss, fds, threads, kids in samples:
        print(f"  {at:7.0f}  {count:9d}  {rss / 1024:7.1f}  {fds:3d}  {threads:7d}  {kids:8d}")
    if len(samples) >= 4:
        half = samples[len(samples) // 2]
        last = samples[-1]
        grown = (last[2] - half[2]) / 1024
        per_100 = grown / max(1, last[1] - half[1]) * 100
        count = last[1] - half[1]
        print(f"  second half: RSS {grown:+.2f} MB over {count} reminders ({per_100:+.2f} MB per 100)")
    for failure in failures:
        print(f"  not answered: {failure}")


if __name__ == "__main__":
    main()
