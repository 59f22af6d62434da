"""One running rustlamp per person, and a local channel the command line uses to talk to it.

- One instance: an exclusive lock on a lock file (`flock` on POSIX, `msvcrt.locking` on Windows). The OS
  lets go of it when the process ends in any way (a crash, `kill -9`), so a stale lock needs no clean-up
  and ten starts at once leave one.
- The channel: one request a connection, a JSON line ({"command": "status"}) answered by a JSON line.
  Requests carry the same action keys as the tray menu and the notification buttons ("break",
  "snooze:600s", "pause:tomorrow", ...), plus "status", so every entry point takes one command path.
  Two transports, one request path (`LineChannel`):
  - "unix" (Linux, macOS): a Unix socket, 0600 in a 0700 folder under $XDG_RUNTIME_DIR, and on Linux the
    peer's uid is checked (SO_PEERCRED) as well.
  - "tcp" (Windows, which has no such socket): TCP on 127.0.0.1, where any local user may connect, so
    each request carries a secret token the app wrote to a file only its owner can read
    (rustlamp.system.control_tcp). Set RUSTLAMP_CONTROL=tcp to use it on Linux too (the tests do).
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
from typing import Any, Literal, TextIO

log = logging.getLogger("rustlamp.control")

MAX_REQUEST = 4096  # bytes; a request is a short JSON line, anything longer is refused
CLIENT_TIMEOUT = 5.0  # seconds: the client's wait for an answer, and the server's for a request line
TRANSPORT_ENV = "RUSTLAMP_CONTROL"  # "unix" or "tcp"; unset: the platform's own

Reply = dict[str, Any]
RequestHandler = Callable[[str], Awaitable[Reply]]
Transport = Literal["unix", "tcp"]
LockMethod = Literal["flock", "msvcrt"]


def runtime_dir(platform: str = sys.platform) -> Path:
    """Where the lock and the channel live.

    Linux/macOS: $XDG_RUNTIME_DIR/rustlamp (tmpfs, the person's own); a private folder in /tmp as a
    fallback. Windows: a folder in the app's per-user state folder (%LOCALAPPDATA%\\rustlamp\\run), which
    Windows keeps private to the user; not under %TEMP%, which clean-up tools empty while the app runs.
    """
    if platform == "win32":
        from rustlamp.system.paths import state_dir

        return state_dir() / "run"
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and Path(base).is_dir():
        return Path(base) / "rustlamp"
    return Path("/tmp") / f"rustlamp-{os.getuid()}"  # the folder is made 0700 and checked below


def _private_dir(path: Path, platform: str = sys.platform) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if platform == "win32":
        return path  # no uid or mode bits there; the per-user folder's ACL keeps other users out
    info = path.stat()
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise PermissionError(f"{path} must belong to you alone (mode 0700); it is not, so it is not used")
    return path


def socket_path(folder: Path | None = None) -> Path:
    return (folder or runtime_dir()) / "control.sock"


def choose_transport(transport: str | None = None) -> Transport:
    """The channel to use: `transport` if given, else $RUSTLAMP_CONTROL, else the platform's own (the Unix
    socket where there is one, the token channel on Windows). Server and client choose alike."""
    native: Transport = "unix" if hasattr(socket, "AF_UNIX") and sys.platform != "win32" else "tcp"
    wanted = transport if transport is not None else os.environ.get(TRANSPORT_ENV, "")
    if wanted == "tcp":
        return "tcp"
    if wanted not in ("", native):
        log.warning("%s=%r is not a channel here (use unix or tcp); using %s", TRANSPORT_ENV, wanted, native)
    return native


# --- one instance ---------------------------------------------------------------------------------


@dataclass
class InstanceLock:
    """Held for the life of the running app."""

    file: TextIO
    path: Path

    def release(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()


def lock_method(platform: str = sys.platform) -> LockMethod:
    return "msvcrt" if platform == "win32" else "flock"


def _try_lock(fd: int, method: LockMethod) -> bool:
    """Lock the open file without waiting; False when another process holds it."""
    if method == "msvcrt":
        if sys.platform == "win32":
            import msvcrt

            try:  # the first byte, from the position the caller put at 0, so every process locks the same one
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            except OSError:
                return False
            return True
        raise OSError("msvcrt locking is only there on Windows")
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def take_instance_lock(folder: Path | None = None) -> InstanceLock | None:
    """The lock, or None when another rustlamp of this person holds it."""
    directory = _private_dir(folder or runtime_dir())
    path = directory / "instance.lock"
    file = open(path, "a+", encoding="utf-8")  # noqa: SIM115  (kept open while the app runs)
    file.seek(0)
    if not _try_lock(file.fileno(), lock_method()):
        file.close()
        return None
    file.seek(0)
    file.truncate()
    file.write(f"{os.getpid()}\n")
    file.flush()
    return InstanceLock(file, path)


# --- the channel: what both transports share ------------------------------------------------------


class LineChannel:
    """Serves one JSON line a connection and answers one; a transport says how it listens (`start`, at
    `path`: the file a client finds it by) and whom it lets in (`_refuse_peer`, `_refuse_request`).
    A silent connection is dropped after `read_timeout`."""

    def __init__(self, handler: RequestHandler, path: Path, read_timeout: float = CLIENT_TIMEOUT) -> None:
        self.handler = handler
        self.path = path
        self.read_timeout = read_timeout
        self._server: asyncio.base_events.Server | None = None

    async def _stop_listening(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def _refuse_peer(self, writer: asyncio.StreamWriter) -> Reply | None:
        """A refusal for who connected, before anything is read; None lets them in."""
        return None

    def _refuse_request(self, request: dict[str, Any]) -> Reply | None:
        """A refusal for what was asked (a missing token, say); None lets it through."""
        return None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            reply = await self._answer(reader, writer)
            writer.write((json.dumps(reply, ensure_ascii=False) + "\n").encode())
            await writer.drain()
        except asyncio.TimeoutError:
            log.info("dropped a control connection that sent nothing for %ss", self.read_timeout)
        except ConnectionError as exc:
            log.info("a control connection ended early: %s", exc)
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> Reply:
        refusal = self._refuse_peer(writer)
        if refusal is not None:
            return refusal
        try:
            line = await asyncio.wait_for(reader.readline(), self.read_timeout)
        except (ValueError, asyncio.LimitOverrunError):
            log.warning("refused an oversized control message (over %d bytes)", MAX_REQUEST)
            return {"ok": False, "error": f"message over {MAX_REQUEST} bytes"}
        try:
            request = json.loads(line)
            if not isinstance(request, dict):
                raise TypeError("not a JSON object")
            key = request["command"]
            if not isinstance(key, str):
                raise TypeError("command is not a string")
        except (ValueError, KeyError, TypeError) as exc:
            # only its size: the line may hold the TCP transport's token
            log.warning("refused a malformed control message (%d bytes): %s", len(line), exc)
            return {"ok": False, "error": 'malformed message; send one JSON line like {"command": "status"}'}
        refusal = self._refuse_request(request)
        if refusal is not None:
            return refusal
        return await self.handler(key)


def exchange(sock: socket.socket, request: dict[str, str]) -> Reply:
    """The client's half: one JSON line out, one back, on a connected socket."""
    sock.sendall((json.dumps(request) + "\n").encode())
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    reply: Reply = json.loads(data) if data else {"ok": False, "error": "no answer"}
    return reply


