"""Run the installed `rustlamp` command as a person would, in a private home."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

# beside the interpreter in a venv; in Windows' Scripts folder (the Windows Python under Wine has no venv)
if sys.platform == "win32":
    RUSTLAMP = str(Path(sys.executable).parent / "Scripts" / "rustlamp.exe")
else:
    RUSTLAMP = str(Path(sys.executable).with_name("rustlamp"))


def private_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """An environment whose XDG folders all live under `home`, so no test touches the real ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "LC_", "LANG", "RUSTLAMP_"))}
    for name in ("CONFIG", "STATE", "DATA", "CACHE"):
        folder = home / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        env[f"XDG_{name}_HOME"] = str(folder)
    runtime = home / "runtime"  # the instance lock and the control socket: one per test home
    runtime.mkdir(mode=0o700, exist_ok=True)
    env["XDG_RUNTIME_DIR"] = str(runtime)
    env["HOME"] = str(home)
    env.update(extra or {})
    return env


def rustlamp(
    args: Sequence[str], env: Mapping[str, str], timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    def run() -> subprocess.CompletedProcess[str]:
        command = [RUSTLAMP, *args]
        return subprocess.run(command, env=dict(env), capture_output=True, text=True, timeout=timeout)

    said = run()
    if sys.platform == "win32" and said.returncode != 0 and not (said.stdout or said.stderr):
        # Python never fails without a word (a traceback at least), so this run did not start: Wine, once in
        # a CI run, gave `--help` nothing at all. Once more; a second silent failure is the test's to see.
        said = run()
    return said
