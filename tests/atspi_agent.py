"""The screen reader's side of the window tests: reads and presses controls through AT-SPI, as Orca or a
voice-control program would. Runs under Debian's own /usr/bin/python3, the only Python that has pyatspi
(python3-pyatspi); tests/atspi.py starts it and talks to it in JSON lines (stdin: a request; stdout: the
answer). Kept free of anything but the standard library and pyatspi.

Requests (each names the application by the process id of the window program):
  {"op": "tree", "pid": P}                                -> {"tree": NODE}; NODE = {"role", "name",
                                                             "description", "states", "actions", "children",
                                                             and for a "text" its "text"}
  {"op": "find", "pid": P, "role": R, "name": N}          -> {"count": n, "states": [...]} (of the first)
  {"op": "act", "pid": P, "role": R, "name": N, "action": A} -> {"done": true}; A as the control offers it
                                                             ("Press", "Toggle", "SetFocus"...); the match
                                                             must be unique and showing
  {"op": "focused", "pid": P}                             -> {"focused": NODE without children, or null}
  {"op": "set_text", "pid": P, "role": R, "name": N, "text": T} -> {"done": true}
Errors: {"error": "..."}.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pyatspi


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


def describe(node: Any, depth: int | None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "role": node.getRoleName(),
        "name": node.name or "",
        "description": node.description or "",
        "states": states(node),
        "actions": actions(node),
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


def is_focused(node: Any) -> bool:
    return bool(node.getState().contains(pyatspi.STATE_FOCUSED))


def focused_node(app: Any) -> dict[str, Any] | None:
    """What has the keys, as a screen reader hears it: the first focused node, but in a list that manages
    its items, the focused list's focused item (Qt leaves an item's focused state behind when the list
    loses the focus, so an item counts only while its list has the focus)."""

    def managed(node: Any) -> bool:
        parent = node.parent
        return parent is not None and bool(parent.getState().contains(pyatspi.STATE_MANAGES_DESCENDANTS))

    def counts(node: Any) -> bool:
        return is_focused(node) and (not managed(node) or is_focused(node.parent))

    found = pyatspi.utils.findDescendant(app, counts)
    if found is not None and found.getState().contains(pyatspi.STATE_MANAGES_DESCENDANTS):
        found = next((child for child in found if child is not None and is_focused(child)), found)
    return None if found is None else describe(found, 0)


def matches(app: Any, role: str, name: str) -> list[Any]:
    return list(pyatspi.utils.findAllDescendants(app, lambda n: n.getRoleName() == role and n.name == name))


def answer(request: dict[str, Any]) -> dict[str, Any]:
    app = application(int(request["pid"]))
    if app is None:
        return {"error": f"no application with process id {request['pid']} on the accessibility bus"}
    op = request["op"]
    if op == "tree":
        return {"tree": describe(app, None)}
    if op == "focused":
        return {"focused": focused_node(app)}
    found = matches(app, request["role"], request["name"])
    if op == "find":
        return {"count": len(found), "states": states(found[0]) if found else []}
    if len(found) != 1:
        return {"error": f"{len(found)} controls are a {request['role']} named {request['name']!r}"}
    node = found[0]
    if op == "act":
        offered = actions(node)
        if request["action"] not in offered:
            return {"error": f"{request['name']!r} offers {offered}, not {request['action']!r}"}
        node.queryAction().doAction(offered.index(request["action"]))
        return {"done": True}
    if op == "set_text":
        node.queryEditableText().setTextContents(request["text"])
        return {"done": True}
    return {"error": f"unknown op {op!r}"}


def main() -> None:
    for line in sys.stdin:
        try:
            reply = answer(json.loads(line))
        except Exception as exc:  # the test shows it; the agent stays up for the next request
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
