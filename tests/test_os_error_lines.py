"""What the OS refuses is said in one clear line, with no traceback (Wine's stubs do refuse)."""

from __future__ import annotations

import ctypes
import logging
import sys

import pytest

from rustlamp.desk.windows_desk import WindowsPowerWatcher
from rustlamp.notify.desktop import os_error_words

pytestmark = pytest.mark.windows

CLASS_NOT_REGISTERED = -2147221164  # 0x80040154 as WinRT raises it (a signed HRESULT)


def windows_error(code: int) -> OSError:
    if sys.platform == "win32":
        return ctypes.WinError(code)  # type: ignore[attr-defined]  # Windows only

    class WinError(OSError):  # what ctypes.WinError gives there, where OSError has no winerror
        winerror = code

    return WinError(None, "")


def test_a_windows_error_without_words_gets_its_code_and_name() -> None:
    assert (
        os_error_words(windows_error(CLASS_NOT_REGISTERED))
        == "Windows error 0x80040154 (class not registered)"
    )
    assert os_error_words(windows_error(-2147024891)).startswith(("Windows error 0x80070005", "[WinError"))
    assert os_error_words(FileNotFoundError(2, "No such file")) == "[Errno 2] No such file"


def test_an_os_call_that_fails_is_one_line_and_a_bug_keeps_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    watcher = WindowsPowerWatcher(object())  # type: ignore[arg-type]

    def refused() -> None:
        raise OSError(22, "Invalid window handle")

    def broken() -> None:
        raise TypeError("a bug")

    with caplog.at_level(logging.WARNING, logger="rustlamp.desk"):
        watcher._quietly("WTSUnRegisterSessionNotification", refused)
        watcher._quietly("DestroyWindow", broken)
    refusal, bug = caplog.records
    assert refusal.getMessage() == (
        "windows-power: WTSUnRegisterSessionNotification failed: [Errno 22] Invalid window handle"
    )
    assert refusal.exc_info is None
    assert bug.exc_info is not None and bug.exc_info[0] is TypeError
