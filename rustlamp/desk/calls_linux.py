"""A call on Linux: another program has the microphone or a camera open. Reminders are held meanwhile.

What is watched, and why this way (tried on Linux 6.18; see the README's table for what is tested):

- The capture devices' nodes, with inotify: ALSA's capture nodes `/dev/snd/pcmC<card>D<device>c` and the
  cameras `/dev/video<n>`. The kernel reports every open and close of a device node to an inotify watch
  on it (IN_OPEN, IN_CLOSE_*), so the process sleeps until a program starts or stops using one. A watch
  needs read permission on the node only, which the person at the seat has (udev's "uaccess" ACLs or the
  audio and video groups); nothing is ever opened, read or heard.
- inotify does not say who opened a node, nor how many still hold it. So on each event, and only then,
  the open files of the person's processes (`/proc/<pid>/fd`, as `fuser` does) are read to learn whether
  any program other than this one still holds a capture node. That costs a few milliseconds per event
  and nothing between events. Programs of other users cannot be seen (their /proc is closed to us), so a
  second person's call on a shared machine does not hold this person's reminders.
- Hot-plugging: the folders themselves are watched for new nodes (IN_CREATE, and IN_ATTRIB because udev
  grants access a moment after it creates a node); playback nodes and the rest of /dev are not watched,
  so sound playing or /dev/null being opened wakes nothing.

This one source covers the three ways Linux desktops record:

- plain ALSA: the program itself opens the capture node (also through dsnoop);
- PulseAudio: the sound server opens it while a program records, and closes it when the source has been
  idle for 5 seconds (module-suspend-on-idle);
- PipeWire (GNOME and KDE today): the same, WirePlumber suspends an idle node after 5 seconds
  (session.suspend-timeout-seconds); cameras are opened by the program or by PipeWire's camera support.
  So a call's end is seen about 5 seconds late, which only delays the one held reminder.

Its limits, said plainly:

- A Bluetooth headset's microphone has no device node (the sound server talks to BlueZ directly), so a
  call on one is not seen, unless a camera is on too.
- A sound server set never to suspend (suspend-on-idle unloaded, `session.suspend-timeout-seconds = 0`)
  or JACK keeps the capture node open all day: that looks like one long call. The menu's status line
  says "Reminders wait until your call is over", so it is never silent; `[dnd] during_calls = false`
  turns it off.
- A level meter (a sound settings page, pavucontrol) records too, so it counts while it is open; so does
  a virtual camera (v4l2loopback) that a program writes to.
- Inside a Flatpak sandbox the host's processes and /dev are hidden unless the app is given them.

Looked at and left for later: a PipeWire or PulseAudio client would see each recording stream itself
(Bluetooth too, and at once rather than 5 seconds late): `pactl subscribe`'s "source-output" events over
the PulseAudio native protocol (which pipewire-pulse serves as well), or the state of PipeWire nodes
whose media.class is "Stream/Input/Audio" over PipeWire's own protocol. Both are binary protocols that
would need libpulse or libpipewire (or a hand-written client) in the resident process; the device nodes
need neither, and also work without any sound server.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import errno
import logging
import os
import re
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rustlamp.desk.base import DeskEvent, Emit, send

log = logging.getLogger("rustlamp.desk")

NAME = "linux-capture"
REASON = "call"

# inotify(7)
IN_CLOSE_WRITE = 0x00000008
IN_CLOSE_NOWRITE = 0x00000010
IN_OPEN = 0x00000020
IN_ATTRIB = 0x00000004
IN_CREATE = 0x00000100
IN_Q_OVERFLOW = 0x00004000
IN_IGNORED = 0x00008000
IN_ONLYDIR = 0x01000000
IN_NONBLOCK = 0o4000
IN_CLOEXEC = 0o2000000

NODE_EVENTS = IN_OPEN | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE
FOLDER_EVENTS = IN_CREATE | IN_ATTRIB | IN_ONLYDIR

_EVENT_HEADER = struct.Struct("iIII")  # wd, mask, cookie, len; then `len` bytes of name

MICROPHONE_NODE = re.compile(r"pcmC\d+D\d+c")  # ALSA capture; playback nodes end in "p"
CAMERA_NODE = re.compile(r"video\d+")


@dataclass(frozen=True)
class InotifyEvent:
    wd: int
    mask: int
    name: str  # the child's name for a folder watch; "" for a watch on the node itself


def parse_events(data: bytes) -> list[InotifyEvent]:
    """The events in one read() of an inotify descriptor."""
    events: list[InotifyEvent] = []
    offset = 0
    while offset + _EVENT_HEADER.size <= len(data):
        wd, mask, _cookie, length = _EVENT_HEADER.unpack_from(data, offset)
        start = offset + _EVENT_HEADER.size
        name = data[start : start + length].split(b"\0", 1)[0].decode("utf-8", "replace")
        events.append(InotifyEvent(wd, mask, name))
        offset = start + length
    return events


class Inotify:
    """The three inotify calls, through libc (no library needed)."""

    def __init__(self) -> None:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        self._add = libc.inotify_add_watch
        self._add.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        self._rm = libc.inotify_rm_watch
        self._rm.argtypes = [ctypes.c_int, ctypes.c_int]
        fd = libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if fd < 0:
            err = ctypes.get_errno()
            raise OSError(err, f"inotify_init1: {os.strerror(err)}")
        self.fd: int = fd

    def add_watch(self, path: str, mask: int) -> int:
        wd = int(self._add(self.fd, os.fsencode(path), mask))
        if wd < 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err), path)
        return wd

    def read(self) -> list[InotifyEvent]:
        """What has come in so far ([] when nothing has)."""
        events: list[InotifyEvent] = []
        while True:
            try:
                data = os.read(self.fd, 64 * 1024)
            except BlockingIOError:
                return events
            if not data:
                return events
            events += parse_events(data)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # drops every watch with it
            self.fd = -1


def kind_of(name: str) -> str | None:
    """'microphone' or 'camera' for a capture node's file name, else None."""
    if MICROPHONE_NODE.fullmatch(name):
        return "microphone"
    if CAMERA_NODE.fullmatch(name):
        return "camera"
    return None


