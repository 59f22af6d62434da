"""Who is at the other end of the control socket, on macOS: the same uid check as Linux's SO_PEERCRED, read
through LOCAL_PEERCRED (what getpeereid() reads). Only the OS call is faked (this machine runs Linux); the
socket, the parsing and the server's refusal are the real ones."""

from __future__ import annotations

import os
import socket
import struct
from collections.abc import Iterator

import pytest

from rustlamp.system import control
from rustlamp.system.control import LOCAL_PEERCRED, SOL_LOCAL, XUCRED_SIZE, _peer_uid

pytestmark = pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix sockets")


def xucred(uid: int, version: int = 0) -> bytes:
    """A struct xucred as macOS's kernel fills it: version, uid, ngroups (padded), 16 group ids."""
    return struct.pack("=IIhxx16I", version, uid, 1, 20, *([0] * 15))


class MacSocket:
    """A real connected socket whose getsockopt answers as macOS would for LOCAL_PEERCRED."""

    def __init__(self, real: socket.socket, answer: bytes) -> None:
        self.real, self.answer, self.asked = real, answer, []

    def getsockopt(self, level: int, option: int, size: int) -> bytes:
        self.asked.append((level, option, size))
        assert (level, option) == (SOL_LOCAL, LOCAL_PEERCRED)
        return self.answer[:size]


@pytest.fixture
def pair() -> Iterator[socket.socket]:
    one, other = socket.socketpair(socket.AF_UNIX)
    yield one
    one.close()
    other.close()


def test_the_layout_is_the_size_macos_fills() -> None:
    assert len(xucred(0)) == XUCRED_SIZE


def test_on_macos_the_peer_uid_comes_from_local_peercred(pair: socket.socket) -> None:
    mac = MacSocket(pair, xucred(501))
    assert _peer_uid(mac, "darwin") == 501  # type: ignore[arg-type]
    assert mac.asked == [(SOL_LOCAL, LOCAL_PEERCRED, XUCRED_SIZE)]


@pytest.mark.parametrize("answer", [xucred(501, version=7), b"\0\0\0"])
def test_an_answer_macos_never_gives_is_an_error_not_a_uid(pair: socket.socket, answer: bytes) -> None:
    with pytest.raises(OSError, match="credentials"):
        _peer_uid(MacSocket(pair, answer), "darwin")  # type: ignore[arg-type]


def test_elsewhere_without_such_a_call_there_is_no_uid(pair: socket.socket) -> None:
    assert _peer_uid(pair, "win32") is None


@pytest.mark.skipif(not hasattr(socket, "SO_PEERCRED"), reason="Linux only")
def test_on_linux_the_real_call_gives_our_own_uid(pair: socket.socket) -> None:
    assert _peer_uid(pair) == os.getuid()


class FakeWriter:
    def __init__(self, sock: object) -> None:
        self.sock = sock

    def get_extra_info(self, name: str) -> object:
        return self.sock if name == "socket" else None


@pytest.mark.parametrize(
    ("answer", "refused"),
    [(xucred(os.getuid()), False), (xucred(os.getuid() + 1), True), (xucred(os.getuid(), 3), True)],
)
def test_the_lamp_on_macos_refuses_another_users_connection(
    monkeypatch: pytest.MonkeyPatch, pair: socket.socket, tmp_path: object, answer: bytes, refused: bool
) -> None:
    monkeypatch.setattr(control.sys, "platform", "darwin")

    async def handler(key: str) -> dict[str, object]:
        return {"ok": True}

    server = control.UnixControlServer(handler, control.Path(str(tmp_path)) / "s")
    reply = server._refuse_peer(FakeWriter(MacSocket(pair, answer)))  # type: ignore[arg-type]
    assert (reply is not None and reply["ok"] is False and reply["error"] == "not yours") is refused
