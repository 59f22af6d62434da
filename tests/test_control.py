"""One instance, and the command line talking to it over its private socket: real processes, real sockets."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from app_process import QUIET_ALL_DAY, RunningApp, answer_break_window
from desktop import DesktopSession
from platforms import WINDOWS, not_on_windows, posix_modes
from run_cli import RUSTLAMP, rustlamp

pytestmark = pytest.mark.windows

CONFIG = QUIET_ALL_DAY


def quiet_app(desktop: DesktopSession, home: Path, extra_env: Mapping[str, str] | None = None) -> RunningApp:
    """`rustlamp run` in `home` with the quiet all-day settings, once it listens for commands."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    running = RunningApp(home, desktop.env, config, extra_env)
    try:
        running.wait_for_output(r"listening for commands on ")
    except AssertionError:
        running.stop()
        raise
    return running


@pytest.fixture
def app(desktop_clean: DesktopSession, tmp_path: Path) -> Iterator[RunningApp]:
    running = quiet_app(desktop_clean, tmp_path)
    yield running
    running.stop()


def status(app: RunningApp) -> dict[str, object]:
    result = rustlamp(["status", "--json"], app.env)
    assert result.returncode == 0, result.stderr
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


def at(value: object) -> datetime:
    assert isinstance(value, str)
    return datetime.fromisoformat(value)


@pytest.mark.desktop
def test_status_snooze_pause_resume_break_and_quit(app: RunningApp) -> None:
    now = datetime.now().astimezone()
    first = status(app)
    assert first["running"] is True and first["pid"] == app.proc.pid
    assert first["version"] == "0.1.0"
    assert first["paused_until"] is None and first["snoozed_until"] is None
    assert abs(at(first["next_reminder"]) - (now + timedelta(minutes=45))) < timedelta(seconds=30)

    plain = rustlamp(["status"], app.env)
    assert plain.returncode == 0
    assert plain.stdout.splitlines()[0] == "rustlamp is running."  # no pid in a sentence for a person
    assert plain.stdout.splitlines()[1].startswith("Next reminder at ")

    result = rustlamp(["snooze", "10m"], app.env)
    snoozed = at(status(app)["snoozed_until"])
    assert abs(snoozed - (now + timedelta(minutes=10))) < timedelta(seconds=30)
    when = f"at {snoozed:%H:%M}" if snoozed.date() == now.date() else f"tomorrow at {snoozed:%H:%M}"
    assert result.returncode == 0 and result.stdout == f"Alright, later. The next reminder is {when}.\n"

    result = rustlamp(["pause", "1h"], app.env)
    assert result.returncode == 0
    paused = status(app)
    assert abs(at(paused["paused_until"]) - (now + timedelta(hours=1))) < timedelta(seconds=30)
    until = at(paused["paused_until"])
    when = f"{until:%H:%M}" if until.date() == now.date() else f"{until:%H:%M} tomorrow"  # after 23:00
    assert result.stdout == f"Alright, no reminders until {when}.\n"
    # a snooze during a pause says what became of it: nothing to snooze
    result = rustlamp(["snooze", "10m"], app.env)
    assert result.stdout == f"Reminders are already paused until {when}, so there is nothing to snooze.\n"
    assert status(app)["snoozed_until"] is None
    result = rustlamp(["resume"], app.env)
    assert result.returncode == 0 and result.stdout.startswith("Reminders are back on. The next one is at")
    assert status(app)["paused_until"] is None
    assert rustlamp(["resume"], app.env).stdout == "Reminders were already on.\n"

    # the channel checks the same ranges as the command line: a key out of range is refused there too
    for key in ("snooze:5s", "pause:25h", "snooze:-5m"):
        script = f"from rustlamp.system.control import send; import json; print(json.dumps(send({key!r})))"
        sent = subprocess.run(
            [sys.executable, "-c", script],
            env=app.env,
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        )
        assert json.loads(sent.stdout) == {
            "ok": False,
            "error": f"unknown command {key!r}",
            "words": "control.unknown_command",  # so the command line says it in the person's language
            "values": {"command": repr(key)},
        }

    before = at(status(app)["last_rest"])
    time.sleep(1.1)  # last_rest has a resolution of one second in the answer
    assert rustlamp(["break"], app.env).stdout == "Your break is ready for you.\n"
    # a second ask brings the open window forward
    assert rustlamp(["break"], app.env).stdout == "Your break is already open.\n"
    assert status(app)["break_open"] is True
    answer_break_window(app.env, "A moment of rest")
    app.wait_for_output(r"break outcome: done")
    assert at(status(app)["last_rest"]) > before
    assert app.output().count("break requested (command line)") == 1
    assert app.output().count("break outcome:") == 1  # never two windows

    result = rustlamp(["quit"], app.env)
    assert result.returncode == 0 and result.stdout == "rustlamp is stopping. Until next time.\n"
    assert app.proc.wait(10) == 0
    gone = rustlamp(["status"], app.env)
    assert gone.returncode == 1
    assert gone.stderr == "rustlamp is not running now. You can start it with the command rustlamp.\n"


