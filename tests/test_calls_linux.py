"""A call on Linux, for real: inotify on capture nodes and /proc/<pid>/fd, with programs that open them.

This machine has no sound card and no camera (no /dev/snd, no /dev/video*, and the kernel loads no
modules, so snd-aloop cannot be added). So each test lays out a folder like /dev (snd/pcmC0D0c,
snd/pcmC0D0p, video0) whose nodes are real character devices (the null device's numbers, which every
kernel has, made with mknod when we are root; plain files otherwise), and real child processes open
and close them. The kernel reports those opens and closes exactly as for /dev/snd, and /proc shows the
child holding the node, so the watcher runs unchanged, only pointed at another folder.
"""

from __future__ import annotations

import asyncio
import struct
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from capture_nodes import Holder, dev_folder, make_node

from rustlamp.desk.base import DeskEvent
from rustlamp.desk.calls_linux import (
    IN_CREATE,
    IN_OPEN,
    CaptureDevicesWatcher,
    InotifyEvent,
    kind_of,
    open_by_others,
    parse_events,
)

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="inotify and /proc are Linux's")


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "the watcher did not see it in time"
        await asyncio.sleep(0.01)


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(scenario())  # type: ignore[arg-type]


def test_inotify_events_are_read_from_the_kernel_layout() -> None:
    data = (
        struct.pack("iIII", 1, IN_OPEN, 0, 0)
        + struct.pack("iIII", 2, IN_CREATE, 0, 16)
        + b"pcmC1D0c"
        + b"\0" * 8
    )
    assert parse_events(data) == [InotifyEvent(1, IN_OPEN, ""), InotifyEvent(2, IN_CREATE, "pcmC1D0c")]
    assert parse_events(b"") == []


def test_only_capture_nodes_count() -> None:
    assert kind_of("pcmC0D0c") == "microphone" and kind_of("pcmC12D3c") == "microphone"
    assert kind_of("video0") == "camera" and kind_of("video17") == "camera"
    for other in (
        "pcmC0D0p",
        "controlC0",
        "timer",
        "seq",
        "video",
        "videoX",
        "media0",
        "null",
        "pcmC0D0c.lock",
    ):
        assert kind_of(other) is None, other


def test_a_program_opening_the_microphone_holds_and_closing_it_releases(tmp_path: Path) -> None:
    dev = dev_folder(tmp_path)
    seen: list[DeskEvent] = []
    watcher = CaptureDevicesWatcher(str(dev))

    async def scenario() -> None:
        assert await watcher.start(seen.append) is None
        assert watcher.watched == [str(dev / "snd" / "pcmC0D0c"), str(dev / "video0")]
        assert seen == [] and not watcher.holding
        holder = Holder(dev / "snd" / "pcmC0D0c")
        await until(lambda: watcher.holding)
        assert seen == [DeskEvent("hold", "linux-capture", reason="call")]
        assert list(watcher.in_use) == [str(dev / "snd" / "pcmC0D0c")]
        holder.close()
        await until(lambda: not watcher.holding)
        assert [e.kind for e in seen] == ["hold", "release"]
        await watcher.close()

    run(scenario)


def test_the_call_lasts_until_the_last_program_lets_go_of_the_last_device(tmp_path: Path) -> None:
    dev = dev_folder(tmp_path)
    seen: list[DeskEvent] = []
    watcher = CaptureDevicesWatcher(str(dev))

    async def scenario() -> None:
        assert await watcher.start(seen.append) is None
        microphone = Holder(dev / "snd" / "pcmC0D0c")
        camera = Holder(dev / "video0")
        second = Holder(dev / "snd" / "pcmC0D0c")
        await until(lambda: len(watcher.in_use) == 2)
        microphone.close()
        camera.close()
        await until(lambda: list(watcher.in_use) == [str(dev / "snd" / "pcmC0D0c")])
        assert watcher.holding and [e.kind for e in seen] == ["hold"]
        second.close()
        await until(lambda: not watcher.holding)
        assert [e.kind for e in seen] == ["hold", "release"]
        await watcher.close()

    run(scenario)


