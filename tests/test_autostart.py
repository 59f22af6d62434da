"""Start at login. The Linux entry for real, in a private XDG_CONFIG_HOME: written, checked with
desktop-file-validate and started with GLib's `gio launch` (as GNOME starts autostart entries); the
macOS LaunchAgent written for real with plistlib; the Windows Run value against a small stand-in for
winreg, which cannot run here."""

from __future__ import annotations

import os
import plistlib
import shutil
import stat
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest
from platforms import WINDOWS

from rustlamp import __version__
from rustlamp.system import autostart
from rustlamp.system.autostart import (
    APPROVED_KEY,
    RUN_KEY,
    Change,
    LaunchAgent,
    WindowsAutostart,
    XdgAutostart,
    entry_keys,
    launch_command,
    parse_exec,
)

pytestmark = pytest.mark.windows

LINUX = sys.platform.startswith("linux")


def validate(path: Path) -> None:
    """desktop-file-validate must be silent about `path` (Debian package desktop-file-utils)."""
    program = shutil.which("desktop-file-validate")
    if program is None:
        if LINUX:
            pytest.fail("desktop-file-validate is missing: install the Debian package desktop-file-utils")
        return  # Windows and macOS CI: nothing to check with
    done = subprocess.run([program, str(path)], capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout + done.stderr) == (0, ""), path.read_text()


def exec_argv(keys: dict[str, str]) -> list[str]:
    """The Exec key as the command it stands for (the spec's quoting; %% is one %)."""
    return parse_exec(keys["Exec"])


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.setattr(sys, "platform", "linux")
    return home


# ----- Linux: the XDG autostart entry -----------------------------------------------------------------


def test_off_by_default_and_asking_writes_nothing(config_home: Path) -> None:
    assert autostart.available()
    assert not autostart.is_enabled()
    assert not config_home.exists(), "looking must not create anything"


def test_enable_writes_a_valid_entry_that_starts_this_rustlamp(config_home: Path) -> None:
    change = autostart.enable()
    path = config_home / "autostart" / "rustlamp.desktop"
    assert change == Change(path, "written") and change.where == path
    assert str(change) == f"{path} (written)"
    validate(path)
    keys = entry_keys(path.read_text(encoding="utf-8"))
    assert keys["Type"] == "Application" and keys["Name"] == "rustlamp"
    assert keys["X-GNOME-Autostart-enabled"] == "true" and keys["NoDisplay"] == "false"
    assert keys["X-Rustlamp-Autostart"] == "true" and "Hidden" not in keys
    assert keys["Comment"].startswith("A quiet lamp") and keys["Comment[nl]"].startswith("Een stil lampje")
    assert Path(keys["Icon"]).is_file() and Path(keys["Icon"]).suffix == ".png"
    assert exec_argv(keys) == launch_command()
    assert WINDOWS or stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in path.parent.iterdir()] == ["rustlamp.desktop"], "no temporary file is left"
    assert autostart.is_enabled()


def test_exec_values_are_read_back_as_written() -> None:
    assert parse_exec('/usr/bin/rustlamp -v "a b" "\\$x \\" \\` \\\\" 100%%') == [
        "/usr/bin/rustlamp",
        "-v",
        "a b",
        '$x " ` \\',
        "100%",
    ]
    assert parse_exec('""  x') == ["", "x"]
    with pytest.raises(ValueError, match="unclosed"):
        parse_exec('"open')


def test_the_command_is_the_installed_console_script_and_it_runs() -> None:
    command = launch_command()
    if sys.platform == "win32":  # no console window at login
        assert Path(command[0]).name == "pythonw.exe" and command[1:] == ["-m", "rustlamp"]
        return
    scripts = {Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))}
    installed = [folder / "rustlamp" for folder in scripts if (folder / "rustlamp").exists()]
    if installed:  # `make test` installs rustlamp into the venv that runs the tests
        assert len(command) == 1 and Path(command[0]).resolve() == installed[0].resolve()
    done = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == f"rustlamp {__version__}", done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="Windows always uses pythonw.exe -m rustlamp")
