"""The check-in window: the article's three questions in a small, calm Tk window, run as a child process.

    python -m rustlamp.ui.checkin_window --language nl|en

Every answer is optional and takes one click (or Tab and space): how the body feels (one of five
choices, plus four body signals to tick), the breath (calm, hurried, don't know), what I need (one line,
with suggestions that fill it in), and a note. All words come from the packaged content ([checkin] in
rustlamp/content/<language>.toml). When the window ends it prints exactly one JSON line on stdout and
exits with status 0:

    {"outcome": "saved", "checkin": {...}}   Bewaren/Save, Enter or Ctrl+Enter; the object is exactly
                                             rustlamp.core.checkin.CheckInAnswers(...).to_json(), and an
                                             empty check-in is saved too (every attempt counts)
    {"outcome": "cancelled"}                 Niet nu/Not now, Esc, or closing the window

The line is printed the moment the answers are saved; a short thank-you then shows for about a second
before the window goes. Bad arguments: status 2 from argparse; no display: status 2 and a line on
stderr; nothing on stdout.

Keys: Tab and Shift+Tab go through the questions from top to bottom (out of the note too); space
chooses or un-chooses the answer with the focus, or presses the button with the focus; Enter saves,
except in the note (a new line) and on Niet nu/Not now (which it presses); Ctrl+Enter saves from
anywhere; Esc cancels. A chosen answer shows a ✓ and a soft blue, so it never depends on colour alone.

Bring to front on SIGUSR1 works exactly as in the break window (see rustlamp.ui.break_window). The
window never goes fullscreen, is never forced on top and never grabs input.
"""

from __future__ import annotations

import argparse
import functools
import sys
import tkinter as tk
import tkinter.font as tkfont
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass
from typing import Any

from rustlamp.core.checkin import BODY_SIGNALS, MAX_NEED, MAX_NOTE, CheckInAnswers
from rustlamp.core.content import CheckinWords, Content, load_content
from rustlamp.ui.palette import (
    BACKGROUND,
    BUTTON,
    BUTTON_HOVER,
    CHOSEN,
    CHOSEN_HOVER,
    FIELD,
    FIELD_EDGE,
    FOCUS,
    INK,
    SOFT_INK,
)
from rustlamp.ui.tk_common import (
    ButtonKind,
    calm_button,
    emit,
    exit_when_destroyed,
    lift_window,
    place_centred,
    run_window,
    text_keys_like_a_field,
    watch_raise,
    window_main,
)

WINDOW_CLASS = "RustlampCheckin"
BASE_WIDTH = 480  # at 96 dpi, the least it is; scaled with `tk scaling`, wider when the words need it
THANKS_SECONDS = 1.2  # enough to see the thank-you, short enough not to hold anyone up
CHOSEN_MARK = "✓ "
NOTE_LINES = 3

CANCELLED: dict[str, Any] = {"outcome": "cancelled"}


@dataclass(frozen=True)
class Options:
    language: str


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m rustlamp.ui.checkin_window",
        description="rustlamp's check-in window (run by rustlamp itself).",
    )
    parser.add_argument("--language", choices=("nl", "en"), required=True)
    args = parser.parse_args(argv)
    return Options(language=args.language)


def one_line(text: str, limit: int) -> str:
    """A pasted line break becomes a space; blank edges go; at most `limit` characters."""
    return " ".join(text.splitlines()).strip()[:limit].rstrip()


class Choice:
    """One answer button that shows whether it is chosen: a ✓ and a soft blue, so never colour alone."""

    def __init__(self, button: tk.Button, label: str) -> None:
        self.button = button
        self.label = label

    def show(self, chosen: bool) -> None:
        self.button.configure(
            text=CHOSEN_MARK + self.label if chosen else self.label,
            background=CHOSEN if chosen else BUTTON,
            activebackground=CHOSEN_HOVER if chosen else BUTTON_HOVER,
        )

    def widest(self) -> int:
        """The width it asks for when chosen (its widest look), in pixels."""
        self.show(True)
        width = self.button.winfo_reqwidth()
        self.show(False)
        return width


