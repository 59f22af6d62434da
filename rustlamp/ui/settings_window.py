"""The settings window: the person's config.toml as a small, calm form, run as a child process.

    python -m rustlamp.ui.settings_window --language nl|en [--config FILE]

FILE defaults to the usual place (rustlamp.system.paths.config_file). Five tabs: Algemeen/General
(language, start at login, your own prompts), Herinneringen/Reminders (how often, active hours, days,
snooze choices, holding reminders while something is fullscreen), Pauze/Break (length, breathing pace,
time away that counts as a break, the check-in after a break), Routines (on/off, time, days and, under
each, its own words, the `prompt`; add one by name, remove one) and Privacy (the journal). When the
routines do not fit (the window is never larger than the screen), their rows scroll, with the mouse wheel
over them, and the keyboard focus brings the routine it moves to into view.

Every change is checked at once with the same rules `rustlamp config check` uses: the window builds the
would-be file with rustlamp.settings_file.apply_changes and runs rustlamp.core.config.parse_settings on
it. Each problem's message stands right under the field its key belongs to (warnings softly, errors in a
warm brown; a tab with an error gets a dot); problems with keys the window does not show go in a line at
the bottom, as config check prints them. Save stays disabled while there is any error, or nothing to
save. Only what the person changed is written (compared with what was read), so an untouched file is
never rewritten, and comments, order and unknown keys stay as they were (the settings_file module edits
the text in place). Start at login is not in the file: it is switched with rustlamp.system.autostart
(the box is left out where that module or platform support is missing).

Buttons and keys: Opslaan/Save (Enter, except in the prompts' text, where Enter starts a new line, in a
new routine's name, where it adds the routine, and on a button, which Enter presses); Sluiten/Close (Esc;
with unsaved changes it asks once: keep editing or discard; Esc then keeps editing); Het bestand
openen/Open the file (creates config.toml from the example when there is none, then opens it in the
desktop's editor). Ctrl+Tab and Ctrl+Shift+Tab change tabs from anywhere; with the focus on the tabs,
Left and Right do too; Tab goes through the fields in reading order, then the buttons.

Saving never overwrites blindly: when the file changed on disk since the window read it, nothing is
written, the window says so and offers Opnieuw inlezen/Reload (the file's values, the window's edits let
go). After a save the running app is asked to read the file again (`reload` on its control channel; no
app running is fine). A file that is not valid TOML (or cannot be read) opens read-only: the problem at
the top, with Open the file and Reload; it is never written.

When the window ends it prints exactly one JSON line on stdout and exits with status 0:

    {"outcome": "saved"}    something was saved while it was open
    {"outcome": "closed"}   nothing was saved

Bad arguments: status 2 from argparse; no display: status 2 and a line on stderr; nothing on stdout.
Bring to front on SIGUSR1 works exactly as in the break window (see rustlamp.ui.break_window). The
window is never forced on top and never grabs input.

The words are in SETTINGS_TEXTS below. The problems' own messages are the core's, in the window's language
(rustlamp.core.problem_words); in English exactly as `rustlamp config check` prints them.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import functools
import io
import sys
import tkinter as tk
import tkinter.font as tkfont
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from tkinter import ttk
from types import ModuleType
from typing import Any, Literal

from rustlamp.core.config import (
    DAY_NAMES,
    DEFAULTS,
    EVERY_DAY,
    LANGUAGE_CHOICES,
    Problem,
    load_settings,
    parse_settings,
)
from rustlamp.core.config import _key_path as key_text
from rustlamp.core.durations import format_duration
from rustlamp.core.problem_words import phrase
from rustlamp.settings_file import (
    REMOVE,
    ChangedOnDisk,
    Snapshot,
    apply_changes,
    read_snapshot,
    save_settings,
)
from rustlamp.ui.palette import (
    BACKGROUND,
    BUTTON,
    BUTTON_HOVER,
    CHOSEN,
    FIELD,
    FIELD_EDGE,
    FOCUS,
    INK,
    MUTED,
    PRIMARY,
    PRIMARY_INK,
    SOFT_INK,
    blend,
)
from rustlamp.ui.settings_form import (
    MISSING,
    _day_set,
    comma_list,
    home_short,
    line_list,
    lookup,
    note_text,
    owner_key,
    problem_text,
    shown_text,
    without_bom,
)
from rustlamp.ui.settings_form import autostart_module as _autostart_module
from rustlamp.ui.settings_words import DAY_LABELS, SETTINGS_TEXTS, TAB_KEYS
from rustlamp.ui.tk_common import (
    ButtonKind,
    calm_button,
    emit,
    exit_when_destroyed,
    fit_to_screen,
    lift_window,
    place_centred,
    run_window,
    text_keys_like_a_field,
    watch_raise,
    window_main,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

WINDOW_CLASS = "RustlampSettings"
BASE_WIDTH = 620  # at 96 dpi, the least it is; scaled with `tk scaling`, wider when the words need it
NOTE_WIDTH = 400  # at 96 dpi: where a field's problem wraps
NEW_ROUTINE_AT = "12:00"  # a new routine's time until the person types their own
BOTTOM_PROBLEMS = 3  # problems for keys the window does not show: this many lines, then "+N"
TELL_APP_TIMEOUT = 2.0  # seconds to wait for the running app to take the `reload`
ERROR_INK = "#8C5A3A"  # a warm brown: clear, never alarm red
TAB_MARK = " •"  # after a tab's name while a field on it has an error
WHEEL_STEP = 16  # at 96 dpi: the routines' rows scroll this far a unit...
WHEEL_UNITS = 3  # ... and this many units a notch of the mouse wheel


KeyPath = tuple[str, ...]

_INDICATOR_STATES = ("off", "off_hover", "off_focus", "on", "on_hover", "on_focus")
BOX_EDGE = blend(FIELD_EDGE, MUTED, 0.6)  # an empty check box's edge: quiet, but plainly there
SCROLL_HOVER = blend(BUTTON_HOVER, MUTED, 0.35)  # the routines' scroll bar under the pointer
SAVE_DISABLED = blend(PRIMARY, BACKGROUND, 0.55)  # Save while there is nothing (or nothing valid) to save


@dataclass(frozen=True)
class Options:
    language: str
    config: Path


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m rustlamp.ui.settings_window",
        description="rustlamp's settings window (run by rustlamp itself).",
    )
    parser.add_argument("--language", choices=("nl", "en"), required=True)
    parser.add_argument(
        "--config", type=Path, default=None, help="the settings file (default: the usual place)"
    )
    args = parser.parse_args(argv)
    if args.config is None:
        from rustlamp.system.paths import config_file

        return Options(language=args.language, config=config_file())
    return Options(language=args.language, config=args.config.expanduser())


# ----- fields: one setting each, where it is in the file, what was read and what is shown --------------


class Field:
    """One setting: `path` in the file; `changed` when what is shown differs from what was read."""

    def __init__(self, path: KeyPath) -> None:
        self.path = path

    def load(self, raw: Any) -> None:
        """Show the file's value (MISSING: the default); it is then what was read."""
        raise NotImplementedError

    def changed(self) -> bool:
        raise NotImplementedError

    def value(self) -> Any:
        """What to write: a plain TOML value, or REMOVE."""
        raise NotImplementedError


class TextField(Field):
    """A one-line entry: a duration, a time of day. Empty means the default when `empty_removes`."""

    def __init__(self, path: KeyPath, var: tk.StringVar, default: str, empty_removes: bool = False) -> None:
        super().__init__(path)
        self.var = var
        self.default = default
        self.empty_removes = empty_removes
        self.initial = ""

    def load(self, raw: Any) -> None:
        self.initial = self.default if raw is MISSING else shown_text(raw)
        self.var.set(self.initial)

    def changed(self) -> bool:
        return self.var.get().strip() != self.initial.strip()

    def value(self) -> Any:
        text = self.var.get().strip()
        return REMOVE if not text and self.empty_removes else text


