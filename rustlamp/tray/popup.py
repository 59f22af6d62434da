"""rustlamp's own menu, for trays whose host draws none: the XEmbed tray's right click, and a
StatusNotifierItem host that calls ContextMenu instead of reading our dbusmenu (swaybar).

The menu is a child process (`python -m rustlamp.ui.popup_menu --x X --y Y < menu.json`), so this
process never loads a toolkit; the child prints the chosen id. Only ids the person could click are
passed on, so a confused child cannot invent commands.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from rustlamp.core.menu import MenuItem
from rustlamp.tray.base import TrayHandler

log = logging.getLogger("rustlamp.tray")

POPUP_TIMEOUT = 70.0  # the popup gives up by itself after 60 s; this only guards against a stuck child


def _item_to_json(item: MenuItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "label": item.label,
        "enabled": item.enabled,
        "separator": item.separator,
        "checked": item.checked,
        "children": [_item_to_json(child) for child in item.children],
    }


def menu_to_json(items: tuple[MenuItem, ...]) -> str:
    """The menu for `python -m rustlamp.ui.popup_menu`: a JSON list of objects with id, label, enabled,
    separator, checked (true or false for a check item, null for any other) and children (a list of the
    same; non-empty makes the item a submenu)."""
    return json.dumps([_item_to_json(item) for item in items], ensure_ascii=False)


def menu_ids(items: tuple[MenuItem, ...]) -> set[str]:
    """The ids a person can click: enabled leaves."""
    found: set[str] = set()
    for item in items:
        if item.id and item.enabled and not item.children:
            found.add(item.id)
        found |= menu_ids(item.children)
    return found


class PopupMenu:
    """Opens the menu as a child process and reports the chosen id to `on_action`; one at a time."""

    def __init__(self, on_action: TrayHandler) -> None:
        self._on_action = on_action
        self._task: asyncio.Task[None] | None = None
        self._process: asyncio.subprocess.Process | None = None
        self.opened = 0  # how many times a menu was opened (tests and the log read it)

    @property
    def is_open(self) -> bool:
        return self._task is not None and not self._task.done()

    def open(self, menu: tuple[MenuItem, ...], x: int, y: int) -> None:
        """Show `menu` with its corner at (x, y); nothing when one is already open."""
        if self.is_open:
            return
        self.opened += 1
        self._task = asyncio.get_running_loop().create_task(self._run(menu, x, y))

    async def wait(self) -> None:
        """Until the open menu (if any) is closed and its choice passed on."""
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def close(self) -> None:
        process = self._process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
        await self.wait()
        self._task = None

    async def _run(self, menu: tuple[MenuItem, ...], x: int, y: int) -> None:
        env = dict(os.environ)
        # The child must find this very rustlamp, also when it runs from a source tree.
        source_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [source_root, env.get("PYTHONPATH")]))
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "rustlamp.ui.popup_menu",
                "--x",
                str(x),
                "--y",
                str(y),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=env,
            )
        except OSError:
            log.exception("could not start the popup menu")
            return
        self._process = process
        try:
            out, err = await asyncio.wait_for(process.communicate(menu_to_json(menu).encode()), POPUP_TIMEOUT)
        except asyncio.TimeoutError:
            process.kill()
            await process.wait()
            log.warning("the popup menu did not close within %g s", POPUP_TIMEOUT)
            return
        finally:
            self._process = None
        if process.returncode is None or process.returncode > 1:  # < 0: close() ended it
            log.warning("the popup menu failed (%s): %s", process.returncode, err.decode(errors="replace"))
            return
        chosen = out.decode(errors="replace").strip()
        if process.returncode == 0 and chosen in menu_ids(menu):
            self._on_action(chosen)
