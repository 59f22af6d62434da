"""One running rustlamp per person, and a local channel the command line uses to talk to it.

- One instance: an exclusive `flock` on a lock file. The kernel lets go of it when the process ends in
  any way (a crash, `kill -9`), so a stale lock needs no clean-up and ten starts at once leave one.
- The channel: a Unix socket, 0600 in a 0700 folder under $XDG_RUNTIME_DIR, and on Linux the peer's uid
  is checked (SO_PEERCRED) as well. One request a connection: a JSON line, answered by a JSON line.
  Requests carry the same action keys as the tray menu and the notification buttons ("break",
  "snooze:600s", "pause:tomorrow", ...), plus "status", so every entry point takes one command path.

POSIX only for now; on Windows the command line says the channel is not there yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import struct
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

log = logging.getLogger("rustlamp.control")

MAX_REQUEST = 4096  # bytes; a request is a short JSON line, anything longer is refused
CLIENT_TIMEOUT = 5.0

Reply = dict[str, Any]
RequestHandler = Callable[[str], Awaitable[Reply]]


def runtime_dir() -> Path:
    """$XDG_RUNTIME_DIR/rustlamp (tmpfs, the person's own); a private folder in /tmp as a fallback."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and Path(base).is_dir():
        return Path(base) / "rustlamp"
    return Path("/tmp") / f"rustlamp-{os.getuid()}"  # the folder is made 0700 and checked below


def _private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.stat()
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PermissionError(f"{path} must belong to you alone (mode 0700); it is not, so it is not used")
    return path


def socket_path(folder: Path | None = None) -> Path:
    return (folder or runtime_dir()) / "control.sock"


@dataclass
class InstanceLock:
    """Held for the life of the running app."""

    file: TextIO
    path: Path

    def release(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()


def take_instance_lock(folder: Path | None = None) -> InstanceLock | None:
    """The lock, or None when another rustlamp of this person holds it."""
    import fcntl

    directory = _private_dir(folder or runtime_dir())
    path = directory / "instance.lock"
    file = open(path, "a+", encoding="utf-8")  # noqa: SIM115  (kept open while the app runs)
    try:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        file.close()
        return None
    file.seek(0)
    file.truncate()
    file.write(f"{os.getpid()}\n")
    file.flush()
    return InstanceLock(file, path)


def _peer_uid(sock: socket.socket) -> int | None:
    """The connecting process's uid, where the OS tells (Linux); None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return int(uid)


class ControlServer:
    def __init__(self, handler: RequestHandler, folder: Path | None = None) -> None:
        self.handler = handler
        self.path = socket_path(folder)
        self._server: asyncio.base_events.Server | None = None

    async def start(self) -> None:
        _private_dir(self.path.parent)
        # we hold the instance lock, so a socket file here is a dead instance's: take its place
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        old_umask = os.umask(0o177)  # born 0600: no moment where another user could connect
        try:
            self._server = await asyncio.start_unix_server(
                self._serve, path=str(self.path), limit=MAX_REQUEST
            )
        finally:
            os.umask(old_umask)
        log.info("listening for commands on %s", self.path)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            reply = await self._answer(reader, writer)
            writer.write((json.dumps(reply, ensure_ascii=False) + "\n").encode())
            await writer.drain()
        except (ConnectionError, asyncio.TimeoutError) as exc:
            log.info("a control connection ended early: %s", exc)
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> Reply:
        sock = writer.get_extra_info("socket")
        uid = _peer_uid(sock) if sock is not None else None
        if uid is not None and uid != os.getuid():
            log.warning("refused a control connection from uid %s", uid)
            return {"ok": False, "error": "not yours"}
        try:
            line = await asyncio.wait_for(reader.readline(), CLIENT_TIMEOUT)
        except (ValueError, asyncio.LimitOverrunError):
            log.warning("refused an oversized control message (over %d bytes)", MAX_REQUEST)
            return {"ok": False, "error": f"message over {MAX_REQUEST} bytes"}
        try:
            request = json.loads(line)
            key = request["command"]
            if not isinstance(key, str):
                raise TypeError("command is not a string")
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("refused a malformed control message %r: %s", line[:200], exc)
            return {"ok": False, "error": 'malformed message; send one JSON line like {"command": "status"}'}
        return await self.handler(key)


def send(key: str, folder: Path | None = None, timeout: float = CLIENT_TIMEOUT) -> Reply | None:
    """Ask the running instance; None when none is running (no socket, or nobody listening)."""
    path = socket_path(folder)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError):
            return None
        sock.sendall((json.dumps({"command": key}) + "\n").encode())
        data = b""
        while not data.endswith(b"\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    reply: Reply = json.loads(data) if data else {"ok": False, "error": "no answer"}
    return reply
