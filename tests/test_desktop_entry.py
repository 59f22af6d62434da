"""rustlamp's own desktop entry and icons for a pip or pipx install (rustlamp/system/desktop_entry.py):
written when a desktop would find none, kept up to date when rustlamp moves, never over another one."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from app_process import RunningApp
from run_cli import rustlamp

from rustlamp.system import desktop_entry
from rustlamp.system.autostart import entry_keys, parse_exec

PACKAGED = Path(__file__).resolve().parents[1] / "packaging" / "linux" / "nl.rustlamp.Rustlamp.desktop"


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """An empty XDG_DATA_HOME and one XDG_DATA_DIRS folder (where a package would put its entry)."""
    home, system = tmp_path / "data-home", tmp_path / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.setenv("XDG_DATA_DIRS", str(system))
    monkeypatch.delenv("FLATPAK_ID", raising=False)
    return home, system


def test_with_no_entry_anywhere_it_writes_its_own_and_the_lamp_icons_and_says_so(
    data: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    home, _ = data
    with caplog.at_level(logging.INFO, "rustlamp.desktop_entry"):
        assert desktop_entry.ensure(["/opt/venv/bin/rustlamp"]) == "written"
    path = home / "applications" / "nl.rustlamp.Rustlamp.desktop"
    keys = entry_keys(path.read_text())
    assert parse_exec(keys["Exec"]) == ["/opt/venv/bin/rustlamp"]
    assert keys["Icon"] == "nl.rustlamp.Rustlamp" and keys["Name"] == "rustlamp"
    assert keys["StartupWMClass"] == "rustlamp" and keys["X-Rustlamp-Written"] == "true"
    # the keys a desktop needs from the packaged entry are all there, with the same values
    packaged = entry_keys(PACKAGED.read_text())
    for key in ("Type", "Name", "Comment", "Comment[nl]", "Icon", "StartupWMClass", "Categories"):
        assert keys[key] == packaged[key], key
    icons = sorted(p.relative_to(home) for p in (home / "icons").rglob("*.png"))
    assert Path("icons/hicolor/48x48/apps/nl.rustlamp.Rustlamp.png") in icons and len(icons) == 8
    for icon in icons:  # the very pictures a package installs (packaging/linux/icons)
        assert (home / icon).read_bytes() == (PACKAGED.parent / icon).read_bytes(), icon
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 1 and str(path) in said[0] and "Hidden=true" in said[0]
    # the next start finds it as it is: nothing written, nothing said
    caplog.clear()
    stamp = path.stat().st_mtime_ns
    with caplog.at_level(logging.INFO, "rustlamp.desktop_entry"):
        assert desktop_entry.ensure(["/opt/venv/bin/rustlamp"]) == "rustlamp's own, as it is"
    assert path.stat().st_mtime_ns == stamp and not caplog.records


def test_a_moved_rustlamp_gets_its_entry_written_again(data: tuple[Path, Path]) -> None:
    home, _ = data
    desktop_entry.ensure(["/old/venv/bin/rustlamp"])
    assert desktop_entry.ensure(["/home/me/.local/bin/rustlamp"]) == "written again"
    keys = entry_keys((home / "applications" / "nl.rustlamp.Rustlamp.desktop").read_text())
    assert parse_exec(keys["Exec"]) == ["/home/me/.local/bin/rustlamp"]


def test_a_packaged_entry_is_never_overwritten_nor_shadowed(data: tuple[Path, Path]) -> None:
    home, system = data
    (system / "applications").mkdir(parents=True)
    shutil.copy(PACKAGED, system / "applications")
    assert desktop_entry.ensure(["/opt/venv/bin/rustlamp"]) == "another one is there"
    assert not (home / "applications").exists() and not (home / "icons").exists()
    assert (system / "applications" / PACKAGED.name).read_bytes() == PACKAGED.read_bytes()


def test_the_persons_own_entry_hidden_or_not_is_left_alone(data: tuple[Path, Path]) -> None:
    home, _ = data
    own = home / "applications" / "nl.rustlamp.Rustlamp.desktop"
    own.parent.mkdir(parents=True)
    text = "[Desktop Entry]\nType=Application\nName=rustlamp\nHidden=true\n"
    own.write_text(text)
    assert desktop_entry.ensure(["/opt/venv/bin/rustlamp"]) == "another one is there"
    assert own.read_text() == text


def test_the_data_folders_follow_the_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", "relative/share")  # not absolute: ignored
    monkeypatch.setenv("XDG_DATA_DIRS", "")
    assert desktop_entry.data_home() == Path.home() / ".local" / "share"
    assert desktop_entry.data_dirs() == [Path("/usr/local/share"), Path("/usr/share")]
    monkeypatch.setenv("XDG_DATA_DIRS", "/a:relative:/b")
    assert desktop_entry.data_dirs() == [Path("/a"), Path("/b")]


def test_inside_a_flatpak_nothing_is_written(
    data: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLATPAK_ID", "nl.rustlamp.Rustlamp")  # the Flatpak exports its own entry
    assert desktop_entry.ensure(["/app/bin/rustlamp"]) == "not here"
    assert not data[0].exists()


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_on_windows_and_macos_nothing_is_written(
    data: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, platform: str
) -> None:
    monkeypatch.setattr(desktop_entry.sys, "platform", platform)  # they find apps in their own ways
    assert desktop_entry.ensure(["rustlamp"]) == "not here"
    assert not data[0].exists()


@pytest.mark.skipif(os.getuid() == 0, reason="root may write into a read-only folder")
def test_a_folder_that_cannot_be_written_is_logged_and_the_lamp_runs_on(
    data: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    home, _ = data
    home.mkdir(mode=0o500)
    with caplog.at_level(logging.WARNING, "rustlamp.desktop_entry"):
        desktop_entry.ensure_quietly()
    assert "could not write it" in caplog.text


def test_rustlamp_run_writes_it_once_in_its_data_home_with_the_installed_command(tmp_path: Path) -> None:
    """The installed rustlamp, started as a person would: the entry appears in its XDG_DATA_HOME, starts
    this very rustlamp, and GLib's own reader (gio) takes it as valid."""
    app = RunningApp(tmp_path / "home", {}, None)
    try:
        app.wait_for_output(r"desktop entry: written ")
        deadline = time.monotonic() + 20
        while rustlamp(["status"], app.env).returncode != 0:  # running, its signal handlers in place
            assert time.monotonic() < deadline, app.output()
            time.sleep(0.1)
        entry = Path(app.env["XDG_DATA_HOME"]) / "applications" / "nl.rustlamp.Rustlamp.desktop"
        program = parse_exec(entry_keys(entry.read_text())["Exec"])[0]
        assert os.path.samefile(program, app.proc.args[0])
        if shutil.which("desktop-file-validate"):
            checked = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
            assert checked.returncode == 0, checked.stdout + checked.stderr
    finally:
        assert app.stop() == 0
    assert app.output().count("desktop entry: ") == 1
