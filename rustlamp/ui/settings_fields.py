"""The settings window's rows in Qt: one `FieldRow` shows one `Setting` of rustlamp.ui.settings_form.

A row is a label, its field(s), a hint beside them, and a note line under them. The note line is always
there (one line high, two under a field one types in; empty while all is well), so a problem that shows
never moves the rows below it; while a problem shows, its words are also the field's accessible
description, so a screen reader says them with the field. Every field's accessible name is its visible
label; fields that belong together (the active hours, the days, the language's choices) are a group named
by their label.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetrics, QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSizePolicy,
    QWidget,
)

from rustlamp.core.config import LANGUAGE_CHOICES
from rustlamp.core.texts import language_name
from rustlamp.ui.palette import DARK, Scheme
from rustlamp.ui.qt_common import current_scheme, font_scaled
from rustlamp.ui.settings_form import (
    BoolValue,
    ChoiceValue,
    DaysValue,
    Setting,
    TextValue,
    Value,
)
from rustlamp.ui.settings_words import day_labels

# A problem's words: a warm brown, clear but never alarm red (AA on either scheme's background).
ERROR_INK = {"light": "#8C5A3A", "dark": "#E3AC86"}
SMALL = 0.9  # hints and notes, against the desktop's font
FIELD_ROOM = 1  # characters of room in a text field beyond the longest it is meant for

Edited = Callable[[], None]


def error_ink(scheme: Scheme | None = None) -> str:
    return ERROR_INK["dark" if (scheme or current_scheme()) is DARK else "light"]


def ink_label(text: str, role: QPalette.ColorRole = QPalette.ColorRole.PlaceholderText) -> QLabel:
    """A small label in a softer ink (the palette's `role`): hints, notes, the file's place."""
    label = QLabel(text)
    label.setFont(font_scaled(label, SMALL))
    label.setForegroundRole(role)
    return label


def group(name: str) -> tuple[QGroupBox, QHBoxLayout]:
    """A group without a frame or a title of its own: its name is the label shown beside it."""
    box = QGroupBox()
    box.setFlat(True)
    box.setAccessibleName(name)
    box.setStyleSheet("QGroupBox { border: 0; margin: 0; padding: 0; }")
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(8)
    return box, layout


def one_tab_stop(buttons: QButtonGroup) -> None:
    """Tab stops once in a group of choices, on the chosen one (the first when none is): the arrow keys
    move within it. Called again whenever the choice changes, as Qt leaves that to chance."""
    members = buttons.buttons()
    stop = buttons.checkedButton() or (members[0] if members else None)
    for button in members:
        tab = button is stop
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus if tab else Qt.FocusPolicy.ClickFocus)


def wide_enough(edit: QLineEdit, chars: int, text: str = "") -> None:
    """Give a line edit room for `chars` characters, or for `text` when that is longer."""
    metrics = QFontMetrics(edit.font())
    room = max(metrics.horizontalAdvance("0" * (chars + FIELD_ROOM)), metrics.horizontalAdvance(text + "00"))
    margins = edit.textMargins()
    edit.setFixedWidth(room + margins.left() + margins.right() + 14)


class NoteLine(QLabel):
    """The line under a field (or a routine): empty, `lines` high; or the problems said for it. The
    problems also become the accessible description of `fields`, so they are read with them."""

    def __init__(self, fields: Sequence[QWidget] = (), lines: int = 1) -> None:
        super().__init__("")
        self.fields = list(fields)
        self.setFont(font_scaled(self, SMALL))
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setMinimumHeight(QFontMetrics(self.font()).lineSpacing() * lines + 2)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        policy.setRetainSizeWhenHidden(True)  # empty, it keeps its room but is nothing to a screen reader
        self.setSizePolicy(policy)
        self.setVisible(False)
        self.error = False

    def say(self, notes: Sequence[str], error: bool) -> None:
        words = "\n".join(notes)
        self.error = error
        palette = self.palette()
        ink = QColor(error_ink()) if error else self.palette().color(QPalette.ColorRole.PlaceholderText)
        palette.setColor(QPalette.ColorRole.WindowText, ink)
        self.setPalette(palette)
        if words != self.text():
            self.setText(words)
            self.setAccessibleName(words)
            for field in self.fields:
                field.setAccessibleDescription(words)
        self.setVisible(bool(words))


class FieldRow:
    """The widgets of one setting on a tab's grid, bound to its values: `show()` puts the values in the
    fields (after a load), an edit by the person goes into the values and calls `edited`."""

    def __init__(
        self,
        grid: QGridLayout,
        row: int,
        setting: Setting,
        words: Mapping[str, str],
        language: str,
        edited: Edited,
    ) -> None:
        self.setting = setting
        self.words = words
        self.language = language
        self.edited = edited
        self.loading = False
        self.shows: list[Callable[[], None]] = []  # each puts a value in its widget
        self.fields: list[QWidget] = []
        spec = setting.spec
        label_text = words[spec.label]
        kind = spec.kind
        if kind == "check":
            (value,) = setting.values
            assert isinstance(value, BoolValue)
            check = self._check(label_text, value)
            grid.addWidget(check, row, 0, 1, 3)
            if spec.hint:  # a sentence of its own under the box (the journal's promise)
                hint = ink_label(words[spec.hint])
                hint.setWordWrap(True)
                grid.addWidget(hint, row + 1, 0, 1, 3)
                row += 1
            self.note = NoteLine(self.fields)
            grid.addWidget(self.note, row + 1, 0, 1, 3)
            return
        label = QLabel(label_text)
        top = kind in ("lines", "choice")
        grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop if top else Qt.AlignmentFlag.AlignVCenter)
        holder = QWidget()
        line = QHBoxLayout(holder)
        line.setContentsMargins(0, 0, 0, 0)
        if kind in ("text", "duration", "durations"):
            (value,) = setting.values
            assert isinstance(value, TextValue)
            edit = self._line_edit(label_text, value, spec.chars)
            label.setBuddy(edit)
            line.addWidget(edit)
        elif kind == "hours":
            hours, inner = group(label_text)
            for index, value in enumerate(setting.values):
                assert isinstance(value, TextValue)
                own = words["hours_from" if index == 0 else "hours_to"]
                part = QLabel(own)
                inner.addWidget(part)
                edit = self._line_edit(own, value, spec.chars)
                part.setBuddy(edit)
                inner.addWidget(edit)
            line.addWidget(hours)
        elif kind == "days":
            (value,) = setting.values
            assert isinstance(value, DaysValue)
            days, _ = self._days(label_text, value)
            line.addWidget(days)
        elif kind == "choice":
            (value,) = setting.values
            assert isinstance(value, ChoiceValue)
            choices = self._choices(label_text, value)
            line.addWidget(choices)
        elif kind == "lines":
            (value,) = setting.values
            assert isinstance(value, TextValue)
            text = self._lines(label_text, value, spec.chars)
            label.setBuddy(text)
            line.addWidget(text)
        under = kind in ("choice", "lines")  # a sentence: under the field, not beside it
        if spec.hint and not under:
            hint = ink_label(words[spec.hint])
            line.addWidget(hint, 0, Qt.AlignmentFlag.AlignVCenter)
        line.addStretch(1)
        grid.addWidget(holder, row, 1, 1, 2)
        if spec.hint and under:
            hint = ink_label(words[spec.hint])
            grid.addWidget(hint, row + 1, 1, 1, 2)
            row += 1
        # where a person types, a problem can come with every key: room for two lines of it
        typed = kind in ("text", "duration", "durations", "hours")
        self.note = NoteLine(self.fields, lines=2 if typed else 1)
        grid.addWidget(self.note, row + 1, 1, 1, 2)

    # ----- the kinds of field -------------------------------------------------------------------------

    def _line_edit(self, name: str, value: TextValue, chars: int) -> QLineEdit:
        edit = QLineEdit()
        edit.setAccessibleName(name)
        wide_enough(edit, chars)
        edit.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

        def typed(text: str) -> None:
            value.current = text
            self.edited()

        def show() -> None:
            wide_enough(edit, chars, value.current)
            edit.setText(value.current)

        edit.textEdited.connect(typed)
        self.shows.append(show)
        self.fields.append(edit)
        return edit

    def _lines(self, name: str, value: TextValue, chars: int) -> QPlainTextEdit:
        text = QPlainTextEdit()
        text.setAccessibleName(name)
        text.setTabChangesFocus(True)  # Tab goes on to the next field; Enter starts a new line
        metrics = QFontMetrics(text.font())
        text.setMinimumWidth(metrics.horizontalAdvance("n" * chars))
        text.setFixedHeight(metrics.lineSpacing() * 4 + 14)

        def typed() -> None:
            if not self.loading:
                value.current = text.toPlainText()
                self.edited()

        def show() -> None:
            text.setPlainText(value.current)

        text.textChanged.connect(typed)
        self.shows.append(show)
        self.fields.append(text)
        return text

    def _check(self, name: str, value: BoolValue) -> QCheckBox:
        box = QCheckBox(name)
        box.setAccessibleName(name)

        def toggled(on: bool) -> None:
            if not self.loading:
                value.current = on
                self.edited()

        box.toggled.connect(toggled)
        self.shows.append(lambda: box.setChecked(value.current))
        self.fields.append(box)
        return box

    def _days(self, name: str, value: DaysValue) -> tuple[QGroupBox, list[QCheckBox]]:
        box, inner = group(name)
        boxes = day_boxes(self.language, inner)

        def toggled() -> None:
            if not self.loading:
                value.current = frozenset(day for day, b in enumerate(boxes) if b.isChecked())
                self.edited()

        for each in boxes:
            each.toggled.connect(toggled)

        def show() -> None:
            for day, each in enumerate(boxes):
                each.setChecked(day in value.current)

        self.shows.append(show)
        self.fields.extend(boxes)
        return box, boxes

    def _choices(self, name: str, value: ChoiceValue) -> QGroupBox:
        box, inner = group(name)
        buttons = QButtonGroup(box)
        radios: dict[str, QRadioButton] = {}
        for choice in LANGUAGE_CHOICES:
            # each language by its own name, from its own catalog ("Nederlands", "English")
            label = self.words["language_auto"] if choice == "auto" else language_name(choice)
            radio = QRadioButton(label)
            radio.setAccessibleName(label)
            buttons.addButton(radio)
            inner.addWidget(radio)
            radios[choice] = radio

            def chosen(on: bool, choice: str = choice) -> None:
                if on and not self.loading:
                    value.current = choice
                    self.edited()

            radio.toggled.connect(chosen)
        inner.addStretch(1)

        def show() -> None:
            buttons.setExclusive(False)  # none chosen is possible (a value that is none of them)
            for choice, radio in radios.items():
                radio.setChecked(choice == value.current)
            buttons.setExclusive(True)
            one_tab_stop(buttons)

        buttons.buttonToggled.connect(lambda *_: one_tab_stop(buttons))

        self.shows.append(show)
        self.fields.extend(radios.values())
        return box

    # ----- showing ---------------------------------------------------------------------------------

    def show(self) -> None:
        """Put the setting's current values in the fields (after the file was read)."""
        self.loading = True
        try:
            for show in self.shows:
                show()
        finally:
            self.loading = False

    def say_problems(self) -> None:
        self.note.say(self.setting.notes, self.setting.error)

    @property
    def values(self) -> tuple[Value, ...]:
        return self.setting.values


def day_boxes(language: str, layout: QHBoxLayout) -> list[QCheckBox]:
    """Seven check boxes, Monday first, named by the day's short name in `language`."""
    boxes = []
    for name in day_labels(language):
        box = QCheckBox(name)
        box.setAccessibleName(name)
        layout.addWidget(box)
        boxes.append(box)
    return boxes
