"""What the resident lamp keeps out of its memory (issue 12: idle at or under 33.5 MB, benchmarks/idle.py).

Each check runs in a fresh interpreter, so a module another test imported cannot hide a load; each also
shows the thing it keeps out is really loaded the ordinary way, so the check can fail.
"""

from __future__ import annotations

import html
import subprocess
import sys
from collections.abc import Iterator

import pytest
from desktop import extra_display, require_programs
from hypothesis import given
from hypothesis import strategies as st

from rustlamp.notify.markup import escape_text


def loaded_after(code: str, env: dict[str, str] | None = None) -> set[str]:
    """The module names a fresh interpreter holds after running `code`."""
    script = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env, check=True
    )
    return set(done.stdout.split())


@given(st.text())
def test_escape_text_is_what_html_escape_gives_without_quotes(text: str) -> None:
    assert escape_text(text) == html.escape(text, quote=False)


def test_the_lamps_modules_bring_no_entity_table_plist_or_token_channel() -> None:
    loaded = loaded_after(
        "import rustlamp.runtime, rustlamp.notify.desktop, rustlamp.system.autostart\n"
        "from rustlamp.system.control import ControlServer\n"
        "async def handler(key): return {}\n"
        "ControlServer(handler, transport='unix')"
    )
    assert "rustlamp.runtime" in loaded
    for kept_out in ("html", "html.entities", "plistlib", "rustlamp.system.control_tcp", "hmac", "secrets"):
        assert kept_out not in loaded, kept_out


def test_the_token_channel_is_still_loaded_when_asked_for() -> None:
    loaded = loaded_after(
        "from rustlamp.system.control import ControlServer\n"
        "async def handler(key): return {}\n"
        "ControlServer(handler, transport='tcp')"
    )
    assert "rustlamp.system.control_tcp" in loaded


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    require_programs(["Xvfb"])
    with extra_display() as name:
        yield name


@pytest.mark.desktop
def test_the_watchers_x_connection_loads_no_xlib_extension_module(display: str) -> None:
    def extension_modules(opener: str) -> set[str]:
        """The Xlib.ext modules a connection loads beyond those importing Xlib.display brings."""
        imported = loaded_after(opener)
        connected = loaded_after(f"{opener}\nd = Display({display!r})\nassert d.query_extension('SYNC')")
        return {name for name in connected - imported if name.startswith("Xlib.ext.")}

    assert extension_modules("from Xlib.display import Display"), "Xvfb lists no extension Xlib would load"
    assert extension_modules("from rustlamp.desk.x_display import PlainDisplay as Display") == set()
