"""The "Deze week" / "This week" window: the week's picture, its summary line and a Close button, run as a
child process.

    python -m rustlamp.ui.week_window --language nl|en --entries FILE [--today YYYY-MM-DD]

FILE is a JSON list of journal entries, as rustlamp.core.entries_json writes them
([{"at": "2024-05-06T09:30:00+02:00", "kind": "break", "detail": {"outcome": "done"}}, ...]); "-" reads
them from stdin. The week ends with --today (default: today's local date). The window reads nothing
else. When it ends (Close, Enter, Esc, the window manager's close, or the window destroyed from outside)
it prints exactly one JSON line on stdout and exits with status 0:

    {"outcome": "closed"}

Bad arguments or entries: status 2 with the reason on stderr (the entry and field for bad entries); no
display: status 2 and a line on stderr; nothing on stdout in either case.

Bring to front on SIGUSR1, exactly as the break window does (see rustlamp.ui.break_window): the signal
only wakes a pipe that Tk watches. The window is never forced on top and never grabs input.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import sys
import tkinter as tk
import tkinter.font as tkfont
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from rustlamp.core.content import LANGUAGES
from rustlamp.core.entries import Entry
from rustlamp.core.entries_json import entries_from_json
from rustlamp.core.week import WeekSummary, summarize_week, summary_line, week_text
from rustlamp.ui.palette import BACKGROUND, FOCUS, INK, PRIMARY, PRIMARY_HOVER, PRIMARY_INK
from rustlamp.ui.tk_common import (
    emit,
    exit_when_destroyed,
    lift_window,
    place_centred,
    run_window,
    watch_raise,
    window_main,
)
from rustlamp.ui.week_picture import render_week

WINDOW_CLASS = "RustlampWeek"
CLOSED: dict[str, Any] = {"outcome": "closed"}


@dataclass(frozen=True)
class Options:
    language: str
    entries: tuple[Entry, ...]
    today: date


def _read_entries(parser: argparse.ArgumentParser, source: str) -> tuple[Entry, ...]:
    """The entries from a file or stdin; every problem ends the program through parser.error (status 2)."""
    name = "stdin" if source == "-" else source
    try:
        # UTF-8 whatever the locale says: the lamp writes it so, and a note may hold any letter.
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
        raw = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        parser.error(f"cannot read the entries from {name}: {exc}")
    try:
        return tuple(entries_from_json(json.loads(raw)))
    except json.JSONDecodeError as exc:
        parser.error(f"{name} is not JSON: {exc}")
    except ValueError as exc:
        parser.error(f"{name}: {exc}")


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2024-05-06") from None


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m rustlamp.ui.week_window",
        description="rustlamp's look back at the week (run by rustlamp itself).",
    )
    parser.add_argument("--language", choices=LANGUAGES, required=True)
    parser.add_argument("--entries", required=True, help="a JSON list of journal entries; - reads stdin")
    parser.add_argument("--today", type=_iso_date, help="the week's last day (default: today, local time)")
    args = parser.parse_args(argv)
    today = args.today or datetime.now().astimezone().date()
    return Options(language=args.language, entries=_read_entries(parser, args.entries), today=today)


def photo_from(image: Any, master: tk.Misc) -> tk.PhotoImage:
    """A Pillow image as a Tk photo, through PNG bytes: Tk 8.6 reads PNG itself, so no PIL.ImageTk."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return tk.PhotoImage(master=master, data=base64.b64encode(buffer.getvalue()).decode("ascii"))


class WeekWindow:
    def __init__(self, root: tk.Tk, options: Options, raise_fd: int | None = None) -> None:
        self.root = root
        self.options = options
        self.summary: WeekSummary = summarize_week(options.entries, options.today)
        self.ending = False  # set by `run_window` once it takes the window down itself
        self.finished = False
        # The picture follows `tk scaling` like the break window's sizes, so it is sharp and large enough on
        # a HiDPI screen; never smaller than its 96-dpi size.
        self.scale = max(1.0, float(root.tk.call("tk", "scaling")) * 72 / 96)
        family = tkfont.nametofont("TkDefaultFont").actual("family")
        self._font_line = tkfont.Font(root, family=family, size=10)
        self._font_button = tkfont.Font(root, family=family, size=10)

        root.withdraw()  # hidden until it has its size and place, so it does not jump
        root.title(week_text(options.language, "title"))
        root.configure(background=BACKGROUND)
        root.resizable(False, False)
        root.protocol("WM_DELETE_WINDOW", self.close)
        self._build()
        for key in ("<Return>", "<KP_Enter>", "<Escape>"):
            root.bind(key, lambda _event: self.close())
        root.bind("<Map>", self._on_map)
        exit_when_destroyed(root, self, lambda: emit(CLOSED))
        self._place()
        watch_raise(root, raise_fd, self.bring_to_front)

    def px(self, pixels_at_96dpi: float) -> int:
        return round(pixels_at_96dpi * self.scale)

    def _build(self) -> None:
        root, language = self.root, self.options.language
        image = render_week(self.summary, language, self.scale, caption=False)
        self.photo = photo_from(image, root)  # kept: Tk shows nothing once the last reference is gone
        self.picture = tk.Label(root, image=self.photo, background=BACKGROUND, borderwidth=0)
        self.picture.pack(side="top", padx=self.px(8), pady=(self.px(8), 0))
        # The same sentence the picture shows, as a real label: screen readers and copy-paste get the words.
        self.line = tk.Label(
            root,
            text=summary_line(self.summary, language),
            font=self._font_line,
            background=BACKGROUND,
            foreground=INK,
            wraplength=image.width - self.px(16),
            justify="center",
        )
        self.line.pack(side="top", padx=self.px(8), pady=(self.px(2), self.px(4)))
        self.close_button = tk.Button(
            root,
            text=week_text(language, "close"),
            command=self.close,
            font=self._font_button,
            background=PRIMARY,
            activebackground=PRIMARY_HOVER,
            foreground=PRIMARY_INK,
            activeforeground=PRIMARY_INK,
            relief="flat",
            borderwidth=0,
            padx=self.px(14),
            pady=self.px(5),
            cursor="hand2",
            highlightthickness=self.px(2),
            highlightbackground=BACKGROUND,
            highlightcolor=FOCUS,
            takefocus=True,
        )
        self.close_button.pack(side="top", pady=(self.px(8), self.px(14)))

    def _place(self) -> None:
        """Centre the window on the screen at the size its contents ask for (never larger than the screen)."""
        root = self.root
        root.update_idletasks()
        place_centred(root, root.winfo_reqwidth(), root.winfo_reqheight())
        root.deiconify()

    def _on_map(self, event: tk.Event[Any]) -> None:
        if event.widget is self.root:
            self.close_button.focus_force()  # opened by the person: Enter and Esc may come here at once

    def close(self) -> None:
        self.finished = True
        self.root.quit()

    def bring_to_front(self) -> None:
        lift_window(self.root)
        self.close_button.focus_force()


def run(options: Options, raise_fd: int | None = None) -> dict[str, Any]:
    run_window(WINDOW_CLASS, lambda root: WeekWindow(root, options, raise_fd), raise_fd)
    return CLOSED


def main(argv: list[str] | None = None) -> int:
    return window_main("week_window", lambda: parse_args(argv), lambda options, fd: emit(run(options, fd)))


if __name__ == "__main__":
    sys.exit(main())
