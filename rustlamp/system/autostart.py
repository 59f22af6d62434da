"""Start at login: off by default, and only ever switched on or off at the person's own word.

One small backend per platform, each with is_enabled(), enable() and disable():

- Linux and the BSDs: an XDG autostart entry, $XDG_CONFIG_HOME/autostart/rustlamp.desktop. "On" means
  the file is there and is not switched off in it: a desktop's settings app switches an entry off with
  Hidden=true (the XDG autostart spec) or X-GNOME-Autostart-enabled=false, and rustlamp respects both.
- Windows: the value "rustlamp" under HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run. Windows'
  own "Startup apps" settings switch it off in ...\\Explorer\\StartupApproved\\Run, also respected.
- macOS: a LaunchAgent, ~/Library/LaunchAgents/nl.rustlamp.plist, with RunAtLoad (and Disabled, which
  a person may set, respected). Apple's newer way (SMAppService) needs a signed app bundle.

Files are written atomically (a temporary file in the same folder, then os.replace), so a desktop never
reads half an entry. enable() and disable() return a Change: where it happened (a file, or the registry
value) and what was done, in plain words, for the command line to print.

The command that starts rustlamp is worked out for the way it was installed (see `launch_command`).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from rustlamp import APP_NAME
from rustlamp.core.problem_words import phrase, phrased

log = logging.getLogger("rustlamp.autostart")

APP_ID = "nl.rustlamp.Rustlamp"  # the reverse-DNS id of the desktop file, metainfo and icons (packaging/)
DESKTOP_FILE = "rustlamp.desktop"
MARKER = "X-Rustlamp-Autostart"  # "=true" in an entry rustlamp wrote itself
GROUP = "[Desktop Entry]"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
APPROVED_KEY = r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"
RUN_VALUE = APP_NAME
LAUNCH_AGENT_LABEL = "nl.rustlamp"

COMMENT_KEY = "app.desktop_comment"  # the entry's Comment, in every language of the catalogs


class Change(NamedTuple):
    """What enable() or disable() did: `where` (a file, or the registry value) and `what`, e.g.
    "written", "already on", "removed", "was not there"."""

    where: Path | str
    what: str

    def __str__(self) -> str:
        return f"{self.where} ({self.what})"


class Backend(Protocol):
    def is_enabled(self) -> bool: ...
    def enable(self) -> Change: ...
    def disable(self) -> Change: ...


# ----- the command that starts rustlamp ---------------------------------------------------------------


def in_flatpak() -> bool:
    return bool(os.environ.get("FLATPAK_ID")) or Path("/.flatpak-info").exists()


def launch_command() -> list[str]:
    """The command line that starts this very rustlamp at login.

    sys.argv[0] is fragile (a relative path, `python -m`, a test runner), so, in order: inside a
    Flatpak, `flatpak run` with the app's id (the sandbox's paths mean nothing outside it); a frozen app
    (PyInstaller), its own executable; on Windows, pythonw.exe -m rustlamp, since the console script
    would open a console window at every login; else the `rustlamp` console script of this Python (in
    its folder or its scripts folder; given as the `rustlamp` found on PATH when that is the same file,
    pipx's link for one); else `python -m rustlamp` with this Python.
    """
    if in_flatpak():
        return ["flatpak", "run", os.environ.get("FLATPAK_ID") or APP_ID]
    python = os.path.abspath(sys.executable)
    if getattr(sys, "frozen", False):
        return [python]
    if sys.platform == "win32":
        windowless = os.path.join(os.path.dirname(python), "pythonw.exe")
        if os.path.exists(windowless):
            return [windowless, "-m", APP_NAME]
    for folder in dict.fromkeys([os.path.dirname(python), sysconfig.get_path("scripts")]):
        local = shutil.which(APP_NAME, path=folder) if folder else None
        if local is None:
            continue
        on_path = shutil.which(APP_NAME)
        with contextlib.suppress(OSError):
            if on_path is not None and os.path.samefile(on_path, local):
                return [os.path.abspath(on_path)]
        return [os.path.abspath(local)]
    return [python, "-m", APP_NAME]


# ----- Linux and the BSDs: an XDG autostart entry -----------------------------------------------------


def xdg_config_home() -> Path:
    """$XDG_CONFIG_HOME, or ~/.config when it is unset or not absolute (the spec says to ignore it)."""
    value = os.environ.get("XDG_CONFIG_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".config"


# Characters that make the Desktop Entry spec's Exec key need the argument in double quotes.
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def exec_value(command: list[str]) -> str:
    """`command` as the value of an Exec key: each argument quoted where the spec asks, % doubled, and
    then the string escapes every value gets (so a backslash inside quotes ends up as four)."""

    def argument(arg: str) -> str:
        arg = arg.replace("%", "%%")
        if arg and not any(c in _RESERVED for c in arg):
            return arg
        return '"' + re.sub(r'(["`$\\])', r"\\\1", arg) + '"'

    return _escape(" ".join(argument(arg) for arg in command))


def parse_exec(value: str) -> list[str]:
    """An Exec value (string escapes already undone, as entry_keys gives it) as the arguments it stands
    for: split at unquoted blanks; inside double quotes a backslash escapes " ` $ and itself; %% is %.
    Raises ValueError for an unclosed quote."""
    args: list[str] = []
    current: list[str] = []
    quoted = started = False
    i = 0
    while i < len(value):
        c = value[i]
        if quoted and c == "\\" and value[i + 1 : i + 2] in ('"', "`", "$", "\\"):
            current.append(value[i + 1])
            i += 1
        elif c == '"':
            quoted, started = not quoted, True
        elif c in " \t" and not quoted:
            if current or started:
                args.append("".join(current))
            current, started = [], False
        else:
            current.append(c)
        i += 1
    if quoted:
        raise ValueError(f"an unclosed quote in Exec={value}")
    if current or started:
        args.append("".join(current))
    return [arg.replace("%%", "%") for arg in args]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r", "s": " "}.get(m[1], m[1]), value)


def _comments() -> list[str]:
    from rustlamp.core.catalog import SOURCE_LANGUAGE, words_in_every_language

    said = words_in_every_language(COMMENT_KEY)
    return [
        f"Comment={_escape(words)}"
        if language == SOURCE_LANGUAGE
        else f"Comment[{language}]={_escape(words)}"
        for language, words in said.items()
    ]


def desktop_entry(command: list[str], icon: str) -> str:
    """The autostart entry rustlamp writes."""
    lines = [
        GROUP,
        "Type=Application",
        "Version=1.4",  # 1.5 exists, but desktop-file-validate 0.26 (Debian 12) knows only up to 1.4
        f"Name={APP_NAME}",
        *_comments(),
        f"Exec={exec_value(command)}",
        f"Icon={_escape(icon)}",
        "Terminal=false",
        "NoDisplay=false",
        "X-GNOME-Autostart-enabled=true",
        f"{MARKER}=true",
    ]
    return "\n".join(lines) + "\n"


def entry_keys(text: str) -> dict[str, str]:
    """The keys of the [Desktop Entry] group (values unescaped; later lines win, as in GLib)."""
    keys: dict[str, str] = {}
    group = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            group = line
        elif group == GROUP and "=" in line:
            key, value = line.split("=", 1)
            keys[key.strip()] = _unescape(value.strip())
    return keys


def _switched_on(keys: dict[str, str]) -> bool:
    return keys.get("Hidden", "").lower() != "true" and (
        keys.get("X-GNOME-Autostart-enabled", "").lower() != "false"
    )


def _with_switch(text: str, on: bool) -> str:
    """`text` with only its on/off keys changed: Hidden, and X-GNOME-Autostart-enabled when present."""
    out: list[str] = []
    group = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("["):
            group = line
            out.append(raw)
            if line == GROUP and not on:
                out.append("Hidden=true")
            continue
        key = line.split("=", 1)[0].strip() if "=" in line and not line.startswith("#") else ""
        if group == GROUP and key == "Hidden":
            continue  # written once, right below the group's header, when it is off
        if group == GROUP and key == "X-GNOME-Autostart-enabled":
            out.append(f"X-GNOME-Autostart-enabled={'true' if on else 'false'}")
            continue
        out.append(raw)
    return "\n".join(out) + "\n"


def _program_exists(keys: dict[str, str]) -> bool:
    """Whether the program of the entry's Exec is there (a moved or removed install leaves it dangling)."""
    try:
        program = parse_exec(keys.get("Exec", ""))[0]
    except (ValueError, IndexError):
        return False
    if os.path.isabs(program):
        return os.access(program, os.X_OK)
    return shutil.which(program) is not None


def _packaged_icon() -> str:
    """The icon for the entry: the app's id inside a Flatpak (it exports that icon), else the lamp
    picture shipped in the package, by its absolute path (a pip install puts no icon in the theme)."""
    if not in_flatpak():
        picture = Path(__file__).resolve().parent.parent / "icons" / "calm-2-256.png"
        if picture.is_file():
            return str(picture)
    return APP_ID


def write_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace `path` with `data` in one step: a temporary file in the same folder, then os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class XdgAutostart:
    """$XDG_CONFIG_HOME/autostart/rustlamp.desktop; see the module docstring."""

    def __init__(
        self, directory: Path | None = None, command: list[str] | None = None, icon: str | None = None
    ) -> None:
        self.path = (directory or xdg_config_home() / "autostart") / DESKTOP_FILE
        self._command = command
        self._icon = icon

    def _read(self) -> str | None:
        try:
            return self.path.read_text(encoding="utf-8", errors="replace")
        except (FileNotFoundError, NotADirectoryError):
            return None

    def _ours(self) -> str:
        return desktop_entry(self._command or launch_command(), self._icon or _packaged_icon())

    def is_enabled(self) -> bool:
        text = self._read()
        return text is not None and _switched_on(entry_keys(text))

    def enable(self) -> Change:
        text = self._read()
        if text is None:
            write_atomically(self.path, self._ours().encode())
            return Change(self.path, "written")
        keys = entry_keys(text)
        if keys.get(MARKER, "").lower() == "true" and not _program_exists(keys) and not in_flatpak():
            # Ours, but rustlamp has moved or gone since (a new venv, a reinstall): start this one.
            write_atomically(self.path, self._ours().encode())
            return Change(self.path, "written again: the program it started is no longer there")
        if _switched_on(keys):
            return Change(self.path, "already on")
        # Switched off, by a settings app or by hand: switch it on again and keep everything else in it,
        # since it may hold the person's own changes (options added to Exec, say).
        write_atomically(self.path, _with_switch(text, on=True).encode())
        return Change(self.path, "switched on again")

    def disable(self) -> Change:
        text = self._read()
        if text is None:
            return Change(self.path, "was not there")
        if entry_keys(text).get(MARKER, "").lower() == "true":
            # rustlamp wrote it, so it goes, even if the person changed it since: they asked for "off",
            # and an entry left behind that still starts rustlamp at login would be the unkind surprise.
            # Whether it was changed is said, so nobody wonders where their change went.
            edited = _comparable(text) != _comparable(self._ours())
            self.path.unlink(missing_ok=True)
            return Change(self.path, "removed; it held changes of your own" if edited else "removed")
        # Not rustlamp's: the person's own entry (or another program's). It is not ours to delete, so it
        # is switched off the way desktops do it themselves, Hidden=true, and stays for them to keep.
        if not _switched_on(entry_keys(text)):
            return Change(self.path, "already off; your own file is kept")
        write_atomically(self.path, _with_switch(text, on=False).encode())
        return Change(self.path, "switched off with Hidden=true; it is your own file, so it is kept")


def _comparable(text: str) -> dict[str, str]:
    """An entry's keys without the ones that change without anyone editing: where rustlamp is (Exec),
    its picture (Icon), and the on/off switches a settings app flips."""
    keys = entry_keys(text)
    for key in ("Exec", "Icon", "Hidden", "X-GNOME-Autostart-enabled"):
        keys.pop(key, None)
    return keys


# ----- Windows: the Run key ---------------------------------------------------------------------------


def _winreg() -> Any:
    """The winreg module (Windows only); tests hand in a stand-in instead."""
    return importlib.import_module("winreg")


class WindowsAutostart:
    """HKCU\\...\\CurrentVersion\\Run, value "rustlamp"; see the module docstring."""

    def __init__(self, registry: Any = None, command: list[str] | None = None) -> None:
        self._reg = registry if registry is not None else _winreg()
        self._command = command
        self.where = f"HKEY_CURRENT_USER\\{RUN_KEY}\\{RUN_VALUE}"

    def _query(self, key_path: str) -> Any:
        reg = self._reg
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, key_path, 0, reg.KEY_READ) as key:
                return reg.QueryValueEx(key, RUN_VALUE)[0]
        except FileNotFoundError:
            return None

    def _approved(self) -> bool:
        # Windows' "Startup apps" settings keep their switch here: 12 bytes, the first one even when on
        # (02, 06) and odd when switched off (03, 07). No value: on.
        data = self._query(APPROVED_KEY)
        return not (isinstance(data, bytes) and data and data[0] & 1)

    def _delete(self, key_path: str) -> bool:
        reg = self._reg
        try:
            with reg.OpenKey(reg.HKEY_CURRENT_USER, key_path, 0, reg.KEY_SET_VALUE) as key:
                reg.DeleteValue(key, RUN_VALUE)
        except FileNotFoundError:
            return False
        return True

    def is_enabled(self) -> bool:
        return self._query(RUN_KEY) is not None and self._approved()

    def enable(self) -> Change:
        reg = self._reg
        value = subprocess.list2cmdline(self._command or launch_command())
        was = self._query(RUN_KEY)
        switched_off = not self._approved()
        if switched_off:
            self._delete(APPROVED_KEY)  # the person's word now is "on": clear the settings app's "off"
        if was == value:
            return Change(self.where, "switched on again" if switched_off else "already on")
        with reg.CreateKeyEx(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
            reg.SetValueEx(key, RUN_VALUE, 0, reg.REG_SZ, value)  # one value: the registry's own atomicity
        return Change(self.where, "written")

    def disable(self) -> Change:
        removed = self._delete(RUN_KEY)
        self._delete(APPROVED_KEY)  # nothing of ours left behind
        return Change(self.where, "removed" if removed else "was not there")


# ----- macOS: a LaunchAgent ---------------------------------------------------------------------------


class LaunchAgent:
    """~/Library/LaunchAgents/nl.rustlamp.plist; see the module docstring."""

    def __init__(self, directory: Path | None = None, command: list[str] | None = None) -> None:
        self.path = (directory or Path.home() / "Library" / "LaunchAgents") / f"{LAUNCH_AGENT_LABEL}.plist"
        self._command = command

    def plist(self) -> dict[str, Any]:
        return {
            "Label": LAUNCH_AGENT_LABEL,
            "ProgramArguments": self._command or launch_command(),
            "RunAtLoad": True,
            "ProcessType": "Interactive",  # a program the person sees: not throttled like a daemon
            "LimitLoadToSessionType": "Aqua",  # only in a graphical login, not over ssh
        }

    def _read(self) -> dict[str, Any] | None:
        import plistlib  # macOS only: not in the resident lamp elsewhere (it brings xml and datetime)

        try:
            with self.path.open("rb") as f:
                loaded = plistlib.load(f)
        except FileNotFoundError:
            return None
        except (plistlib.InvalidFileException, ValueError, OSError):
            return {}  # unreadable: there, but not switched on in a way launchd would follow
        return loaded if isinstance(loaded, dict) else {}

    def is_enabled(self) -> bool:
        agent = self._read()
        return agent is not None and agent.get("RunAtLoad") is True and agent.get("Disabled") is not True

    def enable(self) -> Change:
        wanted = self.plist()
        if self._read() == wanted:
            return Change(self.path, "already on")
        import plistlib

        write_atomically(self.path, plistlib.dumps(wanted, fmt=plistlib.FMT_XML, sort_keys=True))
        return Change(self.path, "written")

    def disable(self) -> Change:
        # The label is rustlamp's own namespace: whatever is in this file, rustlamp put it there.
        if self._read() is None:
            return Change(self.path, "was not there")
        self.path.unlink(missing_ok=True)
        return Change(self.path, "removed")


# ----- the platform's backend -------------------------------------------------------------------------


def backend(platform: str | None = None) -> Backend | None:
    """The backend for `platform` (default: this one); None where rustlamp cannot start at login."""
    platform = platform or sys.platform
    if platform == "win32":
        return WindowsAutostart()
    if platform == "darwin":
        return LaunchAgent()
    if platform.startswith(("linux", "freebsd", "openbsd", "netbsd", "dragonfly")):
        return XdgAutostart()
    return None


def available() -> bool:
    """Whether starting at login can work here (the tray leaves the menu item out where it cannot)."""
    return backend() is not None


def _required() -> Backend:
    found = backend()
    if found is None:
        raise phrased(OSError, phrase("control.no_autostart_here", platform=sys.platform))
    return found


def is_enabled() -> bool:
    """Whether rustlamp starts at login now; False where it cannot (see available()), or when the entry
    cannot be read (logged). Cheap: one small file or registry value is read."""
    found = backend()
    try:
        return found is not None and found.is_enabled()
    except OSError:
        log.warning("could not tell whether rustlamp starts at login", exc_info=True)
        return False


def enable() -> Change:
    """Start rustlamp at login from now on; raises OSError when that cannot be written."""
    change = _required().enable()
    log.info("start at login: on, %s", change)
    return change


def disable() -> Change:
    """Start rustlamp at login no more; raises OSError when that cannot be written."""
    change = _required().disable()
    log.info("start at login: off, %s", change)
    return change
