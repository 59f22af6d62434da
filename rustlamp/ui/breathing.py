"""The break window's arithmetic, with no toolkit: where a breath is at a moment, and time left as a
person reads it."""

from __future__ import annotations

import math
from typing import Literal

Phase = Literal["in", "out"]


def _ease(x: float) -> float:
    """0 -> 0, 1 -> 1, smooth at both ends (half a cosine), so a breath starts and ends gently."""
    return 0.5 - 0.5 * math.cos(math.pi * x)


def breath(t: float, inhale: float, exhale: float) -> tuple[Phase, float]:
    """Where a breathing cycle is at `t` seconds: ("in" or "out", size 0..1).

    The size rises from 0 to 1 during the `inhale` seconds and falls back to 0 during the `exhale`
    seconds; it repeats every inhale + exhale seconds and never jumps.
    """
    if inhale <= 0 or exhale <= 0:
        raise ValueError("inhale and exhale must be positive")
    u = math.fmod(t, inhale + exhale)
    if u < 0:
        u += inhale + exhale
    if u < inhale:
        return "in", min(1.0, max(0.0, _ease(u / inhale)))
    return "out", min(1.0, max(0.0, 1.0 - _ease(min(1.0, (u - inhale) / exhale))))


def format_left(seconds: float) -> str:
    """Time left as '4:32' (or '1:02:03'); rounds up, so it shows '5:00' at the start and never '0:00'
    while time remains."""
    total = max(0, math.ceil(seconds - 1e-9))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
