"""The idle cost of `rustlamp run` inside sway 1.7 (headless), where idle time comes from the compositor
over rustlamp's own Wayland client (org_kde_kwin_idle there), the lamp sits in swaybar's tray and mako
takes the notifications: memory, threads, CPU time and wake-ups over 60 s between events.

Target as on X11 (benchmarks/idle.py): no periodic wake-ups between events.
Run: .venv/bin/python benchmarks/idle_wayland.py [SECONDS]   (needs the packages of `make test-desktops`)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from measure import IDLE_CONFIG, read_proc

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from real_desktop_app import start_app
from wayland_session import sway

BAR = "bar {\n  position top\n  tray_output *\n}\n"


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    ticks = os.sysconf("SC_CLK_TCK")
    config = IDLE_CONFIG + '[idle]\nnatural_break_after = "5m"\n'
    with sway(BAR) as desktop, tempfile.TemporaryDirectory(prefix="rustlamp-bench-") as folder:
        desktop.start_mako()
        app = start_app(desktop, Path(folder) / "home", config)
        try:
            app.wait_for_output(r"tray: The lamp is in the panel")
            app.wait_for_output(r"natural breaks: idle time from the compositor's idle time")
            app.wait_for_output(r"next reminder: ")
            time.sleep(3)  # let start-up finish
            first = read_proc(app.proc.pid)
            time.sleep(seconds)
            last = read_proc(app.proc.pid)
        finally:
            app.stop()
    print(f"rustlamp run in sway 1.7, idle for {seconds:.0f} s between events (swaybar, mako, Wayland idle):")
    print(f"  RSS: {last.rss_kb / 1024:.1f} MB (start of window {first.rss_kb / 1024:.1f} MB)")
    print(f"  threads: {last.threads}")
    print(f"  CPU time: {(last.cpu_ticks - first.cpu_ticks) / ticks * 1000:.0f} ms")
    print(f"  context switches (wake-ups): {last.switches - first.switches}")


if __name__ == "__main__":
    main()
