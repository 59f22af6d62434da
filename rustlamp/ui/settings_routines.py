"""The Routines tab in Qt: each routine of rustlamp.ui.settings_form as a group named by it (on or off,
its time, its days, its own words, Remove, and a note line for its problems), in a scroll area when they
do not all fit (the mouse wheel scrolls it, and the keyboard focus brings the field it moves to into view),
and under them a name and Add for a new one.

The Tab order is the reading order: routines top to bottom, each left to right and then its words, then
the new routine's name and Add; it is set again whenever a routine comes or goes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from rustlamp.ui.qt_common import CalmButton
from rustlamp.ui.settings_fields import NoteLine, day_boxes, group, ink_label, wide_enough
from rustlamp.ui.settings_form import Form, Routine

SCROLL_SHARE = 0.55  # the routines take at most this much of the screen's height before they scroll
TIME_CHARS = 5
PROMPT_CHARS = 30


class RoutineBox(QGroupBox):
    """One routine: [✓ name] Tijd [08:00] [ma di wo do vr za zo] Verwijderen / Woorden [...] / its note."""

    def __init__(
        self, routine: Routine, words: Mapping[str, str], language: str, edited: Callable[[], None]
    ) -> None:
        super().__init__()
        self.routine = routine
        self.edited = edited
        self.loading = False
        self.setFlat(True)
        self.setAccessibleName(routine.name)
        self.setStyleSheet("QGroupBox { border: 0; margin: 0; padding: 0; }")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(3)

        self.enabled = QCheckBox(routine.name)
        self.enabled.setAccessibleName(routine.name)
        self.enabled.toggled.connect(self._on_enabled)
        grid.addWidget(self.enabled, 0, 0)
        at_line = QHBoxLayout()
        at_line.setSpacing(6)
        at_label = QLabel(words["routine_at"])
        self.at = QLineEdit()
        self.at.setAccessibleName(words["routine_at"])
        wide_enough(self.at, TIME_CHARS)
        at_label.setBuddy(self.at)
        self.at.textEdited.connect(self._on_at)
        at_line.addWidget(at_label)
        at_line.addWidget(self.at)
        grid.addLayout(at_line, 0, 1)
        days, inner = group(words["routine_days"])
        self.days = day_boxes(language, inner)
        for box in self.days:
            box.toggled.connect(self._on_days)
        grid.addWidget(days, 0, 2)
        self.remove_button = CalmButton(words["routine_remove"], "quiet")
        grid.addWidget(self.remove_button, 0, 3)

        prompt_label = QLabel(words["routine_prompt"])
        self.prompt = QLineEdit()
        self.prompt.setAccessibleName(words["routine_prompt"])
        self.prompt.setPlaceholderText(words["routine_prompt_hint"])  # empty: rustlamp picks the words
        self.prompt.setMinimumWidth(QFontMetrics(self.prompt.font()).horizontalAdvance("n" * PROMPT_CHARS))
        prompt_label.setBuddy(self.prompt)
        self.prompt.textEdited.connect(self._on_prompt)
        grid.addWidget(prompt_label, 1, 0, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.prompt, 1, 1, 1, 3)
        self.note = NoteLine([self.at, self.prompt])
        grid.addWidget(self.note, 2, 0, 1, 4)
        grid.setColumnStretch(4, 1)
        self.show_values()

    def focus_chain(self) -> list[QWidget]:
        return [self.enabled, self.at, *self.days, self.remove_button, self.prompt]

    def show_values(self) -> None:
        routine = self.routine
        self.loading = True
        try:
            self.enabled.setChecked(routine.enabled.current)
            self.at.setText(routine.at.current)
            for day, box in enumerate(self.days):
                box.setChecked(day in routine.days.current)
            self.prompt.setText(routine.prompt.current)
        finally:
            self.loading = False
        self.note.say(routine.notes, routine.error)

    def _on_enabled(self, on: bool) -> None:
        if not self.loading:
            self.routine.enabled.current = on
            self.edited()

    def _on_at(self, text: str) -> None:
        self.routine.at.current = text
        self.edited()

    def _on_prompt(self, text: str) -> None:
        self.routine.prompt.current = text
        self.edited()

    def _on_days(self) -> None:
        if not self.loading:
            self.routine.days.current = frozenset(day for day, box in enumerate(self.days) if box.isChecked())
            self.edited()


class RoutineScroll(QScrollArea):
    """A scroll area that asks for all of its rows, up to a share of the screen."""

    def sizeHint(self) -> QSize:
        inner = self.widget()
        wanted = inner.sizeHint() if inner is not None else QSize(0, 0)
        screen = self.screen().availableGeometry().height() if self.screen() is not None else 800
        bar = self.verticalScrollBar().sizeHint().width()
        return QSize(wanted.width() + bar + 2, min(wanted.height() + 2, int(screen * SCROLL_SHARE)))

    def minimumSizeHint(self) -> QSize:
        return QSize(self.sizeHint().width(), min(self.sizeHint().height(), 120))


class RoutinesEditor(QWidget):
    """The Routines tab's contents, for `form`; `edited` is called after every change the person makes."""

    def __init__(self, form: Form, edited: Callable[[], None], before: QWidget) -> None:
        super().__init__()
        self.before = before  # what comes before the routines in the Tab order (the tabs)
        self.form = form
        self.words = form.words
        self.edited = edited
        self.boxes: list[RoutineBox] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        intro = ink_label(self.words["routines_intro"])
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.rows = QWidget()
        self.rows_layout = QVBoxLayout(self.rows)
        self.rows_layout.setContentsMargins(0, 6, 0, 0)
        self.rows_layout.setSpacing(6)
        self.none = ink_label(self.words["routines_none"])
        self.rows_layout.addWidget(self.none)
        self.rows_layout.addStretch(1)
        self.scroll_area = RoutineScroll()
        self.scroll_area.setWidget(self.rows)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll_area.viewport().setAutoFillBackground(False)  # the window's own colour behind the rows
        self.rows.setAutoFillBackground(False)
        layout.addWidget(self.scroll_area, 1)

        adding = QGridLayout()
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
        QApplication.instance().focusChanged.connect(self._focus_moved)  # type: ignore[union-attr]

    # ----- rows --------------------------------------------------------------------------------------

    def show_routines(self) -> None:
        """Show the form's routines: the same rows get their new values, other rows are made anew."""
        if [box.routine.name for box in self.boxes] == [r.name for r in self.form.routines]:
            for box, routine in zip(self.boxes, self.form.routines, strict=True):
                box.routine = routine
                box.show_values()
        else:
            focused = QApplication.focusWidget()
            lost = focused is not None and any(box.isAncestorOf(focused) for box in self.boxes)
            for box in self.boxes:
                box.setParent(None)
                box.deleteLater()
            self.boxes = [self._box(routine) for routine in self.form.routines]
            if lost:
                self.new_name.setFocus()
        self.new_name.clear()
        self.new_note.say((), False)
        self._tidy()

    def say_problems(self) -> None:
        for box in self.boxes:
            box.note.say(box.routine.notes, box.routine.error)

    def _box(self, routine: Routine) -> RoutineBox:
        box = RoutineBox(routine, self.words, self.form.language, self.edited)
        box.remove_button.clicked.connect(lambda: self.remove(box))
        self.rows_layout.insertWidget(self.rows_layout.count() - 1, box)
        return box

    def _tidy(self) -> None:
        self.none.setVisible(not self.boxes)
        # Rows made after the window have their place in the Tab order set here, right after the tabs;
        # the other tabs' fields that come after them in the chain are hidden while this tab shows.
        chain: list[QWidget] = [self.before, *(w for box in self.boxes for w in box.focus_chain())]
        chain += [self.new_name, self.add_button]
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)
        self.scroll_area.updateGeometry()

    def add(self) -> None:
        made = self.form.add_routine(self.new_name.text())
        if isinstance(made, str):
            self.new_note.say((made,), True)
            return
        self.new_note.say((), False)
        self.new_name.clear()
        box = self._box(made)
        self.boxes.append(box)
        self._tidy()
        box.at.setFocus(Qt.FocusReason.TabFocusReason)
        box.at.selectAll()
        self.edited()

    def remove(self, box: RoutineBox) -> None:
        index = self.boxes.index(box)
        self.form.remove_routine(box.routine.name)
        self.boxes.remove(box)
        # The focus goes to the next routine's Remove, else the previous one's, else the new name.
        neighbours = self.boxes[index : index + 1] or self.boxes[index - 1 : index]
        (neighbours[0].remove_button if neighbours else self.new_name).setFocus(Qt.FocusReason.TabFocusReason)
        box.setParent(None)
        box.deleteLater()
        self._tidy()
        self.edited()

    def _focus_moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and self.rows.isAncestorOf(new):
            box = next((b for b in self.boxes if b.isAncestorOf(new)), None)
            if box is not None and box.height() <= self.scroll_area.viewport().height():
                self.scroll_area.ensureWidgetVisible(box, 0, 4)  # the whole routine when it fits
            self.scroll_area.ensureWidgetVisible(new, 4, 4)
