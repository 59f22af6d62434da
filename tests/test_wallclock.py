"""The wall-clock alarm on a real timerfd: it fires at its instant, and a clock set never breaks arming."""

from __future__ import annotations

import ctypes
import logging
import select
import sys
from datetime import datetime, timedelta, timezone

import pytest

from rustlamp.runtime import App
from rustlamp.system.wallclock import WallClockAlarm

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="timerfd is Linux's")


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


def _set_the_clock_to_itself() -> None:
    """A clock 'set' that moves it by microseconds: what NTP or a settings panel does, without harm."""
    libc = ctypes.CDLL(None, use_errno=True)
    now = _Timespec()
    libc.clock_gettime(0, ctypes.byref(now))
    if libc.clock_settime(0, ctypes.byref(now)) != 0:
        pytest.skip("this process may not set the clock (needs CAP_SYS_TIME)")


def _readable(fd: int, timeout: float) -> bool:
    return bool(select.select([fd], [], [], timeout)[0])


def test_the_alarm_fires_at_its_wall_clock_instant() -> None:
    alarm = WallClockAlarm()
    try:
        alarm.arm(datetime.now(timezone.utc) + timedelta(milliseconds=50))
        assert _readable(alarm.fd, 5)
        assert alarm.acknowledge() == "fired"
    finally:
        alarm.close()


def test_arming_right_after_someone_set_the_clock_works_and_the_alarm_still_fires() -> None:
    # The kernel fails the first settime after a clock set with ECANCELED; CI once lost a lamp to it.
    alarm = WallClockAlarm()
    try:
        alarm.arm(datetime.now(timezone.utc) + timedelta(hours=1))
        _set_the_clock_to_itself()
        alarm.arm(datetime.now(timezone.utc) + timedelta(milliseconds=50))
        assert _readable(alarm.fd, 5)
        assert alarm.acknowledge() == "fired"
    finally:
        alarm.close()


def test_a_clock_set_while_armed_wakes_the_reader() -> None:
    alarm = WallClockAlarm()
    try:
        alarm.arm(None)
        _set_the_clock_to_itself()
        assert _readable(alarm.fd, 5)
        assert alarm.acknowledge() == "clock-set"
    finally:
        alarm.close()


class _BrokenAlarm:
    def arm(self, when: datetime | None) -> None:
        raise OSError(22, "Invalid argument")


def test_an_alarm_the_os_refuses_is_given_up_with_one_line_not_a_crash(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="rustlamp"):
        kept = App._arm(_BrokenAlarm(), datetime.now(timezone.utc))  # type: ignore[arg-type]
    assert kept is False
    assert "follow the monotonic timer" in caplog.text