# --- the Unix socket --------------------------------------------------------------------------------


def _peer_uid(sock: socket.socket) -> int | None:
    """The connecting process's uid, where the OS tells (Linux); None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return int(uid)


class UnixControlServer(LineChannel):
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
        await self._stop_listening()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def _refuse_peer(self, writer: asyncio.StreamWriter) -> Reply | None:
        sock = writer.get_extra_info("socket")
        uid = _peer_uid(sock) if sock is not None else None
        if uid is not None and uid != os.getuid():
            log.warning("refused a control connection from uid %s", uid)
            return {"ok": False, "error": "not yours"}
        return None


def _send_unix(key: str, folder: Path | None, timeout: float) -> Reply | None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(str(socket_path(folder)))
        except (FileNotFoundError, ConnectionRefusedError):
            return None
        return exchange(sock, {"command": key})


# --- the facade the app and the command line use -----------------------------------------------------


class ControlServer:
    """The app's end of the channel, on the transport `choose_transport` picks."""

    def __init__(
        self,
        handler: RequestHandler,
        folder: Path | None = None,
        transport: str | None = None,
        read_timeout: float = CLIENT_TIMEOUT,
    ) -> None:
        from rustlamp.system.control_tcp import TokenControlServer, control_file

        self.transport = choose_transport(transport)
        self._impl: UnixControlServer | TokenControlServer = (
            UnixControlServer(handler, socket_path(folder), read_timeout)
            if self.transport == "unix"
            else TokenControlServer(handler, control_file(folder), read_timeout)
        )

    @property
    def path(self) -> Path:
        """The file a client finds the app by: the socket, or the token channel's control.json."""
        return self._impl.path

    async def start(self) -> None:
        await self._impl.start()

    async def close(self) -> None:
        await self._impl.close()


def send(
    key: str, folder: Path | None = None, timeout: float = CLIENT_TIMEOUT, transport: str | None = None
) -> Reply | None:
    """Ask the running instance; None when none is running (nothing to connect to, or nobody listening)."""
    if choose_transport(transport) == "unix":
        return _send_unix(key, folder, timeout)
    from rustlamp.system.control_tcp import send_tcp

    return send_tcp(key, folder or runtime_dir(), timeout)
