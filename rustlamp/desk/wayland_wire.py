"""A small client of the Wayland wire protocol: enough to bind globals, send requests and read events.

Why our own: the idle protocols need a handful of messages, and the Python bindings (pywayland) build
a C extension against libwayland at install time. The wire format is simple (wayland.freedesktop.org,
"Wire Format"): every message is the sender's object id (32 bits), then the message size in bytes (high
16 bits) and the opcode (low 16 bits), then the arguments, each padded to 32 bits, in the host's byte
order. A string is its length including the final NUL, then the bytes; an object or new_id is its id.
Object ids the client makes count up from 2 (1 is wl_display).

No file descriptors are passed (the protocols used here have none), and the connection is read only
when the socket has something (the caller adds it to its event loop), so it costs nothing in between.
"""

from __future__ import annotations

import os
import select
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass, field

DISPLAY_ID = 1
HEADER = struct.Struct("=II")
UINT = struct.Struct("=I")
INT = struct.Struct("=i")

# wl_display
SYNC, GET_REGISTRY = 0, 1
ERROR_EVENT, DELETE_ID_EVENT = 0, 1
# wl_registry
BIND = 0
GLOBAL_EVENT, GLOBAL_REMOVE_EVENT = 0, 1
# wl_callback
DONE_EVENT = 0


class WaylandError(Exception):
    """No connection, a protocol error from the compositor, or a connection that closed."""


def socket_path(env: dict[str, str] | None = None) -> str:
    """Where the compositor listens: $WAYLAND_DISPLAY (default wayland-0) in $XDG_RUNTIME_DIR, or
    $WAYLAND_DISPLAY itself when it is an absolute path."""
    values = os.environ if env is None else env
    name = values.get("WAYLAND_DISPLAY") or "wayland-0"
    if name.startswith("/"):
        return name
    runtime = values.get("XDG_RUNTIME_DIR")
    if not runtime:
        raise WaylandError("XDG_RUNTIME_DIR is not set, so the Wayland socket cannot be found")
    return os.path.join(runtime, name)


def string_arg(text: str) -> bytes:
    data = text.encode() + b"\0"
    return UINT.pack(len(data)) + data + b"\0" * (-len(data) % 4)


def read_string(body: bytes, offset: int) -> tuple[str, int]:
    (length,) = UINT.unpack_from(body, offset)
    start = offset + 4
    text = body[start : start + max(0, length - 1)].decode(errors="replace")
    return text, start + length + (-length % 4)


@dataclass(frozen=True)
class Global:
    name: int  # the registry's number for it
    interface: str
    version: int


EventHandler = Callable[[int, bytes], None]  # (opcode, argument bytes)


@dataclass
class WaylandConnection:
    """One connection to the compositor. `connect()` reads the globals (one round trip); afterwards
    `receive()` is called when the socket is readable and hands each event to its object's handler."""

    sock: socket.socket
    timeout: float = 2.0
    globals: list[Global] = field(default_factory=list)
    _next_id: int = 2
    _registry: int = 0
    _handlers: dict[int, EventHandler] = field(default_factory=dict)
    _buffer: bytes = b""
    _synced: set[int] = field(default_factory=set)

    @classmethod
    def connect(cls, path: str | None = None, timeout: float = 2.0) -> WaylandConnection:
        """Connect and read the compositor's globals; raises WaylandError."""
        where = path or socket_path()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        sock.settimeout(timeout)
        try:
            sock.connect(where)
        except OSError as exc:
            sock.close()
            raise WaylandError(f"no Wayland compositor answers at {where} ({exc.strerror or exc})") from None
        connection = cls(sock, timeout)
        try:
            connection._registry = connection.new_object(connection._on_registry)
            connection.send(DISPLAY_ID, GET_REGISTRY, UINT.pack(connection._registry))
            connection.roundtrip()
        except (OSError, WaylandError) as exc:
            sock.close()
            raise WaylandError(f"the Wayland compositor at {where} did not answer: {exc}") from None
        sock.setblocking(False)
        return connection

    # ----- objects and messages --------------------------------------------------------------------

    def new_object(self, handler: EventHandler | None = None) -> int:
        object_id = self._next_id
        self._next_id += 1
        self._handlers[object_id] = handler or (lambda opcode, body: None)
        return object_id

    def forget(self, object_id: int) -> None:
        self._handlers.pop(object_id, None)

    def send(self, object_id: int, opcode: int, args: bytes = b"") -> None:
        message = HEADER.pack(object_id, ((HEADER.size + len(args)) << 16) | opcode) + args
        self.sock.sendall(message)

    def find(self, interface: str) -> Global | None:
        return next((g for g in self.globals if g.interface == interface), None)

    def bind(self, found: Global, version: int, handler: EventHandler | None = None) -> int:
        """Bind a global at min(version, what it offers); returns the new object's id."""
        object_id = self.new_object(handler)
        args = UINT.pack(found.name) + string_arg(found.interface)
        args += UINT.pack(min(version, found.version)) + UINT.pack(object_id)
        self.send(self._registry, BIND, args)
        return object_id

    def roundtrip(self) -> None:
        """Send wl_display.sync and read until it is done (waiting `timeout` at most for each read): every
        event sent before it has then been handled."""
        callback = self.new_object()
        self._handlers[callback] = lambda opcode, body: self._synced.add(callback)
        self.send(DISPLAY_ID, SYNC, UINT.pack(callback))
        while callback not in self._synced:
            ready, _, _ = select.select([self.sock], [], [], self.timeout)
            if not ready:
                raise WaylandError(f"no answer within {self.timeout:g} s")
            data = self.sock.recv(4096)
            if not data:
                raise WaylandError("the compositor closed the connection")
            self._feed(data)
        self._synced.discard(callback)
        self.forget(callback)

    def receive(self) -> bool:
        """Read what the socket has and handle it; False when the compositor closed the connection."""
        while True:
            try:
                data = self.sock.recv(65536)
            except BlockingIOError:
                return True
            except OSError:
                return False
            if not data:
                return False
            self._feed(data)

    def close(self) -> None:
        self.sock.close()

    # ----- events ----------------------------------------------------------------------------------

    def _feed(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) >= HEADER.size:
            object_id, size_opcode = HEADER.unpack_from(self._buffer)
            size, opcode = size_opcode >> 16, size_opcode & 0xFFFF
            if size < HEADER.size:
                raise WaylandError(f"a message of impossible size {size}")
            if len(self._buffer) < size:
                return
            body, self._buffer = self._buffer[HEADER.size : size], self._buffer[size:]
            if object_id == DISPLAY_ID:
                self._on_display(opcode, body)
            else:
                handler = self._handlers.get(object_id)
                if handler is not None:
                    handler(opcode, body)

    def _on_display(self, opcode: int, body: bytes) -> None:
        if opcode == ERROR_EVENT:
            object_id, code = struct.unpack_from("=II", body)
            message, _ = read_string(body, 8)
            raise WaylandError(f"protocol error {code} on object {object_id}: {message}")
        if opcode == DELETE_ID_EVENT:
            (object_id,) = UINT.unpack_from(body)
            self.forget(object_id)

    def _on_registry(self, opcode: int, body: bytes) -> None:
        if opcode == GLOBAL_EVENT:
            (name,) = UINT.unpack_from(body)
            interface, offset = read_string(body, 4)
            (version,) = UINT.unpack_from(body, offset)
            self.globals.append(Global(name, interface, version))
        elif opcode == GLOBAL_REMOVE_EVENT:
            (name,) = UINT.unpack_from(body)
            self.globals = [g for g in self.globals if g.name != name]
