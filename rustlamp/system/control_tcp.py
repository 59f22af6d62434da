"""The command line's channel where there is no Unix socket (Windows): TCP on 127.0.0.1 and a token.

Any local user may connect to a loopback port, so the port alone proves nothing. The app listens on a
port the OS picks and writes `control.json` = {"port", "token", "pid"} into its private folder; the
token is 32 random bytes, new each start. A client reads the file (only its owner can) and sends the
token with its request: {"token": "...", "command": "status"}; a request without the right token is
refused. The file is written whole or not at all (a temporary file in the same folder, then replaced),
0600 on POSIX; on Windows the folder under %LOCALAPPDATA% is private to the user already.

A control.json left by a crash names a port nobody listens on any more: the client is refused and says
"not running", as for a stale socket. If another program has taken that port since, it learns a token
no running rustlamp accepts.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import os
import secrets
import socket
import tempfile
from pathlib import Path
from typing import Any

from rustlamp.system.control import (
    CLIENT_TIMEOUT,
    MAX_REQUEST,
    LineChannel,
    Reply,
    RequestHandler,
    _private_dir,
    exchange,
    runtime_dir,
)

log = logging.getLogger("rustlamp.control")

HOST = "127.0.0.1"
CONTROL_FILE = "control.json"


def control_file(folder: Path | None = None) -> Path:
    return (folder or runtime_dir()) / CONTROL_FILE


def write_private_json(path: Path, data: dict[str, Any]) -> None:
    """Write `path` whole or not at all, readable by its owner alone (mkstemp makes it 0600)."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(data, file)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def read_control_file(path: Path) -> tuple[int, str] | None:
    """The port and token in control.json; None when there is no file. ValueError when it is damaged."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
        port, token = data["port"], data["token"]
        if type(port) is not int or not 0 < port < 65536 or not isinstance(token, str):
            raise TypeError("port or token of the wrong kind")
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path} is damaged ({exc}); remove it if rustlamp is not running") from None
    return port, token


class TokenControlServer(LineChannel):
    def __init__(self, handler: RequestHandler, path: Path, read_timeout: float = CLIENT_TIMEOUT) -> None:
        super().__init__(handler, path, read_timeout)
        self.token = secrets.token_hex(32)  # new each start of the app
        self.port: int | None = None

    async def start(self) -> None:
        _private_dir(self.path.parent)
        self._server = await asyncio.start_server(self._serve, HOST, 0, limit=MAX_REQUEST)
        self.port = int(self._server.sockets[0].getsockname()[1])
        try:
            # we hold the instance lock, so a control.json here is a dead instance's: take its place
            write_private_json(self.path, {"port": self.port, "token": self.token, "pid": os.getpid()})
        except OSError:
            await self._stop_listening()
            raise
        log.info("listening for commands on %s:%d (see %s)", HOST, self.port, self.path)

    async def close(self) -> None:
        await self._stop_listening()
        with contextlib.suppress(OSError, ValueError):
            found = read_control_file(self.path)
            if found is not None and hmac.compare_digest(found[1].encode(), self.token.encode()):
                self.path.unlink()  # ours still; a newer one's file stays

    def _refuse_request(self, request: dict[str, Any]) -> Reply | None:
        token = request.get("token")
        if isinstance(token, str) and hmac.compare_digest(token.encode(), self.token.encode()):
            return None
        log.warning("refused a control message with %s token", "a wrong" if token else "no")
        return {"ok": False, "error": "wrong or missing token"}


def send_tcp(key: str, folder: Path, timeout: float = CLIENT_TIMEOUT) -> Reply | None:
    """Ask the instance that wrote `folder`/control.json; None when none is running there."""
    found = read_control_file(control_file(folder))
    if found is None:
        return None
    port, token = found
    try:
        sock = socket.create_connection((HOST, port), timeout=timeout)
    except ConnectionRefusedError:
        return None
    with sock:
        return exchange(sock, {"token": token, "command": key})
