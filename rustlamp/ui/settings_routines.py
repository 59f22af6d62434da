"""The Routines tab in Qt: the routines of rustlamp.ui.settings_form in a list, and beside it one editor for
the chosen routine (on or off, its time, its days, its kind, its own words, Remove routine, and a note line
for its problems); under them a name and Add for a new one.

One editor, not one row of fields per routine: every control then has a name that is unique in the window
and visible (voice control's "click ma" or "click Routine verwijderen" means one thing), and a screen
reader hears a routine's fields once, under the routine's name. A routine with an error has a dot in the
list, as a tab has, and the list item's description says what it means.

The Tab order is the reading order: the list, the chosen routine's fields top to bottom (each line left to
right), Remove routine, then the new routine's name and Add. Arrow keys in the list choose a routine.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from rustlamp.core.config import ROUTINE_KINDS
from rustlamp.ui.qt_common import CalmButton, font_scaled
from rustlamp.ui.settings_fields import NoteLine, day_boxes, group, ink_label, one_tab_stop, wide_enough
from rustlamp.ui.settings_form import Form, Routine

TIME_CHARS = 5
PROMPT_CHARS = 34
LIST_CHARS = (10, 22)  # the list is as wide as its longest name, within these many characters
LIST_MARK = " •"  # after a routine's name in the list while it has an error (as on a tab)


def heading_font(label: QLabel) -> QFont:
    """The list's heading and the chosen routine's name: a little larger, bold."""
    font = font_scaled(label, 1.1)
    font.setBold(True)
    return font


class RoutineEditor(QGroupBox):
    """The chosen routine's fields, bound to one `Routine` at a time (`show`); a group named by it."""

    def __init__(self, words: Mapping[str, str], language: str, edited: Callable[[], None]) -> None:
        super().__init__()
        self.words = words
        self.edited = edited
        self.routine: Routine | None = None
        self.loading = False
        self.setFlat(True)
        self.setStyleSheet("QGroupBox { border: 0; margin: 0; padding: 0; }")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(8)
        grid.setColumnStretch(1, 1)

        self.heading = QLabel("")  # the routine's name, so "this routine" is plain to see
        self.heading.setFont(heading_font(self.heading))
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        grid.addWidget(self.heading, 0, 0, 1, 2)
        self.enabled = QCheckBox(words["routine_enabled"])
        self.enabled.setAccessibleName(words["routine_enabled"])
        self.enabled.toggled.connect(self._on_enabled)
        grid.addWidget(self.enabled, 1, 0, 1, 2)

        self.at = QLineEdit()
        self.at.setAccessibleName(words["routine_at"])
        wide_enough(self.at, TIME_CHARS)
        self.at.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.at.textEdited.connect(self._on_at)
        at_line = QHBoxLayout()
        at_line.setSpacing(8)
        at_line.addWidget(self.at)
        at_line.addWidget(ink_label(words["hours_hint"]))
        at_line.addStretch(1)
        self._row(grid, 2, words["routine_at"], at_line, self.at)

        days, inner = group(words["routine_days"])
        self.days = day_boxes(language, inner)
        inner.addStretch(1)
        for box in self.days:
            box.toggled.connect(self._on_days)
        self._row(grid, 3, words["routine_days"], days)

        kinds, inner = group(words["routine_kind"])
        self.kind_group = QButtonGroup(kinds)
        self.kinds: dict[str, QRadioButton] = {}
        for kind in ROUTINE_KINDS:
            radio = QRadioButton(words[f"routine_kind_{kind}"])
            radio.setAccessibleName(words[f"routine_kind_{kind}"])
            self.kind_group.addButton(radio)
            inner.addWidget(radio)
            radio.toggled.connect(lambda on, kind=kind: self._on_kind(on, kind))
            self.kinds[kind] = radio
        self.kind_group.buttonToggled.connect(lambda *_: one_tab_stop(self.kind_group))
        inner.addStretch(1)
        self._row(grid, 4, words["routine_kind"], kinds)

        self.prompt = QLineEdit()
        self.prompt.setAccessibleName(words["routine_prompt"])
        self.prompt.setPlaceholderText(words["routine_prompt_hint"])  # empty: rustlamp picks the words
        metrics = QFontMetrics(self.prompt.font())
        self.prompt.setMinimumWidth(metrics.horizontalAdvance("n" * PROMPT_CHARS))
        self.prompt.textEdited.connect(self._on_prompt)
        self.prompt.textChanged.connect(self._placeholder_look)
        self._placeholder_look("")
        self._row(grid, 5, words["routine_prompt"], self.prompt, self.prompt)

        # room for two lines of a problem, always, so nothing under it moves when one shows
        self.note = NoteLine([self.at, self.prompt], lines=2)
        grid.addWidget(self.note, 6, 1)
        self.remove_button = CalmButton(words["routine_remove"])
        remove_line = QHBoxLayout()
        remove_line.addStretch(1)
        remove_line.addWidget(self.remove_button)
        grid.addLayout(remove_line, 7, 0, 1, 2)
        grid.setRowStretch(8, 1)

    @staticmethod
    def _row(
        grid: QGridLayout,
        row: int,
        label_text: str,
        field: QWidget | QHBoxLayout,
        buddy: QWidget | None = None,
    ) -> None:
        label = QLabel(label_text)
        if buddy is not None:
            label.setBuddy(buddy)
        grid.addWidget(label, row, 0)
        if isinstance(field, QWidget):
            grid.addWidget(field, row, 1)
        else:
            grid.addLayout(field, row, 1)

    def _placeholder_look(self, text: str) -> None:
        """The words while the field is empty ("leeg: rustlamp kiest ...") in italics, so they are not
        taken for words the routine has."""
        font = self.prompt.font()
        if font.italic() != (not text):
            font.setItalic(not text)
            self.prompt.setFont(font)

    def focus_chain(self) -> list[QWidget]:
        return [self.enabled, self.at, *self.days, *self.kinds.values(), self.prompt, self.remove_button]

    def show_routine(self, routine: Routine) -> None:
        """Show `routine`'s current values; the person's edits go into it from now on."""
        self.routine = routine
        self.setAccessibleName(routine.name)
        self.heading.setText(routine.name)
        self.loading = True
        try:
            self.enabled.setChecked(routine.enabled.current)
            if self.at.text() != routine.at.current:
                self.at.setText(routine.at.current)
            for day, box in enumerate(self.days):
                box.setChecked(day in routine.days.current)
            self.kind_group.setExclusive(False)  # none chosen is possible (a kind the core does not know)
            for kind, radio in self.kinds.items():
                radio.setChecked(kind == routine.kind.current)
            self.kind_group.setExclusive(True)
            one_tab_stop(self.kind_group)
            if self.prompt.text() != routine.prompt.current:
                self.prompt.setText(routine.prompt.current)
        finally:
            self.loading = False
        self.say_problems()

    def say_problems(self) -> None:
        if self.routine is not None:
            self.note.say(self.routine.notes, self.routine.error)

    def _on_enabled(self, on: bool) -> None:
        if not self.loading and self.routine is not None:
            self.routine.enabled.current = on
            self.edited()

    def _on_at(self, text: str) -> None:
        if self.routine is not None:
            self.routine.at.current = text
            self.edited()

    def _on_prompt(self, text: str) -> None:
        if self.routine is not None:
            self.routine.prompt.current = text
            self.edited()

    def _on_days(self) -> None:
        if not self.loading and self.routine is not None:
            self.routine.days.current = frozenset(day for day, box in enumerate(self.days) if box.isChecked())
            self.edited()

    def _on_kind(self, on: bool, kind: str) -> None:
        if on and not self.loading and self.routine is not None:
            self.routine.kind.current = kind
            self.edited()