@pytest.mark.desktop
def test_the_channel_is_owner_only(app: RunningApp) -> None:
    folder = Path(app.env["XDG_RUNTIME_DIR"]) / "rustlamp"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "control.sock").stat().st_mode) == 0o600


@pytest.mark.desktop
def test_malformed_and_oversized_messages_are_refused_and_the_instance_goes_on(app: RunningApp) -> None:
    path = str(Path(app.env["XDG_RUNTIME_DIR"]) / "rustlamp" / "control.sock")
    for message in (
        b"not json\n",
        b'{"command": 3}\n',
        b"{" + b"x" * 10_000 + b"}\n",
        b'{"command": "dance"}\n',
    ):
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(5)
            sock.connect(path)
            sock.sendall(message)
            answer = json.loads(sock.makefile().readline())
        assert answer["ok"] is False, message[:30]
    log = app.output()
    assert "refused a malformed control message" in log
    assert "refused an oversized control message" in log
    assert "refused an unknown command 'dance'" in log
    assert status(app)["running"] is True


@pytest.mark.desktop
def test_a_second_run_finds_the_first_and_exits_0(app: RunningApp) -> None:
    second = subprocess.run([RUSTLAMP, "run"], env=app.env, capture_output=True, text=True, timeout=30)
    assert second.returncode == 0
    assert second.stdout.strip() == "rustlamp is already running; rustlamp status shows what comes next."