def open_by_others(
    nodes: Iterable[str], proc: str = "/proc", own_pid: int | None = None
) -> dict[str, set[str]]:
    """Which of `nodes` some process other than ours has open, with the names of those processes (for
    the log). Reads /proc/<pid>/fd of every process we may look at; the others are skipped."""
    wanted = set(nodes)
    own = str(os.getpid() if own_pid is None else own_pid)
    found: dict[str, set[str]] = {}
    for pid in _pids(proc):
        if pid == own:
            continue
        for target in _open_files(f"{proc}/{pid}/fd"):
            if target in wanted:
                found.setdefault(target, set()).add(_command(proc, pid))
    return found


def _pids(proc: str) -> Iterator[str]:
    try:
        with os.scandir(proc) as entries:
            yield from (entry.name for entry in entries if entry.name.isdigit())
    except OSError:
        return


def _open_files(fd_dir: str) -> Iterator[str]:
    try:
        with os.scandir(fd_dir) as entries:
            for entry in entries:
                try:
                    yield os.readlink(entry.path)
                except OSError:  # closed meanwhile
                    continue
    except OSError:  # gone, or not ours to look at
        return


def _command(proc: str, pid: str) -> str:
    try:
        return Path(f"{proc}/{pid}/comm").read_text(encoding="utf-8", errors="replace").strip() or pid
    except OSError:
        return pid


