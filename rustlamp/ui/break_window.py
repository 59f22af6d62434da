"""The break window: a small, calm Tk window with the prompt and a breathing guide, run as a child process.

    python -m rustlamp.ui.break_window --language nl|en --length SECONDS --inhale SECONDS
        --exhale SECONDS --prompt TEXT --snooze SECONDS [--snooze SECONDS ...] [--offer-checkin]
        [--attempt-reply TEXT]

--prompt is the sentence the person was shown (and clicked, when the break came from a reminder);
--attempt-reply the mild words shown after "Didn't work out now" (without it, the window's own short reply).

The parent gives everything; the window reads no settings. When it ends it prints exactly one JSON line
on stdout and exits with status 0:

    {"outcome": "done"}                   Klaar/Done (button or Enter)
    {"outcome": "done", "natural": true}  the countdown reached zero
    {"outcome": "later", "snooze": N}     a snooze choice N (one of the --snooze values); Esc twice,
                                          or closing the window, gives the first one
    {"outcome": "attempt"}                Lukte nu niet / Didn't work out now (after a mild reply, ~2 s)
    {"outcome": "done", "checkin": true}  Even inchecken… / Check in… (only with --offer-checkin): done,
                                          and the person would like the check-in now

Later shows the snooze choices as a row of buttons (with a single --snooze it ends at once). With
--offer-checkin a quiet, text-like button (its label from the packaged content, [checkin] offer) sits
at the bottom left, beside the countdown, last in the Tab order; without it there is no such button.
Bad arguments: status 2 from argparse; no display: status 2 and a line on stderr; nothing on stdout.

Bring to front: on Linux and macOS the parent sends SIGUSR1; the window deiconifies, lifts itself and
takes the focus. The signal only writes a byte to a pipe (signal.set_wakeup_fd) that Tk watches with a
file handler, so it is handled promptly even while Tk sleeps, and never inside a Tk call. The handler
is the first thing `main` sets up; a SIGUSR1 in the ~50 ms before that (Python starting) would end the
process, unless the parent spawns the window with SIGUSR1 ignored (SIG_IGN survives exec; the window
then replaces it), which makes an early signal a no-op: a new window comes to the front anyway.
Windows has no SIGUSR1: there the parent does nothing, and the window stays where the person put it.

The window never goes fullscreen, is never forced on top and never grabs input.
"""

from __future__ import annotations

import argparse
import functools
import math
import sys
import time
import tkinter as tk
import tkinter.font as tkfont
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from rustlamp.core.content import load_content
from rustlamp.core.texts import human_duration, text
from rustlamp.ui.palette import BACKGROUND, CIRCLE, CIRCLE_TRACK, INK, MUTED, SOFT_INK, blend
from rustlamp.ui.tk_common import (
    ButtonKind,
    calm_button,
    emit,
    exit_when_destroyed,
    lift_window,
    place_centred,
    run_window,
    watch_raise,
    window_main,
)

WINDOW_CLASS = "RustlampBreak"
BASE_WIDTH, BASE_HEIGHT = 420, 380  # at 96 dpi; scaled with `tk scaling`
FRAME_MS = 40  # 25 frames a second: smooth enough for a slow circle, cheap enough for a laptop
ATTEMPT_REPLY_SECONDS = 2.0  # long enough to read the reply, short enough not to hold anyone up


Phase = Literal["in", "out"]


def _ease(x: float) -> float:
    """0 -> 0, 1 -> 1, smooth at both ends (half a cosine), so a breath starts and ends gently."""
    return 0.5 - 0.5 * math.cos(math.pi * x)


def breath(t: float, inhale: float, exhale: float) -> tuple[Phase, float]:
    """Where a breathing cycle is at `t` seconds: ("in" or "out", size 0..1).

    The size rises from 0 to 1 during the `inhale` seconds and falls back to 0 during the `exhale`
    seconds; it repeats every inhale + exhale seconds and never jumps.
    """
    if inhale <= 0 or exhale <= 0:
        raise ValueError("inhale and exhale must be positive")
    u = math.fmod(t, inhale + exhale)
    if u < 0:
        u += inhale + exhale
    if u < inhale:
        return "in", min(1.0, max(0.0, _ease(u / inhale)))
    return "out", min(1.0, max(0.0, 1.0 - _ease(min(1.0, (u - inhale) / exhale))))


def format_left(seconds: float) -> str:
    """Time left as '4:32' (or '1:02:03'); rounds up, so it shows '5:00' at the start and never '0:00'
    while time remains."""
    total = max(0, math.ceil(seconds - 1e-9))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass(frozen=True)
