"""The core must not pull in a tray, toolkit, notification or image library; a fresh interpreter proves it."""

import json
import subprocess
import sys

CORE_MODULES = [
    "rustlamp.core.clock",
    "rustlamp.core.commands",
    "rustlamp.core.config",
    "rustlamp.core.content",
    "rustlamp.core.durations",
    "rustlamp.core.menu",
    "rustlamp.core.planner",
    "rustlamp.core.schedule",
    "rustlamp.core.texts",
    "rustlamp.core.toml_lines",
    "rustlamp.core.zones",
]
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