def test_without_a_console_script_it_is_python_dash_m(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare = tmp_path / "bin"
    bare.mkdir()
    monkeypatch.setattr(sys, "executable", str(bare / "python3"))
    monkeypatch.setattr(sysconfig, "get_path", lambda name: str(tmp_path / "scripts"))
    monkeypatch.setenv("PATH", str(bare))
    monkeypatch.delenv("FLATPAK_ID", raising=False)
    assert launch_command() == [str(bare / "python3"), "-m", "rustlamp"]
    script = bare / "rustlamp"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    assert launch_command() == [str(script)]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert launch_command() == [str(bare / "python3")], "a frozen app starts itself"
    monkeypatch.setenv("FLATPAK_ID", "nl.rustlamp.Rustlamp")
    assert launch_command() == ["flatpak", "run", "nl.rustlamp.Rustlamp"]


@pytest.mark.skipif(not LINUX, reason="GLib's gio and a POSIX shell script")
def test_glib_starts_the_entry_with_every_argument_intact(tmp_path: Path) -> None:
    """Paths with spaces, quotes, $, backquotes, backslashes and % go through the spec's two levels of
    escaping and come out whole, as GNOME's session would start them."""
    if shutil.which("gio") is None:
        pytest.fail("gio is missing: install the Debian package libglib2.0-bin")
    folder = tmp_path / 'my $HOME "lamp"'
    folder.mkdir()
    program = folder / "rust lamp`x`.sh"
    out = tmp_path / "argv.txt"
    program.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$0\" \"$@\" > '{out}'\n")
    program.chmod(0o755)
    command = [str(program), "a b", "c\\d", "50%", "$PATH", "'quoted'"]
    entry = XdgAutostart(tmp_path / "autostart", command=command)
    entry.enable()
    validate(entry.path)
    assert exec_argv(entry_keys(entry.path.read_text())) == command
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    subprocess.run(["gio", "launch", str(entry.path)], check=True, timeout=30, env=env)
    deadline = time.monotonic() + 10
    while not out.exists() or not out.read_text().endswith("'quoted'\n"):
        assert time.monotonic() < deadline, "the entry's program did not run"
        time.sleep(0.05)
    assert out.read_text().splitlines() == command


def test_enable_twice_is_idempotent(config_home: Path) -> None:
    first = autostart.enable()
    assert isinstance(first.where, Path)
    written = first.where.read_bytes()
    mtime = first.where.stat().st_mtime_ns
    assert autostart.enable() == Change(first.where, "already on")
    assert first.where.read_bytes() == written and first.where.stat().st_mtime_ns == mtime
    assert autostart.is_enabled()


@pytest.mark.parametrize("switch", ["Hidden=true", "X-GNOME-Autostart-enabled=false"])
def test_switched_off_by_a_settings_app_is_respected_and_enable_switches_it_on_again(
    config_home: Path, switch: str
) -> None:
    entry = XdgAutostart()
    entry.enable()
    # What a desktop's settings app does: flip a key in the person's copy.
    text = entry.path.read_text().replace("X-GNOME-Autostart-enabled=true\n", "")
    entry.path.write_text(text + switch + "\n")
    assert not entry.is_enabled()
    assert not autostart.is_enabled()
    validate(entry.path)

    assert autostart.enable() == Change(entry.path, "switched on again")
    keys = entry_keys(entry.path.read_text())
    assert "Hidden" not in keys and keys.get("X-GNOME-Autostart-enabled", "true") == "true"
    assert autostart.is_enabled()
    validate(entry.path)


def test_disable_of_a_missing_file_is_fine(config_home: Path) -> None:
    path = config_home / "autostart" / "rustlamp.desktop"
    assert autostart.disable() == Change(path, "was not there")
    assert not config_home.exists()
    assert not autostart.is_enabled()


def test_disable_removes_our_entry_and_says_when_it_held_changes(config_home: Path) -> None:
    entry = XdgAutostart()
    entry.enable()
    assert autostart.disable() == Change(entry.path, "removed")
    assert not entry.path.exists() and not autostart.is_enabled()

    entry.enable()
    # The person's own touch: a comment of theirs. A settings app's Hidden=true is not "a change".
    entry.path.write_text(entry.path.read_text().replace("Comment=A quiet lamp", "Comment=My lamp"))
    assert autostart.disable() == Change(entry.path, "removed; it held changes of your own")
    assert not entry.path.exists()

    entry.enable()
    entry.path.write_text(entry.path.read_text() + "Hidden=true\n")
    assert autostart.disable() == Change(entry.path, "removed")