class Options:
    language: str
    length: float
    inhale: float
    exhale: float
    prompt: str
    snoozes: tuple[int, ...]
    offer_checkin: bool = False
    attempt_reply: str = ""  # empty: the window's own short reply


def _positive_float(value: str) -> float:
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive number of seconds")
    return number


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive number of seconds")
    return number


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m rustlamp.ui.break_window",
        description="rustlamp's break window (run by rustlamp itself).",
    )
    parser.add_argument("--language", choices=("nl", "en"), required=True)
    parser.add_argument("--length", type=_positive_float, required=True, help="break length, seconds")
    parser.add_argument("--inhale", type=_positive_float, required=True, help="seconds per in-breath")
    parser.add_argument("--exhale", type=_positive_float, required=True, help="seconds per out-breath")
    parser.add_argument("--prompt", required=True, help="the text to show")
    parser.add_argument(
        "--snooze", type=_positive_int, action="append", required=True, help="a Later choice, seconds"
    )
    parser.add_argument(
        "--offer-checkin", action="store_true", help="offer a check-in: a quiet button that ends as done"
    )
    parser.add_argument("--attempt-reply", default="", help='the mild words after "Didn\'t work out now"')
    args = parser.parse_args(argv)
    return Options(
        language=args.language,
        length=args.length,
        inhale=args.inhale,
        exhale=args.exhale,
        prompt=args.prompt.strip(),
        snoozes=tuple(args.snooze),
        offer_checkin=args.offer_checkin,
        attempt_reply=args.attempt_reply.strip(),
    )


