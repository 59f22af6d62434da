"""The check-in window: the article's three questions in a small, calm Qt window, run as a child process.

    python -m rustlamp.ui.checkin_window --language nl|en

Every answer is optional and takes one click, or one key: how the body feels (one of five, plus four
body signals to tick), the breath (calm, hurried, don't know), what I need (a line, with suggestions that
fill it in), and a note. All words come from the packaged content ([checkin] in
rustlamp/content/<language>.toml). It tells how it ended in one JSON line on stdout
(rustlamp.ui.contract), the moment it is settled:

    CheckinSaved       Bewaren/Save, Enter or Ctrl+Enter (an empty check-in is saved too: every
                       attempt counts); a short thank-you then shows for about a second
    CheckinCancelled   Niet nu/Not now, Esc, or closing the window: nothing is kept
    CannotOpen         Qt could not start here (status 2; see rustlamp.ui.qt_common)

As assistive technology sees it: a dialog named "Even inchecken"; each question a group (a panel named
by the question) of radio buttons or check boxes named by their answers, so "click Moe" works by voice;
the need's line and the note are text fields named by their labels; the suggestions a group of push
buttons; Bewaren and Niet nu push buttons. A chosen answer is "checked" (on screen the style's filled
circle or tick, never colour alone).

Keys: Tab and Shift+Tab go from group to group in reading order; the arrow keys move within a group of
answers; Space chooses an answer (again: un-chooses it) or presses a button; Enter saves, except in the
note (a new line) and on Niet nu (which it presses); Ctrl+Enter saves from anywhere; Esc keeps nothing.
Bring to front on SIGUSR1 as in the break window. Never fullscreen, never on top, never grabs input.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from rustlamp.core.checkin import BODY_SIGNALS, MAX_NEED, MAX_NOTE, CheckInAnswers
from rustlamp.core.content import Content, load_content
from rustlamp.ui.contract import CheckinCancelled, CheckinRequest, CheckinSaved, Outcome
from rustlamp.ui.qt_common import ArrowGroup, CalmButton, CalmWindow, font_scaled, run_window, window_main

BASE_WIDTH = 500  # the least it is, in device-independent pixels; wider when the words need it
THANKS_MS = 1200  # enough to see the thank-you, short enough not to hold anyone up
NOTE_LINES = 3


def one_line(text: str, limit: int) -> str:
    """A pasted line break becomes a space; blank edges go; at most `limit` characters."""
    return " ".join(text.splitlines()).strip()[:limit].rstrip()


class CheckinWindow(CalmWindow):
    """The form and its outcome."""

    def __init__(self, content: Content) -> None:
        super().__init__(content.checkin_title)
        self.words = content.checkin_words
        self._was_chosen = False
        self._build(content.checkin_questions)
        save_keys = ("Ctrl+Return", "Ctrl+Enter")
        self._shortcuts = [QShortcut(QKeySequence(keys), self, self.save) for keys in save_keys]
        self.setMinimumWidth(BASE_WIDTH)

    # ----- building -------------------------------------------------------------------------------

    def _group(self, layout: QVBoxLayout, title: str) -> QGroupBox:
        group = QGroupBox(title)
        group.setAccessibleName(title)
        group.setFont(font_scaled(group, 1.05))
        layout.addWidget(group)
        return group

    def _answers(
        self,
        group: QGroupBox,
        labels: Mapping[str, str],
        columns: int,
        kind: type[QRadioButton] | type[QCheckBox],
    ) -> dict[str, QAbstractButton]:
        """One answer per key, in the given order (reading, Tab and arrow order); one Tab stop."""
        grid = QGridLayout(group)
        answers: dict[str, QAbstractButton] = {}
        for index, (key, label) in enumerate(labels.items()):
            button = kind(label)
            button.setFont(font_scaled(button, 1.0))
            if isinstance(button, QRadioButton):
                # One of a kind (Qt's own, which also makes it a radio button to assistive technology);
                # and optional: choosing the chosen one again un-chooses it.
                button.pressed.connect(lambda button=button: self._note_state(button))
                button.clicked.connect(lambda _checked=False, button=button: self._again_unchooses(button))
            grid.addWidget(button, index // columns, index % columns)
            answers[key] = button
        self._arrow_groups.append(ArrowGroup(list(answers.values())))
        return answers

    def _note_state(self, button: QAbstractButton) -> None:
        self._was_chosen = button.isChecked()

    def _again_unchooses(self, button: QAbstractButton) -> None:
        if self._was_chosen and button.isChecked():
            button.setAutoExclusive(False)  # an exclusive button cannot be un-chosen by itself
            button.setChecked(False)
            button.setAutoExclusive(True)
        self._was_chosen = False

    def _build(self, questions: tuple[str, str, str]) -> None:
        words = self.words
        self._arrow_groups: list[ArrowGroup] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        intro = QLabel(words.intro)
        intro.setWordWrap(True)
        layout.addWidget(intro)

        body = self._group(layout, questions[0])
        self.body_choices = self._answers(body, words.body_choices, 5, QRadioButton)
        signals = self._group(layout, words.signals_label)
        self.signal_choices = self._answers(signals, words.signals, 2, QCheckBox)
        breath = self._group(layout, questions[1])
        self.breath_choices = self._answers(breath, words.breath_choices, 3, QRadioButton)

        need = self._group(layout, questions[2])
        need_layout = QVBoxLayout(need)
        self.need = QLineEdit()
        self.need.setMaxLength(MAX_NEED)
        self.need.setAccessibleName(questions[2])
        need_layout.addWidget(self.need)
        suggestions = QGroupBox(words.suggestions_label)
        suggestions.setAccessibleName(words.suggestions_label)
        suggestions.setFlat(True)
        row = QGridLayout(suggestions)
        self.suggestion_buttons: list[CalmButton] = []
        for index, suggestion in enumerate(words.need_suggestions):
            button = CalmButton(suggestion)
            button.clicked.connect(lambda _checked=False, suggestion=suggestion: self.suggest(suggestion))
            row.addWidget(button, index // 2, index % 2)
            self.suggestion_buttons.append(button)
        self._arrow_groups.append(ArrowGroup(self.suggestion_buttons))
        need_layout.addWidget(suggestions)

        note_label = QLabel(words.note)
        layout.addWidget(note_label)
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)  # Tab moves on, as everywhere else in the window
        self.note.setAccessibleName(words.note)
        note_label.setBuddy(self.note)
        lines = self.note.fontMetrics().lineSpacing() * NOTE_LINES
        self.note.setFixedHeight(lines + 2 * self.note.frameWidth() + 8)
        layout.addWidget(self.note)

        # The buttons and, once saved, the thank-you in the same place, so nothing jumps.
        self.end_row = QWidget()
        end = QHBoxLayout(self.end_row)
        end.setContentsMargins(0, 6, 0, 0)
        self.save_button = CalmButton(words.save, "primary")
        self.cancel_button = CalmButton(words.cancel)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.leave)
        end.addWidget(self.save_button)
        end.addWidget(self.cancel_button)
        self.thanks = QLabel(words.thanks)
        self.thanks.setFont(font_scaled(self.thanks, 1.05))
        self.thanks.hide()
        end.addWidget(self.thanks)
        end.addStretch(1)
        self.end_row.setMinimumHeight(self.save_button.sizeHint().height() + 6)
        layout.addWidget(self.end_row)
        self.default_button = self.save_button

    # ----- answering ------------------------------------------------------------------------------

    def suggest(self, suggestion: str) -> None:
        if self.told is None:
            self.need.setText(suggestion)
            self.need.setFocus(Qt.FocusReason.OtherFocusReason)

    def answers(self) -> CheckInAnswers:
        def chosen(answers: Mapping[str, QAbstractButton]) -> str | None:
            return next((key for key, button in answers.items() if button.isChecked()), None)

        return CheckInAnswers(
            body=chosen(self.body_choices),
            signals=tuple(
                s for s in BODY_SIGNALS if s in self.signal_choices and self.signal_choices[s].isChecked()
            ),
            breath=chosen(self.breath_choices),
            need=one_line(self.need.text(), MAX_NEED),
            # A note longer than the journal keeps is cut rather than refused: what was written counts.
            note=self.note.toPlainText().strip()[:MAX_NOTE].rstrip(),
        )

    # ----- outcomes -------------------------------------------------------------------------------

    def default_outcome(self) -> Outcome:
        return CheckinCancelled()

    def save(self) -> None:
        """Keep the answers (an empty check-in too), tell the parent at once, thank, and close."""
        if not self.settle(CheckinSaved(self.answers())):
            return
        self.save_button.hide()
        self.cancel_button.hide()
        self.thanks.show()
        self.end(after_ms=THANKS_MS)

    def leave(self) -> None:
        """Esc, Niet nu/Not now, or the window manager's close: nothing is kept (while the thank-you
        shows, the answers are already kept, and this only closes sooner)."""
        super().leave()

    def enter(self) -> bool:
        focused = QApplication.focusWidget()
        if focused is self.note:
            return False  # a new line
        if focused is self.cancel_button:
            self.leave()
        elif isinstance(focused, CalmButton) and focused is not self.save_button:
            focused.click()  # a suggestion
        else:
            self.save()
        return True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        first = next(iter(self.body_choices.values()))
        if QApplication.focusWidget() is None:
            first.setFocus(Qt.FocusReason.ActiveWindowFocusReason)  # opened by the person: the keys go here


def run(request: CheckinRequest, raise_fd: int | None = None) -> int:
    return run_window(CheckinWindow(load_content(request.language)), raise_fd)


def main(argv: Sequence[str] | None = None) -> int:
    return window_main("checkin_window", lambda: CheckinRequest.from_argv(argv), run)


if __name__ == "__main__":
    sys.exit(main())
