"""An alarm at a wall-clock instant that keeps its word across suspend and clock changes.

asyncio's timers run on the monotonic clock, which stops while a laptop sleeps: a reminder due at 10:00,
armed at 09:00 and slept through until 12:00, would come at 13:00. On Linux a timerfd on CLOCK_REALTIME
with an absolute deadline fires at the wall time itself, right after resume when it has passed, and
TFD_TIMER_CANCEL_ON_SET wakes us when someone sets the clock. Elsewhere (or if timerfd is unavailable)
the runtime falls back to asyncio's timer alone; sleep detection then waits for the platform's power
events.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import logging
import os
import sys
from datetime import datetime

log = logging.getLogger("rustlamp.wallclock")

_CLOCK_REALTIME = 0
_TFD_CLOEXEC = 0o2000000
_TFD_NONBLOCK = 0o4000
_TFD_TIMER_ABSTIME = 1
_TFD_TIMER_CANCEL_ON_SET = 2
_ARM_TRIES = 8


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


class _Itimerspec(ctypes.Structure):
    _fields_ = [("it_interval", _Timespec), ("it_value", _Timespec)]


class WallClockAlarm:
    """One file descriptor that becomes readable at the armed wall-clock instant or when the clock is set."""

    def __init__(self) -> None:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        self._settime = libc.timerfd_settime
        self._settime.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.POINTER(_Itimerspec), ctypes.c_void_p]
        fd = libc.timerfd_create(_CLOCK_REALTIME, _TFD_CLOEXEC | _TFD_NONBLOCK)
        if fd < 0:
            raise OSError(ctypes.get_errno(), "timerfd_create failed")
        self.fd: int = fd

    def arm(self, when: datetime | None) -> None:
        """Fire at `when` (aware); None disarms, but a clock change still wakes the reader."""
        spec = _Itimerspec()
        if when is None:
            # far in the future rather than disarmed: CANCEL_ON_SET only works on an armed timer
            seconds, nanos = 2**31 - 1, 0
        else:
            stamp = when.timestamp()
            seconds = int(stamp)
            nanos = max(1, round((stamp - seconds) * 1e9))
            nanos = min(nanos, 999_999_999)
        spec.it_value.tv_sec, spec.it_value.tv_nsec = seconds, nanos
        # A clock set since the last read makes the next settime fail once with ECANCELED (and clears that
        # state), so arming again is right; a few tries cover a clock that is set again in between.
        for _ in range(_ARM_TRIES):
            flags = _TFD_TIMER_ABSTIME | _TFD_TIMER_CANCEL_ON_SET
            if self._settime(self.fd, flags, ctypes.byref(spec), None) == 0:
                return
            err = ctypes.get_errno()
            if err != errno.ECANCELED:
                raise OSError(err, os.strerror(err))
        raise OSError(errno.ECANCELED, "the system clock kept being set while the alarm was armed")

    def acknowledge(self) -> str:
        """Read the fd after it became readable: 'fired', 'clock-set' or 'spurious'."""
        try:
            os.read(self.fd, 8)
        except BlockingIOError:
            return "spurious"
        except OSError as exc:
            if exc.errno == errno.ECANCELED:
                return "clock-set"
            raise
        return "fired"

    def close(self) -> None:
        os.close(self.fd)


def make_alarm() -> WallClockAlarm | None:
    """The alarm where the OS has one, else None (the runtime then relies on asyncio's timer)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return WallClockAlarm()
    except (OSError, AttributeError) as exc:
        log.info("no wall-clock alarm (timerfd) here: %s; relying on the monotonic timer", exc)
        return None
