"""Write tests/wine/requirements.txt from what pip inside Wine would install (its --report JSON).

Run by `tests/wine/pin.sh` when the Windows dependencies should move: pip resolves inside the Windows
Python, so the win32-only dependencies (desktop-notifier's winrt packages) are the ones Windows gets.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HEADER = """\
# What the Windows Python under Wine installs (tests/wine/setup.sh): rustlamp's Windows dependencies and
# the test tools, win_amd64 wheels pinned by hash. Made by tests/wine/pin.sh; edit that, not this.
"""


def main(report_path: str, out_path: str) -> None:
    report = json.loads(Path(report_path).read_text(encoding="utf-8"))
    lines = []
    for item in report["install"]:
        name, version = item["metadata"]["name"], item["metadata"]["version"]
        digest = item["download_info"]["archive_info"]["hashes"]["sha256"]
        lines.append(f"{name}=={version} --hash=sha256:{digest}")
    Path(out_path).write_text(HEADER + "\n".join(sorted(lines, key=str.lower)) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