def test_playback_and_other_nodes_and_our_own_process_do_not_count(tmp_path: Path) -> None:
    dev = dev_folder(tmp_path)
    seen: list[DeskEvent] = []
    watcher = CaptureDevicesWatcher(str(dev))

    async def scenario() -> None:
        assert await watcher.start(seen.append) is None
        playback = Holder(dev / "snd" / "pcmC0D0p")
        other = Holder(dev / "null")
        with open(dev / "snd" / "pcmC0D0c", "rb"):  # the lamp itself never records, but if it did
            await asyncio.sleep(0.2)
            assert watcher.wakeups >= 1  # it was told, and looked
        await asyncio.sleep(0.2)
        assert seen == [] and not watcher.holding
        playback.close()
        other.close()
        await watcher.close()

    run(scenario)


def test_a_call_going_on_at_start_holds_at_once(tmp_path: Path) -> None:
    dev = dev_folder(tmp_path)
    seen: list[DeskEvent] = []
    watcher = CaptureDevicesWatcher(str(dev))
    camera = Holder(dev / "video0")

    async def scenario() -> None:
        assert await watcher.start(seen.append) is None
        assert seen == [DeskEvent("hold", "linux-capture", reason="call")]
        camera.close()
        await until(lambda: not watcher.holding)
        await watcher.close()

    run(scenario)


def test_a_headset_plugged_in_later_is_followed_too(tmp_path: Path) -> None:
    dev = tmp_path / "dev"
    make_node(dev / "null")  # no sound card and no camera yet
    seen: list[DeskEvent] = []
    watcher = CaptureDevicesWatcher(str(dev))

    async def scenario() -> None:
        assert await watcher.start(seen.append) is None
        assert watcher.watched == []
        make_node(dev / "snd" / "pcmC1D0c")  # the folder and the node appear, as udev makes them
        await until(lambda: watcher.watched == [str(dev / "snd" / "pcmC1D0c")])
        holder = Holder(dev / "snd" / "pcmC1D0c")
        await until(lambda: watcher.holding)
        holder.close()
        await until(lambda: not watcher.holding)
        (dev / "snd" / "pcmC1D0c").unlink()  # unplugged
        await until(lambda: watcher.watched == [])
        assert [e.kind for e in seen] == ["hold", "release"]
        await watcher.close()

    run(scenario)


def test_without_proc_it_says_why_and_holds_nothing(tmp_path: Path) -> None:
    watcher = CaptureDevicesWatcher(str(dev_folder(tmp_path)), proc=str(tmp_path / "no-proc"))
    reason = asyncio.run(watcher.start(lambda event: None))
    assert reason == "/proc is not there to tell which programs use a device, so calls cannot be noticed."


def test_inside_a_flatpak_sandbox_it_says_it_cannot_see_the_hosts_programs(tmp_path: Path) -> None:
    marker = tmp_path / ".flatpak-info"
    marker.write_text("[Application]\nname=nl.rustlamp.Rustlamp\n")
    watcher = CaptureDevicesWatcher(str(dev_folder(tmp_path)), flatpak_info=str(marker))
    reason = asyncio.run(watcher.start(lambda event: None))
    assert (
        reason
        == "Inside a Flatpak sandbox the programs outside it cannot be seen, so calls cannot be noticed."
    )


def test_open_by_others_names_the_program_and_skips_our_own(tmp_path: Path) -> None:
    node = tmp_path / "dev" / "video0"
    make_node(node)
    holder = Holder(node)
    try:
        found = open_by_others([str(node)])
        assert list(found) == [str(node)]
        assert found[str(node)] == {Path(f"/proc/{holder.process.pid}/comm").read_text().strip()}
        assert open_by_others([str(node)], own_pid=holder.process.pid) == {}
    finally:
        holder.close()
    assert open_by_others([str(node)]) == {}


def test_the_choice_follows_calls_only_when_the_settings_ask(tmp_path: Path) -> None:
    from rustlamp.desk.dnd_select import CAPTURE_DEV_ENV, choose_dnd_watchers

    env = {CAPTURE_DEV_ENV: str(dev_folder(tmp_path))}  # no bus, no display: only calls can be followed

    async def scenario(during_calls: bool) -> list[str]:
        watchers, _ = await choose_dnd_watchers(
            lambda event: None, False, during_calls=during_calls, env=env, platform="linux"
        )
        for watcher in watchers:
            await watcher.close()
        return [watcher.name for watcher in watchers]

    assert asyncio.run(scenario(True)) == ["linux-capture"]
    assert asyncio.run(scenario(False)) == []