class ListField(TextField):
    """A comma-separated list in one entry (the snooze choices)."""

    def load(self, raw: Any) -> None:
        if isinstance(raw, list):
            self.initial = ", ".join(shown_text(item) for item in raw)
            self.var.set(self.initial)
        else:
            super().load(raw)

    def changed(self) -> bool:
        return comma_list(self.var.get()) != comma_list(self.initial)

    def value(self) -> Any:
        return comma_list(self.var.get())


class LinesField(Field):
    """A multi-line text, one item a line (the person's own prompts)."""

    def __init__(self, path: KeyPath, text: tk.Text) -> None:
        super().__init__(path)
        self.text = text
        self.initial = ""

    def current(self) -> str:
        return str(self.text.get("1.0", "end-1c"))

    def load(self, raw: Any) -> None:
        if raw is MISSING:
            self.initial = ""
        elif isinstance(raw, list):
            self.initial = "\n".join(shown_text(item) for item in raw)
        else:
            self.initial = shown_text(raw)
        self.text.delete("1.0", "end")
        self.text.insert("1.0", self.initial)
        self.text.edit_reset()
        self.text.edit_modified(False)

    def changed(self) -> bool:
        return line_list(self.current()) != line_list(self.initial)

    def value(self) -> Any:
        return line_list(self.current())


class BoolField(Field):
    """A check box. A value that is not true/false shows the default: changing the box writes one."""

    def __init__(self, path: KeyPath, var: tk.BooleanVar, default: bool) -> None:
        super().__init__(path)
        self.var = var
        self.default = default
        self.initial = default

    def load(self, raw: Any) -> None:
        self.initial = raw if isinstance(raw, bool) else self.default
        self.var.set(self.initial)

    def changed(self) -> bool:
        return bool(self.var.get()) != self.initial

    def value(self) -> Any:
        return bool(self.var.get())


class ChoiceField(Field):
    """Radio buttons; a value that is none of them shows none chosen."""

    def __init__(self, path: KeyPath, var: tk.StringVar, default: str, choices: Sequence[str]) -> None:
        super().__init__(path)
        self.var = var
        self.default = default
        self.choices = tuple(choices)
        self.initial = default

    def load(self, raw: Any) -> None:
        if raw is MISSING:
            self.initial = self.default
        elif isinstance(raw, str) and raw.strip().lower() in self.choices:
            self.initial = raw.strip().lower()
        else:
            self.initial = ""
        self.var.set(self.initial)

    def changed(self) -> bool:
        return self.var.get() != self.initial

    def value(self) -> Any:
        return self.var.get()


class DaysField(Field):
    """Seven check boxes, Monday first; written as a list of day names in week order."""

    def __init__(self, path: KeyPath, variables: Sequence[tk.BooleanVar], default: frozenset[int]) -> None:
        super().__init__(path)
        self.variables = tuple(variables)
        self.default = default
        self.initial = default

    def chosen(self) -> frozenset[int]:
        return frozenset(day for day, var in enumerate(self.variables) if var.get())

    def load(self, raw: Any) -> None:
        self.initial = self.default if raw is MISSING else _day_set(raw, self.default)
        for day, var in enumerate(self.variables):
            var.set(day in self.initial)

    def changed(self) -> bool:
        return self.chosen() != self.initial

    def value(self) -> Any:
        return [DAY_NAMES[day] for day in sorted(self.chosen())]


