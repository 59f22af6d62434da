"""Run the installed rustlamp (Windows, under Wine) with a watcher for its tray menu, for tests/wine/smoke.py.

Wine keeps a menu's items in the process that made it, so another process cannot read them: this file runs
`rustlamp.cli.main()` itself, unchanged, and a thread of its own waits for a popup menu (window class
#32768) to open, asks it for its menu (MN_GETHMENU) and writes the items, submenus indented, as JSON to
the file named in its first argument. The rest of the arguments are rustlamp's.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
import threading
import time
from ctypes import wintypes

MN_GETHMENU = 0x01E1
MF_BYPOSITION = 0x400


def items(user32: ctypes.WinDLL, menu: int, depth: int = 0) -> list[str]:
    lines = []
    for position in range(user32.GetMenuItemCount(menu)):
        buffer = ctypes.create_unicode_buffer(256)
        user32.GetMenuStringW(menu, position, buffer, len(buffer), MF_BYPOSITION)
        lines.append("  " * depth + (buffer.value or "----"))
        submenu = user32.GetSubMenu(menu, position)
        if submenu:
            lines += items(user32, submenu, depth + 1)
    return lines


def watch(out: str) -> None:
    user32 = ctypes.WinDLL("user32", use_last_error=True)
    user32.FindWindowW.restype = wintypes.HWND
    user32.SendMessageW.restype = ctypes.c_ssize_t
    user32.SendMessageW.argtypes = [wintypes.HWND, wintypes.UINT, wintypes.WPARAM, wintypes.LPARAM]
    user32.GetSubMenu.restype = wintypes.HMENU
    user32.GetSubMenu.argtypes = [wintypes.HMENU, ctypes.c_int]
    user32.GetMenuItemCount.argtypes = [wintypes.HMENU]
    text_args = [wintypes.HMENU, wintypes.UINT, wintypes.LPWSTR, ctypes.c_int, wintypes.UINT]
    user32.GetMenuStringW.argtypes = text_args
    while True:
        popup = user32.FindWindowW("#32768", None)
        if popup:
            menu = user32.SendMessageW(popup, MN_GETHMENU, 0, 0)
            if menu:
                with open(out + ".part", "w", encoding="utf-8") as f:
                    json.dump(items(user32, menu), f, ensure_ascii=False)
                os.replace(out + ".part", out)  # whole, for the smoke that waits for it
                return
        time.sleep(0.2)


if __name__ == "__main__":
    threading.Thread(target=watch, args=(sys.argv.pop(1),), daemon=True).start()
    from rustlamp.cli import main

    sys.argv[0] = "rustlamp"
    sys.exit(main())
