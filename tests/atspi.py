"""Driving rustlamp's windows as assistive technology does: through AT-SPI, by role and name.

The test desktop (tests/desktop.py) starts a private accessibility bus (`start_accessibility`: the
at-spi2-core bus launcher with accessibility switched on, as a screen reader switches it on); Qt windows
started on that desktop register there. `Accessibility` runs tests/atspi_agent.py under Debian's own
python (pyatspi is a Debian package; the venv's python may be another build) and asks it:

    with Accessibility(desktop.env) as a11y:
        window = a11y.window(process.pid)              # waits until the window's app is on the bus
        window.wait_for("push button", "Klaar")
        window.press("push button", "Klaar")           # the AT-SPI action, as "click Klaar" by voice
        window.focused()                                # what a screen reader reads now: role, name...
        window.names("radio button")                    # every control of a role, in reading order

Roles are AT-SPI's role names ("push button", "radio button", "check box", "label", "panel" (Qt's
group box), "text", "frame", "dialog"). Keys still come as real X input (xdotool), as a keyboard types.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

SYSTEM_PYTHON = os.environ.get("RUSTLAMP_ATSPI_PYTHON", "/usr/bin/python3")
AGENT = Path(__file__).with_name("atspi_agent.py")
WAIT = 10.0


class AccessibilityError(AssertionError):
    """The agent could not do what was asked; the message says what it found instead."""


def walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A tree's nodes in reading order (depth first, as a screen reader's review goes)."""
    yield node
    for child in node.get("children", []):
        yield from walk(child)


class Accessibility:
    """The agent process; one per test (or module), closed on the way out."""

    def __init__(self, env: dict[str, str]) -> None:
        self._agent = subprocess.Popen(
            [SYSTEM_PYTHON, str(AGENT)],
            env={k: v for k, v in env.items() if not k.startswith("PYTHON")},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def __enter__(self) -> Accessibility:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._agent.poll() is None:
            assert self._agent.stdin is not None
            self._agent.stdin.close()
            try:
                self._agent.wait(5)
            except subprocess.TimeoutExpired:
                self._agent.kill()  # by PID
                self._agent.wait()

    def ask(self, **request: Any) -> dict[str, Any]:
        assert self._agent.stdin is not None and self._agent.stdout is not None
        self._agent.stdin.write(json.dumps(request) + "\n")
        self._agent.stdin.flush()
        line = self._agent.stdout.readline()
        if not line:
            raise AccessibilityError(
                f"the AT-SPI agent ended: {self._agent.stderr.read() if self._agent.stderr else ''}"
            )
        reply: dict[str, Any] = json.loads(line)
        return reply

    def ready(self) -> Accessibility:
        """Once the agent listens: a popup menu opened from now on is seen (it shows only in events)."""
        assert self.ask(op="ready") == {"ready": True}
        return self

    def window(self, pid: int, timeout: float = WAIT) -> AccessibleApp:
        """The app of process `pid`, once it is on the accessibility bus with a window in it."""
        app = AccessibleApp(self, pid)
        until(lambda: app.tree_or_none() is not None, f"process {pid} on the accessibility bus", timeout)
        return app


class AccessibleApp:
    """One window program as a screen reader sees it."""

    def __init__(self, a11y: Accessibility, pid: int) -> None:
        self.a11y = a11y
        self.pid = pid

    def _ask(self, **request: Any) -> dict[str, Any]:
        reply = self.a11y.ask(pid=self.pid, **request)
        if "error" in reply:
            raise AccessibilityError(reply["error"])
        return reply

    def tree_or_none(self) -> dict[str, Any] | None:
        reply = self.a11y.ask(op="tree", pid=self.pid)
        tree = reply.get("tree")
        return tree if tree and tree.get("children") else None

    def tree(self) -> dict[str, Any]:
        tree: dict[str, Any] = self._ask(op="tree")["tree"]
        return tree

    def nodes(self, role: str | None = None, *, hidden: bool = False) -> list[dict[str, Any]]:
        """Every node (of `role`) a screen reader would find, in reading order: only those showing on
        screen, unless `hidden`."""
        return [
            node
            for node in walk(self.tree())
            if (role is None or node["role"] == role) and (hidden or "showing" in node["states"])
        ]

    def names(self, role: str) -> list[str]:
        """The names of the showing controls of `role`, in reading order."""
        return [node["name"] for node in self.nodes(role)]

    def read(self) -> list[tuple[str, str]]:
        """(role, name) of what shows, in reading order, leaving out nameless layout boxes (fillers)."""
        return [(n["role"], n["name"]) for n in self.nodes() if n["name"] or n["role"] != "filler"]

    def find(self, role: str, name: str) -> dict[str, Any]:
        return self._ask(op="find", role=role, name=name)

    def wait_for(self, role: str, name: str, timeout: float = WAIT) -> dict[str, Any]:
        """Wait until exactly one `role` named `name` is showing; its find answer."""

        def showing() -> dict[str, Any] | None:
            found = self.find(role, name)
            return found if found["count"] == 1 and "showing" in found["states"] else None

        found: dict[str, Any] = until(showing, f"a showing {role} named {name!r}", timeout)
        return found

    def press(self, role: str, name: str, action: str = "Press") -> None:
        """Do `action` on the one `role` named `name`, as voice control's "click NAME" does."""
        self.wait_for(role, name)
        self._ask(op="act", role=role, name=name, action=action)

    def set_text(self, role: str, name: str, text: str) -> None:
        self.wait_for(role, name)
        self._ask(op="set_text", role=role, name=name, text=text)

    def focused(self) -> dict[str, Any] | None:
        focused: dict[str, Any] | None = self._ask(op="focused")["focused"]
        return focused

    def wait_for_focus(self, role: str, name: str, timeout: float = WAIT) -> dict[str, Any]:
        def on_it() -> dict[str, Any] | None:
            now = self.focused()
            return now if now and now["role"] == role and now["name"] == name else None

        try:
            found: dict[str, Any] = until(on_it, f"the focus on the {role} {name!r}", timeout)
        except AssertionError as exc:
            raise AccessibilityError(f"{exc}; the focus is on {self.focused()}") from None
        return found


def until(check: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
    """Poll `check` every 50 ms until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AccessibilityError(f"{what}: not within {timeout:g} s")
        time.sleep(0.05)
