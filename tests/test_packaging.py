"""What packagers and installers get: the desktop entry, the AppStream metadata and the hicolor icons
(checked with Debian's own validators), the sdist and the wheel (built, then installed into a new venv
and run), and the PyInstaller, Flatpak and CI files, which cannot be run here, at least consistent."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import time
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from app_process import QUIET_ALL_DAY, RunningApp, window_child
from atspi import Accessibility
from desktop import DesktopSession
from PIL import Image

from rustlamp import __version__
from rustlamp.core.texts import text
from rustlamp.system import autostart

ROOT = Path(__file__).resolve().parent.parent
LINUX_DIR = ROOT / "packaging" / "linux"
APP_ID = "nl.rustlamp.Rustlamp"
DESKTOP = LINUX_DIR / f"{APP_ID}.desktop"
METAINFO = LINUX_DIR / f"{APP_ID}.metainfo.xml"
HICOLOR = LINUX_DIR / "icons"
LINUX = sys.platform.startswith("linux")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        if LINUX:
            pytest.fail(f"{name} is missing: install the Debian package {package}")
        pytest.skip(f"{name} is a Linux tool")
    return found


def _make_hicolor() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_hicolor", LINUX_DIR / "make_hicolor.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ----- the desktop entry, the AppStream metadata, the icons -------------------------------------------


def test_one_id_everywhere() -> None:
    assert autostart.APP_ID == APP_ID == _make_hicolor().APP_ID
    entry = autostart.entry_keys(DESKTOP.read_text(encoding="utf-8"))
    assert entry["Icon"] == APP_ID and entry["Exec"] == "rustlamp"
    component = ET.parse(METAINFO).getroot()
    assert component.findtext("id") == APP_ID
    assert component.findtext("launchable") == DESKTOP.name
    assert component.findtext("icon") == APP_ID
    manifest = (ROOT / "packaging" / "flatpak" / f"{APP_ID}.yml").read_text(encoding="utf-8")
    assert f"app-id: {APP_ID}\n" in manifest


def test_the_desktop_entry_is_valid() -> None:
    done = subprocess.run(
        [tool("desktop-file-validate", "desktop-file-utils"), str(DESKTOP)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")
    entry = autostart.entry_keys(DESKTOP.read_text(encoding="utf-8"))
    assert entry["Comment[nl]"] and entry["GenericName[nl]"] and entry["Keywords[nl]"]


def test_the_metainfo_is_valid_and_names_this_version() -> None:
    done = subprocess.run(
        [tool("appstreamcli", "appstream"), "validate", "--no-net", "--no-color", str(METAINFO)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Validation was successful" in done.stdout
    component = ET.parse(METAINFO).getroot()
    releases = component.findall("releases/release")
    assert releases and releases[0].get("version") == __version__, (
        f"add a <release> for {__version__} at the top of {METAINFO.name}"
    )
    assert component.findtext("project_license") == "MIT"
    for tag in ("summary", "description/p", "description/ul"):
        langs = {element.get(XML_LANG) for element in component.findall(tag)}
        assert langs == {None, "nl"}, f"{tag}: English and Dutch"
    # The screenshots are the repository's own pictures.
    images = [element.text or "" for element in component.findall("screenshots/screenshot/image")]
    assert images
    for url in images:
        assert url.startswith("https://") and (ROOT / "assets" / url.rsplit("/assets/", 1)[1]).is_file()


def test_the_hicolor_icons_are_up_to_date(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(LINUX_DIR / "make_hicolor.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    shipped = sorted(p.relative_to(HICOLOR) for p in HICOLOR.rglob("*") if p.is_file())
    assert made == shipped
    for relative in made:
        assert (tmp_path / relative).read_bytes() == (HICOLOR / relative).read_bytes(), (
            f"{relative} differs; run packaging/linux/make_hicolor.py"
        )
    sizes = _make_hicolor().SIZES
    assert {16, 22, 24, 32, 48, 64, 128, 256, 512} <= set(sizes)
    for size in sizes:
        with Image.open(HICOLOR / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png") as icon:
            assert (icon.size, icon.mode) == ((size, size), "RGBA")
    with Image.open(HICOLOR / "hicolor" / "256x256" / "apps" / f"{APP_ID}.png") as big:
        assert big.tobytes() == Image.open(ROOT / "assets" / "rustlamp.png").tobytes(), "the app's picture"
    svg = HICOLOR / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert ET.parse(svg).getroot().tag == "{http://www.w3.org/2000/svg}svg"


# ----- what cannot be built here: at least consistent -------------------------------------------------


def test_the_pyinstaller_spec_is_python_and_ships_the_package_data() -> None:
    spec = (ROOT / "packaging" / "pyinstaller" / "rustlamp.spec").read_text(encoding="utf-8")
    ast.parse(spec)
    for needed in ("content", "locale", "icons", "config.example.toml", "pystray._win32", "pystray._darwin"):
        assert needed in spec
    assert '"launcher.py"' in spec and (ROOT / "packaging" / "pyinstaller" / "launcher.py").is_file()


def _spec_qt_choice(platform: str) -> dict[str, Any]:
    """The spec's choice of Qt parts (its QT_* names and qt_part_used) as it is made on `platform`:
    those statements of the spec, run on their own (the rest needs PyInstaller)."""
    tree = ast.parse((ROOT / "packaging" / "pyinstaller" / "rustlamp.spec").read_text(encoding="utf-8"))

    def about_qt(node: ast.stmt) -> bool:
        if isinstance(node, ast.FunctionDef):
            return node.name == "qt_part_used"
        names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        return any(name.startswith("QT_") for name in names)

    chosen = ast.Module(body=[node for node in tree.body if about_qt(node)], type_ignores=[])
    namespace: dict[str, Any] = {
        "Path": PurePosixPath,
        "WINDOWS": platform == "win32",
        "PACKAGE": ROOT / "rustlamp",
        "sys": SimpleNamespace(platform=platform),
    }
    exec(compile(chosen, "rustlamp.spec", "exec"), namespace)
    return namespace


WIN_PLUGINS, MAC_PLUGINS = "PySide6/plugins", "PySide6/Qt/plugins"


@pytest.mark.parametrize(
    ("platform", "kept", "left_out"),
    [
        (
            "win32",
            [
                f"{WIN_PLUGINS}/platforms/qwindows.dll",
                f"{WIN_PLUGINS}/styles/qmodernwindowsstyle.dll",
                "PySide6/Qt6Widgets.dll",
                "PySide6/Qt6Gui.dll",
                "PySide6/QtWidgets.pyd",
                "rustlamp/icons/calm-0-16.png",
                "PySide6/translations/qtbase_nl.qm",  # Qt's own words in the languages rustlamp speaks
            ],
            [
                f"{WIN_PLUGINS}/platforms/qoffscreen.dll",
                f"{WIN_PLUGINS}/imageformats/qjpeg.dll",
                f"{WIN_PLUGINS}/tls/qschannelbackend.dll",
                f"{WIN_PLUGINS}/iconengines/qsvgicon.dll",
                "PySide6/translations/qtbase_xx.qm",  # a language rustlamp does not speak
                "PySide6/translations/qtdeclarative_nl.qm",
                "PySide6/Qt6Network.dll",
                "PySide6/Qt6Svg.dll",
                "libQt6Network.so.6",
            ],
        ),
        (
            "darwin",
            [
                f"{MAC_PLUGINS}/platforms/libqcocoa.dylib",
                f"{MAC_PLUGINS}/styles/libqmacstyle.dylib",
                "PySide6/Qt/lib/QtWidgets.framework/Versions/A/QtWidgets",
                "PySide6/Qt/translations/qtbase_nl.qm",
            ],
            [
                f"{MAC_PLUGINS}/platforms/libqminimal.dylib",
                f"{MAC_PLUGINS}/imageformats/libqgif.dylib",
                f"{MAC_PLUGINS}/networkinformation/libqscnetworkreachability.dylib",
                "PySide6/Qt/translations/qt_nl.qm",
                "PySide6/Qt/lib/QtNetwork.framework/Versions/A/QtNetwork",
            ],
        ),
    ],
)
def test_the_pyinstaller_spec_takes_only_the_qt_parts_the_windows_use(
    platform: str, kept: list[str], left_out: list[str]
) -> None:
    spec = _spec_qt_choice(platform)
    assert [name for name in kept if not spec["qt_part_used"](name)] == []
    assert [name for name in left_out if spec["qt_part_used"](name)] == []
    # what rustlamp imports of Qt is not among what the spec leaves out
    imported = {
        module
        for path in (ROOT / "rustlamp").rglob("*.py")
        for module in re.findall(r"PySide6\.(Qt\w+)", path.read_text(encoding="utf-8"))
    }
    assert imported and imported <= {"QtCore", "QtGui", "QtWidgets"}, imported
    assert not imported & set(spec["QT_MODULES_UNUSED"])
    assert {"QtNetwork", "QtQml", "QtQuick"} <= set(spec["QT_MODULES_UNUSED"])


def test_the_frozen_apps_launcher_understands_dash_m_for_rustlamps_windows(tmp_path: Path) -> None:
    """In a frozen app sys.executable is the app, and rustlamp starts its windows with
    `sys.executable -m rustlamp.ui.<window>`; the launcher is run here with this Python instead."""
    launcher = str(ROOT / "packaging" / "pyinstaller" / "launcher.py")
    version = run([sys.executable, launcher, "--version"], cwd=tmp_path)
    assert version.stdout.strip() == f"rustlamp {__version__}"
    window = run([sys.executable, launcher, "-m", "rustlamp.ui.popup_menu", "--help"], cwd=tmp_path)
    assert window.stdout.startswith("usage: ") and "--timeout" in window.stdout
    other = subprocess.run(
        [sys.executable, launcher, "-m", "this"], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    # only rustlamp's modules: anything else is an unknown command, said as the command line says it
    assert other.returncode == 2 and "'this' does not fit here" in other.stderr, other.stderr


def test_the_flatpak_manifest_names_files_that_exist() -> None:
    manifest = (ROOT / "packaging" / "flatpak" / f"{APP_ID}.yml").read_text(encoding="utf-8")
    for needed in (
        "runtime: org.freedesktop.Platform",
        "--talk-name=org.kde.StatusNotifierWatcher",
        "--talk-name=org.freedesktop.Notifications",
        "--filesystem=xdg-config/autostart:create",
        "command: rustlamp",
    ):
        assert needed in manifest
    for name in (
        "packaging/linux/nl.rustlamp.Rustlamp.desktop",
        "packaging/linux/nl.rustlamp.Rustlamp.metainfo.xml",
    ):
        assert name in manifest and (ROOT / name).is_file()


def test_the_ci_workflow_runs_make_test_on_linux_and_the_rest_elsewhere() -> None:
    workflow = (ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    for needed in ("ubuntu-latest", "windows-latest", "macos-latest", "bash .ci/run", '-m "not desktop"'):
        assert needed in workflow
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


# ----- the sdist and the wheel, built and installed ---------------------------------------------------

IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "artifacts"
)


def run(
    command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=cwd, env=env)
    assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    return done


@dataclass(frozen=True)
class Built:
    sdist: Path
    wheel: Path
    seconds: float  # how long the build took


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """`python -m build` on a copy of the tree (building writes egg-info next to the sources), without
    build isolation (the test extra brings setuptools and build; isolation would fetch them again); once
    for the tests that install what it made."""
    tmp_path = tmp_path_factory.mktemp("build")
    began = time.monotonic()
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=IGNORED)
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source)], cwd=tmp_path)
    (sdist,) = dist.glob("rustlamp-*.tar.gz")
    (wheel,) = dist.glob("rustlamp-*.whl")
    return Built(sdist, wheel, time.monotonic() - began)


@pytest.mark.packaging
def test_build_makes_an_sdist_and_a_wheel_that_install_and_run(built: Built, tmp_path: Path) -> None:
    """The sdist and the wheel have what they should, then the wheel goes into a new venv, and rustlamp
    runs from there.

    The new venv gets the wheel for real (pip unpacks it and makes the console script) but borrows
    rustlamp's dependencies from the venv running the tests, through a .pth file, instead of fetching
    them: rustlamp's own files come from the wheel alone, which is checked."""
    began = time.monotonic()
    sdist, wheel = built.sdist, built.wheel
    assert sdist.name == f"rustlamp-{__version__}.tar.gz"
    assert wheel.name == f"rustlamp-{__version__}-py3-none-any.whl"

    package_data = {
        "rustlamp/content/nl.toml",
        "rustlamp/content/en.toml",
        "rustlamp/locale/rustlamp.pot",
        "rustlamp/locale/nl.po",
        "rustlamp/config.example.toml",
        "rustlamp/py.typed",
        "rustlamp/icons/calm-2-256.png",
        "rustlamp/icons/calm-2-22.argb",
        "rustlamp/icons/waiting-16.png",
    }
    with tarfile.open(sdist) as tar:
        in_sdist = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    assert package_data | {"pyproject.toml", "README.md"} <= in_sdist
    with zipfile.ZipFile(wheel) as zipped:
        in_wheel = set(zipped.namelist())
        entry_points = zipped.read(f"rustlamp-{__version__}.dist-info/entry_points.txt").decode()
    assert package_data <= in_wheel
    icons = {f"rustlamp/icons/{p.name}" for p in (ROOT / "rustlamp" / "icons").iterdir()}
    assert icons <= in_wheel, sorted(icons - in_wheel)
    assert not any(name.startswith(("tests/", "assets/", "packaging/")) for name in in_wheel)
    assert "rustlamp = rustlamp.cli:main" in entry_points

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ]
    )
    site = run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
    ).stdout.strip()
    borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site) / "borrowed-dependencies.pth").write_text("\n".join(sorted(borrowed)) + "\n")

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), LANG="en_GB.UTF-8", LANGUAGE="en")
    where = run([str(python), "-c", "import rustlamp; print(rustlamp.__file__)"], cwd=tmp_path, env=env)
    assert Path(where.stdout.strip()).is_relative_to(Path(site)), "rustlamp must come from the wheel"
    # The wheel's declared dependencies are all there for this platform (none missing from its metadata
    # would show here; one missing from the borrowed venv would).
    check = (
        "from importlib import metadata; from packaging.requirements import Requirement\n"
        "for line in metadata.requires('rustlamp') or []:\n"
        "    r = Requirement(line)\n"
        "    if (r.marker is None or r.marker.evaluate({'extra': ''})) and "
        "metadata.version(r.name) not in r.specifier:\n"
        "        raise SystemExit(f'{r} is not met')\n"
    )
    run([str(python), "-c", check], cwd=tmp_path, env=env)

    script = venv / ("Scripts/rustlamp.exe" if sys.platform == "win32" else "bin/rustlamp")
    version = run([str(script), "--version"], cwd=tmp_path, env=env)
    assert version.stdout.strip() == f"rustlamp {__version__}"
    plan = run([str(script), "plan", "--count", "1"], cwd=tmp_path, env=env)
    lines = plan.stdout.splitlines()
    assert len(lines) == 2 and lines[1].endswith("  reminder"), plan.stdout  # the first says where from
    took = time.monotonic() - began + built.seconds
    sizes = f"wheel {wheel.stat().st_size} bytes, sdist {sdist.stat().st_size} bytes"
    print(f"built in {built.seconds:.1f} s; {sizes}; all in {took:.1f} s")
    assert took < 60


