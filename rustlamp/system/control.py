"""One running rustlamp per person, and a local channel the command line uses to talk to it.

- One instance: exclusive locks the OS lets go of when the process ends in any way (a crash, `kill -9`),
  so a stale lock needs no clean-up and ten starts at once leave one; none can be sidestepped by deleting
  a file (`take_instance_lock` says how, per platform).
- The channel: one request a connection, a JSON line ({"command": "status"}) answered by a JSON line.
  Requests carry the same action keys as the tray menu and the notification buttons ("break",
  "snooze:600s", "pause:tomorrow", ...), plus "status", so every entry point takes one command path.
  Two transports, one request path (`LineChannel`):
  - "unix" (Linux, macOS): a Unix socket, 0600 in a 0700 folder of ours (`runtime_dir`: owner and mode
    checked, with fallbacks), and the uid at the other end is checked both ways (Linux: SO_PEERCRED;
    macOS: LOCAL_PEERCRED, what getpeereid() reads).
  - "tcp" (Windows, which has no such socket): TCP on 127.0.0.1, where any local user may connect or,
    after a crash, listen, so both ends prove they know a secret token the app wrote to a file only its
    owner can read (rustlamp.system.control_tcp). Set RUSTLAMP_CONTROL=tcp to use it on Linux too.
- Every request gets one answer: a malformed one, or one whose handling failed, is answered "refused".
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import json
import logging
import os
import socket
import stat
import struct
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO

from rustlamp.core.problem_words import Amount, phrase, phrased

if TYPE_CHECKING:  # control_tcp imports this module; it is loaded only for the token channel
    from rustlamp.system.control_tcp import TokenControlServer

log = logging.getLogger("rustlamp.control")

MAX_REQUEST = 4096  # bytes; a request is a short JSON line, anything longer is refused
CLIENT_TIMEOUT = 5.0  # seconds: the client's wait for an answer, and the server's for a request line
TRANSPORT_ENV = "RUSTLAMP_CONTROL"  # "unix" or "tcp"; unset: the platform's own

Reply = dict[str, Any]
RequestHandler = Callable[[str], Awaitable[Reply]]
Transport = Literal["unix", "tcp"]
LockMethod = Literal["flock", "msvcrt"]


SHARED_TMP = Path("/tmp")  # the fallback's parent; every user may write there
SOCKET_PATH_MAX = 100  # bytes: sun_path holds 108 on Linux, 104 on macOS; "/control.sock" must fit


def runtime_dir(platform: str = sys.platform) -> Path:
    """Where the lock and the channel live: the first of these that is (or can be made) ours alone.

    Linux/macOS: $XDG_RUNTIME_DIR/rustlamp (tmpfs, the person's own), when that variable names a folder
    of ours we may write in; else /tmp/rustlamp-<uid>, when nobody else made it first; else a folder in the
    state folder (~/.local/state/rustlamp/run), which is ours by construction. The app and the command line
    choose alike, so they meet. Windows: a folder in the app's per-user state folder
    (%LOCALAPPDATA%\\rustlamp\\run), which Windows keeps private to the user; not under %TEMP%, which
    clean-up tools empty while the app runs.
    """
    from rustlamp.system.paths import state_dir

    if platform == "win32":
        return state_dir() / "run"
    candidates = []
    base = os.environ.get("XDG_RUNTIME_DIR", "")
    if base and os.path.isabs(base) and _ours_to_write_in(Path(base)):
        candidates.append(Path(base) / "rustlamp")
    candidates += [SHARED_TMP / f"rustlamp-{os.getuid()}", state_dir() / "run"]
    for folder in candidates:
        if len(os.fsencode(folder)) <= SOCKET_PATH_MAX and _acceptable(folder):
            return folder
    return candidates[-1]  # ours, unless something odd happened there: _private_dir says what


def _ours_to_write_in(base: Path) -> bool:
    """XDG_RUNTIME_DIR as the spec has it: a real folder, the person's own, that they may write in."""
    try:
        info = base.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and os.access(base, os.W_OK | os.X_OK)


def _acceptable(folder: Path) -> bool:
    """The folder is ours (or can be made ours): a real folder owned by this user that nobody else could
    write in, or a missing one in a parent we may write in."""
    try:
        info = folder.lstat()
    except FileNotFoundError:
        parent = folder.parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        return os.access(parent, os.W_OK | os.X_OK)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o022


def failed(key: str, **values: str | int) -> dict[str, Any]:
    """A reply that says no: "error" in English (for programs and the log), "words" its catalog key and
    "values" its fields, so the command line says it in the person's language (rustlamp.cli)."""
    reply: dict[str, Any] = {"ok": False, "error": str(phrase(key, **values)), "words": key}
    if values:
        reply["values"] = values
    return reply


def _private_dir(path: Path, platform: str = sys.platform) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if platform == "win32":
        return path  # no uid or mode bits there; the per-user folder's ACL keeps other users out
    info = path.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
        # someone else's, or one others could have put things in: nothing in it can be trusted
        raise phrased(PermissionError, phrase("control.folder_not_private", path=str(path)))
    if info.st_mode & 0o077:
        path.chmod(0o700)  # ours, only readable by others: nobody could have put anything in
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
    holds: list[Any] = field(default_factory=list)  # the folder's descriptor, the abstract socket

    def release(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()
        for held in self.holds:
            with contextlib.suppress(OSError):
                held.close() if isinstance(held, socket.socket) else os.close(held)
        self.holds.clear()


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
    """The lock, or None when another rustlamp of this person holds it.

    What holds it cannot be undone by deleting a file:
    - Linux and macOS: `flock` on the runtime folder itself (a descriptor of the folder, kept open), not
      only on instance.lock inside it; deleting instance.lock leaves the folder's lock in place. On Linux
      an abstract socket named after the user and the folder is bound as well: it lives in no folder at
      all, so even removing the whole folder does not let a second lamp in. Another user who binds that
      name first only loses us this second guard (their socket is seen not to be ours).
    - Windows: `msvcrt.locking` on instance.lock, kept open; Windows does not delete a file another
      process holds open (no FILE_SHARE_DELETE), nor the folder it is in.
    """
    directory = _private_dir(folder or runtime_dir())
    path = directory / "instance.lock"
    method = lock_method()
    holds: list[Any] = []
    if method == "flock":
        folder_fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        holds.append(folder_fd)
        if not _try_lock(folder_fd, method) or not _take_abstract_name(directory, holds):
            _let_go(holds)
            return None
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        file = open(os.open(path, flags, 0o600), "r+", encoding="utf-8")  # noqa: SIM115  (kept open)
    except OSError:
        _let_go(holds)
        raise
    file.seek(0)
    if not _try_lock(file.fileno(), method):
        file.close()
        _let_go(holds)
        return None
    file.seek(0)
    file.truncate()
    file.write(f"{os.getpid()}\n")
    file.flush()
    return InstanceLock(file, path, holds)


def _let_go(holds: list[Any]) -> None:
    InstanceLock(io.StringIO(), Path(), holds).release()


def abstract_name(directory: Path) -> bytes:
    """The Linux abstract socket name of this user's lamp in `directory`: no file, gone with the process."""
    digest = hashlib.sha256(os.fsencode(directory.absolute())).hexdigest()[:16]
    return f"\0rustlamp-{os.getuid()}-{digest}".encode()


def _take_abstract_name(directory: Path, holds: list[Any]) -> bool:
    """Bind the abstract name (Linux only; elsewhere there are none). False when a lamp of ours has it."""
    if not sys.platform.startswith("linux"):
        return True
    name = abstract_name(directory)
    guard = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        guard.bind(name)
        guard.listen(128)  # never accepted: probes from later starts wait in this queue, then go
    except OSError:
        guard.close()
        return not _held_by_us(name)
    holds.append(guard)
    return True


def _held_by_us(name: bytes) -> bool:
    """Whether the process listening on the abstract name is this user's (a lamp of ours)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(name)
            uid = _peer_uid(probe)
        except OSError:
            return False
    if uid != os.getuid():
        log.warning("another user holds rustlamp's lock name; the folder's lock alone guards this lamp")
        return False
    return True


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

    def _seal(self, request: dict[str, Any] | None, reply: Reply) -> Reply:
        """The reply as sent; a transport may add a proof that it comes from this lamp."""
        return reply

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request, reply = await self._answer(reader, writer)
            try:
                line = json.dumps(self._seal(request, reply), ensure_ascii=True, allow_nan=False)
            except (TypeError, ValueError) as exc:  # a reply we cannot write is still answered
                log.error("a control reply could not be written as JSON: %s", exc)
                line = json.dumps(self._seal(request, failed("control.lamp_could_not_answer")))
            writer.write((line + "\n").encode("ascii"))
            await writer.drain()
        except asyncio.TimeoutError:
            log.info("dropped a control connection that sent nothing for %ss", self.read_timeout)
        except ConnectionError as exc:
            log.info("a control connection ended early: %s", exc)
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _answer(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> tuple[dict[str, Any] | None, Reply]:
        """(the request when it could be read, the reply): every request gets an answer."""
        refusal = self._refuse_peer(writer)
        if refusal is not None:
            return None, refusal
        try:
            line = await asyncio.wait_for(reader.readline(), self.read_timeout)
        except (ValueError, asyncio.LimitOverrunError):
            log.warning("refused an oversized control message (over %d bytes)", MAX_REQUEST)
            return None, failed("control.request_too_big", limit=MAX_REQUEST)
        try:
            request = json.loads(line)
            if not isinstance(request, dict):
                raise TypeError("not a JSON object")
            key = request["command"]
            if not isinstance(key, str):
                raise TypeError("command is not a string")
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            # only its size: the line may hold the TCP transport's proof
            log.warning("refused a malformed control message (%d bytes): %s", len(line), type(exc).__name__)
            return None, failed("control.malformed", example='{"command": "status"}')
        refusal = self._refuse_request(request)
        if refusal is not None:
            return request, refusal
        try:
            return request, await self.handler(key)
        except Exception:  # the lamp goes on, and the asker hears that this one failed
            log.exception("a control command failed: %r", key[:100])
            return request, failed("control.lamp_failed")


MAX_REPLY = 1024 * 1024  # bytes; a reply is a few hundred, anything longer is not the lamp's


def exchange(sock: socket.socket, request: dict[str, str]) -> Reply:
    """The client's half: one JSON line out, one back, on a connected socket. ValueError when what came
    back is not a reply (too long, not JSON, not an object)."""
    sock.sendall((json.dumps(request) + "\n").encode())
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
        if len(data) > MAX_REPLY:
            raise phrased(ValueError, phrase("control.answer_too_big", limit=MAX_REPLY))
    if not data:
        return failed("control.no_answer")
    try:
        reply = json.loads(data)
    except (ValueError, RecursionError):
        raise phrased(ValueError, phrase("control.answer_not_json")) from None
    if not isinstance(reply, dict):
        raise phrased(ValueError, phrase("control.answer_not_json"))
    return reply


# --- the Unix socket --------------------------------------------------------------------------------


# macOS <sys/un.h>: the option getpeereid() itself reads, answered with a struct xucred
SOL_LOCAL = 0
LOCAL_PEERCRED = 0x001
XUCRED_VERSION = 0
XUCRED_SIZE = 76  # cr_version, cr_uid (u_int each), cr_ngroups (short, padded), cr_groups[16]


def _peer_uid(sock: socket.socket, platform: str | None = None) -> int | None:
    """The uid of the process at the other end, where the OS tells (Linux, macOS); None elsewhere.
    OSError when the OS's answer cannot be read: the caller then trusts nobody."""
    platform = platform or sys.platform
    if platform.startswith("linux"):
        creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        _pid, uid, _gid = struct.unpack("3i", creds)
        return int(uid)
    if platform == "darwin":
        creds = sock.getsockopt(SOL_LOCAL, LOCAL_PEERCRED, XUCRED_SIZE)
        if len(creds) < 8:
            raise phrased(OSError, phrase("control.peer_cut_off", size=len(creds)))
        version, uid = struct.unpack_from("=II", creds)
        if version != XUCRED_VERSION:
            raise phrased(OSError, phrase("control.peer_unknown", version=version))
        return int(uid)
    return None


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
        try:
            uid = _peer_uid(sock) if sock is not None else None
        except OSError as exc:
            log.warning("refused a control connection whose owner cannot be told: %s", exc)
            return failed("control.not_yours")
        if uid is not None and uid != os.getuid():
            log.warning("refused a control connection from uid %s", uid)
            return failed("control.not_yours")
        return None


def _send_unix(key: str, folder: Path | None, timeout: float) -> Reply | None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(str(socket_path(folder)))
        except (FileNotFoundError, ConnectionRefusedError, NotADirectoryError):
            return None
        # the folder is ours alone; where the kernel tells, the lamp's uid is checked too
        uid = _peer_uid(sock)
        if uid is not None and uid != os.getuid():
            raise phrased(PermissionError, phrase("control.someone_else", uid=uid))
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
        self.transport = choose_transport(transport)
        self._impl: UnixControlServer | TokenControlServer
        if self.transport == "unix":
            self._impl = UnixControlServer(handler, socket_path(folder), read_timeout)
        else:
            # only here: the token channel brings hmac and secrets, which a Unix socket never needs
            from rustlamp.system.control_tcp import TokenControlServer, control_file

            self._impl = TokenControlServer(handler, control_file(folder), read_timeout)

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
    """Ask the running instance; None when none is running (nothing to connect to, or nobody listening).
    OSError or ValueError, in words for a person, when something answered but not as the lamp would."""
    try:
        if choose_transport(transport) == "unix":
            return _send_unix(key, folder, timeout)
        from rustlamp.system.control_tcp import send_tcp

        return send_tcp(key, folder or runtime_dir(), timeout)
    except TimeoutError:
        raise phrased(
            TimeoutError, phrase("control.no_answer_in_time", seconds=Amount(round(timeout)))
        ) from None