class CaptureDevicesWatcher:
    """Holds while another program has a microphone or camera node open; see the module docstring.

    `dev` is the folder that holds the nodes (/dev; a test's stand-in folder has the same layout)."""

    name = NAME

    def __init__(self, dev: str = "/dev", proc: str = "/proc", flatpak_info: str = "/.flatpak-info") -> None:
        self._dev = os.path.realpath(dev)  # as /proc/<pid>/fd names them
        self._proc = proc
        self._flatpak_info = flatpak_info  # there only inside a Flatpak sandbox
        self._inotify: Inotify | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._emit: Emit | None = None
        self._folders: dict[int, str] = {}  # wd -> folder watched for new nodes
        self._nodes: dict[int, str] = {}  # wd -> capture node watched for opens and closes
        self._refused: set[str] = set()  # nodes we may not watch (said once in the log)
        self.holding = False
        self.in_use: dict[str, set[str]] = {}  # node -> the programs holding it, when last looked
        self.wakeups = 0  # how often inotify woke us: for tests and the idle benchmark

    @property
    def snd(self) -> str:
        return os.path.join(self._dev, "snd")

    @property
    def watched(self) -> list[str]:
        """The capture nodes followed now."""
        return sorted(self._nodes.values())

    # ----- the DeskWatcher protocol ----------------------------------------------------------------

    async def start(self, emit: Emit) -> str | None:
        await self.close()
        if os.path.exists(self._flatpak_info):  # its own process namespace: the host's programs are hidden
            return (
                "Inside a Flatpak sandbox the programs outside it cannot be seen, so calls cannot be noticed."
            )
        if not os.path.isdir(f"{self._proc}/self/fd"):
            return "/proc is not there to tell which programs use a device, so calls cannot be noticed."
        try:
            inotify = Inotify()
        except (OSError, AttributeError) as exc:  # AttributeError: a libc without inotify
            return f"inotify is not available ({exc}), so calls cannot be noticed."
        self._inotify = inotify
        try:
            # watch first, then look: an open after the look is always reported
            self._watch_folder(self._dev)
            self._watch_folder(self.snd)
            self._watch_nodes()
            self._loop = asyncio.get_running_loop()
            self._loop.add_reader(inotify.fd, self._on_readable)
            self._look()
        except Exception as exc:
            log.warning("calls: could not start", exc_info=True)
            await self.close()
            return f"Could not watch the capture devices in {self._dev} ({exc}), so calls cannot be noticed."
        microphones = sum(
            1 for node in self._nodes.values() if kind_of(os.path.basename(node)) == "microphone"
        )
        log.info(
            "calls: following %d microphone and %d camera device(s) in %s for programs that use them",
            microphones,
            len(self._nodes) - microphones,
            self._dev,
        )
        self._emit = emit
        if self.holding:  # in a call already: said once, now
            send(emit, DeskEvent("hold", NAME, reason=REASON))
        return None

    async def close(self) -> None:
        inotify, self._inotify = self._inotify, None
        if inotify is not None:
            if self._loop is not None:
                self._loop.remove_reader(inotify.fd)
            inotify.close()
        self._loop = None
        self._emit = None
        self._folders.clear()
        self._nodes.clear()
        self.holding = False
        self.in_use = {}

    # ----- watching --------------------------------------------------------------------------------

    def _watch_folder(self, folder: str) -> None:
        if folder in self._folders.values() or not os.path.isdir(folder):
            return
        assert self._inotify is not None
        try:
            self._folders[self._inotify.add_watch(folder, FOLDER_EVENTS)] = folder
        except OSError as exc:
            log.info("calls: cannot watch %s for new devices (%s)", folder, exc.strerror)

    def _watch_nodes(self) -> None:
        """Watch every capture node there is that is not watched yet."""
        for folder, names in ((self._dev, "camera"), (self.snd, "microphone")):
            try:
                children = sorted(os.listdir(folder))
            except OSError:
                continue
            for name in children:
                if kind_of(name) == names:
                    self._watch_node(os.path.join(folder, name))

    def _watch_node(self, node: str) -> None:
        if node in self._nodes.values():
            return
        assert self._inotify is not None
        try:
            self._nodes[self._inotify.add_watch(node, NODE_EVENTS)] = node
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                return
            if node not in self._refused:  # EACCES: not this seat's device (yet: udev may grant it)
                log.info("calls: cannot watch %s (%s)", node, exc.strerror)
            self._refused.add(node)
            return
        self._refused.discard(node)

    def _on_readable(self) -> None:
        self.wakeups += 1
        inotify = self._inotify
        if inotify is None:
            return
        try:
            events = inotify.read()
        except OSError as exc:
            log.warning("calls: reading inotify failed (%s); no longer watching", exc)
            self._stop_reading()
            return
        if not events:
            return
        for event in events:
            if event.mask & IN_IGNORED:  # the node (or folder) was removed
                self._nodes.pop(event.wd, None)
                self._folders.pop(event.wd, None)
        if any(event.wd in self._folders or event.mask & IN_Q_OVERFLOW for event in events):
            self._watch_folder(self.snd)  # a sound card's folder may be new
            self._watch_nodes()
        self._look()

    def _stop_reading(self) -> None:
        if self._loop is not None and self._inotify is not None:
            self._loop.remove_reader(self._inotify.fd)
        self._loop = None
        self._set({})  # what we cannot see must not hold reminders forever

    # ----- looking ---------------------------------------------------------------------------------

    def _look(self) -> None:
        self._set(open_by_others(self._nodes.values(), self._proc))

    def _set(self, in_use: dict[str, set[str]]) -> None:
        self.in_use = in_use
        busy = bool(in_use)
        if busy == self.holding:
            return
        self.holding = busy
        if busy:
            kinds = sorted({kind_of(os.path.basename(node)) or "device" for node in in_use})
            programs = sorted(set().union(*in_use.values()))
            log.info(
                "calls: the %s in use (by %s): holding reminders",
                " and the ".join(kinds) + (" are" if len(kinds) > 1 else " is"),
                ", ".join(programs),
            )
        else:
            log.info("calls: no program uses the microphone or a camera any more: releasing reminders")
        send(self._emit, DeskEvent("hold" if busy else "release", NAME, reason=REASON))

    def __repr__(self) -> str:
        return f"<CaptureDevicesWatcher dev={self._dev!r} holding={self.holding}>"
