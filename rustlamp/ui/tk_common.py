"""What the Tk settings window uses (until it moves to Qt too): the calm palette and buttons, DPI
awareness on Windows, and the life of a window process: `window_main` around `run_window`, and leaving at
once when the window is destroyed from outside. Bring-to-front and the outcome line live in
rustlamp.ui.lifecycle."""

from __future__ import annotations

import contextlib
import os
import sys
import tkinter as tk
import tkinter.font as tkfont
from collections.abc import Callable
from typing import Any, Literal, Protocol, TypeVar

from rustlamp.ui.lifecycle import FAILED as FAILED  # re-exported for the windows still on Tk
from rustlamp.ui.lifecycle import emit as emit
from rustlamp.ui.lifecycle import listen_for_raise as listen_for_raise
from rustlamp.ui.lifecycle import raise_was_asked
from rustlamp.ui.palette import (
    BACKGROUND,
    BUTTON,
    BUTTON_HOVER,
    FOCUS,
    INK,
    PRIMARY,
    PRIMARY_HOVER,
    PRIMARY_INK,
    SOFT_INK,
)

ButtonKind = Literal["plain", "primary", "quiet"]
_BUTTON_COLOURS: dict[ButtonKind, tuple[str, str, str]] = {  # background, hover, text
    "plain": (BUTTON, BUTTON_HOVER, INK),
    "primary": (PRIMARY, PRIMARY_HOVER, PRIMARY_INK),
    "quiet": (BACKGROUND, BUTTON, SOFT_INK),  # reads as text until the pointer or the focus is on it
}


def calm_button(
    parent: tk.Misc,
    label: str,
    command: Callable[[], object],
    *,
    font: tkfont.Font,
    scale: float,
    kind: ButtonKind = "plain",
    pad: tuple[float, float] = (12, 5),
) -> tk.Button:
    """A flat, soft button; `pad` is (x, y) in pixels at 96 dpi, multiplied by `scale`."""
    background, hover, ink = _BUTTON_COLOURS[kind]
    return tk.Button(
        parent,
        text=label,
        command=command,
        font=font,
        background=background,
        activebackground=hover,
        foreground=ink,
        activeforeground=ink,
        relief="flat",
        borderwidth=0,
        padx=round(pad[0] * scale),
        pady=round(pad[1] * scale),
        cursor="hand2",
        # A ring in the background colour that turns ochre with the keyboard focus: always visible,
        # and the layout does not shift when the focus moves.
        highlightthickness=round(2 * scale),
        highlightbackground=BACKGROUND,
        highlightcolor=FOCUS,
        takefocus=True,
    )


def make_dpi_aware() -> None:
    """Call before the first Tk()."""
    if sys.platform == "win32":
        # Without this Windows scales the whole window up as a bitmap on a HiDPI screen (blurry text);
        # with it Tk sees the real DPI and `tk scaling` does the work, as on X11.
        with contextlib.suppress(AttributeError, OSError):
            import ctypes

            ctypes.windll.shcore.SetProcessDpiAwareness(1)


def watch_raise(root: tk.Tk, fd: int | None, callback: Callable[[], object]) -> None:
    """Call `callback` (bring to front) whenever a SIGUSR1 comes through `fd`, the pipe from
    `listen_for_raise`; nothing without a pipe. `run_window` stops the watch again."""
    if fd is not None and sys.platform != "win32":

        def on_pipe(ready: int, _mask: int) -> None:
            if raise_was_asked(ready):
                callback()

        root.tk.createfilehandler(fd, tk.READABLE, on_pipe)


def lift_window(root: tk.Tk) -> None:
    """Show the window again (if it was iconified) and raise it; the caller gives the focus after this."""
    root.deiconify()
    root.lift()


class ChildWindow(Protocol):
    """What `run_window` and `exit_when_destroyed` need of a window object."""

    finished: bool  # the window is to close now
    ending: bool  # set by `run_window` once it takes the window down itself


Window = TypeVar("Window", bound=ChildWindow)
Args = TypeVar("Args")  # what a window's parse_args gives


def exit_when_destroyed(
    root: tk.Tk, window: ChildWindow, tell: Callable[[], object], *, root_only: bool = False
) -> None:
    """Bind <Destroy> on `root`: destroyed from outside, `tell` the outcome and end the process at once.

    Children's Destroy events come here too (the toplevel's bindtag); with `root_only` only the window
    itself counts, for a window that destroys children of its own.
    """

    def on_destroy(event: tk.Event[tk.Misc]) -> None:
        if window.ending or (root_only and event.widget is not root):
            return
        # Destroyed from outside (XDestroyWindow, e.g. `xdotool windowclose`), and this is the first
        # widget Tk takes down. Tk keeps sending requests for the dead windows; it ignores their
        # BadWindow errors only while it still knows the window, and an error that comes back later
        # ends the process through Xlib's default handler (status 1, no outcome). So tell the outcome
        # now and leave before Tk forgets anything; there is nothing left to clean up.
        tell()
        os._exit(0)

    root.bind("<Destroy>", on_destroy)


def run_window(class_name: str, build: Callable[[tk.Tk], Window], raise_fd: int | None = None) -> Window:
    """Make the Tk root, `build` the window on it and run Tk until the window is finished; then take it
    all down (the raise watch on `raise_fd` too) and give the window back, for its outcome."""
    make_dpi_aware()
    root = tk.Tk(className=class_name)
    window = build(root)
    try:
        # Tk already handles events while it maps the window (it waits for the MapNotify), so a quick
        # close can come before the loop; mainloop() would forget that quit() and wait forever.
        if not window.finished:
            root.mainloop()
    finally:
        window.ending = True
        if raise_fd is not None and sys.platform != "win32":
            root.tk.deletefilehandler(raise_fd)
        with contextlib.suppress(tk.TclError):  # already gone
            root.destroy()
    return window


def window_main(name: str, parse: Callable[[], Args], run: Callable[[Args, int | None], object]) -> int:
    """A window process's `main`: `parse` the arguments and `run` the window with the raise pipe; the
    exit status (FAILED, with a line on stderr, when Tk cannot start)."""
    raise_fd = listen_for_raise()  # first of all: an early SIGUSR1 must not end the process
    options = parse()
    try:
        run(options, raise_fd)
    except tk.TclError as exc:  # no display, for one
        print(f"{name}: {exc}", file=sys.stderr)
        return FAILED
    return 0


def text_keys_like_a_field(text: tk.Text) -> None:
    """In a Text, Tab would type a tab: here it moves the focus on (Shift+Tab back), like everywhere else
    in the window; and keypad Enter, which the Text ignores, types a new line as Enter does."""

    def move_focus(target: tk.Misc | None) -> str:
        if target is not None:
            target.focus_set()
        return "break"

    def new_line(_event: tk.Event[Any]) -> str:
        text.insert("insert", "\n")
        text.see("insert")
        return "break"

    text.bind("<KP_Enter>", new_line)
    text.bind("<Tab>", lambda _event: move_focus(text.tk_focusNext()))
    for key in ("<Shift-Tab>", "<<PrevWindow>>"):
        text.bind(key, lambda _event: move_focus(text.tk_focusPrev()))


def fit_to_screen(root: tk.Misc, width: int, height: int) -> tuple[int, int]:
    """Never larger than the screen (a huge font): the window stays a window."""
    return min(width, root.winfo_screenwidth() * 9 // 10), min(height, root.winfo_screenheight() * 9 // 10)


def place_centred(root: tk.Tk, width: int, height: int) -> tuple[int, int]:
    """Give the window its size (fitted to the screen) and put it in the middle; the size it got."""
    width, height = fit_to_screen(root, width, height)
    x, y = (root.winfo_screenwidth() - width) // 2, (root.winfo_screenheight() - height) // 2
    root.geometry(f"{width}x{height}+{x}+{y}")
    return width, height
