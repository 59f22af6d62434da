"""The lamp's prepared pictures: ARGB pixmaps for a StatusNotifierItem, PNG files for everything else.

They are made by assets/make_icons.py and shipped as package data in rustlamp/icons. Nothing here needs an
image library: the running tray only reads bytes.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

STATES: tuple[str, ...] = ("calm-0", "calm-1", "calm-2", "calm-3", "calm-4", "waiting", "paused")
SIZES: tuple[int, ...] = (16, 22, 24, 32, 48, 64, 128, 256)
PIXMAP_SIZES: tuple[int, ...] = tuple(size for size in SIZES if size <= 64)  # the raw ones: panel sizes

# PNGs that had to be copied out of a zipped install live until the process ends
_extracted = contextlib.ExitStack()
atexit.register(_extracted.close)


def _icon(state: str, size: int, suffix: str) -> Traversable:
    if state not in STATES:
        raise ValueError(f"unknown lamp state {state!r}; the known states are: {', '.join(STATES)}")
    if size not in SIZES:
        raise ValueError(f"no {size} px lamp; the sizes are: {', '.join(map(str, SIZES))}")
    return resources.files("rustlamp") / "icons" / f"{state}-{size}.{suffix}"


@functools.lru_cache(maxsize=len(STATES))
def _pixmaps(state: str) -> tuple[tuple[int, int, bytes], ...]:
    out = []
    for size in PIXMAP_SIZES:
        data = _icon(state, size, "argb").read_bytes()
        if len(data) != size * size * 4:
            raise RuntimeError(f"the {state} lamp at {size} px is damaged: {len(data)} bytes")
        out.append((size, size, data))
    return tuple(out)


def pixmaps(state: str) -> list[tuple[int, int, bytes]]:
    """(width, height, ARGB32 big-endian pixels) for every panel size, smallest first: a StatusNotifierItem's
    IconPixmap. Raises ValueError for an unknown state."""
    return list(_pixmaps(state))


def ico_path(state: str) -> Path:
    """A real .ico file of the lamp in `state` (only the notifications' "waiting" one is made): what
    Windows' balloon can load. Raises ValueError when there is none."""
    ico = resources.files("rustlamp") / "icons" / f"{state}.ico"
    if not ico.is_file():
        raise ValueError(f"no .ico of the {state!r} lamp")
    return _extracted.enter_context(resources.as_file(ico))


@functools.lru_cache(maxsize=len(STATES) * len(SIZES))  # never evicts: one extraction per file
def png_path(state: str, size: int) -> Path:
    """A real file holding the lamp in `state` at `size` px (RGBA PNG). Raises ValueError when unknown."""
    return _extracted.enter_context(resources.as_file(_icon(state, size, "png")))