class CheckinWindow:
    """The form and its outcome; `result` is set once it is saved or cancelled."""

    def __init__(self, root: tk.Tk, content: Content, raise_fd: int | None = None) -> None:
        self.root = root
        self.words: CheckinWords = content.checkin_words
        self.result: dict[str, Any] | None = None
        self.told = False  # the JSON line is out
        self.ending = False  # set by `run_window` once it takes the window down itself
        self.finished = False  # the window is to close now
        self._body: str | None = None
        self._signals: set[str] = set()
        self._breath: str | None = None
        self._focused_once = False

        # Sizes follow `tk scaling` (pixels per point), as in the break window; fonts are in points.
        self.scale = max(1.0, float(root.tk.call("tk", "scaling")) * 72 / 96)
        family = tkfont.nametofont("TkDefaultFont").actual("family")
        self._font_question = tkfont.Font(root, family=family, size=11)
        self._font_choice = tkfont.Font(root, family=family, size=10)
        self._font_small = tkfont.Font(root, family=family, size=9)

        root.withdraw()  # hidden until it has its size and place, so it does not jump
        root.title(content.checkin_title)
        root.configure(background=BACKGROUND)
        root.resizable(False, False)
        root.protocol("WM_DELETE_WINDOW", self.cancel)
        self._build(content.checkin_questions)
        self._bind_keys()
        self._place()
        watch_raise(root, raise_fd, self.bring_to_front)

    # ----- building -------------------------------------------------------------------------------

    def px(self, pixels_at_96dpi: float) -> int:
        return round(pixels_at_96dpi * self.scale)

    def _label(self, parent: tk.Misc, text: str, font: tkfont.Font, colour: str = SOFT_INK) -> tk.Label:
        return tk.Label(
            parent,
            text=text,
            font=font,
            background=BACKGROUND,
            foreground=colour,
            justify="left",
            wraplength=self.px(BASE_WIDTH - 40),
        )

    def _button(
        self,
        parent: tk.Misc,
        label: str,
        command: Callable[[], object],
        *,
        kind: ButtonKind = "plain",
        font: tkfont.Font | None = None,
        pad: tuple[float, float] = (12, 5),
    ) -> tk.Button:
        button = calm_button(
            parent, label, command, font=font or self._font_choice, scale=self.scale, kind=kind, pad=pad
        )
        # Tk's own space binding presses the button 100 ms later, so a quick space-then-Enter would save
        # before the choice was made. Here space chooses at once.
        button.bind("<space>", functools.partial(self._press_at_once, button))
        return button

    @staticmethod
    def _press_at_once(button: tk.Button, _event: tk.Event[Any]) -> str:
        button.invoke()
        return "break"

    def _choices(
        self,
        parent: tk.Misc,
        labels: Mapping[str, str],
        on_click: Callable[[str], None],
        columns: int,
        **grid: Any,
    ) -> dict[str, Choice]:
        """A grid of answer buttons, one per key, in the given order (which is also the Tab order)."""
        frame = tk.Frame(parent, background=BACKGROUND)
        frame.pack(side="top", anchor="w")
        choices: dict[str, Choice] = {}
        for index, (key, label) in enumerate(labels.items()):
            button = self._button(frame, label, functools.partial(on_click, key), pad=(10, 4))
            button.grid(row=index // columns, column=index % columns, padx=(0, self.px(2)), **grid)
            choices[key] = Choice(button, label)
        # Each column has room for its widest answer with the ✓, so choosing one moves nothing.
        widths = [0] * columns
        for index, choice in enumerate(choices.values()):
            widths[index % columns] = max(widths[index % columns], choice.widest())
        for column, width in enumerate(widths):
            frame.grid_columnconfigure(column, minsize=width)
        return choices

    def _question(self, parent: tk.Misc, text: str, first: bool = False) -> None:
        label = self._label(parent, text, self._font_question, INK)
        label.pack(side="top", anchor="w", pady=(self.px(6 if first else 14), self.px(4)))

    def _text_field_options(self) -> dict[str, Any]:
        return {
            "font": self._font_choice,
            "background": FIELD,
            "foreground": INK,
            "insertbackground": INK,
            "selectbackground": CHOSEN,
            "selectforeground": INK,
            "relief": "flat",
            "borderwidth": self.px(4),  # flat: an inner margin in the field's own colour
            "highlightthickness": self.px(2),
            "highlightbackground": FIELD_EDGE,
            "highlightcolor": FOCUS,
        }

    def _build(self, questions: tuple[str, str, str]) -> None:
        # Created in reading order, which is also the Tab order: Tk follows the order of creation.
        words = self.words
        form = tk.Frame(self.root, background=BACKGROUND)
        form.pack(side="top", fill="both", expand=True, padx=self.px(20), pady=self.px(16))
        self._label(form, words.intro, self._font_small).pack(side="top", anchor="w")

        self._question(form, questions[0], first=True)
        self.body_choices = self._choices(form, words.body_choices, self.choose_body, columns=5, sticky="ew")
        self._label(form, words.signals_label, self._font_small).pack(
            side="top", anchor="w", pady=(self.px(8), self.px(2))
        )
        self.signal_choices = self._choices(
            form, words.signals, self.toggle_signal, columns=2, sticky="ew", pady=(0, self.px(2))
        )
        for choice in self.signal_choices.values():
            choice.button.configure(anchor="w")  # a list to read down, not a row of keys

        self._question(form, questions[1])
        self.breath_choices = self._choices(
            form, words.breath_choices, self.choose_breath, columns=3, sticky="ew"
        )

        self._question(form, questions[2])
        self._build_need(form)

        self._label(form, words.note, self._font_small).pack(
            side="top", anchor="w", pady=(self.px(14), self.px(2))
        )
        self.note = tk.Text(form, width=1, height=NOTE_LINES, wrap="word", undo=True)
        self.note.configure(**self._text_field_options())
        self.note.pack(side="top", fill="x")

        self._build_end(form)

    def _build_need(self, form: tk.Misc) -> None:
        fits = (self.root.register(lambda proposed: len(proposed) <= MAX_NEED), "%P")
        self.need = tk.Entry(form, width=1, validate="key", validatecommand=fits)
        self.need.configure(**self._text_field_options())
        self.need.pack(side="top", fill="x")
        row = tk.Frame(form, background=BACKGROUND)
        row.pack(side="top", anchor="w", pady=(self.px(4), 0))
        self._label(row, self.words.suggestions_label, self._font_small).grid(
            row=0, column=0, sticky="nw", padx=(0, self.px(6)), pady=self.px(4)
        )
        self.suggestion_buttons = []
        for index, suggestion in enumerate(self.words.need_suggestions):
            button = self._button(
                row,
                suggestion,
                functools.partial(self.suggest, suggestion),
                font=self._font_small,
                pad=(8, 2),
            )
            button.grid(row=index // 2, column=1 + index % 2, sticky="ew", padx=(0, self.px(2)))
            self.suggestion_buttons.append(button)

    def _build_end(self, form: tk.Misc) -> None:
        # A slot that keeps its size, so the thank-you takes the buttons' place without a jump.
        self._end_slot = tk.Frame(form, background=BACKGROUND)
        self._end_slot.pack(side="top", fill="x", pady=(self.px(14), 0))
        self._actions = tk.Frame(self._end_slot, background=BACKGROUND)
        self._actions.pack(side="left")
        self.save_button = self._button(self._actions, self.words.save, self.save, kind="primary")
        self.cancel_button = self._button(self._actions, self.words.cancel, self.cancel)
        for button in (self.save_button, self.cancel_button):
            button.pack(side="left", padx=(0, self.px(6)))
        self._thanks = self._label(self._end_slot, self.words.thanks, self._font_question, INK)

    def _bind_keys(self) -> None:
        root = self.root
        for key in ("<Return>", "<KP_Enter>"):
            root.bind(key, self._on_return)
        for key in ("<Control-Return>", "<Control-KP_Enter>"):
            root.bind(key, self._on_save_key)
            self.note.bind(key, self._on_save_key)  # before the Text's own binding adds a new line
        root.bind("<Escape>", lambda _event: self.cancel())
        text_keys_like_a_field(self.note)
        root.bind("<Map>", self._on_map)
        exit_when_destroyed(root, self, self.tell)

    def _place(self) -> None:
        """Size the window to fit everything and centre it on the screen."""
        root = self.root
        self._thanks.pack(side="left")
        root.update_idletasks()
        self._end_slot.configure(height=max(self._actions.winfo_reqheight(), self._thanks.winfo_reqheight()))
        self._end_slot.pack_propagate(False)
        self._thanks.pack_forget()
        width = max(self.px(BASE_WIDTH), root.winfo_reqwidth())
        height = root.winfo_reqheight()
        place_centred(root, width, height)
        root.deiconify()

    # ----- answering ------------------------------------------------------------------------------

    def choose_body(self, key: str) -> None:
        if self.result is None:
            self._body = None if self._body == key else key  # the chosen one again: un-chosen
            self._show(self.body_choices, {self._body})

    def toggle_signal(self, key: str) -> None:
        if self.result is None:
            self._signals ^= {key}
            self._show(self.signal_choices, self._signals)

    def choose_breath(self, key: str) -> None:
        if self.result is None:
            self._breath = None if self._breath == key else key
            self._show(self.breath_choices, {self._breath})

    def suggest(self, suggestion: str) -> None:
        if self.result is None:
            self.need.delete(0, "end")
            self.need.insert(0, suggestion)
            self.need.icursor("end")

    @staticmethod
    def _show(choices: Mapping[str, Choice], chosen: Container[str | None]) -> None:
        for key, choice in choices.items():
            choice.show(key in chosen)

    def answers(self) -> CheckInAnswers:
        return CheckInAnswers(
            body=self._body,
            signals=tuple(signal for signal in BODY_SIGNALS if signal in self._signals),
            breath=self._breath,
            need=one_line(self.need.get(), MAX_NEED),
            # A note longer than the journal keeps is cut rather than refused: what was written counts.
            note=self.note.get("1.0", "end-1c").strip()[:MAX_NOTE].rstrip(),
        )

    # ----- outcomes -------------------------------------------------------------------------------

    def outcome(self) -> dict[str, Any]:
        return self.result or dict(CANCELLED)

    def tell(self) -> None:
        """Print the outcome's JSON line, once."""
        if not self.told:
            self.told = True
            emit(self.outcome())

    def save(self) -> None:
        """Keep the answers (an empty check-in too), tell the parent at once, thank, and close."""
        if self.result is not None:
            return
        self.result = {"outcome": "saved", "checkin": self.answers().to_json()}
        self.tell()
        self._actions.pack_forget()
        self._thanks.pack(side="left")
        self.root.after(round(THANKS_SECONDS * 1000), self.end)

    def cancel(self) -> None:
        """Esc, Niet nu/Not now, or the window manager's close: nothing is kept (while the thank-you
        shows, the answers are already kept, and this only closes sooner)."""
        if self.result is None:
            self.result = dict(CANCELLED)
            self.tell()
        self.end()

    def end(self) -> None:
        self.finished = True
        self.root.quit()

    # ----- events ---------------------------------------------------------------------------------

    def _on_return(self, _event: tk.Event[Any]) -> None:
        focused = self.root.focus_get()
        if focused is self.note:
            return  # the Text has started a new line
        if focused is self.cancel_button:
            self.cancel()
        else:
            self.save()

    def _on_save_key(self, _event: tk.Event[Any]) -> str:
        self.save()
        return "break"  # no new line in the note, and no second save from the window's own binding

    def _on_map(self, event: tk.Event[Any]) -> None:
        # Children's Map events come here too (the toplevel's bindtag): only the window itself counts.
        if event.widget is self.root and not self._focused_once:
            self._focused_once = True
            # Opened by the person, so the keys may come here at once: to the first answer.
            next(iter(self.body_choices.values())).button.focus_force()

    def bring_to_front(self) -> None:
        lift_window(self.root)
        # Back where the keyboard was (a plain `focus -force .` would take it off the answers).
        (self.root.focus_lastfor() or next(iter(self.body_choices.values())).button).focus_force()


def run(options: Options, raise_fd: int | None = None) -> None:
    """Show the window until it is saved, cancelled or closed; its JSON line is printed on the way."""
    content = load_content(options.language)
    window = run_window(WINDOW_CLASS, lambda root: CheckinWindow(root, content, raise_fd), raise_fd)
    window.tell()  # went without saving or cancelling: cancelled


def main(argv: list[str] | None = None) -> int:
    return window_main("checkin_window", lambda: parse_args(argv), run)


if __name__ == "__main__":
    sys.exit(main())
