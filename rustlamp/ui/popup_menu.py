"""The XEmbed tray's right-click menu: a tiny Tk program, run as a child process by the tray.

    python -m rustlamp.ui.popup_menu --x X --y Y  < menu.json

stdin holds the menu as rustlamp.tray.xembed.menu_to_json writes it: a JSON list of objects with
"id", "label", "enabled", "separator", "checked" (true or false makes the item a check item; null or
missing: a plain one) and "children" (a non-empty list makes the item a submenu).
The menu pops up with its corner at (X, Y) on the screen. When an item is clicked its id is printed
and the exit status is 0; when the menu is dismissed (Escape, a click elsewhere, or TIMEOUT seconds
without a choice) nothing is printed and the status is 1. Bad input or no display: status 2.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import tkinter as tk
from collections.abc import Callable
from typing import Any, Literal

TIMEOUT = 60.0  # seconds; a forgotten menu must not hold the pointer grab for long
GRAB_RETRY = 0.05  # a popup needs a global grab; someone else may hold one for a moment
GRAB_ATTEMPTS = 40
WINDOW_CLASS = "RustlampMenu"
MENU_NAME = "rustlamp_menu"  # the menu window's WM_CLASS instance name, to find it (e.g. with xdotool)
DISMISSED = 1
FAILED = 2


def read_menu(text: str) -> list[dict[str, Any]]:
    """The menu from menu_to_json's JSON; raises ValueError when it is not a list of objects."""
    items = json.loads(text)

    def check(level: Any) -> None:
        if not isinstance(level, list) or not all(isinstance(item, dict) for item in level):
            raise ValueError("the menu must be a JSON list of objects")
        for item in level:
            check(item.get("children", []))

    check(items)
    return list(items)


_check_states: list[tk.BooleanVar] = []  # one per check item, for as long as this program runs


def fill(menu: tk.Menu, items: list[dict[str, Any]], choose: Callable[[str], None]) -> None:
    for item in items:
        if item.get("separator"):
            menu.add_separator()
            continue
        label = str(item.get("label", ""))
        state: Literal["normal", "disabled"] = "normal" if item.get("enabled", True) else "disabled"
        children = item.get("children") or []
        if children:
            submenu = tk.Menu(menu, tearoff=False)
            fill(submenu, children, choose)
            menu.add_cascade(label=label, menu=submenu, state=state)
        elif isinstance(item.get("checked"), bool):
            # A check item shows the app's state; a click only reports the id (the app flips the state
            # and the next menu shows it). The variable must live as long as the menu, or Tk forgets it.
            shown = tk.BooleanVar(menu, value=item["checked"])
            _check_states.append(shown)
            ident = str(item.get("id", ""))
            menu.add_checkbutton(
                label=label,
                state=state,
                variable=shown,
                onvalue=True,
                offvalue=False,
                command=functools.partial(choose, ident),
            )
        else:
            ident = str(item.get("id", ""))
            menu.add_command(label=label, state=state, command=functools.partial(choose, ident))


def show(items: list[dict[str, Any]], x: int, y: int, timeout: float = TIMEOUT) -> str | None:
    """Pop the menu up at (x, y); the chosen id, or None when it was dismissed."""
    root = tk.Tk(className=WINDOW_CLASS)
    root.withdraw()
    menu = tk.Menu(root, tearoff=False, name=MENU_NAME)
    chosen: list[str] = []

    def choose(ident: str) -> None:
        if ident:
            chosen.append(ident)
        root.quit()

    posted: list[bool] = []  # once tk_popup has also taken its grab

    def dismissed(_event: object = None) -> None:
        # Not for an unpost after a failed grab (post() tries again). Tk unposts the menu before it
        # runs the clicked item's command, so wait a moment.
        if posted:
            root.after(100, root.quit)

    def focus(_event: object = None) -> None:
        # Keys reach Tk through the grab, but Tk drops them unless it thinks it has the focus, which an
        # app without a window manager (or without a focused window of its own) never gets.
        menu.focus_force()

    fill(menu, items, choose)
    menu.bind("<Map>", focus)
    menu.bind("<Unmap>", dismissed)
    root.after(int(timeout * 1000), root.quit)

    def post(attempt: int = 0) -> None:
        try:
            menu.tk_popup(x, y)  # on X11 this also takes a global pointer and keyboard grab
            posted.append(True)
        except tk.TclError:  # "grab failed: another application has grab"
            menu.unpost()
            if attempt + 1 >= GRAB_ATTEMPTS:
                root.quit()
            else:
                root.after(int(GRAB_RETRY * 1000), post, attempt + 1)

    post()
    root.mainloop()
    root.destroy()  # also releases the grab
    return chosen[0] if chosen else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rustlamp.ui.popup_menu", description=__doc__)
    parser.add_argument("--x", type=int, required=True, help="screen x of the menu's corner")
    parser.add_argument("--y", type=int, required=True, help="screen y of the menu's corner")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds before it closes itself")
    args = parser.parse_args(argv)
    try:
        items = read_menu(sys.stdin.read())
    except ValueError as exc:  # json.JSONDecodeError is one
        print(f"popup_menu: {exc}", file=sys.stderr)
        return FAILED
    try:
        chosen = show(items, args.x, args.y, min(args.timeout, TIMEOUT))
    except tk.TclError as exc:  # no display, for one
        print(f"popup_menu: {exc}", file=sys.stderr)
        return FAILED
    if chosen is None:
        return DISMISSED
    print(chosen, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
