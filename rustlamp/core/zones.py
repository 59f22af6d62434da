"""Find the local time zone as a zoneinfo zone (so DST rules are known), honouring TZ."""

from __future__ import annotations

import os
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def _zone_from_key(key: str) -> tzinfo | None:
    key = key.strip().lstrip(":")
    if not key:
        return None
    try:
        if key.startswith("/"):
            # TZ=/usr/share/zoneinfo/Europe/Amsterdam: read the file itself
            with open(key, "rb") as f:
                return ZoneInfo.from_file(f, key=key)
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def system_zone() -> tzinfo:
    """TZ first, then /etc/localtime, then /etc/timezone; a fixed offset only as the last resort."""
    tz_env = os.environ.get("TZ")
    if tz_env is not None:
        zone = _zone_from_key(tz_env)
        if zone is not None:
            return zone
    localtime = Path("/etc/localtime")
    if localtime.exists():
        try:
            target = str(localtime.resolve())
            if "zoneinfo/" in target:
                zone = _zone_from_key(target.split("zoneinfo/", 1)[1])
                if zone is not None:
                    return zone
            with localtime.open("rb") as f:
                return ZoneInfo.from_file(f, key="localtime")
        except (OSError, ValueError):
            pass
    timezone_file = Path("/etc/timezone")
    if timezone_file.exists():
        zone = _zone_from_key(timezone_file.read_text(encoding="utf-8", errors="replace"))
        if zone is not None:
            return zone
    fallback = datetime.now().astimezone().tzinfo
    assert fallback is not None
    return fallback
