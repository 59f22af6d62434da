"""Capture nodes for tests on a machine without a sound card or camera: a folder laid out like /dev whose
nodes are real character devices (the null device's numbers, which every kernel has; made with mknod when
we are root, plain files otherwise), and child processes that hold them open as a call would."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path


def make_node(path: Path) -> None:
    """A character device like a capture node (the null device's numbers), or a plain file if we may
    not make devices."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.mknod(path, 0o660 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        path.touch()


def dev_folder(tmp_path: Path) -> Path:
    dev = tmp_path / "dev"
    make_node(dev / "snd" / "pcmC0D0c")
    make_node(dev / "snd" / "pcmC0D0p")  # playback: not watched
    make_node(dev / "video0")
    make_node(dev / "null")
    return dev


class Holder:
    """A child process that opens a node and keeps it open until told to close it."""

    def __init__(self, node: Path) -> None:
        code = "import sys; f = open(sys.argv[1], 'rb'); print('open', flush=True); sys.stdin.read()"
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, str(node)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        assert self.process.stdout is not None and self.process.stdout.readline() == b"open\n"

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)
