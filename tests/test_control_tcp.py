"""The token channel (TCP on 127.0.0.1 and control.json), Windows' transport, run for real on Linux: a real
asyncio loop serving in a thread, real client calls, and once the installed app itself with
RUSTLAMP_CONTROL=tcp."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import stat
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from desktop import DesktopSession
from platforms import WINDOWS, not_on_windows
from run_cli import rustlamp
from test_control import at, quiet_app, status

from rustlamp.system.control import MAX_REQUEST, ControlServer, Reply, choose_transport, send
from rustlamp.system.control_tcp import CONTROL_FILE, TokenControlServer, reply_proof, request_proof

pytestmark = pytest.mark.windows


class ServingThread:
    """A ControlServer on the token channel, served by its own asyncio loop in a thread; its handler
    answers with the key it got and the server's name, and keeps what it got."""

    def __init__(self, folder: Path, name: str = "a", read_timeout: float = 5.0) -> None:
        self.name = name
        self.got: list[str] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = ControlServer(self.handle, folder, transport="tcp", read_timeout=read_timeout)
        self._call(self.server.start())

    async def handle(self, key: str) -> Reply:
        self.got.append(key)
        return {"ok": True, "key": key, "server": self.name}

    @property
    def token_server(self) -> TokenControlServer:
        impl = self.server._impl
        assert isinstance(impl, TokenControlServer)
        return impl

    @property
    def port(self) -> int:
        assert self.token_server.port is not None
        return self.token_server.port

    def _call(self, coroutine: Any) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(10)

    def close(self) -> None:
        if self.loop.is_running():
            self._call(self.server.close())
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "run"


@pytest.fixture
def serving(folder: Path) -> Iterator[ServingThread]:
    server = ServingThread(folder)
    yield server
    server.close()


def raw(port: int, message: bytes) -> Reply:
    """Send bytes as they are and read the one answer line."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(message)
        answer: Reply = json.loads(sock.makefile("rb").readline())
    return answer


def ask(folder: Path, key: str = "status") -> Reply | None:
    return send(key, folder, timeout=5, transport="tcp")


def test_a_request_with_the_token_is_answered(serving: ServingThread, folder: Path) -> None:
    assert ask(folder, "status") == {"ok": True, "key": "status", "server": "a"}
    assert ask(folder, "snooze:600s") == {"ok": True, "key": "snooze:600s", "server": "a"}
    assert serving.got == ["status", "snooze:600s"]


def test_a_wrong_or_missing_proof_is_refused_and_the_server_goes_on(
    serving: ServingThread, folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "rustlamp.control")
    good = serving.token_server.token
    right = request_proof(good, "n1", "quit")
    for request in (
        {"token": good, "command": "quit"},  # the token itself is never what is asked for
        {"nonce": "n1", "proof": "0" * 64, "command": "quit"},
        {"nonce": "n1", "proof": right[:-1] + ("0" if right[-1] != "0" else "1"), "command": "quit"},
        {"nonce": "n2", "proof": right, "command": "quit"},  # another nonce
        {"nonce": "n1", "proof": right, "command": "break"},  # another command
        {"nonce": "n1", "proof": "ünïcode", "command": "quit"},
        {"nonce": "n1", "proof": 12, "command": "quit"},
        {"command": "quit"},
    ):
        answer = raw(serving.port, json.dumps(request).encode() + b"\n")
        assert answer["ok"] is False and answer["error"] == "wrong or missing proof", request
    assert serving.got == []  # none of them reached the app
    assert "refused a control message with a wrong proof" in caplog.text
    assert "refused a control message with no proof" in caplog.text
    assert ask(folder) == {"ok": True, "key": "status", "server": "a"}


def test_the_lamp_proves_its_reply_and_the_token_never_travels(serving: ServingThread) -> None:
    token = serving.token_server.token
    request = {"nonce": "abc", "proof": request_proof(token, "abc", "status"), "command": "status"}
    with socket.create_connection(("127.0.0.1", serving.port), timeout=5) as sock:
        sock.sendall(json.dumps(request).encode() + b"\n")
        line = sock.makefile("rb").readline()
    assert token.encode() not in line and token.encode() not in json.dumps(request).encode()
    answer = json.loads(line)
    proof = answer.pop("proof")
    assert proof == reply_proof(token, "abc", answer)
    assert answer == {"ok": True, "key": "status", "server": "a"}


def test_another_program_on_a_dead_lamps_port_is_not_believed(folder: Path) -> None:
    """After a kill -9, another user may listen on the port control.json names; what it answers is not
    printed as the lamp's, and it learns nothing it could use."""
    folder.mkdir(mode=0o700)
    heard: list[bytes] = []
    with socket.socket() as impostor:
        impostor.bind(("127.0.0.1", 0))
        impostor.listen(1)
        port = impostor.getsockname()[1]
        (folder / CONTROL_FILE).write_text(json.dumps({"port": port, "token": "ab" * 32, "pid": 1}))

        def answer_falsely() -> None:
            conn, _ = impostor.accept()
            with conn:
                heard.append(conn.makefile("rb").readline())
                conn.sendall(b'{"ok": true, "version": "evil", "pid": 1, "message": "all fine"}\n')

        thread = threading.Thread(target=answer_falsely)
        thread.start()
        assert ask(folder) is None  # not running, as far as anyone can tell
        thread.join(5)
    assert heard and b"ab" * 32 not in heard[0]