# ----- a stock Debian python: no tkinter, the wheel and its dependencies from the index -----------------

DEBIAN_PYTHON = Path("/usr/bin/python3")
NO_TKINTER = "import sys; sys.modules['tkinter'] = sys.modules['_tkinter'] = None\n"


@pytest.mark.packaging
@pytest.mark.desktop
def test_the_wheel_in_debians_own_python_opens_the_break_window_from_the_running_lamp(
    built: Built, accessible_desktop: DesktopSession, a11y: Accessibility, tmp_path: Path
) -> None:
    """What a person on Debian or Ubuntu does: a venv from the system's python3 (python3-venv, no
    python3-tk), `pip install` of the wheel with its dependencies as the index has them, and the lamp
    started from there. `rustlamp break` asks the running lamp, whose break window is found and pressed
    by name as a screen reader does, and the rest lands in the journal."""
    if not LINUX:
        pytest.skip("Debian's own python")
    if not DEBIAN_PYTHON.exists():
        pytest.fail(f"{DEBIAN_PYTHON} is missing: install the Debian package python3")
    venv = tmp_path / "venv"
    made = subprocess.run(
        [str(DEBIAN_PYTHON), "-m", "venv", str(venv)], capture_output=True, text=True, timeout=120
    )
    assert made.returncode == 0, f"install the Debian package python3-venv:\n{made.stdout}{made.stderr}"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    began = time.monotonic()
    done = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", str(built.wheel)],
        capture_output=True, text=True, timeout=900, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    installed = time.monotonic() - began
    python = venv / "bin" / "python"
    site = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], env=env)
    # Debian's python has no tkinter unless python3-tk is installed; where it is, this venv hides it.
    system_tk = subprocess.run([str(DEBIAN_PYTHON), "-c", "import tkinter"], capture_output=True, timeout=60)
    if system_tk.returncode == 0:
        (Path(site.stdout.strip()) / "zz-no-tkinter.pth").write_text(NO_TKINTER, encoding="utf-8")
    tk = subprocess.run([str(python), "-c", "import tkinter"], capture_output=True, text=True, env=env)
    assert tk.returncode == 1 and "ModuleNotFoundError" in tk.stderr, tk.stderr
    where = run(
        [str(python), "-c", "import rustlamp, PySide6; print(rustlamp.__file__, PySide6.__file__)"],
        cwd=tmp_path,
        env=env,
    )
    assert all(Path(p).is_relative_to(venv) for p in where.stdout.split()), where.stdout

    home = tmp_path / "home"
    home.mkdir()
    config = home / "config.toml"
    config.write_text(QUIET_ALL_DAY, encoding="utf-8")
    program = str(venv / "bin" / "rustlamp")
    # started away from the source tree: its windows (`python -m`) would find rustlamp there first
    lamp = RunningApp(home, accessible_desktop.env, config, program=program, cwd=home)
    try:
        lamp.wait_for_output(r"next reminder: ")
        asked = subprocess.run(
            [program, "break"], env=lamp.env, capture_output=True, text=True, timeout=60, cwd=home
        )  # returns once the running lamp has the wish; the window stays open
        assert asked.returncode == 0, asked.stdout + asked.stderr
        pid, argv = window_child(lamp, "break_window")
        assert Path(argv[0]).is_relative_to(venv), argv  # the window runs on this venv's python
        window = a11y.window(pid, timeout=30)
        window.press("push button", text("en", "break_done"))
        lamp.wait_for_output(r"break outcome: ")
        export = subprocess.run(
            [program, "journal", "export", "--format", "json"],
            env=lamp.env, capture_output=True, text=True, timeout=60, cwd=home,
        )  # fmt: skip
        assert export.returncode == 0, export.stderr
        kept = [(e["kind"], e["detail"].get("outcome")) for e in json.loads(export.stdout)]
        assert kept == [("break", "done")], export.stdout
    finally:
        lamp.stop()
    print(f"pip install of the wheel and its dependencies into Debian's python: {installed:.1f} s")


def test_the_frozen_app_starts_its_windows_in_a_form_its_launcher_understands(tmp_path: Path) -> None:
    """Outside a frozen app a window starts with -P; the frozen app's launcher takes no Python options."""
    asked = run(
        [
            sys.executable,
            "-c",
            "import json, sys; sys.frozen = True; from rustlamp.system.windows import window_command; "
            "print(json.dumps(window_command('popup_menu', ['--help'])[1:]))",
        ],
        cwd=tmp_path,
    )
    launcher = str(ROOT / "packaging" / "pyinstaller" / "launcher.py")
    window = run([sys.executable, launcher, *json.loads(asked.stdout)], cwd=tmp_path)
    assert window.stdout.startswith("usage: ") and "--timeout" in window.stdout
