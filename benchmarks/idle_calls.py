"""What following calls costs while nothing happens: `rustlamp run` idle for 60 s with `[dnd] during_calls`
off, then on, following a microphone and a camera (a stand-in /dev when this machine has none). Natural
breaks are off in both, so the idle watcher's "away for a minute" alarm does not blur the wake-ups.
Run: .venv/bin/python benchmarks/idle_calls.py [SECONDS]
"""

from __future__ import annotations

import glob
import sys
import tempfile
import time
from pathlib import Path

from measure import IDLE_CONFIG, desktop, dev_folder, read_proc, running_app


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    with tempfile.TemporaryDirectory(prefix="rustlamp-bench-dev-") as folder, desktop() as session:
        session.start_sni_tray()
        real = bool(glob.glob("/dev/snd/pcmC*D*c"))
        extra_env = {} if real else {"RUSTLAMP_CAPTURE_DEV": str(dev_folder(Path(folder)))}
        devices = "/dev" if real else "a stand-in /dev"
        print(f"rustlamp run, idle for {seconds:.0f} s, natural breaks off; devices: {devices}")
        for calls in ("false", "true"):
            config = IDLE_CONFIG + f"[idle]\nnatural_breaks = false\n[dnd]\nduring_calls = {calls}\n"
            with running_app(session, config, extra_env) as app:
                app.wait_for_output(r"next reminder: ")
                time.sleep(3)  # let start-up finish
                first = read_proc(app.proc.pid)
                time.sleep(seconds)
                last = read_proc(app.proc.pid)
            print(
                f"  during_calls = {calls}: RSS {last.rss_kb / 1024:.1f} MB, threads {last.threads}, "
                f"CPU ticks {last.cpu_ticks - first.cpu_ticks}, context switches (wake-ups) "
                f"{last.switches - first.switches}"
            )


if __name__ == "__main__":
    main()
