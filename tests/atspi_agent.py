"""The screen reader's side of the window tests: reads and presses controls through AT-SPI, as Orca or a
voice-control program would. Runs under Debian's own /usr/bin/python3, the only Python that has pyatspi
(python3-pyatspi); tests/atspi.py starts it and talks to it in JSON lines (stdin: a request; stdout: the
answer). Kept free of anything but the standard library and pyatspi.

Requests (each names the application by the process id of the window program):
  {"op": "tree", "pid": P}                                -> {"tree": NODE}; NODE = {"role", "name",
                                                             "description", "states", "actions", "children",
                                                             and for a "text" its "text"}
  {"op": "find", "pid": P, "role": R, "name": N}          -> {"count": n, "states": [...], "extents": [...]}
                                                             (of the first)
  {"op": "act", "pid": P, "role": R, "name": N, "action": A} -> {"done": true}; A as the control offers it
                                                             ("Press", "Toggle", "SetFocus"...); the match
                                                             must be unique and showing
  {"op": "focused", "pid": P}                             -> {"focused": NODE without children, or null}
  {"op": "set_text", "pid": P, "role": R, "name": N, "text": T} -> {"done": true}
  {"op": "ready"}                                         -> {"ready": true} once it listens to focus events
Errors: {"error": "..."}.

A popup menu is no child of its application in AT-SPI (Qt, like GTK, lists only its ordinary windows
there); a screen reader meets it through the focus events of its items. The agent listens to those too,
and counts the menu an item belongs to as one more window of that application, in "tree" and in the
searches, for as long as it is there.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pyatspi
from gi.repository import GLib

popups: dict[int, list[Any]] = {}  # process id -> popup menus met through their items' focus events


def on_focus(event: Any) -> None:
    if not event.detail1:
        return
    try:
        top = event.source
        pid = top.get_process_id()
        while top.parent is not None and top.parent.getRole() != pyatspi.ROLE_APPLICATION:
            top = top.parent
        if top.getRole() in (pyatspi.ROLE_MENU, pyatspi.ROLE_POPUP_MENU) and top not in popups.get(pid, []):
            popups.setdefault(pid, []).append(top)
    except Exception:  # an object gone before we asked: nothing to keep
        return


def pump() -> None:
    """Take in the events that came meanwhile (the agent runs no main loop of its own)."""
    context = GLib.MainContext.default()
    while context.pending():
        context.iteration(False)


def alive(node: Any) -> bool:
    try:
        return bool(node.getState().contains(pyatspi.STATE_SHOWING))
    except Exception:  # its process ended, or the menu was destroyed
        return False


def windows(app: Any, pid: int) -> list[Any]:
    """The application's windows, its open popup menus included."""
    popups[pid] = [menu for menu in popups.get(pid, []) if alive(menu)]
    return [child for child in app if child is not None] + popups[pid]


def application(pid: int) -> Any:
    desktop = pyatspi.Registry.getDesktop(0)
    for index in range(desktop.childCount):
        app = desktop.getChildAtIndex(index)
        if app is not None and app.get_process_id() == pid:
            app.clearCache()
            return app
    return None


def states(node: Any) -> list[str]:
    return sorted(pyatspi.stateToString(state) for state in node.getState().getStates())


def actions(node: Any) -> list[str]:
    try:
        action = node.queryAction()
    except NotImplementedError:
        return []
    return [action.getName(i) for i in range(action.nActions)]


def extents(node: Any) -> list[int]:
    """[x, y, width, height] on the screen; [] for a node that has no place of its own."""
    try:
        box = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    except NotImplementedError:
        return []
    return [box.x, box.y, box.width, box.height]


def describe(node: Any, depth: int | None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "role": node.getRoleName(),
        "name": node.name or "",
        "description": node.description or "",
        "states": states(node),
        "actions": actions(node),
        "extents": extents(node),
    }
    if found["role"] == "text":  # what a screen reader reads in a field: its contents
        try:
            text = node.queryText()
            found["text"] = text.getText(0, text.characterCount)
        except NotImplementedError:
            found["text"] = ""
    if depth is None or depth > 0:
        found["children"] = [
            describe(child, None if depth is None else depth - 1) for child in node if child is not None
        ]
    return found


