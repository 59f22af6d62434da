"""Open a file in the desktop's own program for it (the person's editor for config.toml)."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

log = logging.getLogger("rustlamp.open")


def open_in_desktop(path: Path) -> str | None:
    """Start the desktop's opener without waiting for it; None when started, else why it could not be."""
    if sys.platform == "win32":
        try:
            os.startfile(path)  # type: ignore[attr-defined]  # Windows only
        except OSError as exc:
            return str(exc)
        return None
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    if shutil.which(opener) is None:
        return f"`{opener}` was not found; open {path} in your editor"
    try:
        # its own session, and no pipes: the editor must outlive nothing of ours and never block us
        subprocess.Popen(
            [opener, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        return str(exc)
    return None


def ensure_config_file(path: Path) -> bool:
    """Create the settings file from the packaged example when there is none; True when it was created.
    An existing file is never touched."""
    if path.exists():
        return False
    from importlib import resources

    example = resources.files("rustlamp") / "config.example.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # "x": never overwrite, even if the file appeared a moment ago; bytes: the example's own line
        # endings (text mode would write CRLF on Windows)
        with path.open("xb") as f:
            f.write(example.read_bytes())
    except FileExistsError:
        return False
    log.info("created %s from the example", path)
    return True
