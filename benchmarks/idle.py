"""The idle cost of `rustlamp run` between events: memory, threads, CPU time and wake-ups over 60 s.

Targets: idle RSS under 35 MB, no periodic wake-ups between events. The app runs with a real SNI panel
(Debian's gtk-sni-tray-standalone), its lamp registered, and reminders 45 minutes apart.
Run: .venv/bin/python benchmarks/idle.py [SECONDS]   (needs the Debian packages of `make test`)
"""

from __future__ import annotations

import glob
import os
import sys
import tempfile
import time
from pathlib import Path

from measure import desktop, dev_folder, read_proc, running_app


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    ticks = os.sysconf("SC_CLK_TCK")
    # The call watcher follows the capture devices; where this machine has none, it follows a stand-in
    # /dev with a microphone and a camera (real character devices), so their watches are part of the cost.
    stand_in = tempfile.TemporaryDirectory(prefix="rustlamp-bench-dev-")
    extra_env = (
        {}
        if glob.glob("/dev/snd/pcmC*D*c")
        else {"RUSTLAMP_CAPTURE_DEV": str(dev_folder(Path(stand_in.name)))}
    )
    with stand_in, desktop() as session:
        session.start_sni_tray()  # a real panel, so the lamp (StatusNotifierItem) is part of the cost
        with running_app(session, extra_env=extra_env) as app:
            app.wait_for_output(r"tray: The lamp is in the panel")
            calls = app.wait_for_output(r"calls: following .*")
            app.wait_for_output(r"next reminder: ")
            time.sleep(3)  # let start-up finish (imports, the first D-Bus round trips)
            first = read_proc(app.proc.pid)
            time.sleep(seconds)
            last = read_proc(app.proc.pid)
    print(
        f"rustlamp run, idle for {seconds:.0f} s between events (lamp in gtk-sni-tray-standalone, "
        "desktop-notifier on dunst, private D-Bus):"
    )
    print(f"  RSS: {last.rss_kb / 1024:.1f} MB (start of window {first.rss_kb / 1024:.1f} MB)")
    print(f"  PSS: {last.pss_kb / 1024:.1f} MB (shared library pages counted in part)")
    print(f"  threads: {last.threads}")
    print(f"  CPU time: {(last.cpu_ticks - first.cpu_ticks) / ticks * 1000:.0f} ms")
    print(f"  context switches (wake-ups): {last.switches - first.switches}")
    where = "a stand-in /dev (this machine has no sound card or camera)" if extra_env else "/dev"
    print(f"  {calls.group(0)} ({where})")


if __name__ == "__main__":
    main()