def test_malformed_messages_are_refused(serving: ServingThread, caplog: pytest.LogCaptureFixture) -> None:
    token = serving.token_server.token
    for message in (
        b"not json\n",
        b"[1, 2]\n",
        b"\n",
        json.dumps({"nonce": "n", "proof": token, "command": 3}).encode() + b"\n",
        json.dumps({"nonce": "n", "proof": token}).encode() + b"\n",
    ):
        answer = raw(serving.port, message)
        assert answer["ok"] is False and answer["error"].startswith("malformed message"), message
    assert serving.got == []
    assert caplog.text.count("refused a malformed control message") == 5


def test_an_oversized_line_is_refused(
    serving: ServingThread, folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    token = serving.token_server.token
    for size in (2 * MAX_REQUEST, 300_000):
        huge = json.dumps({"proof": token, "command": "x" * size}).encode() + b"\n"
        answer = raw(serving.port, huge)
        assert (answer["ok"], answer["error"]) == (False, f"message over {MAX_REQUEST} bytes")
    assert caplog.text.count("refused an oversized control message") == 2
    assert serving.got == []
    assert ask(folder)  # and still there


def test_a_silent_connection_is_dropped_after_the_timeout_and_holds_nobody_up(
    folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "rustlamp.control")
    server = ServingThread(folder, read_timeout=0.3)
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as silent:
            started = time.monotonic()
            assert ask(folder) == {"ok": True, "key": "status", "server": "a"}  # answered meanwhile
            assert silent.recv(100) == b""  # the server hung up without a word
            assert time.monotonic() - started < 3
        assert "dropped a control connection that sent nothing for 0.3s" in caplog.text
    finally:
        server.close()


def test_control_json_is_owner_only_and_removed_on_close(folder: Path) -> None:
    server = ServingThread(folder)
    path = folder / CONTROL_FILE
    try:
        assert WINDOWS or stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert WINDOWS or stat.S_IMODE(path.stat().st_mode) == 0o600
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data == {"port": server.port, "token": server.token_server.token, "pid": os.getpid()}
        assert len(bytes.fromhex(data["token"])) == 32
        assert [p.name for p in folder.iterdir()] == [CONTROL_FILE]  # no temporary file left behind
    finally:
        server.close()
    assert not path.exists()
    assert ask(folder) is None


def test_each_start_has_a_new_token(folder: Path) -> None:
    tokens = set()
    for _ in range(3):
        server = ServingThread(folder)
        tokens.add(server.token_server.token)
        server.close()
    assert len(tokens) == 3


def test_a_stale_control_json_means_not_running(folder: Path) -> None:
    assert ask(folder) is None  # no file
    folder.mkdir(mode=0o700)
    with socket.socket() as probe:  # a port nobody listens on any more, as after a crash
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (folder / CONTROL_FILE).write_text(json.dumps({"port": port, "token": "ab" * 32, "pid": 1}))
    assert ask(folder) is None
    assert send("break", folder, timeout=5, transport="tcp") is None


def test_a_damaged_control_json_is_said_plainly(folder: Path) -> None:
    folder.mkdir(mode=0o700)
    for text in ("{", "[]", '{"port": "x", "token": "t"}', '{"port": 0, "token": "t"}', '{"port": 9}'):
        (folder / CONTROL_FILE).write_text(text)
        with pytest.raises(ValueError, match=r"control\.json is damaged"):
            ask(folder)


def test_a_new_server_takes_over_and_the_old_one_leaves_its_file_alone(folder: Path) -> None:
    first = ServingThread(folder, "first")
    second = ServingThread(folder, "second")  # as after a crash of the first: the new one takes its place
    path = folder / CONTROL_FILE
    try:
        assert json.loads(path.read_text())["token"] == second.token_server.token
        assert ask(folder) == {"ok": True, "key": "status", "server": "second"}
        first.close()
        assert json.loads(path.read_text())["token"] == second.token_server.token  # still the second's
        assert ask(folder) == {"ok": True, "key": "status", "server": "second"}
    finally:
        first.close()
        second.close()
    assert not path.exists()


@not_on_windows("Linux's default channel")
def test_choosing_the_transport(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv("RUSTLAMP_CONTROL", raising=False)
    assert choose_transport() == "unix"  # Linux: the Unix socket is the channel
    assert choose_transport("tcp") == "tcp"
    monkeypatch.setenv("RUSTLAMP_CONTROL", "tcp")
    assert choose_transport() == "tcp"
    assert choose_transport("unix") == "unix"  # the argument wins over the environment
    monkeypatch.setenv("RUSTLAMP_CONTROL", "pigeon")
    assert choose_transport() == "unix"
    assert "RUSTLAMP_CONTROL='pigeon' is not a channel here" in caplog.text


@not_on_windows("Linux's default channel")
def test_the_unix_transport_is_the_default_on_linux(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RUSTLAMP_CONTROL", raising=False)

    async def handle(key: str) -> Reply:
        return {"ok": True}

    assert ControlServer(handle, tmp_path).path == tmp_path / "control.sock"
    assert ControlServer(handle, tmp_path, transport="tcp").path == tmp_path / CONTROL_FILE
    monkeypatch.setenv("RUSTLAMP_CONTROL", "tcp")
    assert ControlServer(handle, tmp_path).path == tmp_path / CONTROL_FILE


# --- the installed app on the token channel -----------------------------------------------------------


@pytest.mark.desktop
def test_the_app_and_the_command_line_over_the_token_channel(
    desktop_clean: DesktopSession, tmp_path: Path
) -> None:
    app = quiet_app(desktop_clean, tmp_path, {"RUSTLAMP_CONTROL": "tcp"})
    try:
        app.wait_for_output(r"listening for commands on 127\.0\.0\.1:\d+ ")
        folder = Path(app.env["XDG_RUNTIME_DIR"]) / "rustlamp"
        assert stat.S_IMODE((folder / CONTROL_FILE).stat().st_mode) == 0o600
        assert json.loads((folder / CONTROL_FILE).read_text())["pid"] == app.proc.pid
        assert not (folder / "control.sock").exists()

        first = status(app)
        assert first["running"] is True and first["pid"] == app.proc.pid and first["paused_until"] is None

        now = datetime.now().astimezone()
        result = rustlamp(["pause", "30m"], app.env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("Alright, no reminders until ")
        paused = status(app)
        assert abs(at(paused["paused_until"]) - (now + timedelta(minutes=30))) < timedelta(seconds=30)

        wrong = {"nonce": "n", "proof": "0" * 64, "command": "quit"}
        port = json.loads((folder / CONTROL_FILE).read_text())["port"]
        assert raw(port, json.dumps(wrong).encode() + b"\n")["ok"] is False
        app.wait_for_output(r"refused a control message with a wrong proof")

        second = rustlamp(["run"], app.env)
        assert second.returncode == 0
        assert second.stdout == "rustlamp is already running; rustlamp status shows what comes next.\n"

        assert rustlamp(["quit"], app.env).returncode == 0
        assert app.proc.wait(10) == 0
        assert not (folder / CONTROL_FILE).exists()
        gone = rustlamp(["status"], app.env)
        assert gone.returncode == 1 and "rustlamp is not running" in gone.stderr
    finally:
        app.stop()


def test_the_command_line_on_the_token_channel_with_nothing_running(tmp_path: Path) -> None:
    from run_cli import private_env

    env = private_env(tmp_path, {"RUSTLAMP_CONTROL": "tcp"})
    result = rustlamp(["status"], env)
    assert result.returncode == 1 and "rustlamp is not running" in result.stderr