class BreakWindow:
    """The window and its small state machine; `result` is the outcome once there is one."""

    def __init__(self, root: tk.Tk, options: Options, raise_fd: int | None = None) -> None:
        self.root = root
        self.options = options
        self.result: dict[str, Any] | None = None
        self._language = options.language
        self._deadline = time.monotonic() + options.length
        self._breath_start: float | None = None
        self._frame_job: str | None = None
        self._phase: Phase | None = None
        self._snoozes_shown = False
        self.ending = False  # set by `run_window` once it takes the window down itself
        self.finished = False  # the window is to close now

        # Sizes follow `tk scaling` (pixels per point), so the window grows on a HiDPI screen; fonts are
        # in points (positive sizes) and follow it by themselves. Never smaller than the 96-dpi size.
        self.scale = max(1.0, float(root.tk.call("tk", "scaling")) * 72 / 96)
        family = tkfont.nametofont("TkDefaultFont").actual("family")
        self._font_prompt = tkfont.Font(root, family=family, size=13)
        self._font_breath = tkfont.Font(root, family=family, size=11)
        self._font_button = tkfont.Font(root, family=family, size=10)
        self._font_small = tkfont.Font(root, family=family, size=9)
        self._font_offer = tkfont.Font(root, family=family, size=9, underline=True)

        # Hidden until it has its size and place: otherwise `update idletasks` in _place maps it at its
        # natural size in the corner, and it visibly jumps to the centre a moment later.
        root.withdraw()
        root.title(self._t("break_title"))
        root.configure(background=BACKGROUND)
        root.resizable(False, False)
        root.protocol("WM_DELETE_WINDOW", self.close)
        self._build()
        root.bind("<Return>", self._on_return)
        root.bind("<KP_Enter>", self._on_return)
        root.bind("<Escape>", self._on_escape)
        root.bind("<Map>", self._on_map)
        root.bind("<Unmap>", self._on_unmap)
        exit_when_destroyed(root, self, lambda: emit(self.outcome()))
        self._place()
        watch_raise(root, raise_fd, self.bring_to_front)
        self._tick()

    # ----- building -------------------------------------------------------------------------------

    def _t(self, key: str, **values: object) -> str:
        return text(self._language, key, **values)

    def px(self, pixels_at_96dpi: float) -> int:
        return round(pixels_at_96dpi * self.scale)

    def _button(
        self, parent: tk.Misc, label: str, command: Callable[[], object], *, kind: ButtonKind = "plain"
    ) -> tk.Button:
        return calm_button(parent, label, command, font=self._font_button, scale=self.scale, kind=kind)

    def _build(self) -> None:
        root = self.root
        pad = self.px(20)
        self._prompt = tk.Label(
            root,
            text=self.options.prompt,
            font=self._font_prompt,
            background=BACKGROUND,
            foreground=INK,
            wraplength=self.px(BASE_WIDTH - 60),
            justify="center",
        )
        if self.options.prompt:
            self._prompt.pack(side="top", padx=pad, pady=(pad, 0))

        size = self.px(150)
        self.canvas = tk.Canvas(
            root, width=size, height=size, background=BACKGROUND, highlightthickness=0, borderwidth=0
        )
        self.canvas.pack(side="top", pady=(self.px(10), 0))
        centre = size / 2
        self._centre = centre
        r = size / 2 - self.px(2)
        # A full breath stops a little short of the faint outline, so the outline stays a guide.
        self._r_max = r - self.px(7)
        self._r_min = self._r_max * 0.4
        self.canvas.create_oval(
            centre - r, centre - r, centre + r, centre + r, outline=CIRCLE_TRACK, width=self.px(2)
        )
        # Tk does not smooth edges, so a few rings blend the circle into the background instead.
        self._rings: list[tuple[int, float]] = []
        for extra, share in ((3.0, 0.25), (2.0, 0.5), (1.0, 0.75), (0.0, 1.0)):
            colour = blend(BACKGROUND, CIRCLE, share)
            item = self.canvas.create_oval(0, 0, 0, 0, fill=colour, outline="")
            self._rings.append((item, extra * self.scale))
        self._draw(0.0)

        self._breath_label = tk.Label(
            root,
            text=self._t("break_breathe_in"),
            font=self._font_breath,
            background=BACKGROUND,
            foreground=SOFT_INK,
        )
        self._breath_label.pack(side="top", pady=(self.px(4), 0))

        # Created in Tab order (the buttons, then the snooze choices), packed from the bottom up: the
        # countdown, the slot for the snooze row, then the buttons.
        self._actions = tk.Frame(root, background=BACKGROUND)
        self.done_button = self._button(self._actions, self._t("break_done"), self.done, kind="primary")
        self.later_button = self._button(self._actions, self._t("break_later"), self.show_snoozes)
        self.attempt_button = self._button(self._actions, self._t("break_attempt"), self.attempt)
        for button in (self.done_button, self.later_button, self.attempt_button):
            button.pack(side="left", padx=self.px(3))

        self._snooze_slot = tk.Frame(root, background=BACKGROUND)  # keeps the row's place while hidden
        self._snooze_row = tk.Frame(self._snooze_slot, background=BACKGROUND)
        tk.Label(
            self._snooze_row,
            text=self._t("break_remind_in"),
            font=self._font_small,
            background=BACKGROUND,
            foreground=SOFT_INK,
        ).pack(side="left", padx=(0, self.px(4)))
        self.snooze_buttons = [
            self._button(
                self._snooze_row,
                human_duration(self._language, timedelta(seconds=seconds)),
                functools.partial(self.later, seconds),
            )
            for seconds in self.options.snoozes
        ]
        for button in self.snooze_buttons:
            button.pack(side="left", padx=self.px(1))

        # The bottom line: the quiet check-in button (when offered) on the left, the countdown on the right.
        self._bottom = tk.Frame(root, background=BACKGROUND)
        self.checkin_button: tk.Button | None = None
        if self.options.offer_checkin:
            self.checkin_button = calm_button(
                self._bottom,
                load_content(self._language).checkin_words.offer,
                self.done_and_check_in,
                font=self._font_offer,
                scale=self.scale,
                kind="quiet",
                pad=(4, 1),
            )
            self.checkin_button.pack(side="left", padx=(self.px(8), 0))
        self._left = tk.Label(
            self._bottom, text="", font=self._font_small, background=BACKGROUND, foreground=MUTED
        )
        self._left.pack(side="right", padx=self.px(12))
        self._bottom.pack(side="bottom", fill="x", pady=(self.px(4), self.px(8)))
        self._snooze_slot.pack(side="bottom", pady=(self.px(6), 0))
        self._actions.pack(side="bottom", pady=(self.px(8), 0))

        self._reply = tk.Label(
            root,
            text=self.options.attempt_reply or self._t("break_attempt_reply"),
            font=self._font_breath,
            background=BACKGROUND,
            foreground=INK,
            wraplength=self.px(BASE_WIDTH - 60),
            justify="center",
        )
        self._update_left()

    def _place(self) -> None:
        """Size the window to fit everything (with the snooze row shown) and centre it on the screen."""
        root = self.root
        self._snooze_row.pack()
        root.update_idletasks()
        width = max(self.px(BASE_WIDTH), root.winfo_reqwidth())
        height = max(self.px(BASE_HEIGHT), root.winfo_reqheight())
        # The slot keeps the row's size while it is hidden, so showing the choices moves nothing.
        self._snooze_slot.configure(
            width=self._snooze_row.winfo_reqwidth(), height=self._snooze_row.winfo_reqheight()
        )
        self._snooze_slot.pack_propagate(False)
        self._snooze_row.pack_forget()
        place_centred(root, width, height)
        root.deiconify()

    # ----- drawing --------------------------------------------------------------------------------

    def _draw(self, size: float) -> None:
        r = self._r_min + (self._r_max - self._r_min) * size
        c = self._centre
        for item, extra in self._rings:
            self.canvas.coords(item, c - r - extra, c - r - extra, c + r + extra, c + r + extra)

    def _frame(self) -> None:
        if self._breath_start is None:
            self._breath_start = time.monotonic()
        phase, size = breath(time.monotonic() - self._breath_start, self.options.inhale, self.options.exhale)
        self._draw(size)
        if phase != self._phase:
            self._phase = phase
            self._breath_label.configure(
                text=self._t("break_breathe_in" if phase == "in" else "break_breathe_out")
            )
        self._frame_job = self.root.after(FRAME_MS, self._frame)

    def _on_map(self, event: tk.Event[Any]) -> None:
        # Children's Map events come here too (the toplevel's bindtag): only the window itself counts.
        if event.widget is self.root and self._frame_job is None:
            if self._breath_start is None:
                # Opened by the person (a click on "break now"), so the keys may come here at once.
                self.done_button.focus_force()
            self._frame()

    def _on_unmap(self, event: tk.Event[Any]) -> None:
        # Nobody sees the circle now: stop drawing it.
        if event.widget is self.root and self._frame_job is not None:
            self.root.after_cancel(self._frame_job)
            self._frame_job = None

    def _update_left(self) -> None:
        left = self._deadline - time.monotonic()
        self._left.configure(text=self._t("break_time_left", time=format_left(left)))

    def _tick(self) -> None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            self.finish({"outcome": "done", "natural": True})
            return
        self._update_left()
        # Wake again just after the shown value changes (it rounds up), not on a fixed beat.
        wait = left - (math.ceil(left) - 1)
        self.root.after(max(1, math.ceil(wait * 1000) + 1), self._tick)

    # ----- outcomes -------------------------------------------------------------------------------

    def outcome(self) -> dict[str, Any]:
        """The result, or later with the first choice when the window went without one."""
        return self.result or {"outcome": "later", "snooze": self.options.snoozes[0]}

    def finish(self, result: dict[str, Any]) -> None:
        """Settle on `result` (the first outcome wins) and end the window."""
        if self.result is None:
            self.result = result
        self.end()

    def end(self) -> None:
        self.finished = True
        self.root.quit()

    def done(self) -> None:
        self.finish({"outcome": "done"})

    def done_and_check_in(self) -> None:
        self.finish({"outcome": "done", "checkin": True})

    def later(self, seconds: int) -> None:
        self.finish({"outcome": "later", "snooze": seconds})

    def close(self) -> None:
        """The window manager's close, or Esc a second time: later, with the first choice."""
        self.later(self.options.snoozes[0])

    def show_snoozes(self) -> None:
        if len(self.options.snoozes) == 1 or self.result is not None:
            self.close()  # one choice, nothing to choose; or an attempt is already being answered
            return
        if not self._snoozes_shown:
            self._snoozes_shown = True
            self._snooze_row.pack()
        self.snooze_buttons[0].focus_set()

    def attempt(self) -> None:
        """Record the attempt at once, answer mildly, and close after a moment."""
        if self.result is not None:
            return
        self.result = {"outcome": "attempt"}
        for widget in (self._actions, self._snooze_slot):
            widget.pack_forget()
        if self.checkin_button is not None:
            self.checkin_button.pack_forget()  # the attempt is the answer now; nothing else to choose
        self._reply.pack(side="bottom", after=self._bottom, padx=self.px(20), pady=(self.px(8), self.px(8)))
        self.root.after(round(ATTEMPT_REPLY_SECONDS * 1000), self.end)

    def _on_return(self, _event: tk.Event[Any]) -> None:
        if self.result is not None:
            return
        focused = self.root.focus_get()
        if isinstance(focused, tk.Button):
            focused.invoke()  # Enter presses the button the focus is on, as space does
        else:
            self.done()

    def _on_escape(self, _event: tk.Event[Any]) -> None:
        if self.result is not None:
            return
        if self._snoozes_shown:
            self.close()
        else:
            self.show_snoozes()

    def bring_to_front(self) -> None:
        lift_window(self.root)
        # Back to the button that had the focus (a plain `focus -force .` would take it off the buttons).
        (self.root.focus_lastfor() or self.done_button).focus_force()


def run(options: Options, raise_fd: int | None = None) -> dict[str, Any]:
    """Show the window until it settles; the outcome (closing it some other way counts as later)."""
    window = run_window(WINDOW_CLASS, lambda root: BreakWindow(root, options, raise_fd), raise_fd)
    return window.outcome()


def main(argv: list[str] | None = None) -> int:
    return window_main("break_window", lambda: parse_args(argv), lambda options, fd: emit(run(options, fd)))


if __name__ == "__main__":
    sys.exit(main())