@pytest.mark.desktop
def test_ten_started_at_once_leave_exactly_one(desktop_clean: DesktopSession, tmp_path: Path) -> None:
    from run_cli import private_env

    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    env = private_env(tmp_path, {k: desktop_clean.env[k] for k in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS")})
    procs = [
        subprocess.Popen(
            [RUSTLAMP, "run", "--config", str(config)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for _ in range(10)
    ]
    try:
        deadline = time.monotonic() + 30
        while sum(p.poll() is not None for p in procs) < 9 and time.monotonic() < deadline:
            time.sleep(0.05)
        running = [p for p in procs if p.poll() is None]
        assert len(running) == 1
        for p in procs:
            if p is not running[0]:
                assert p.returncode == 0
                assert "rustlamp is already running" in (p.stdout.read() if p.stdout else "")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            result = rustlamp(["status", "--json"], env)
            if result.returncode == 0:
                break
            time.sleep(0.05)
        assert json.loads(result.stdout)["pid"] == running[0].pid
        assert rustlamp(["quit"], env).returncode == 0
        assert running[0].wait(10) == 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()


@pytest.mark.desktop
def test_after_kill_9_the_next_start_recovers_the_stale_socket(
    desktop_clean: DesktopSession, tmp_path: Path
) -> None:
    first = quiet_app(desktop_clean, tmp_path / "a")
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait(10)
    sock = Path(first.env["XDG_RUNTIME_DIR"]) / "rustlamp" / "control.sock"
    assert sock.exists()  # left behind, as after a crash
    second = quiet_app(desktop_clean, tmp_path / "a", {"XDG_RUNTIME_DIR": first.env["XDG_RUNTIME_DIR"]})
    try:
        assert status(second)["pid"] == second.proc.pid
    finally:
        assert second.stop() == 0


def test_when_nothing_runs_commands_say_so(tmp_path: Path) -> None:
    from run_cli import private_env

    env = private_env(tmp_path)
    # (`break` and `check-in` open their window right here instead)
    for args in (["status"], ["snooze", "10m"], ["pause"], ["resume"], ["quit"]):
        result = rustlamp(args, env)
        assert result.returncode == 1, args
        assert "rustlamp is not running" in result.stderr


@pytest.mark.desktop
def test_break_with_nothing_running_opens_the_window_on_its_own(
    desktop_clean: DesktopSession, tmp_path: Path
) -> None:
    from run_cli import private_env

    env = private_env(tmp_path, {"DISPLAY": desktop_clean.env["DISPLAY"], "LANG": "nl_NL.UTF-8"})
    proc = subprocess.Popen([RUSTLAMP, "break"], env=env, stdout=subprocess.PIPE, text=True)
    try:
        answer_break_window(desktop_clean.env, "Even rust")
        out, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert out == "Je rustmoment is genoteerd.\n"  # said in the app's language, not as JSON


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ["snooze", "banana"],
            "'banana' is not a duration; you can use forms like 10 min, 45 min or 1 hour 30 min, or today",
        ),
        (["pause", "-5m"], "'-5m' is not a duration"),
        (["snooze", "25h"], "'25h' does not fit; you can use 10 sec to 24 hours, or today"),
        (["snooze"], "snooze: still missing: DURATION|today"),
    ],
)
def test_bad_control_arguments_get_usage_and_exit_2(tmp_path: Path, args: list[str], says: str) -> None:
    from run_cli import private_env

    result = rustlamp(args, private_env(tmp_path))
    assert result.returncode == 2
    assert "usage: rustlamp" in result.stderr
    assert says in result.stderr


# --- the instance lock and the folder, without the app ------------------------------------------------


def test_the_instance_lock_is_one_holders_until_released(tmp_path: Path) -> None:
    from rustlamp.system.control import take_instance_lock

    folder = tmp_path / "run"
    first = take_instance_lock(folder)
    assert first is not None
    assert WINDOWS or stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert first.path.read_text() == f"{os.getpid()}\n"
    assert take_instance_lock(folder) is None  # a second open file, as another process would have
    assert first.path.read_text() == f"{os.getpid()}\n"  # the loser left the holder's pid alone
    first.release()
    again = take_instance_lock(folder)
    assert again is not None
    again.release()


def test_the_lock_is_taken_with_the_platforms_own_call(tmp_path: Path) -> None:
    from rustlamp.system.control import _try_lock, lock_method

    assert lock_method("linux") == "flock"
    assert lock_method("darwin") == "flock"
    assert lock_method("win32") == "msvcrt"
    assert lock_method() == ("msvcrt" if WINDOWS else "flock")
    if not WINDOWS:
        with (tmp_path / "lock").open("a+") as file, pytest.raises(OSError, match="only there on Windows"):
            _try_lock(file.fileno(), "msvcrt")


@not_on_windows("platformdirs follows XDG variables off Windows only")
def test_on_windows_the_folder_is_in_the_per_user_state_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rustlamp.system.control import runtime_dir

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert runtime_dir("win32") == tmp_path / "state" / "rustlamp" / "run"  # platformdirs' state folder
    assert runtime_dir() == tmp_path / "rustlamp"
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    assert runtime_dir() == Path("/tmp") / f"rustlamp-{os.getuid()}"


@posix_modes
def test_a_folder_others_could_write_in_is_refused_one_they_could_read_is_made_private(
    tmp_path: Path,
) -> None:
    from rustlamp.system.control import _private_dir

    open_folder = tmp_path / "open"
    open_folder.mkdir()
    open_folder.chmod(0o777)
    with pytest.raises(PermissionError, match="must belong to you alone"):
        _private_dir(open_folder)
    assert _private_dir(open_folder, "win32") == open_folder  # no mode bits there; the ACL does it
    readable = tmp_path / "readable"
    readable.mkdir()
    readable.chmod(0o755)  # nobody else could have put anything in: it is only closed
    assert _private_dir(readable) == readable
    assert stat.S_IMODE(readable.stat().st_mode) == 0o700