def test_a_hand_written_entry_is_switched_off_and_kept_not_deleted(config_home: Path) -> None:
    path = config_home / "autostart" / "rustlamp.desktop"
    path.parent.mkdir(parents=True)
    own = "# mine\n[Desktop Entry]\nType=Application\nName=Lamp\nExec=rustlamp -v\n"
    own += "\n[Desktop Action x]\nName=X\n"
    path.write_text(own)
    assert autostart.is_enabled()
    change = autostart.disable()
    assert change.where == path and "your own file" in change.what
    assert path.exists() and not autostart.is_enabled()
    assert path.read_text() == own.replace("[Desktop Entry]\n", "[Desktop Entry]\nHidden=true\n")
    assert autostart.disable().what == "already off; your own file is kept"

    assert autostart.enable() == Change(path, "switched on again")
    assert path.read_text() == own, "on again: the person's file exactly as it was"


def test_our_entry_for_a_program_that_is_gone_is_written_afresh(config_home: Path) -> None:
    stale = XdgAutostart(command=["/nowhere/old-venv/bin/rustlamp"])
    stale.enable()
    change = autostart.enable()
    assert change.where == stale.path and change.what.startswith("written again")
    assert exec_argv(entry_keys(stale.path.read_text())) == launch_command()


def test_a_relative_xdg_config_home_is_ignored(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/config")
    assert autostart.xdg_config_home() == Path.home() / ".config"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert XdgAutostart().path == Path.home() / ".config" / "autostart" / "rustlamp.desktop"


def test_each_platform_has_its_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(autostart, "_winreg", FakeWinreg)
    assert isinstance(autostart.backend("linux"), XdgAutostart)
    assert isinstance(autostart.backend("freebsd14"), XdgAutostart)
    assert isinstance(autostart.backend("darwin"), LaunchAgent)
    assert isinstance(autostart.backend("win32"), WindowsAutostart)
    assert autostart.backend("emscripten") is None
    monkeypatch.setattr(sys, "platform", "emscripten")
    assert not autostart.available() and not autostart.is_enabled()
    with pytest.raises(OSError, match="cannot start at login"):
        autostart.enable()


# ----- macOS: the LaunchAgent, written for real with plistlib -----------------------------------------


def test_the_launch_agent_runs_rustlamp_at_load_and_respects_disabled(tmp_path: Path) -> None:
    agent = LaunchAgent(
        tmp_path / "LaunchAgents", command=["/Applications/rustlamp.app/Contents/MacOS/rustlamp"]
    )
    assert agent.path == tmp_path / "LaunchAgents" / "nl.rustlamp.plist"
    assert not agent.is_enabled()
    assert agent.disable() == Change(agent.path, "was not there")

    assert agent.enable() == Change(agent.path, "written")
    with agent.path.open("rb") as f:
        loaded = plistlib.load(f)
    assert loaded == {
        "Label": "nl.rustlamp",
        "ProgramArguments": ["/Applications/rustlamp.app/Contents/MacOS/rustlamp"],
        "RunAtLoad": True,
        "ProcessType": "Interactive",
        "LimitLoadToSessionType": "Aqua",
    }
    assert agent.path.read_bytes().startswith(b"<?xml")
    assert (
        WINDOWS or stat.S_IMODE(agent.path.stat().st_mode) == 0o644
    )  # launchd refuses group/world-writable ones
    assert agent.is_enabled()
    assert agent.enable() == Change(agent.path, "already on")

    agent.path.write_bytes(plistlib.dumps({**loaded, "Disabled": True}))
    assert not agent.is_enabled()
    assert agent.enable() == Change(agent.path, "written") and agent.is_enabled()

    agent.path.write_bytes(b"not a plist")
    assert not agent.is_enabled()
    assert agent.disable() == Change(agent.path, "removed") and not agent.path.exists()
    assert [p.name for p in agent.path.parent.iterdir()] == []


# ----- Windows: the Run value, against a stand-in for winreg ------------------------------------------


class FakeWinreg:
    """The part of winreg that autostart uses, over a dict: {key path: {value name: data}}."""

    HKEY_CURRENT_USER = "HKCU"
    KEY_READ = 1
    KEY_SET_VALUE = 2
    REG_SZ = 1
    REG_BINARY = 3
    store: ClassVar[dict[str, dict[str, Any]]] = {}

    class Key:
        def __init__(self, path: str) -> None:
            self.path = path

        def __enter__(self) -> FakeWinreg.Key:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

    @classmethod
    def OpenKey(cls, root: str, path: str, reserved: int = 0, access: int = 1) -> FakeWinreg.Key:
        assert root == cls.HKEY_CURRENT_USER and reserved == 0
        if path not in cls.store:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return cls.Key(path)

    @classmethod
    def CreateKeyEx(cls, root: str, path: str, reserved: int = 0, access: int = 2) -> FakeWinreg.Key:
        assert root == cls.HKEY_CURRENT_USER and access == cls.KEY_SET_VALUE
        cls.store.setdefault(path, {})
        return cls.Key(path)

    @classmethod
    def QueryValueEx(cls, key: FakeWinreg.Key, name: str) -> tuple[Any, int]:
        if name not in cls.store[key.path]:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        data = cls.store[key.path][name]
        return data, cls.REG_BINARY if isinstance(data, bytes) else cls.REG_SZ

    @classmethod
    def SetValueEx(cls, key: FakeWinreg.Key, name: str, reserved: int, kind: int, data: Any) -> None:
        assert kind == cls.REG_SZ and isinstance(data, str)
        cls.store[key.path][name] = data

    @classmethod
    def DeleteValue(cls, key: FakeWinreg.Key, name: str) -> None:
        if name not in cls.store[key.path]:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        del cls.store[key.path][name]


@pytest.fixture
def registry() -> type[FakeWinreg]:
    FakeWinreg.store = {RUN_KEY: {"OneDrive": '"C:\\OneDrive.exe" /background'}}
    return FakeWinreg


WINDOWS_COMMAND = ["C:\\Users\\Sam Smit\\pipx\\venvs\\rustlamp\\Scripts\\pythonw.exe", "-m", "rustlamp"]


def test_the_run_value_is_written_once_and_removed(registry: type[FakeWinreg]) -> None:
    run = WindowsAutostart(registry, command=WINDOWS_COMMAND)
    where = "HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\rustlamp"
    assert not run.is_enabled()
    assert run.disable() == Change(where, "was not there")

    assert run.enable() == Change(where, "written")
    assert registry.store[RUN_KEY]["rustlamp"] == (
        '"C:\\Users\\Sam Smit\\pipx\\venvs\\rustlamp\\Scripts\\pythonw.exe" -m rustlamp'
    )
    assert run.is_enabled()
    assert run.enable() == Change(where, "already on")

    assert run.disable() == Change(where, "removed")
    assert not run.is_enabled()
    assert registry.store[RUN_KEY] == {"OneDrive": '"C:\\OneDrive.exe" /background'}, "others' are untouched"


def test_switched_off_in_windows_startup_apps_is_respected(registry: type[FakeWinreg]) -> None:
    run = WindowsAutostart(registry, command=WINDOWS_COMMAND)
    run.enable()
    registry.store[APPROVED_KEY] = {"rustlamp": bytes([3]) + bytes(11)}  # what Settings writes for "off"
    assert not run.is_enabled()
    assert run.enable().what == "switched on again"
    assert "rustlamp" not in registry.store[APPROVED_KEY] and run.is_enabled()
    registry.store[APPROVED_KEY]["rustlamp"] = bytes([2]) + bytes(11)  # "on"
    assert run.is_enabled()
    run.disable()
    assert registry.store[APPROVED_KEY] == {} and registry.store[RUN_KEY].keys() == {"OneDrive"}


def test_a_new_command_line_replaces_the_old_one(registry: type[FakeWinreg]) -> None:
    WindowsAutostart(registry, command=["C:\\old\\rustlamp.exe"]).enable()
    assert WindowsAutostart(registry, command=WINDOWS_COMMAND).enable().what == "written"
    assert registry.store[RUN_KEY]["rustlamp"].endswith('pythonw.exe" -m rustlamp')