class Note:
    """The line under a field (or a routine) with the problems for its keys."""

    def __init__(self, label: tk.Label, tab: int) -> None:
        self.label = label
        self.tab = tab
        self.problems: list[Problem] = []

    def show(self, problems: Sequence[Problem], texts: Sequence[str] | None = None) -> None:
        """Show `problems` (each as its message, or as the matching item of `texts`), or nothing."""
        self.problems = list(problems)
        if not problems:
            self.label.grid_remove()
            return
        errors = any(p.severity == "error" for p in problems)
        words = texts if texts is not None else [p.message for p in problems]
        self.label.configure(text="\n".join(words), foreground=ERROR_INK if errors else SOFT_INK)
        self.label.grid()

    @property
    def has_error(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


@dataclass
class RoutineRow:
    """One routine on the Routines tab. `new`: not in the file yet. Its `prompt` is left out of the file
    while its entry is empty (rustlamp then picks the words): emptied, it is taken out."""

    name: str
    enabled: BoolField
    at: TextField
    days: DaysField
    prompt: TextField
    note: Note
    at_entry: tk.Entry
    prompt_entry: tk.Entry
    remove_button: tk.Button
    widgets: list[tk.Misc]  # all of the row's, to destroy it; directly in the rows' frame
    new: bool = False

    @property
    def path(self) -> KeyPath:
        return ("routines", self.name)

    def fields(self) -> tuple[Field, ...]:
        return (self.enabled, self.at, self.days, self.prompt)

    def changes(self) -> dict[KeyPath, Any]:
        if self.new:  # all of it, but the defaults
            changes: dict[KeyPath, Any] = {self.at.path: self.at.value()}
            if self.days.chosen() != EVERY_DAY:
                changes[self.days.path] = self.days.value()
            if self.prompt.value() is not REMOVE:
                changes[self.prompt.path] = self.prompt.value()
            if not self.enabled.value():
                changes[self.enabled.path] = False
            return changes
        return {field.path: field.value() for field in self.fields() if field.changed()}

    def holds(self, widget: tk.Misc) -> bool:
        """Whether `widget` is one of the row's (or inside one, like a day's box)."""
        name = str(widget)
        return any(name == str(w) or name.startswith(f"{w}.") for w in self.widgets)

    def destroy(self) -> None:
        for widget in self.widgets:
            widget.destroy()


# ----- the window -------------------------------------------------------------------------------------------


class SettingsWindow:
    """The form, what was read, and the outcome."""

    def __init__(
        self,
        root: tk.Tk,
        language: str,
        path: Path,
        raise_fd: int | None = None,
        autostart: ModuleType | Literal["auto"] | None = "auto",
    ) -> None:
        self.root = root
        self.language = language
        self.words = SETTINGS_TEXTS[language]
        self.path = path
        self.saved = False  # something was saved while the window was open
        self.told = False  # the JSON line is out
        self.ending = False  # set by `run_window` once it takes the window down itself
        self.finished = False  # the window is to close now
        self.read_only = False
        self.asking = False  # the unsaved-changes question shows
        self.can_save = False
        self.errors = False  # the would-be file has an error
        self._loading = False
        self._pending: str | None = None
        self._in_view_pending: str | None = None  # bringing the focused routine into view, after idle
        self._routine_sizes = (0, 0, 0, 0)  # the rows' wanted size and the room they had, last seen
        self._focused_once = False
        self._status_kind = ""  # what the status line says: "", "saved", "changed_on_disk", ...
        # rustlamp.system.autostart, or None: no start-at-login box (tests hand in their own)
        self.autostart = _autostart_module() if autostart == "auto" else autostart
        self.autostart_initial = False

        self.snapshot = Snapshot(path, None, None)
        self.data: dict[str, Any] | None = None
        self.fields: list[Field] = []
        self.notes: dict[str, Note] = {}  # key text -> where its problems show
        self.routines: list[RoutineRow] = []
        self.removed_routines: list[str] = []
        self.last_problems: tuple[Problem, ...] = ()

        # Sizes follow `tk scaling` (pixels per point), as in the other windows; fonts are in points.
        self.scale = max(1.0, float(root.tk.call("tk", "scaling")) * 72 / 96)
        family = tkfont.nametofont("TkDefaultFont").actual("family")
        self._font = tkfont.Font(root, family=family, size=10)
        self._font_small = tkfont.Font(root, family=family, size=9)
        self._font_heading = tkfont.Font(root, family=family, size=10, weight="bold")

        root.withdraw()  # hidden until it has its size and place, so it does not jump
        root.title(self.words["title"])
        root.configure(background=BACKGROUND)
        root.protocol("WM_DELETE_WINDOW", self.close)
        self._style()
        self._build()
        self._bind_keys()
        self.reload(quiet=True)
        self._place()
        watch_raise(root, raise_fd, self.bring_to_front)

    # ----- look ---------------------------------------------------------------------------------------

    def px(self, pixels_at_96dpi: float) -> int:
        return round(pixels_at_96dpi * self.scale)

    def _style(self) -> None:
        style = ttk.Style(self.root)
        style.theme_use("clam")
        px = self.px
        style.configure(
            ".",
            background=BACKGROUND,
            foreground=INK,
            font=self._font,
            focuscolor=FOCUS,
            bordercolor=FIELD_EDGE,
            lightcolor=BACKGROUND,
            darkcolor=BACKGROUND,
            troughcolor=BUTTON,
            selectbackground=CHOSEN,
            selectforeground=INK,
        )
        style.configure("TFrame", background=BACKGROUND)
        style.configure("TNotebook", background=BACKGROUND, borderwidth=px(1), tabmargins=(0, 0, 0, 0))
        style.configure(
            "TNotebook.Tab",
            background=BUTTON,
            foreground=SOFT_INK,
            padding=(px(12), px(5)),
            bordercolor=FIELD_EDGE,
            lightcolor=BUTTON,
            darkcolor=BUTTON,
            focusthickness=px(1),
        )
        style.map(
            "TNotebook.Tab",
            background=[("selected", BACKGROUND), ("active", BUTTON_HOVER)],
            lightcolor=[("selected", BACKGROUND), ("active", BUTTON_HOVER)],
            darkcolor=[("selected", BACKGROUND), ("active", BUTTON_HOVER)],
            foreground=[("selected", INK)],
            expand=[("selected", (0, px(2), 0, 0))],
        )
        # Clam's boxes hold an X; these hold a ✓ (and a dot), drawn for this scale. The focus gives the box
        # an ochre edge, like the buttons' ring, and a fine ochre line around the words.
        self._images: list[tk.PhotoImage] = []
        for kind, shape in (("Checkbutton", "box"), ("Radiobutton", "round")):
            images = {state: self._indicator(shape, state) for state in _INDICATOR_STATES}
            style.element_create(
                f"Calm.{kind}.indicator",
                "image",
                images["off"],
                ("selected", "focus", images["on_focus"]),
                ("selected", "active", images["on_hover"]),
                ("selected", images["on"]),
                ("focus", images["off_focus"]),
                ("active", images["off_hover"]),
                sticky="",
            )
            style.layout(
                f"T{kind}",
                [
                    (
                        f"{kind}.padding",
                        {
                            "sticky": "nswe",
                            "children": [
                                (f"Calm.{kind}.indicator", {"side": "left", "sticky": ""}),
                                (
                                    f"{kind}.focus",
                                    {
                                        "side": "left",
                                        "sticky": "w",
                                        "children": [(f"{kind}.label", {"sticky": "nswe"})],
                                    },
                                ),
                            ],
                        },
                    )
                ],
            )
            style.configure(f"T{kind}", background=BACKGROUND, foreground=INK, padding=(0, px(2)))
            style.map(f"T{kind}", background=[("active", BACKGROUND)], foreground=[("disabled", MUTED)])
        style.configure("Day.TCheckbutton", font=self._font_small)
        # The routines' scroll bar: a soft thumb in a trough of the window's own colour, no arrows.
        style.layout(
            "Calm.Vertical.TScrollbar",
            [
                (
                    "Vertical.Scrollbar.trough",
                    {
                        "sticky": "ns",
                        "children": [("Vertical.Scrollbar.thumb", {"sticky": "nswe"})],
                    },
                )
            ],
        )
        style.configure(
            "Calm.Vertical.TScrollbar",
            troughcolor=BACKGROUND,
            background=BUTTON_HOVER,
            bordercolor=BACKGROUND,
            lightcolor=BUTTON_HOVER,
            darkcolor=BUTTON_HOVER,
            arrowsize=px(10),
            gripcount=0,
        )
        thumb_hover = [("pressed", SCROLL_HOVER), ("active", SCROLL_HOVER)]
        style.map(
            "Calm.Vertical.TScrollbar", background=thumb_hover, lightcolor=thumb_hover, darkcolor=thumb_hover
        )

    def _indicator(self, shape: str, state: str) -> tk.PhotoImage:
        """A check box ("box") or radio button ("round") for `state` (see _INDICATOR_STATES), drawn four
        times larger and scaled down, so the edges are smooth at any scale."""
        from PIL import Image, ImageDraw

        size, gap, big = self.px(15), self.px(6), 4  # the gap: room between the box and its words
        on = state.startswith("on")
        edge = FOCUS if state.endswith("focus") else PRIMARY if state.endswith("hover") or on else BOX_EDGE
        fill = PRIMARY if on and shape == "box" else FIELD
        width = big * max(1, self.px(2 if state.endswith("focus") else 1))
        image = Image.new("RGBA", ((size + gap) * big, size * big), (0, 0, 0, 0))
        draw = ImageDraw.Draw(image)
        box = (width // 2, width // 2, size * big - 1 - width // 2, size * big - 1 - width // 2)
        if shape == "box":
            draw.rounded_rectangle(box, radius=size * big // 5, fill=fill, outline=edge, width=width)
            if on:
                points = [(0.26, 0.52), (0.43, 0.69), (0.75, 0.33)]
                draw.line(
                    [(x * size * big, y * size * big) for x, y in points],
                    fill=PRIMARY_INK,
                    width=round(size * big * 0.13),
                    joint="curve",
                )
        else:
            draw.ellipse(box, fill=fill, outline=edge, width=width)
            if on:
                inset = size * big * 0.3
                draw.ellipse((inset, inset, size * big - inset, size * big - inset), fill=PRIMARY)
        image = image.resize((size + gap, size), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        photo = tk.PhotoImage(master=self.root, data=base64.b64encode(buffer.getvalue()).decode("ascii"))
        self._images.append(photo)
        return photo

    def _label(
        self, parent: tk.Misc, text: str, *, small: bool = False, colour: str = INK, wrap: float = 0
    ) -> tk.Label:
        return tk.Label(
            parent,
            text=text,
            font=self._font_small if small else self._font,
            background=BACKGROUND,
            foreground=colour,
            justify="left",
            anchor="w",
            wraplength=self.px(wrap) if wrap else 0,
        )

    def _button(
        self, parent: tk.Misc, label: str, command: Callable[[], object], kind: ButtonKind = "plain"
    ) -> tk.Button:
        button = calm_button(
            parent, label, command, font=self._font, scale=self.scale, kind=kind, pad=(12, 4)
        )
        # Tk's own space binding presses 100 ms later; here it presses at once, as in the check-in.
        button.bind("<space>", functools.partial(self._press_at_once, button))
        return button

    @staticmethod
    def _press_at_once(button: tk.Button, _event: tk.Event[Any]) -> str:
        if str(button.cget("state")) != "disabled":
            button.invoke()
        return "break"

    def _entry(self, parent: tk.Misc, var: tk.StringVar, width: int) -> tk.Entry:
        entry = tk.Entry(parent, textvariable=var, width=width, **self._field_options())
        # Tab selects a field's text (typing replaces it); leaving it lets the selection go, so only the
        # field with the focus shows one.
        entry.bind("<FocusOut>", lambda _event: entry.selection_clear(), add="+")
        return entry

    def _field_options(self) -> dict[str, Any]:
        return {
            "font": self._font,
            "background": FIELD,
            "foreground": INK,
            "disabledbackground": BACKGROUND,
            "insertbackground": INK,
            "selectbackground": CHOSEN,
            "selectforeground": INK,
            "relief": "flat",
            "borderwidth": self.px(3),  # flat: an inner margin in the field's own colour
            "highlightthickness": self.px(2),
            "highlightbackground": FIELD_EDGE,
            "highlightcolor": FOCUS,
        }

    # ----- building -----------------------------------------------------------------------------------

    def _build(self) -> None:
        # Created in reading order, which is also the Tab order: Tk follows the order of creation.
        w = self.words
        outer = tk.Frame(self.root, background=BACKGROUND)
        outer.pack(side="top", fill="both", expand=True, padx=self.px(16), pady=(self.px(14), self.px(12)))
        self._outer = outer

        self.notebook = ttk.Notebook(outer, takefocus=True)
        self.panes: list[ttk.Frame] = []
        for key in TAB_KEYS:
            pane = ttk.Frame(self.notebook, padding=(self.px(16), self.px(14), self.px(16), self.px(10)))
            pane.columnconfigure(1, weight=1)
            self.notebook.add(pane, text=w[f"tab_{key}"])
            self.panes.append(pane)
        self._rows = [0] * len(TAB_KEYS)
        self._build_general(0)
        self._build_reminders(1)
        self._build_break(2)
        self._build_routines(3)
        self._build_privacy(4)
        self.notebook.enable_traversal()

        # Under the tabs, each only while it has something to say: problems in the file that no field
        # shows, and a status line (saved, changed on disk, ...) with Reload when that helps.
        self.elsewhere = self._label(outer, "", small=True, wrap=BASE_WIDTH - 40)
        status_row = tk.Frame(outer, background=BACKGROUND)
        self.status = self._label(status_row, "", small=True, colour=SOFT_INK, wrap=BASE_WIDTH - 180)
        self.status.pack(side="left", fill="x", expand=True)
        self.reload_button = self._button(status_row, w["reload"], self.reload)
        self._status_row = status_row

        # The buttons stay at the bottom; the tabs take the room that is left.
        self._end_slot = tk.Frame(outer, background=BACKGROUND)
        self._end_slot.pack(side="bottom", fill="x", pady=(self.px(10), 0))
        actions = tk.Frame(self._end_slot, background=BACKGROUND)
        actions.pack(side="top", fill="x")
        self.open_button = self._button(actions, w["open_file"], self.open_file, kind="quiet")
        self.open_button.pack(side="left")
        self.save_button = self._button(actions, w["save"], self.save, kind="primary")
        self.save_button.configure(disabledforeground=PRIMARY_INK)
        self.close_button = self._button(actions, w["close"], self.close)
        self.close_button.pack(side="right")
        self.save_button.pack(side="right", padx=(0, self.px(6)))
        self._actions = actions

        question = tk.Frame(self._end_slot, background=BACKGROUND)
        self._label(question, w["unsaved"]).pack(side="left")
        self.keep_button = self._button(question, w["keep_editing"], self.keep_editing, kind="primary")
        self.discard_button = self._button(question, w["discard"], self.discard)
        self.discard_button.pack(side="right")
        self.keep_button.pack(side="right", padx=(0, self.px(6)))
        self._question = question
        self.notebook.pack(side="top", fill="both", expand=True)

    def _next_row(self, tab: int) -> int:
        row = self._rows[tab]
        self._rows[tab] += 2
        return row

    def _setting(self, tab: int, label: str, *, top: bool = False) -> tuple[tk.Frame, Note]:
        """A labelled row on a tab: the label, a frame for the field(s), and the note under them."""
        pane = self.panes[tab]
        row = self._next_row(tab)
        gap = 0 if row == 0 else self.px(10)
        text = self._label(pane, label)
        text.grid(row=row, column=0, sticky="nw" if top else "w", padx=(0, self.px(14)), pady=(gap, 0))
        holder = tk.Frame(pane, background=BACKGROUND)
        holder.grid(row=row, column=1, sticky="w", pady=(gap, 0))
        return holder, self._note(pane, tab, row + 1, column=1)

    def _note(self, parent: tk.Misc, tab: int, row: int, column: int, span: int = 1) -> Note:
        label = self._label(parent, "", small=True, colour=ERROR_INK, wrap=NOTE_WIDTH)
        label.grid(row=row, column=column, columnspan=span, sticky="w", pady=(self.px(2), 0))
        label.grid_remove()
        return Note(label, tab)

    def _hint(self, parent: tk.Misc, text: str) -> tk.Label:
        hint = self._label(parent, text, small=True, colour=MUTED)
        hint.pack(side="left", padx=(self.px(8), 0))
        return hint

    def _register(self, field: Field, note: Note) -> Field:
        self.fields.append(field)
        self.notes[key_text(field.path)] = note
        return field

    def _string(self) -> tk.StringVar:
        var = tk.StringVar(self.root)
        var.trace_add("write", lambda *_args: self._edited())
        return var

    def _boolean(self) -> tk.BooleanVar:
        var = tk.BooleanVar(self.root)
        var.trace_add("write", lambda *_args: self._edited())
        return var

    def _text_setting(
        self,
        tab: int,
        label: str,
        path: KeyPath,
        default: str,
        width: int,
        hint: str = "",
        empty_removes: bool = False,
    ) -> tk.Entry:
        holder, note = self._setting(tab, label)
        var = self._string()
        entry = self._entry(holder, var, width)
        entry.pack(side="left")
        if hint:
            self._hint(holder, hint)
        self._register(TextField(path, var, default, empty_removes), note)
        return entry

    def _check(
        self, parent: tk.Misc, text: str, var: tk.BooleanVar, style: str = "TCheckbutton"
    ) -> ttk.Checkbutton:
        return ttk.Checkbutton(parent, text=text, variable=var, style=style, takefocus=True)

    def _check_setting(self, tab: int, text: str, path: KeyPath, default: bool) -> ttk.Checkbutton:
        pane = self.panes[tab]
        row = self._next_row(tab)
        var = self._boolean()
        box = self._check(pane, text, var)
        box.grid(row=row, column=0, columnspan=2, sticky="w", pady=(0 if row == 0 else self.px(10), 0))
        self._register(BoolField(path, var, default), self._note(pane, tab, row + 1, column=0, span=2))
        return box

    def _days(self, parent: tk.Misc, path: KeyPath, default: frozenset[int]) -> DaysField:
        variables = [self._boolean() for _ in DAY_NAMES]
        for day, var in enumerate(variables):
            box = self._check(parent, DAY_LABELS[self.language][day], var, style="Day.TCheckbutton")
            box.pack(side="left", padx=(0, self.px(6)))
        return DaysField(path, variables, default)

    def _build_general(self, tab: int) -> None:
        w = self.words
        holder, note = self._setting(tab, w["language"], top=True)
        var = self._string()
        choices = tk.Frame(holder, background=BACKGROUND)
        choices.pack(side="top", anchor="w")
        for choice in LANGUAGE_CHOICES:
            ttk.Radiobutton(choices, text=w[f"language_{choice}"], value=choice, variable=var).pack(
                side="left", padx=(0, self.px(12))
            )
        self._label(holder, w["language_hint"], small=True, colour=MUTED, wrap=NOTE_WIDTH).pack(
            side="top", anchor="w", pady=(self.px(2), 0)
        )
        self._register(ChoiceField(("language",), var, DEFAULTS.language, LANGUAGE_CHOICES), note)

        self.autostart_var = tk.BooleanVar(self.root)
        self.autostart_var.trace_add("write", lambda *_args: self._edited())
        if self.autostart is not None:
            pane = self.panes[tab]
            row = self._next_row(tab)
            box = self._check(pane, w["autostart"], self.autostart_var)
            box.grid(row=row, column=0, columnspan=2, sticky="w", pady=(self.px(12), 0))

        holder, note = self._setting(tab, w["prompts"], top=True)
        self.prompts_text = tk.Text(holder, width=44, height=4, wrap="word", undo=True)
        self.prompts_text.configure(
            **{k: v for k, v in self._field_options().items() if k != "disabledbackground"}
        )
        self.prompts_text.pack(side="top", anchor="w")
        self.prompts_text.bind("<<Modified>>", self._on_text_modified)
        self._label(holder, w["prompts_hint"], small=True, colour=MUTED, wrap=NOTE_WIDTH).pack(
            side="top", anchor="w", pady=(self.px(2), 0)
        )
        self._register(LinesField(("prompts", "extra"), self.prompts_text), note)

        pane = self.panes[tab]
        row = self._next_row(tab)
        self.file_label = self._label(
            pane,
            w["file_is"].format(path=home_short(self.path)),
            small=True,
            colour=MUTED,
            wrap=BASE_WIDTH - 80,
        )
        self.file_label.grid(row=row, column=0, columnspan=2, sticky="w", pady=(self.px(14), 0))

    def _build_reminders(self, tab: int) -> None:
        w = self.words
        d = DEFAULTS.reminders
        self.every_entry = self._text_setting(
            tab, w["every"], ("reminders", "every"), format_duration(d.every), 8, w["every_hint"]
        )
        holder, note = self._setting(tab, w["hours"])
        for index, (key, default) in enumerate((("start", d.start), ("end", d.end))):
            var = self._string()
            self._entry(holder, var, 6).pack(side="left")
            if index == 0:
                self._label(holder, w["hours_to"]).pack(side="left", padx=self.px(8))
            self._register(TextField(("reminders", key), var, f"{default:%H:%M}"), note)
        self._hint(holder, w["hours_hint"])

        holder, note = self._setting(tab, w["days"])
        self._register(self._days(holder, ("reminders", "days"), d.days), note)

        holder, note = self._setting(tab, w["snooze"])
        var = self._string()
        self._entry(holder, var, 16).pack(side="left")
        self._hint(holder, w["snooze_hint"])
        choices = ", ".join(format_duration(choice) for choice in d.snooze)
        self._register(ListField(("reminders", "snooze"), var, choices), note)

        self._check_setting(
            tab, w["fullscreen"], ("dnd", "when_fullscreen"), DEFAULTS.dnd.when_fullscreen
        ).grid_configure(pady=(self.px(14), 0))

    def _build_break(self, tab: int) -> None:
        w = self.words
        b = DEFAULTS.break_
        self._text_setting(
            tab, w["length"], ("break", "length"), format_duration(b.length), 8, w["length_hint"]
        )
        self._text_setting(
            tab, w["inhale"], ("break", "inhale"), format_duration(b.inhale), 8, w["breath_hint"]
        )
        self._text_setting(
            tab, w["exhale"], ("break", "exhale"), format_duration(b.exhale), 8, w["breath_hint"]
        )
        self._text_setting(
            tab, w["natural"], ("idle", "natural_break_after"), "", 8, w["natural_hint"], empty_removes=True
        )
        self._check_setting(
            tab, w["offer"], ("checkin", "offer_after_break"), DEFAULTS.checkin.offer_after_break
        ).grid_configure(pady=(self.px(14), 0))
        self._text_setting(
            tab,
            w["sooner"],
            ("checkin", "sooner_when_hurried"),
            format_duration(DEFAULTS.checkin.sooner_when_hurried),
            8,
            w["sooner_hint"],
        )

    def _build_routines(self, tab: int) -> None:
        w = self.words
        pane = self.panes[tab]
        self._label(pane, w["routines_intro"], small=True, colour=SOFT_INK, wrap=BASE_WIDTH - 80).grid(
            row=0, column=0, columnspan=2, sticky="w"
        )
        # The rows have a frame of their own, before the new-routine row: new rows come last in it, so the
        # Tab order stays the reading order. The frame sits in a canvas that scrolls it when the window
        # (never larger than the screen) has less room than the rows ask for: then the canvas gives up
        # room first (grid row 1 shrinks), and the scroll bar shows. Room to spare goes below the
        # new-routine row (row 3), so that row stays right under the routines.
        pane.rowconfigure(1, weight=1)
        pane.rowconfigure(3, weight=1000)
        area = tk.Frame(pane, background=BACKGROUND)
        area.grid(row=1, column=0, columnspan=2, sticky="nsw", pady=(self.px(10), 0))
        area.rowconfigure(0, weight=1)
        canvas = tk.Canvas(
            area,
            background=BACKGROUND,
            borderwidth=0,
            highlightthickness=0,
            takefocus=0,
            width=1,
            height=1,
            yscrollincrement=self.px(WHEEL_STEP),
        )
        canvas.grid(row=0, column=0, sticky="nsw")
        self.routine_rows = tk.Frame(canvas, background=BACKGROUND)
        canvas.create_window(0, 0, window=self.routine_rows, anchor="nw")
        self.routine_scrollbar = ttk.Scrollbar(
            area, orient="vertical", command=canvas.yview, style="Calm.Vertical.TScrollbar", takefocus=0
        )
        self.routine_scrollbar.grid(row=0, column=1, sticky="ns", padx=(self.px(6), 0))
        self.routine_scrollbar.grid_remove()
        # its room is kept while it is hidden: the window never widens when it comes (on the tab's first
        # showing, say)
        area.columnconfigure(1, minsize=self.routine_scrollbar.winfo_reqwidth() + self.px(6))
        canvas.configure(yscrollcommand=self.routine_scrollbar.set)
        self.routine_canvas = canvas
        self.routine_rows.bind("<Configure>", self._routines_resized)
        canvas.bind("<Configure>", self._routines_resized)
        for column, key in enumerate(("routine_name", "routine_at", "routine_days")):
            self._label(self.routine_rows, w[key], small=True, colour=MUTED).grid(
                row=0, column=column, sticky="w", padx=(0, self.px(12))
            )
        self.no_routines = self._label(self.routine_rows, w["routines_none"], small=True, colour=SOFT_INK)
        self._routine_row_count = 1

        adding = tk.Frame(pane, background=BACKGROUND)
        adding.grid(row=2, column=0, columnspan=2, sticky="w", pady=(self.px(14), 0))
        self._label(adding, w["routine_new"]).grid(row=0, column=0, sticky="w", padx=(0, self.px(8)))
        self.new_routine_var = tk.StringVar(self.root)
        self.new_routine_entry = self._entry(adding, self.new_routine_var, 18)
        self.new_routine_entry.grid(row=0, column=1, sticky="w")
        self.add_button = self._button(adding, w["routine_add"], self.add_routine)
        self.add_button.grid(row=0, column=2, sticky="w", padx=(self.px(8), 0))
        self.new_routine_note = self._note(adding, tab, 1, column=1, span=2)
        self._rows[tab] = 3

    def _routine_row(self, name: str, body: Any, new: bool = False) -> RoutineRow:
        w = self.words
        parent = self.routine_rows
        row = self._routine_row_count
        self._routine_row_count += 3  # the routine, its words, its note
        gap = self.px(4) if row == 1 else self.px(9)  # routines a little apart, their words close under them
        path: KeyPath = ("routines", name)
        enabled_var = self._boolean()
        enabled_box = self._check(parent, name, enabled_var)
        enabled_box.grid(row=row, column=0, sticky="w", padx=(0, self.px(12)), pady=(gap, 0))
        at_var = self._string()
        at_entry = self._entry(parent, at_var, 6)
        at_entry.grid(row=row, column=1, sticky="w", padx=(0, self.px(12)), pady=(gap, 0))
        days_frame = tk.Frame(parent, background=BACKGROUND)
        days_frame.grid(row=row, column=2, sticky="w", pady=(gap, 0))
        days = self._days(days_frame, (*path, "days"), EVERY_DAY)
        remove = self._button(parent, w["routine_remove"], lambda: self.remove_routine(name), kind="quiet")
        remove.configure(font=self._font_small, pady=self.px(1))
        remove.grid(row=row, column=3, sticky="w", padx=(self.px(4), 0), pady=(gap, 0))
        # Under it, its own words: the label lines up with the routine's name, the entry runs from the time
        # to the last day. Empty, it says (softly, inside) that rustlamp picks the words.
        prompt_label = self._label(parent, w["routine_prompt"], small=True, colour=MUTED)
        under_name = self.px(15) + self.px(6)  # past the check box and its gap (see _indicator)
        prompt_label.grid(
            row=row + 1, column=0, sticky="w", padx=(under_name, self.px(12)), pady=(self.px(3), 0)
        )
        prompt_var = self._string()
        prompt_entry = self._entry(parent, prompt_var, 20)
        prompt_entry.grid(row=row + 1, column=1, columnspan=2, sticky="we", pady=(self.px(3), 0))
        placeholder = self._placeholder(prompt_entry, prompt_var, w["routine_prompt_hint"])
        note = self._note(parent, 3, row + 2, column=0, span=4)
        routine = RoutineRow(
            name=name,
            enabled=BoolField((*path, "enabled"), enabled_var, True),
            at=TextField((*path, "at"), at_var, NEW_ROUTINE_AT if new else ""),
            days=days,
            prompt=TextField((*path, "prompt"), prompt_var, "", empty_removes=True),
            note=note,
            at_entry=at_entry,
            prompt_entry=prompt_entry,
            remove_button=remove,
            widgets=[
                enabled_box,
                at_entry,
                days_frame,
                remove,
                prompt_label,
                prompt_entry,
                placeholder,
                note.label,
            ],
            new=new,
        )
        table = body if isinstance(body, dict) else {}
        for field in routine.fields():
            field.load(MISSING if new else lookup(table, field.path[2:]))
        return routine

    def _placeholder(self, entry: tk.Entry, var: tk.StringVar, text: str) -> tk.Label:
        """Muted words inside `entry` while it is empty, just after where the cursor stands; a click on
        them is a click in the entry."""
        label = tk.Label(
            entry.master,
            text=text,
            font=self._font_small,
            background=FIELD,
            foreground=MUTED,
            borderwidth=0,
            padx=0,
            pady=0,
            cursor="xterm",
        )
        inset = int(entry.cget("highlightthickness")) + int(entry.cget("borderwidth")) + self.px(4)

        def update(*_args: object) -> None:
            if var.get():
                label.place_forget()
            else:
                label.place(in_=entry, x=inset, rely=0.5, anchor="w")

        def click(_event: tk.Event[Any]) -> str:
            entry.focus_set()
            entry.icursor(0)
            return "break"

        var.trace_add("write", update)
        label.bind("<Button-1>", click)
        update()
        return label

    # ----- the routines' rows scroll when they do not fit --------------------------------------------

    def _routines_resized(self, _event: tk.Event[Any] | None = None) -> None:
        """The rows' frame or the room for it changed: the canvas asks for all of the rows, the scroll
        bar shows only while they do not fit, and a focused field in them stays in view. (Scrolling
        moves the frame, which Tk reports the same way: that is no change here, or the view would snap
        back to the focus under the mouse wheel.)"""
        canvas, rows, bar = self.routine_canvas, self.routine_rows, self.routine_scrollbar
        width, height = rows.winfo_reqwidth(), rows.winfo_reqheight()
        sizes = (width, height, canvas.winfo_width(), canvas.winfo_height())
        if sizes == self._routine_sizes:
            return
        self._routine_sizes = sizes
        canvas.configure(scrollregion=(0, 0, width, height))
        if (int(canvas.cget("width")), int(canvas.cget("height"))) != (width, height):
            canvas.configure(width=width, height=height)
        room = canvas.winfo_height()
        needed = room > 1 and height > room
        if needed and not bar.winfo_manager():
            bar.grid()  # in the room kept for it: nothing moves
        elif not needed and bar.winfo_manager():
            bar.grid_remove()
            canvas.yview_moveto(0)
        self._bring_focus_into_view()

    def _in_routines(self, widget: object) -> bool:
        return isinstance(widget, tk.Misc) and str(widget).startswith(f"{self.routine_canvas}.")

    def _on_focus_in(self, event: tk.Event[Any]) -> None:
        if self._in_routines(event.widget):
            self._bring_focus_into_view()

    def _bring_focus_into_view(self) -> None:
        # after the idle work: a row just added has its place (and the window its size) by then
        if self._in_view_pending is None:
            self._in_view_pending = self.root.after_idle(self._keep_in_view)

    def _keep_in_view(self) -> None:
        """Scroll the rows so that the focused field is in view, with the rest of its routine when
        that fits too (with the column names, for the first routine)."""
        self._in_view_pending = None
        focused = self.root.focus_get()
        if focused is None or not self._in_routines(focused) or not focused.winfo_viewable():
            return  # elsewhere, or on a tab that is not showing
        canvas, rows = self.routine_canvas, self.routine_rows
        self.root.update_idletasks()
        room, total = canvas.winfo_height(), rows.winfo_reqheight()
        if room <= 1 or total <= room:
            return
        top = focused.winfo_rooty() - rows.winfo_rooty()
        bottom = top + focused.winfo_height()
        routine = next((row for row in self.routines if row.holds(focused)), None)
        if routine is not None:
            shown = [w for w in routine.widgets if w.winfo_ismapped()] or [focused]
            first = 0 if routine is self.routines[0] else min(w.winfo_y() for w in shown) - self.px(4)
            last = max(w.winfo_y() + w.winfo_height() for w in shown) + self.px(4)
            if last - first <= room:
                top, bottom = first, last
        view = round(canvas.canvasy(0))
        if top < view:
            canvas.yview_moveto(max(0, top) / total)
        elif bottom > view + room:
            canvas.yview_moveto(min(total - room, bottom - room) / total)

    def _on_wheel(self, event: tk.Event[Any]) -> str | None:
        """The mouse wheel over the routines scrolls them (Button-4/5 on X11, <MouseWheel> elsewhere)."""
        try:
            under = self.root.winfo_containing(event.x_root, event.y_root)
        except KeyError:  # a window of Tk's own under the pointer: none of the routines'
            return None
        if not self._in_routines(under) or not self.routine_scrollbar.winfo_manager():
            return None  # elsewhere, or everything shows: nothing to scroll
        if event.num in (4, 5):
            steps = -WHEEL_UNITS if event.num == 4 else WHEEL_UNITS
        else:  # Windows: 120 a notch; macOS: a few each
            delta = int(event.delta)
            if not delta:
                return "break"
            notches = max(1, abs(delta) // 120)
            steps = (-1 if delta > 0 else 1) * notches * WHEEL_UNITS
        self.routine_canvas.yview_scroll(steps, "units")
        return "break"

    def _build_privacy(self, tab: int) -> None:
        w = self.words
        self._check_setting(tab, w["journal"], ("journal", "enabled"), DEFAULTS.journal.enabled)
        pane = self.panes[tab]
        self._label(pane, w["journal_hint"], small=True, colour=SOFT_INK, wrap=BASE_WIDTH - 80).grid(
            row=self._next_row(tab), column=0, columnspan=2, sticky="w", pady=(self.px(6), 0)
        )

    def _bind_keys(self) -> None:
        root = self.root
        for key in ("<Return>", "<KP_Enter>"):
            root.bind(key, self._on_return)
        root.bind("<Escape>", self._on_escape)
        text = self.prompts_text
        text_keys_like_a_field(text)
        # ... and Ctrl+Tab changes tabs, as everywhere else (the Text's own binding would move the focus).
        text.bind("<Control-Tab>", lambda _event: self._cycle_tab(1))
        text.bind("<Control-Shift-Tab>", lambda _event: self._cycle_tab(-1))
        root.bind("<Map>", self._on_map)
        root.bind("<FocusIn>", self._on_focus_in, add="+")
        for wheel in ("<Button-4>", "<Button-5>", "<MouseWheel>"):
            root.bind(wheel, self._on_wheel, add="+")
        # A removed routine's row is destroyed too: only the window itself counts.
        exit_when_destroyed(root, self, self.tell, root_only=True)

    def _place(self) -> None:
        """Size the window to fit everything and centre it on the screen."""
        root = self.root
        root.update_idletasks()
        self._routines_resized()  # the routines' canvas asks for all of its rows
        root.update_idletasks()
        width = max(self.px(BASE_WIDTH), root.winfo_reqwidth())
        height = root.winfo_reqheight()
        width, height = place_centred(root, width, height)
        root.minsize(min(width, self.px(BASE_WIDTH)), min(height, self.px(300)))
        self._placed = (width, height)
        root.deiconify()

    def _fit(self) -> None:
        """Grow (never shrink, never jump) when a note or a routine needs more room than there is."""
        if not hasattr(self, "_placed"):
            return
        root = self.root
        root.update_idletasks()
        width, height = root.winfo_width(), root.winfo_height()
        if width <= 1:  # not mapped yet
            width, height = self._placed
        need_w, need_h = fit_to_screen(
            root, max(width, root.winfo_reqwidth()), max(height, root.winfo_reqheight())
        )
        if (need_w, need_h) != (width, height):
            root.geometry(f"{need_w}x{need_h}")

    # ----- reading ------------------------------------------------------------------------------------

    def reload(self, quiet: bool = False) -> None:
        """Read the file again and show its values; the window's edits are let go."""
        try:
            snapshot = read_snapshot(self.path)
        except (OSError, ValueError) as exc:  # not UTF-8, not readable: as `config check` words it
            said = load_settings(self.path).problems
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            problem = (
                said[0]
                if said
                else Problem.from_phrase(str(self.path), None, "", phrase("cannot_read", reason=reason))
            )
            self._show_read_only(Snapshot(self.path, None, None), problem)
            return
        self.load(snapshot)
        if not quiet and not self.read_only:
            self._set_status("reloaded", self.words["reloaded"])

    def load(self, snapshot: Snapshot) -> None:
        """Show what `snapshot` holds; it is then what was read."""
        self.snapshot = snapshot
        text = without_bom(snapshot.text or "")
        try:
            data: dict[str, Any] | None = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError):
            data = None
        if data is None:
            result = parse_settings(text, str(self.path))
            problem = result.problems[0] if result.problems else Problem(str(self.path), None, "", "")
            self._show_read_only(snapshot, problem)
            return
        self.data = data
        self._leave_read_only()
        self._loading = True
        try:
            for field in self.fields:
                field.load(lookup(data, field.path))
            self._load_routines(data)
            if self.autostart is not None:
                self.autostart_initial = self._autostart_enabled()
                self.autostart_var.set(self.autostart_initial)
            self.new_routine_var.set("")
            self.new_routine_note.show([])
        finally:
            self._loading = False
        self._set_status("", "")
        self.validate()

    def _load_routines(self, data: Mapping[str, Any]) -> None:
        table = data.get("routines")
        bodies = (
            {name: body for name, body in table.items() if isinstance(body, dict)}
            if isinstance(table, dict)
            else {}
        )
        self.removed_routines = []
        if [row.name for row in self.routines] == list(bodies):  # the same rows: new values only
            for row in self.routines:
                row.new = False
                for field in row.fields():
                    field.load(lookup(bodies[row.name], field.path[2:]))
        else:
            focus = str(self.root.focus_get() or "")
            lost = any(focus.startswith(str(w)) for row in self.routines for w in row.widgets)
            for row in self.routines:
                row.destroy()
            self.routines = []
            self._routine_row_count = 1
            for name, body in bodies.items():
                self.routines.append(self._routine_row(name, body))
            if lost:
                self.new_routine_entry.focus_set()
        self._show_no_routines()

    def _show_no_routines(self) -> None:
        if self.routines:
            self.no_routines.grid_remove()
        else:
            self.no_routines.grid(row=1, column=0, columnspan=4, sticky="w", pady=(self.px(4), 0))

    def _autostart_enabled(self) -> bool:
        assert self.autostart is not None
        try:
            return bool(self.autostart.is_enabled())
        except OSError:
            return False

    def _show_read_only(self, snapshot: Snapshot, problem: Problem) -> None:
        """Not TOML, or not readable: say what is wrong at the top; nothing can be saved."""
        self.snapshot = snapshot
        self.data = None
        self.read_only = True
        if self.notebook.winfo_manager():
            self.root.update_idletasks()
            width, height = self.notebook.winfo_reqwidth(), self.notebook.winfo_reqheight()
            self.notebook.pack_forget()
            # The notice takes the notebook's place at the notebook's size, so nothing jumps.
            self._notice_box = tk.Frame(self._outer, background=BACKGROUND, width=width, height=height)
            self._notice_box.pack_propagate(False)
            self._notice_box.pack(side="top", fill="both", expand=True)
            self.notice = self._label(self._notice_box, "", colour=INK)
            self.notice.configure(wraplength=max(self.px(300), width - self.px(8)))
            self.notice.pack(side="top", fill="x", anchor="nw")
        self.notice.configure(text=f"{self.words['read_only']}\n\n{problem.line_in(self.language)}")
        self._show_elsewhere([])
        self._set_status("", "")
        self._update_save()

    def _leave_read_only(self) -> None:
        if not self.read_only:
            return
        self.read_only = False
        self._notice_box.destroy()
        self.notebook.pack(side="top", fill="both", expand=True)

    # ----- what changed, and what the core says about it ------------------------------------------

    def changes(self) -> dict[KeyPath, Any]:
        """What the person changed, as settings_file changes; empty when nothing was."""
        if self.read_only:
            return {}
        changes = {field.path: field.value() for field in self.fields if field.changed()}
        for name in self.removed_routines:
            changes[("routines", name)] = REMOVE
        for row in self.routines:
            changes.update(row.changes())
        return changes

    def autostart_changed(self) -> bool:
        return self.autostart is not None and bool(self.autostart_var.get()) != self.autostart_initial

    def has_changes(self) -> bool:
        return bool(self.changes()) or self.autostart_changed()

    def _edited(self) -> None:
        if self._loading:
            return
        if self._status_kind in ("saved", "reloaded", "opened"):
            self._set_status("", "")
        if self._pending is None:
            self._pending = self.root.after_idle(self.validate)

    def _on_text_modified(self, _event: tk.Event[Any]) -> None:
        if self.prompts_text.edit_modified():
            self.prompts_text.edit_modified(False)
            self._edited()

    def validate(self) -> None:
        """Check the would-be file as `rustlamp config check` would, and show every problem in its place."""
        self._pending = None
        if self.read_only:
            return
        changes = self.changes()
        apply_problem: Problem | None = None
        text = self.snapshot.text or ""
        if changes:
            try:
                text = apply_changes(self.snapshot.text, changes)
            except (ValueError, TypeError, KeyError) as exc:
                words = phrase("cannot_change", detail=str(exc))
                apply_problem = Problem.from_phrase(str(self.path), None, "", words)
        problems = list(parse_settings(without_bom(text), str(self.path)).problems)
        if apply_problem is not None:
            problems.append(apply_problem)
        self.last_problems = tuple(problems)

        notes: dict[str, Note] = dict(self.notes)
        for row in self.routines:
            notes[key_text(row.path)] = row.note
        placed: dict[int, list[tuple[Problem, str]]] = {}
        elsewhere: list[Problem] = []
        for problem in problems:
            owner = owner_key(problem.key, notes) if problem.key else None
            if owner is None:
                elsewhere.append(problem)
            else:
                said = note_text(problem, owner, self.language)
                placed.setdefault(id(notes[owner]), []).append((problem, said))
        for note in {id(n): n for n in notes.values()}.values():
            here = placed.get(id(note), [])
            note.show([p for p, _ in here], [t for _, t in here])
        self._show_elsewhere(elsewhere)
        for tab, key in enumerate(TAB_KEYS):
            marked = any(note.tab == tab and note.has_error for note in notes.values())
            label = self.words[f"tab_{key}"] + (TAB_MARK if marked else "")
            self.notebook.tk.call(str(self.notebook), "tab", tab, "-text", label)
        self.errors = any(p.severity == "error" for p in problems)
        self._update_save()
        self._fit()

    def _show_elsewhere(self, problems: Sequence[Problem]) -> None:
        if not problems:
            self.elsewhere.pack_forget()
            return
        lines = [problem_text(p, self.language) for p in problems[:BOTTOM_PROBLEMS]]
        if len(problems) > BOTTOM_PROBLEMS:
            lines.append(self.words["more"].format(count=len(problems) - BOTTOM_PROBLEMS))
        errors = any(p.severity == "error" for p in problems)
        self.elsewhere.configure(
            text=self.words["in_the_file"] + "\n" + "\n".join(lines),
            foreground=ERROR_INK if errors else SOFT_INK,
        )
        if not self.elsewhere.winfo_manager():
            self.elsewhere.pack(side="bottom", fill="x", pady=(self.px(8), 0), before=self.notebook)

    def _update_save(self) -> None:
        self.can_save = not self.read_only and not self.errors and self.has_changes()
        self.save_button.configure(
            state="normal" if self.can_save else "disabled",
            takefocus=self.can_save,
            background=PRIMARY if self.can_save else SAVE_DISABLED,
        )
        if self.read_only:
            self.save_button.pack_forget()
        elif not self.save_button.winfo_manager():
            self.save_button.pack(side="right", padx=(0, self.px(6)), before=self.close_button)

    def _set_status(self, kind: str, message: str, colour: str = SOFT_INK) -> None:
        self._status_kind = kind
        self.status.configure(text=message, foreground=colour)
        offer_reload = kind in ("changed_on_disk", "opened") or self.read_only
        if offer_reload and not self.reload_button.winfo_manager():
            self.reload_button.pack(side="right", padx=(self.px(8), 0))
        elif not offer_reload and self.reload_button.winfo_manager():
            if self.root.focus_get() is self.reload_button:
                self.notebook.focus_set()
            self.reload_button.pack_forget()
        if (message or offer_reload) and not self._status_row.winfo_manager():
            self._status_row.pack(side="bottom", fill="x", pady=(self.px(8), 0), after=self._end_slot)
        elif not (message or offer_reload) and self._status_row.winfo_manager():
            self._status_row.pack_forget()
        self._fit()

    # ----- routines ---------------------------------------------------------------------------------

    def add_routine(self) -> None:
        if self.read_only:
            return
        name = self.new_routine_var.get().strip()
        problem = ""
        if not name:
            problem = self.words["routine_name_empty"]
        elif any(row.name == name for row in self.routines):
            problem = self.words["routine_name_taken"]
        if problem:
            self.new_routine_note.show([Problem("", None, "", problem)])
            self._fit()
            return
        self.new_routine_note.show([])
        if name in self.removed_routines:  # removed a moment ago: it comes back as it was in the file
            self.removed_routines.remove(name)
            row = self._routine_row(name, lookup(self.data, ("routines", name)))
        else:
            row = self._routine_row(name, None, new=True)
        self.routines.append(row)
        self._show_no_routines()
        self.new_routine_var.set("")
        row.at_entry.focus_set()
        row.at_entry.selection_range(0, "end")
        row.at_entry.icursor("end")
        self.validate()

    def remove_routine(self, name: str) -> None:
        row = next((r for r in self.routines if r.name == name), None)
        if row is None:
            return
        index = self.routines.index(row)
        self.routines.remove(row)
        if not row.new:
            self.removed_routines.append(name)
        # The focus goes to the next routine's Remove, else the previous one's, else the new-routine name;
        # before the row goes, so it never rests on a destroyed widget.
        neighbours = self.routines[index : index + 1] or self.routines[index - 1 : index]
        target = neighbours[0].remove_button if neighbours else self.new_routine_entry
        target.focus_set()
        row.destroy()
        self._show_no_routines()
        self.validate()

    # ----- the buttons --------------------------------------------------------------------------------

    def save(self) -> None:
        """Write what changed (never over a file changed on disk), switch start at login, tell the app."""
        if self._pending is not None:  # Enter right after a change (a key queued behind it): check it first
            self.root.after_cancel(self._pending)
            self.validate()
        if not self.can_save or self.asking:
            return
        changes = self.changes()
        wrote = False
        if changes:
            try:
                snapshot = save_settings(self.snapshot, changes)
            except ChangedOnDisk:
                self._set_status("changed_on_disk", self.words["changed_on_disk"], ERROR_INK)
                self._fit()
                return
            except (OSError, ValueError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                self._set_status("failed", self.words["cannot_save"].format(reason=reason), ERROR_INK)
                return
            self.snapshot = snapshot
            self.saved = wrote = True
        if self.autostart_changed():
            assert self.autostart is not None
            on = bool(self.autostart_var.get())
            try:
                self.autostart.enable() if on else self.autostart.disable()
            except OSError as exc:
                reason = exc.strerror or str(exc)
                self._set_status("failed", self.words["cannot_autostart"].format(reason=reason), ERROR_INK)
                if wrote:
                    self._after_write()
                return
            self.saved = True
        if wrote:
            self._after_write()
        else:
            self.load(self.snapshot)
        self._set_status("saved", self.words["saved"])

    def _after_write(self) -> None:
        tell_app()
        self.load(self.snapshot)  # what the file holds now is what was read

    def open_file(self) -> None:
        """Open config.toml in the desktop's editor, creating it from the example when there is none."""
        from rustlamp.system.open_file import ensure_config_file, open_in_desktop

        try:
            created = ensure_config_file(self.path)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            self._set_status("failed", self.words["cannot_open"].format(reason=reason), ERROR_INK)
            return
        if created and self.snapshot.text is None:
            with contextlib.suppress(OSError, ValueError):
                snapshot = read_snapshot(self.path)
                if self.has_changes():
                    self.snapshot = snapshot  # the example holds the defaults: the edits still apply
                    self.validate()
                else:
                    self.load(snapshot)
        problem = open_in_desktop(self.path)
        if problem is not None:
            self._set_status("failed", self.words["cannot_open"].format(reason=problem), ERROR_INK)
        else:
            self._set_status("opened", self.words["opened"])
        self._fit()

    def close(self) -> None:
        """Sluiten/Close, Esc, the window manager's close: with unsaved changes, ask once first."""
        if self.asking:
            return
        if self.has_changes():
            self._ask()
            return
        self.end()

    def _ask(self) -> None:
        self.asking = True
        self._focus_before = self.root.focus_get()
        self._actions.pack_forget()
        self._question.pack(side="top", fill="x")
        self.keep_button.focus_set()

    def keep_editing(self) -> None:
        if not self.asking:
            return
        self.asking = False
        self._question.pack_forget()
        self._actions.pack(side="top", fill="x")
        before = getattr(self, "_focus_before", None)
        (before if before is not None and before.winfo_exists() else self.notebook).focus_set()

    def discard(self) -> None:
        self.end()

    def end(self) -> None:
        self.finished = True
        self.root.quit()

    def outcome(self) -> dict[str, Any]:
        return {"outcome": "saved" if self.saved else "closed"}

    def tell(self) -> None:
        """Print the outcome's JSON line, once."""
        if not self.told:
            self.told = True
            emit(self.outcome())

    # ----- events -------------------------------------------------------------------------------------

    def _on_return(self, _event: tk.Event[Any]) -> None:
        focused = self.root.focus_get()
        if focused is self.prompts_text:
            return  # the Text has started a new line
        if isinstance(focused, tk.Button):
            if str(focused.cget("state")) != "disabled":
                focused.invoke()
            return
        if self.asking:
            return
        if focused is self.new_routine_entry:
            self.add_routine()
            return
        self.save()

    def _on_escape(self, _event: tk.Event[Any]) -> None:
        if self.asking:
            self.keep_editing()
        else:
            self.close()

    def _cycle_tab(self, step: int) -> str:
        if not self.read_only:
            self.root.tk.call("ttk::notebook::CycleTab", str(self.notebook), step)
        return "break"

    def _on_map(self, event: tk.Event[Any]) -> None:
        # Children's Map events come here too (the toplevel's bindtag): only the window itself counts.
        if event.widget is self.root and not self._focused_once:
            self._focused_once = True
            # Opened by the person, so the keys may come here at once: to the tabs (Left/Right, Tab).
            (self.open_button if self.read_only else self.notebook).focus_force()

    def bring_to_front(self) -> None:
        lift_window(self.root)
        (self.root.focus_lastfor() or self.notebook).focus_force()


def tell_app() -> None:
    """Ask the running app to read the settings again; no app running (None) is fine."""
    from rustlamp.system.control import send

    with contextlib.suppress(OSError, ValueError):
        send("reload", timeout=TELL_APP_TIMEOUT)


def run(options: Options, raise_fd: int | None = None) -> None:
    """Show the window until it is closed; its JSON line is printed on the way out."""
    window = run_window(
        WINDOW_CLASS, lambda root: SettingsWindow(root, options.language, options.config, raise_fd), raise_fd
    )
    window.tell()


def main(argv: list[str] | None = None) -> int:
    return window_main("settings_window", lambda: parse_args(argv), run)


if __name__ == "__main__":
    sys.exit(main())
