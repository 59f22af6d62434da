"""The command line's channel where there is no Unix socket (Windows): TCP on 127.0.0.1 and a token.

Any local user may connect to a loopback port, and after a crash any local user may listen on the port
a stale control.json names, so the port alone proves nothing, either way. The app listens on a port the
OS picks and writes `control.json` = {"port", "token", "pid"} into its private folder; the token is 32
random bytes, new each start, and never sent over the wire. Both ends prove they know it:
- the client sends {"command", "nonce" (16 fresh random bytes), "proof": HMAC(token, request, nonce,
  command)}; a request without the right proof is refused;
- the lamp answers with "proof": HMAC(token, reply, nonce, the reply's canonical JSON), and the client
  believes no reply without it. A program that took a dead lamp's port learns nothing it can use, and its
  answers are not printed: the client says rustlamp is not running.
The file is written whole or not at all (a temporary file in the same folder, then replaced), 0600 on
POSIX; on Windows the folder under %LOCALAPPDATA% is private to the user already.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import os
import secrets
import socket
import tempfile
from pathlib import Path
from typing import Any

from rustlamp.core.problem_words import phrase, phrased, reason_of
from rustlamp.system.control import (
    CLIENT_TIMEOUT,
    MAX_REQUEST,
    LineChannel,
    Reply,
    RequestHandler,
    _private_dir,
    exchange,
    failed,
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
            raise phrased(TypeError, phrase("control.wrong_kind"))
    except (ValueError, KeyError, TypeError) as exc:
        words = phrase("control.file_damaged", path=str(path), detail=reason_of(exc))
        raise phrased(ValueError, words) from None
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
        nonce, proof, key = request.get("nonce"), request.get("proof"), request.get("command")
        if isinstance(nonce, str) and isinstance(proof, str) and isinstance(key, str):
            expected = request_proof(self.token, nonce, key)
            if hmac.compare_digest(proof.encode("ascii", "replace"), expected.encode()):
                return None
        log.warning("refused a control message with %s proof", "a wrong" if proof else "no")
        return failed("control.wrong_proof")

    def _seal(self, request: dict[str, Any] | None, reply: Reply) -> Reply:
        nonce = request.get("nonce") if request is not None else None
        if not isinstance(nonce, str) or len(nonce) > 128:
            return reply  # nothing to answer to: the client will not believe it, and need not
        return {**reply, "proof": reply_proof(self.token, nonce, reply)}


def _mac(token: str, *parts: str) -> str:
    message = "\n".join(parts).encode("utf-8", "surrogatepass")
    return hmac.new(token.encode("utf-8", "surrogatepass"), message, hashlib.sha256).hexdigest()


def request_proof(token: str, nonce: str, command: str) -> str:
    return _mac(token, "rustlamp request", nonce, command)


def reply_proof(token: str, nonce: str, reply: Reply) -> str:
    canonical = json.dumps(reply, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return _mac(token, "rustlamp reply", nonce, canonical)


def send_tcp(key: str, folder: Path, timeout: float = CLIENT_TIMEOUT) -> Reply | None:
    """Ask the instance that wrote `folder`/control.json; None when none is running there (nothing
    listens, or whatever listens cannot prove it is that rustlamp)."""
    found = read_control_file(control_file(folder))
    if found is None:
        return None
    port, token = found
    try:
        sock = socket.create_connection((HOST, port), timeout=timeout)
    except ConnectionRefusedError:
        return None
    nonce = secrets.token_hex(16)
    with sock:
        try:
            reply = exchange(
                sock, {"command": key, "nonce": nonce, "proof": request_proof(token, nonce, key)}
            )
        except (ValueError, ConnectionError):
            reply = {}
    proof = reply.pop("proof", None)
    if not isinstance(proof, str) or not hmac.compare_digest(
        proof.encode("ascii", "replace"), reply_proof(token, nonce, reply).encode()
    ):
        log.warning(
            "the program on port %d is not the rustlamp that wrote %s; its answer was ignored", port, folder
        )
        return None
    return reply
