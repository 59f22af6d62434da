"""The settings window: the person's config.toml as a small, calm form, run as a child process (Qt).

    python -m rustlamp.ui.settings_window --language nl|en [--config FILE]

FILE defaults to the usual place (rustlamp.system.paths.config_file). Five tabs: Algemeen/General
(language, start at login, your own prompts), Herinneringen/Reminders (how often, active hours, days,
snooze choices, holding reminders while something is fullscreen or during a call), Pauze/Break (length,
breathing pace, time away that counts as a break, the check-in after a break), Routines (a list, and one
editor for the chosen routine; see rustlamp.ui.settings_routines) and Privacy (the journal). Durations show
in the window's language as people write them ("1 uur 30 min"), whatever form the file has them in.

The form itself (what was read, what changed, the problems, saving) is rustlamp.ui.settings_form, without
a toolkit; its rows are rustlamp.ui.settings_fields. This module puts them in a window: every change is
checked at once with the checks `rustlamp config check` runs, each problem said in the window's language on
the line under its field (a tab with an error gets a dot), problems with keys no field shows under the tabs.
Save stays off while there is an error or nothing to save. A file that is not TOML (or cannot be read) is
shown read-only: the problem instead of the tabs, with Open the file and Reload.

Keys: Tab goes through the fields in reading order, then the buttons; Ctrl+Tab changes tabs; Enter saves
(on a button it presses that button; in the prompts' text it starts a new line; in a new routine's name it
adds the routine); Esc closes, and with unsaved changes asks once: keep editing (Esc again) or discard.
The window manager's close asks the same.

It ends with one JSON line on stdout (rustlamp.ui.contract): {"outcome": "saved"} when something was saved
while it was open, else {"outcome": "closed"}.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Literal

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QColor, QFontMetrics, QKeySequence, QPalette, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QTabBar,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from rustlamp.ui.contract import Closed, Outcome, SettingsRequest, SettingsSaved
from rustlamp.ui.qt_common import CalmButton, CalmWindow, run_window, window_main
from rustlamp.ui.settings_fields import FieldRow, NoteLine, error_ink, ink_label
from rustlamp.ui.settings_form import SETTINGS, Form, autostart_module, home_short
from rustlamp.ui.settings_routines import RoutinesEditor
from rustlamp.ui.settings_words import SETTINGS_TEXTS, TAB_KEYS

TAB_MARK = " •"  # after a tab's name while a field on it has an error (its room is always kept)
MIN_WIDTH = 640  # the least the window is (device-independent pixels); wider when the words need it


class SettingsWindow(CalmWindow):
    """The settings form in a window; `form` holds everything it decides."""

    def __init__(
        self, language: str, path: Path, autostart: ModuleType | Literal["auto"] | None = "auto"
    ) -> None:
        words = SETTINGS_TEXTS[language]
        super().__init__(words["title"])
        self.words = words
        self.form = Form(language, path, autostart_module() if autostart == "auto" else autostart)
        self.rows: list[FieldRow] = []
        self.tab_marks: list[QLabel] = []  # after each tab's name: a dot while a field on it has an error
        self.asking = False  # the unsaved-changes question shows
        self._pending = False  # a check is queued after an edit
        self._focus_before: QWidget | None = None
        self._focused_once = False
        self.autostart_box: QCheckBox | None = None  # start at login, where it can work
        self._loading_autostart = False
        self.setMinimumWidth(MIN_WIDTH)
        self._build()
        self.form.reload(quiet=True)
        self._show_form()

    # ----- building ------------------------------------------------------------------------------------

    def _build(self) -> None:
        # Made in reading order, which is also the Tab order.
        w = self.words
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        self.pages = QStackedWidget()  # the tabs, or the read-only notice in their place (same size)
        self.tabs = QTabWidget()
        for index, key in enumerate(TAB_KEYS):
            page = QWidget()
            if key == "routines":
                self.routines = RoutinesEditor(self.form, self._edited, self.tabs.tabBar())
                box = QVBoxLayout(page)
                box.addWidget(self.routines)
            else:
                self._build_tab(page, index, key)
            self.tabs.addTab(page, w[f"tab_{key}"])
            self.tabs.tabBar().setTabButton(index, QTabBar.ButtonPosition.RightSide, self._tab_mark())
        self.pages.addWidget(self.tabs)
        self.notice = QLabel("")
        self.notice.setWordWrap(True)
        self.notice.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.pages.addWidget(self.notice)
        outer.addWidget(self.pages, 1)

        # Under the tabs: problems in the file that no field shows (only while there are some) and the
        # status line (saved, changed on disk, ...), always one button high so nothing jumps.
        self.elsewhere = ink_label("")
        self.elsewhere.setWordWrap(True)
        self.elsewhere.hide()
        outer.addWidget(self.elsewhere)
        status_row = QWidget()
        status = QHBoxLayout(status_row)
        status.setContentsMargins(0, 4, 0, 0)
        self.status = NoteLine()
        status.addWidget(self.status, 1)
        self.reload_button = CalmButton(w["reload"])
        self.reload_button.clicked.connect(self.reload)
        status.addWidget(self.reload_button)
        status_row.setMinimumHeight(self.reload_button.sizeHint().height() + 4)
        outer.addWidget(status_row)

        # The buttons, or (after Close with unsaved changes) the question in their place.
        self.ends = QStackedWidget()
        actions = QWidget()
        row = QHBoxLayout(actions)
        row.setContentsMargins(0, 6, 0, 0)
        self.open_button = CalmButton(w["open_file"], "quiet")
        self.open_button.clicked.connect(self.open_file)
        row.addWidget(self.open_button)
        row.addStretch(1)
        self.save_button = CalmButton(w["save"], "primary")
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.save_button)
        self.close_button = CalmButton(w["close"])
        self.close_button.clicked.connect(self.close_asked)
        row.addWidget(self.close_button)
        self.ends.addWidget(actions)
        question = QWidget()
        row = QHBoxLayout(question)
        row.setContentsMargins(0, 6, 0, 0)
        row.addWidget(QLabel(w["unsaved"]))
        row.addStretch(1)
        self.keep_button = CalmButton(w["keep_editing"], "primary")
        self.keep_button.clicked.connect(self.keep_editing)
        row.addWidget(self.keep_button)
        self.discard_button = CalmButton(w["discard"])
        self.discard_button.clicked.connect(self.discard)
        row.addWidget(self.discard_button)
        self.ends.addWidget(question)
        outer.addWidget(self.ends)
        self.default_button = self.save_button

        for keys, step in (("Ctrl+Tab", 1), ("Ctrl+Shift+Tab", -1)):  # from anywhere, the prompts' text too
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda step=step: self._cycle_tab(step))

    def _tab_mark(self) -> QLabel:
        """The dot after a tab's name while a field on it has an error: its room is always there, so no
        tab moves when one shows."""
        mark = QLabel("")
        metrics = QFontMetrics(mark.font())
        mark.setFixedSize(metrics.horizontalAdvance(TAB_MARK.strip()) + 2, metrics.height())
        mark.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        palette = mark.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(error_ink()))
        mark.setPalette(palette)
        self.tab_marks.append(mark)
        return mark

    def _build_tab(self, page: QWidget, tab: int, key: str) -> None:
        grid = QGridLayout(page)
        grid.setContentsMargins(16, 14, 16, 10)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(2)
        grid.setColumnStretch(2, 1)
        row = 0
        setting_of = {id(s.spec): s for s in self.form.settings}
        for spec in SETTINGS[key]:
            made = FieldRow(grid, row, setting_of[id(spec)], self.words, self.form.language, self._edited)
            self.rows.append(made)
            row = grid.rowCount()
            if key == "general" and spec.kind == "choice":
                row = self._autostart_row(grid, row)
        if key == "general":
            where = ink_label(self.words["file_is"].format(path=home_short(self.form.path)))
            where.setWordWrap(True)
            grid.addWidget(where, row, 0, 1, 3)
            row += 1
        grid.setRowStretch(row, 1)

    def _autostart_row(self, grid: QGridLayout, row: int) -> int:
        """Start at login: not in the file (rustlamp.system.autostart); left out where that cannot work."""
        if self.form.autostart is None:
            return row
        box = QCheckBox(self.words["autostart"])
        box.setAccessibleName(self.words["autostart"])

        def toggled(on: bool) -> None:
            if not self._loading_autostart:
                self.form.autostart_current = on
                self._edited()

        box.toggled.connect(toggled)
        grid.addWidget(box, row, 0, 1, 3)
        grid.addWidget(NoteLine(), row + 1, 0, 1, 3)  # the same room under it as under every row
        self.autostart_box = box
        return row + 2

    # ----- showing the form -------------------------------------------------------------------------

    def _show_form(self) -> None:
        """Everything from the form: values (after a load), problems, tab marks, Save, the status line."""
        form = self.form
        if form.read_only is not None:
            self.notice.setText(form.read_only_words())
            self.notice.setAccessibleName(form.read_only_words())
            self.pages.setCurrentWidget(self.notice)
        else:
            if self.pages.currentWidget() is self.notice:
                self.pages.setCurrentWidget(self.tabs)
            for row in self.rows:
                row.show()
            self.routines.show_routines()
            box = self.autostart_box
            if box is not None:
                self._loading_autostart = True
                box.setChecked(form.autostart_current)
                self._loading_autostart = False
        self._show_problems()

    def _show_problems(self) -> None:
        form = self.form
        for row in self.rows:
            row.say_problems()
        self.routines.say_problems()
        for tab, key in enumerate(TAB_KEYS):
            marked = form.read_only is None and form.tab_has_error(tab)
            name = self.words[f"tab_{key}"]
            mark = self.tab_marks[tab]
            mark.setText(TAB_MARK.strip() if marked else "")
            mark.setAccessibleName(self.words["tab_problem"] if marked else "")
            # heard as its name, with what the dot means as its description (and tool tip)
            self.tabs.tabBar().setAccessibleTabName(tab, name)
            self.tabs.setTabToolTip(tab, self.words["tab_problem"] if marked else "")
        words, error = form.elsewhere_words()
        self.elsewhere.setText(words)
        palette = self.elsewhere.palette()
        ink = QColor(error_ink()) if error else self.palette().color(QPalette.ColorRole.PlaceholderText)
        palette.setColor(QPalette.ColorRole.WindowText, ink)
        self.elsewhere.setPalette(palette)
        self.elsewhere.setVisible(bool(words))
        self.save_button.setVisible(form.read_only is None)
        self.save_button.setEnabled(form.can_save)
        self.status.say((form.status.words,) if form.status.words else (), form.status.trouble)
        offer = form.status.offers_reload or form.read_only is not None
        if not offer and self.reload_button.hasFocus():
            self.tabs.tabBar().setFocus()
        self.reload_button.setVisible(offer)

    def _edited(self) -> None:
        """The person changed something: check it once the events queued now are done."""
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self._check)

    def _check(self) -> None:
        if self._pending:
            self._pending = False
            self.form.edited()
            self._show_problems()

    # ----- the buttons ------------------------------------------------------------------------------

    def save(self) -> None:
        self._check()  # Enter right after a change: check it first
        if self.asking or not self.form.can_save:
            return
        before = self.form.routines
        self.form.save()
        if self.form.routines is not before:  # read again after writing: the values as the file has them
            self._show_form()
        else:
            self._show_problems()

    def reload(self) -> None:
        self.form.reload()
        self._show_form()

    def open_file(self) -> None:
        self.form.open_file()
        self._show_form()

    def close_asked(self) -> None:
        """Sluiten/Close, Esc, the window manager's close: with unsaved changes, ask once first."""
        self._check()
        if self.asking:
            return
        if self.form.has_changes():
            self._ask()
        else:
            self.leave()

    def _ask(self) -> None:
        self.asking = True
        self._focus_before = QApplication.focusWidget()
        self.ends.setCurrentIndex(1)
        self.keep_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def keep_editing(self) -> None:
        if not self.asking:
            return
        self.asking = False
        self.ends.setCurrentIndex(0)
        before = self._focus_before
        (before if before is not None and before.isVisible() else self.tabs.tabBar()).setFocus()

    def discard(self) -> None:
        self.leave()

    def default_outcome(self) -> Outcome:
        return SettingsSaved() if self.form.saved else Closed()

    # ----- keys -------------------------------------------------------------------------------------

    def escape(self) -> None:
        if self.asking:
            self.keep_editing()
        else:
            self.close_asked()

    def enter(self) -> bool:
        focused = QApplication.focusWidget()
        if self.asking:
            return super().enter() if focused in (self.keep_button, self.discard_button) else True
        if focused is self.routines.new_name:
            self.routines.add()
            return True
        if isinstance(focused, CalmButton):
            return super().enter()
        self.save()
        return True

    def _cycle_tab(self, step: int) -> None:
        if self.form.read_only is None and not self.asking:
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())
            self.tabs.tabBar().setFocus(Qt.FocusReason.TabFocusReason)

    def reject(self) -> None:  # QDialog's own way out: as Esc
        self.escape()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.ended and self.told is None:
            self._check()
            if self.form.has_changes():
                event.ignore()
                self._ask()  # first: bring_to_front gives the focus back to where it is now, Keep editing
                self.bring_to_front()
                return
        super().closeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._focused_once:
            return
        self._focused_once = True
        if self.form.read_only is not None:
            self.open_button.setFocus()
        else:
            self.tabs.tabBar().setFocus()  # opened by the person: the keys may come to the tabs at once


def run(request: SettingsRequest, raise_fd: int | None = None) -> int:
    """Show the window until it is closed; its JSON line is printed on the way out."""
    return run_window(SettingsWindow(request.language, request.config), raise_fd)


def main(argv: Sequence[str] | None = None) -> int:
    return window_main("settings_window", lambda: SettingsRequest.from_argv(argv), run)


if __name__ == "__main__":
    sys.exit(main())
