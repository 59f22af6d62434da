"""The core must not pull in a tray, toolkit, notification or image library; a fresh interpreter proves it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.windows

# every module in rustlamp/core, so a new one cannot slip past

CORE_MODULES = sorted(
    f"rustlamp.core.{path.stem}"
    for path in (Path(__file__).parent.parent / "rustlamp" / "core").glob("*.py")
    if path.stem != "__init__"
)
FORBIDDEN = [
    "tkinter",
    "_tkinter",
    "pystray",
    "PIL",
    "plyer",
    "desktop_notifier",
    "dbus_fast",
    "gi",
    "asyncio",
]


def test_core_imports_no_adapter_library() -> None:
    script = (
        "import json, sys\n"
        f"for name in {CORE_MODULES!r}: __import__(name)\n"
        f"print(json.dumps(sorted(m for m in {FORBIDDEN!r} if m in sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == []
