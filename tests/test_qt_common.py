"""The shared Qt base (rustlamp.ui.qt_common) and the AT-SPI harness, with a small sample window
(tests/qt_sample_window.py) on the headless desktop: seen by role and name, pressed as voice control
presses, named `rustlamp` for docks, and a clear answer when Qt cannot start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from atspi import Accessibility, AccessibleApp
from desktop import DesktopSession

from rustlamp.ui.qt_libraries import debian_package, missing_packages

pytestmark = pytest.mark.desktop

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = Path(__file__).with_name("qt_sample_window.py")


@pytest.fixture
def sample(
    accessible_desktop: DesktopSession, a11y: Accessibility
) -> Iterator[tuple[subprocess.Popen[str], AccessibleApp]]:
    process = subprocess.Popen(
        [sys.executable, str(SAMPLE)],
        env={**accessible_desktop.env, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process, a11y.window(process.pid)
    finally:
        if process.poll() is None:
            process.kill()  # by PID: a test that failed half-way
        process.communicate()


def test_every_control_has_a_role_and_the_name_a_person_sees(
    sample: tuple[subprocess.Popen[str], AccessibleApp],
) -> None:
    _, window = sample
    seen = [(node["role"], node["name"]) for node in window.nodes()]
    assert seen == [
        ("application", "rustlamp"),
        ("dialog", "Voorbeeld"),
        ("label", "Adem rustig in en uit."),
        ("panel", "Hoe voelt je lichaam?"),  # Qt's group box: the answers are a named group
        ("radio button", "gespannen"),
        ("radio button", "moe"),
        ("radio button", "ontspannen"),
        ("push button", "Klaar"),
        ("push button", "Later"),
    ]


def test_a_button_pressed_by_its_name_gives_the_outcome(
    sample: tuple[subprocess.Popen[str], AccessibleApp],
) -> None:
    process, window = sample
    window.press("push button", "Klaar")
    out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert [json.loads(line) for line in out.splitlines()] == [{"outcome": "done"}]


def test_escape_leaves_with_the_default_outcome(
    accessible_desktop: DesktopSession, sample: tuple[subprocess.Popen[str], AccessibleApp]
) -> None:
    process, window = sample
    window.wait_for_focus("radio button", "gespannen")  # the first control has the keys at once
    accessible_desktop.run(["xdotool", "key", "Escape"])
    out, _ = process.communicate(timeout=10)
    assert [json.loads(line) for line in out.splitlines()] == [{"outcome": "closed"}]


def test_the_window_is_named_rustlamp_for_docks_and_task_bars(
    accessible_desktop: DesktopSession, sample: tuple[subprocess.Popen[str], AccessibleApp]
) -> None:
    _, window = sample
    window.wait_for("push button", "Klaar")
    props = accessible_desktop.run(["xprop", "-name", "Voorbeeld", "WM_CLASS", "_NET_WM_ICON"]).stdout
    assert 'WM_CLASS(STRING) = "rustlamp", "rustlamp"' in props
    assert "Icon (16 x 16)" in props  # the lamp, for the task bar and alt-tab


def pyside_missing_a_library(tmp_path: Path) -> Path:
    """A folder to put first on PYTHONPATH: PySide6 as installed (links to every part of it), except
    that its X11 platform plugin needs a library no system has. Exactly what Qt meets on a machine without
    libxcb-icccm4 (the plugin's RUNPATH, $ORIGIN/../../lib, still finds Qt's own libraries)."""
    import PySide6

    real = Path(PySide6.__file__).parent
    shadow = tmp_path / "site" / "PySide6"
    for inner, outer in (
        (real, shadow),
        (real / "Qt", shadow / "Qt"),
        (real / "Qt" / "plugins", shadow / "Qt" / "plugins"),
    ):
        outer.mkdir(parents=True)
        keep = {"Qt", "plugins", "platforms"}
        for entry in inner.iterdir():
            if entry.name not in keep:
                (outer / entry.name).symlink_to(entry)
    platforms = shadow / "Qt" / "plugins" / "platforms"
    platforms.mkdir()
    data = (real / "Qt" / "plugins" / "platforms" / "libqxcb.so").read_bytes()
    needed = b"libxcb-icccm.so.4\x00"
    assert needed in data
    (platforms / "libqxcb.so").write_bytes(data.replace(needed, b"libxcb-iccxm.so.4\x00"))
    return tmp_path / "site"


def test_when_qt_cannot_start_the_window_says_what_to_install(
    desktop: DesktopSession, tmp_path: Path
) -> None:
    env = {**desktop.env, "PYTHONPATH": f"{pyside_missing_a_library(tmp_path)}:{ROOT}"}
    done = subprocess.run([sys.executable, str(SAMPLE)], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2, done.stderr
    outcome = json.loads(done.stdout.splitlines()[-1])
    assert outcome["outcome"] == "cannot_open"
    assert outcome["missing_packages"] == ["libxcb-iccxm4"]
    assert "libxcb-iccxm4. You can install it with sudo apt install libxcb-iccxm4" in done.stderr
    assert "Traceback" not in done.stderr


def test_with_no_display_the_window_says_so(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run(
        [sys.executable, str(SAMPLE)],
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "no display" in done.stderr
    assert done.stdout == ""


def test_nothing_is_missing_on_the_test_machine() -> None:
    # make test installs Qt's system libraries (tests/setup/debian-packages.sh)
    assert missing_packages() == []


@pytest.mark.parametrize(
    ("soname", "package"),
    [
        ("libxcb-icccm.so.4", "libxcb-icccm4"),
        ("libxcb-cursor.so.0", "libxcb-cursor0"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
        ("libEGL.so.1", "libegl1"),
        ("libdbus-1.so.3", "libdbus-1-3"),
        ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ],
)
def test_a_missing_library_is_named_by_its_debian_package(soname: str, package: str) -> None:
    assert debian_package(soname) == package