def describe_app(app: Any, pid: int) -> dict[str, Any]:
    found = describe(app, 0)
    found["children"] = [describe(window, None) for window in windows(app, pid)]
    return found


def matches(app: Any, pid: int, role: str, name: str) -> list[Any]:
    found = []
    for window in windows(app, pid):
        if window.getRoleName() == role and window.name == name:
            found.append(window)
        found += pyatspi.utils.findAllDescendants(
            window, lambda n: n.getRoleName() == role and n.name == name
        )
    return found


def focused_in(app: Any, pid: int) -> Any:
    """The focused control. In menus the deepest focused node of the newest open menu (a menu is focused
    itself while its item is, and a submenu's parent item stays focused); elsewhere the first focused node
    (deepest would be wrong there: a Qt text field has a focused filler inside)."""
    first = None
    for window in windows(app, pid):
        focused = [window] if window.getState().contains(pyatspi.STATE_FOCUSED) else []
        focused += pyatspi.utils.findAllDescendants(window, in_focus)
        if focused and window.getRole() in (pyatspi.ROLE_MENU, pyatspi.ROLE_POPUP_MENU):
            first = focused[-1]  # a later (newer) menu wins
        elif focused and first is None:
            first = focused[0]
            if is_managed(first):  # a list that manages its items: the focused item within it
                first = next((node for node in focused[1:] if node.parent == first), first)
    return first


def is_managed(node: Any) -> bool:
    return bool(node.getState().contains(pyatspi.STATE_MANAGES_DESCENDANTS))


def in_focus(node: Any) -> bool:
    """Focused, and an item of a list only while its list is (Qt leaves an item's focused state behind when
    the list loses the focus)."""
    if not node.getState().contains(pyatspi.STATE_FOCUSED):
        return False
    parent = node.parent
    return parent is None or not is_managed(parent) or parent.getState().contains(pyatspi.STATE_FOCUSED)


def answer(request: dict[str, Any]) -> dict[str, Any]:
    pump()
    if request["op"] == "ready":
        return {"ready": True}
    pid = int(request["pid"])
    app = application(pid)
    if app is None:
        return {"error": f"no application with process id {request['pid']} on the accessibility bus"}
    op = request["op"]
    if op == "tree":
        return {"tree": describe_app(app, pid)}
    if op == "focused":
        focused = focused_in(app, pid)
        return {"focused": None if focused is None else describe(focused, 0)}
    found = matches(app, pid, request["role"], request["name"])
    if op == "find":
        first = found[0] if found else None
        return {
            "count": len(found),
            "states": states(first) if first else [],
            "extents": extents(first) if first else [],
        }
    if len(found) != 1:
        return {"error": f"{len(found)} controls are a {request['role']} named {request['name']!r}"}
    node = found[0]
    if op == "act":
        offered = actions(node)
        # one action, spelled "SetFocus" by Qt 6.11 and "Set Focus" by Qt 6.12
        spelled = [name.replace(" ", "").lower() for name in offered]
        wanted = request["action"].replace(" ", "").lower()
        if wanted not in spelled:
            return {"error": f"{request['name']!r} offers {offered}, not {request['action']!r}"}
        node.queryAction().doAction(spelled.index(wanted))
        return {"done": True}
    if op == "set_text":
        node.queryEditableText().setTextContents(request["text"])
        return {"done": True}
    return {"error": f"unknown op {op!r}"}


def main() -> None:
    pyatspi.Registry.registerEventListener(on_focus, "object:state-changed:focused")
    for line in sys.stdin:
        try:
            reply = answer(json.loads(line))
        except Exception as exc:  # the test shows it; the agent stays up for the next request
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