class RoutinesEditor(QWidget):
    """The Routines tab's contents, for `form`; `edited` is called after every change the person makes."""

    def __init__(self, form: Form, edited: Callable[[], None], before: QWidget) -> None:
        super().__init__()
        self.before = before  # what comes before the routines in the Tab order (the tabs)
        self.form = form
        self.words = form.words
        self.edited = edited
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        intro = ink_label(self.words["routines_intro"])
        intro.setWordWrap(True)
        layout.addWidget(intro)

        both = QHBoxLayout()
        both.setContentsMargins(0, 6, 0, 0)
        both.setSpacing(16)
        self.list = QListWidget()
        self.list.setAccessibleName(self.words["routines_list"])  # named by the heading above it
        self.list.setStyleSheet("QListWidget::item { padding: 3px 4px; }")
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        self.list.currentRowChanged.connect(self._chosen)
        left = QVBoxLayout()
        left.setSpacing(6)
        heading = QLabel(self.words["routines_list"])
        heading.setBuddy(self.list)
        heading.setFont(heading_font(heading))
        left.addWidget(heading)
        left.addWidget(self.list, 1)
        both.addLayout(left)
        self.editor = RoutineEditor(self.words, form.language, edited)
        self.editor.remove_button.clicked.connect(self.remove)
        self.none = ink_label(self.words["routines_none"])
        self.none.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.stack = QStackedWidget()  # the editor, or "no routines yet" in its place (the same room)
        self.stack.addWidget(self.editor)
        self.stack.addWidget(self.none)
        both.addWidget(self.stack, 1)
        layout.addLayout(both, 1)

        adding = QGridLayout()
        adding.setContentsMargins(0, 10, 0, 0)
        adding.setHorizontalSpacing(8)
        new_label = QLabel(self.words["routine_new"])
        self.new_name = QLineEdit()
        self.new_name.setAccessibleName(self.words["routine_new"])
        wide_enough(self.new_name, 16)
        new_label.setBuddy(self.new_name)
        self.add_button = CalmButton(self.words["routine_add"])
        self.add_button.clicked.connect(self.add)
        adding.addWidget(new_label, 0, 0)
        adding.addWidget(self.new_name, 0, 1)
        adding.addWidget(self.add_button, 0, 2)
        adding.setColumnStretch(3, 1)
        self.new_note = NoteLine([self.new_name])
        adding.addWidget(self.new_note, 1, 1, 1, 3)
        layout.addLayout(adding)
        self._fit_list()
        self._tidy()

    # ----- the list and the chosen routine ---------------------------------------------------------

    @property
    def chosen(self) -> Routine | None:
        row = self.list.currentRow()
        return self.form.routines[row] if 0 <= row < len(self.form.routines) else None

    def show_routines(self) -> None:
        """Show the form's routines (after a load), the same one chosen when it is still there."""
        names = [r.name for r in self.form.routines]
        shown = [self.list.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.list.count())]
        if shown == names:  # the same routines (read again after Save): the same items, new values
            self._choose(self.list.currentRow())
        else:
            before = self.editor.routine.name if self.editor.routine is not None else None
            self.list.blockSignals(True)
            self.list.clear()
            for name in names:
                self.list.addItem(self._item(name))
            self.list.blockSignals(False)
            self._fit_list()
            self._choose(names.index(before) if before in names else 0)
        self.new_name.clear()
        self.new_note.say((), False)
        self.say_problems()

    @staticmethod
    def _item(name: str) -> QListWidgetItem:
        item = QListWidgetItem(name)
        item.setData(Qt.ItemDataRole.UserRole, name)  # its text may have a dot after the name
        return item

    def _choose(self, row: int) -> None:
        if self.form.routines:
            row = max(0, min(row, len(self.form.routines) - 1))
            self.list.setCurrentRow(row)  # _chosen shows it
            self._chosen(row)
        self._tidy()

    def _chosen(self, row: int) -> None:
        if 0 <= row < len(self.form.routines):
            self.editor.show_routine(self.form.routines[row])

    def say_problems(self) -> None:
        """The chosen routine's problems under it; a dot in the list after each routine with an error."""
        problem = self.words["tab_problem"]
        for row, routine in enumerate(self.form.routines):
            item = self.list.item(row)
            if item is None:
                continue
            item.setText(routine.name + (LIST_MARK if routine.error else ""))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, routine.name)  # heard without the dot
            item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, problem if routine.error else "")
            item.setToolTip(problem if routine.error else "")
        self.editor.say_problems()

    def _fit_list(self) -> None:
        metrics = QFontMetrics(self.list.font())
        least, most = (metrics.horizontalAdvance("n" * chars) for chars in LIST_CHARS)
        longest = max((metrics.horizontalAdvance(r.name + LIST_MARK) for r in self.form.routines), default=0)
        bar = self.list.verticalScrollBar().sizeHint().width()
        self.list.setFixedWidth(max(least, min(longest, most)) + bar + 2 * self.list.frameWidth() + 12)

    def _tidy(self) -> None:
        some = bool(self.form.routines)
        self.stack.setCurrentWidget(self.editor if some else self.none)
        self.list.setEnabled(some)  # an empty list is no stop for Tab
        # The tab's place in the Tab order, right after the tabs; the other tabs' fields that come after
        # it in the chain are hidden while this tab shows.
        if self.window() is not self.before.window():
            return  # not in the window yet: it is built, and shown, after
        chain: list[QWidget] = [self.before, self.list, *self.editor.focus_chain()]
        chain += [self.new_name, self.add_button]
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)

    # ----- adding and removing ---------------------------------------------------------------------

    def add(self) -> None:
        made = self.form.add_routine(self.new_name.text())
        if isinstance(made, str):
            self.new_note.say((made,), True)
            return
        self.new_note.say((), False)
        self.new_name.clear()
        self.list.addItem(self._item(made.name))
        self._fit_list()
        self._choose(len(self.form.routines) - 1)
        self.say_problems()
        self.editor.at.setFocus(Qt.FocusReason.TabFocusReason)
        self.editor.at.selectAll()
        self.edited()

    def remove(self) -> None:
        routine = self.chosen
        if routine is None:
            return
        row = self.list.currentRow()
        self.form.remove_routine(routine.name)
        self.list.blockSignals(True)
        self.list.takeItem(row)
        self.list.blockSignals(False)
        self._fit_list()
        # the next routine is chosen (else the one before); the focus goes to the list, where the
        # person hears which one that is, or to the new routine's name when none is left
        self._choose(row)
        (self.list if self.form.routines else self.new_name).setFocus(Qt.FocusReason.TabFocusReason)
        self.say_problems()
        self.edited()
