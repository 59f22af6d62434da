"""The break window: a small, calm Qt window with the prompt and a breathing guide, run as a child process.

    python -m rustlamp.ui.break_window --language nl|en --length SECONDS --inhale SECONDS
        --exhale SECONDS --prompt TEXT --snooze SECONDS [--snooze SECONDS ...] [--offer-checkin]
        [--attempt-reply TEXT]

The arguments are rustlamp.ui.contract.BreakRequest's: --prompt is the sentence the person was shown
(and clicked, when the break came from a reminder), --attempt-reply the mild words after "Didn't work
out now" (without it, the window's own short reply). The window reads no settings. It tells how it
ended in one JSON line on stdout (rustlamp.ui.contract), the moment the person answers:

    BreakDone          Klaar/Done (button, or Enter); natural: the countdown reached zero;
                       checkin: Even inchecken… / Check in… (only with --offer-checkin)
    BreakLater         a snooze choice (one of the --snooze values); Esc twice, or closing the window,
                       gives the first one
    BreakAttempt       Lukte nu niet / Didn't work out now (a mild reply shows for ~2 s, then it goes)
    CannotOpen         Qt could not start here (status 2; see rustlamp.ui.qt_common)

As a screen reader and voice control see it (AT-SPI and friends, through Qt): a dialog named by its title;
the prompt as a label; the breathing circle named by its pace ("Ademcirkel: 4 s in, 6 s uit"), with the
breathing words beside it whose accessible name stays "Adem in, adem uit" (the words on screen change
every few seconds; a screen reader is not told each time); three push buttons Klaar, Later, Lukte nu niet;
after Later a group "Herinner me over" with a button per choice (arrow keys move within it, Tab leaves
it); the optional quiet check-in button; the countdown, whose accessible name changes once a minute.
Keyboard: Tab goes through them in reading order, Space or Enter presses the focused button, Enter
elsewhere is Klaar, Esc is Later (the choices), Esc again leaves with the first choice.

Bring to front on SIGUSR1 (Linux and macOS): see rustlamp.ui.qt_common and rustlamp.ui.lifecycle; the
parent spawns the window with SIGUSR1 ignored so an early signal is harmless. The window never goes
fullscreen, is never forced on top and never grabs input; the circle is drawn only while it is seen.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Sequence
from datetime import timedelta

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QHideEvent, QPainter, QPaintEvent, QPen, QPixmap, QShowEvent
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from rustlamp.core.catalog import catalog
from rustlamp.core.texts import human_duration, text
from rustlamp.ui.breathing import breath, format_left
from rustlamp.ui.contract import BreakAttempt, BreakDone, BreakLater, BreakRequest, Outcome
from rustlamp.ui.qt_common import (
    ArrowGroup,
    CalmButton,
    CalmWindow,
    QuietLabel,
    current_scheme,
    font_scaled,
    run_window,
    window_main,
)

__all__ = ["BreakWindow", "breath", "format_left", "main"]

BASE_WIDTH, BASE_HEIGHT = 420, 380  # the least it is, in device-independent pixels
FRAME_MS = 40  # 25 frames a second: smooth enough for a slow circle, cheap enough for a laptop
ATTEMPT_REPLY_MS = 2000  # long enough to read the reply, short enough not to hold anyone up
CIRCLE_SIZE = 150


class BreathingCircle(QLabel):
    """A soft circle that grows while breathing in and shrinks while breathing out, inside the faint
    outline of a full breath. Drawn by hand, but an image to assistive technology (a QLabel with a pixmap
    is one), named by its pace."""

    def __init__(self, name: str) -> None:
        super().__init__()
        blank = QPixmap(1, 1)
        blank.fill(Qt.GlobalColor.transparent)
        self.setPixmap(blank)
        self.size_now = 0.0
        self.setFixedSize(CIRCLE_SIZE, CIRCLE_SIZE)
        self.setAccessibleName(name)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def paintEvent(self, _event: QPaintEvent) -> None:
        scheme = current_scheme()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        centre = QPointF(self.width() / 2, self.height() / 2)
        outer = min(self.width(), self.height()) / 2 - 2
        painter.setPen(QPen(QColor(scheme.circle_track), 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(centre, outer, outer)
        largest = outer - 7  # a full breath stops a little short of the outline, so it stays a guide
        radius = largest * (0.4 + 0.6 * self.size_now)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(scheme.circle))
        painter.drawEllipse(QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius))
        painter.end()


class BreakWindow(CalmWindow):
    """The window and its small state machine."""

    def __init__(self, request: BreakRequest) -> None:
        self.request = request
        self.language = request.language
        super().__init__(self._t("break_title"))
        self._deadline = time.monotonic() + request.length.total_seconds()
        self._breath_start: float | None = None
        self._phase = ""
        self._snoozes_shown = False
        self._build()
        self._frames = QTimer(self)
        self._frames.setInterval(FRAME_MS)
        self._frames.timeout.connect(self._frame)
        self._tick()

    def _t(self, key: str, **values: object) -> str:
        return text(self.language, key, **values)

    # ----- building -------------------------------------------------------------------------------

    def _build(self) -> None:
        request = self.request
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 8)
        layout.setSpacing(8)

        self.prompt = QLabel(request.prompt)
        self.prompt.setWordWrap(True)
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt.setFont(font_scaled(self.prompt, 1.3))
        self.prompt.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.prompt.setVisible(bool(request.prompt))
        layout.addWidget(self.prompt)

        pace = {
            "inhale": human_duration(self.language, request.inhale),
            "exhale": human_duration(self.language, request.exhale),
        }
        self.circle = BreathingCircle(self._t("break_guide", **pace))
        layout.addWidget(self.circle, 0, Qt.AlignmentFlag.AlignHCenter)
        self.breath_words = QuietLabel()
        self.breath_words.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.breath_words.setFont(font_scaled(self.breath_words, 1.1))
        self._breath_said = f"{self._t('break_breathe_in')}, {self._t('break_breathe_out').lower()}"
        self.breath_words.show_text(self._t("break_breathe_in"), self._breath_said)
        layout.addWidget(self.breath_words)
        layout.addStretch(1)

        # The three answers, in reading (and Tab) order.
        self.answer_row = QWidget()
        row = QHBoxLayout(self.answer_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        self.done_button = CalmButton(self._t("break_done"), "primary")
        self.later_button = CalmButton(self._t("break_later"))
        self.attempt_button = CalmButton(self._t("break_attempt"))
        for button in (self.done_button, self.later_button, self.attempt_button):
            row.addWidget(button)
        row.addStretch(1)
        self.done_button.clicked.connect(self.rested)
        self.later_button.clicked.connect(self.show_snoozes)
        self.attempt_button.clicked.connect(self.attempt)
        self.default_button = self.done_button
        layout.addWidget(self.answer_row)

        # Later's choices: a named group, hidden until asked for, its place kept so nothing moves.
        self.snooze_group = QGroupBox(self._t("break_remind_in"))
        self.snooze_group.setFlat(True)
        self.snooze_group.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        choices = QHBoxLayout(self.snooze_group)
        choices.setContentsMargins(0, 0, 0, 0)
        choices.addStretch(1)
        self.snooze_buttons: list[CalmButton] = []
        for choice in request.snooze:
            button = CalmButton(human_duration(self.language, choice))
            button.clicked.connect(lambda _checked=False, choice=choice: self.later(choice))
            choices.addWidget(button)
            self.snooze_buttons.append(button)
        choices.addStretch(1)
        self.snooze_arrows = ArrowGroup(self.snooze_buttons)
        policy = self.snooze_group.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.snooze_group.setSizePolicy(policy)
        self.snooze_group.hide()
        layout.addWidget(self.snooze_group)

        self.reply = QLabel(request.attempt_reply or self._t("break_attempt_reply"))
        self.reply.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reply.setFont(font_scaled(self.reply, 1.1))
        self.reply.setWordWrap(True)
        self.reply.hide()
        layout.addWidget(self.reply)

        # The bottom line: the quiet check-in button (when offered) on the left, the countdown on the right.
        bottom = QHBoxLayout()
        self.checkin_button: CalmButton | None = None
        if request.offer_checkin:
            self.checkin_button = CalmButton(catalog(self.language).word("checkin.offer"), "quiet")
            self.checkin_button.clicked.connect(self.done_and_check_in)
            bottom.addWidget(self.checkin_button)
        bottom.addStretch(1)
        self.countdown = QuietLabel()
        self.countdown.setFont(font_scaled(self.countdown, 0.9))
        self.countdown.setForegroundRole(self.countdown.foregroundRole())
        bottom.addWidget(self.countdown)
        layout.addLayout(bottom)
        self._colour_quiet_words()
        self.setMinimumSize(QSize(BASE_WIDTH, BASE_HEIGHT))
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def _colour_quiet_words(self) -> None:
        scheme = current_scheme()
        self.breath_words.setStyleSheet(f"color: {scheme.soft_ink}")
        self.countdown.setStyleSheet(f"color: {scheme.muted}")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._colour_quiet_words()  # the desktop went dark or light
        super().changeEvent(event)

    # ----- the circle and the countdown ---------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._breath_start is None:
            self._breath_start = time.monotonic()
            self.done_button.setFocus(Qt.FocusReason.ActiveWindowFocusReason)
        self._frames.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self._frames.stop()  # nobody sees the circle now
        super().hideEvent(event)

    def _frame(self) -> None:
        if self.isMinimized():
            self._frames.stop()
            return
        start = self._breath_start if self._breath_start is not None else time.monotonic()
        inhale, exhale = self.request.inhale.total_seconds(), self.request.exhale.total_seconds()
        phase, size = breath(time.monotonic() - start, inhale, exhale)
        self.circle.size_now = size
        self.circle.update()
        if phase != self._phase:
            self._phase = phase
            words = self._t("break_breathe_in" if phase == "in" else "break_breathe_out")
            self.breath_words.show_text(words, self._breath_said)

    def _tick(self) -> None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            self.finish(BreakDone(natural=True))
            return
        minutes = timedelta(minutes=math.ceil(left / 60))
        self.countdown.show_text(
            self._t("break_time_left", time=format_left(left)),
            self._t("break_time_left", time=human_duration(self.language, minutes)),
        )
        # Wake again just after the shown value changes (it rounds up), not on a fixed beat.
        wait = left - (math.ceil(left) - 1)
        QTimer.singleShot(max(1, math.ceil(wait * 1000) + 1), self._tick)

    # ----- outcomes -------------------------------------------------------------------------------

    def default_outcome(self) -> Outcome:
        return BreakLater(self.request.snooze[0])

    def finish(self, outcome: Outcome) -> None:
        self.settle(outcome)
        self.end()

    def rested(self) -> None:
        self.finish(BreakDone())

    def done_and_check_in(self) -> None:
        self.finish(BreakDone(checkin=True))

    def later(self, choice: timedelta) -> None:
        self.finish(BreakLater(choice))

    def show_snoozes(self) -> None:
        if len(self.request.snooze) == 1 or self.told is not None:
            self.leave()  # one choice, nothing to choose; or an attempt is already being answered
            return
        self._snoozes_shown = True
        self.snooze_group.show()
        self.snooze_buttons[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def attempt(self) -> None:
        """Record the attempt at once, answer mildly, and close after a moment."""
        if not self.settle(BreakAttempt()):
            return
        for widget in (self.answer_row, self.snooze_group, self.checkin_button):
            if widget is not None:
                widget.hide()  # the attempt is the answer now; nothing else to choose
        self.reply.show()
        self.end(after_ms=ATTEMPT_REPLY_MS)

    def escape(self) -> None:
        if self.told is not None:
            return
        if self._snoozes_shown:
            self.leave()
        else:
            self.show_snoozes()

    def enter(self) -> bool:
        return self.told is None and super().enter()


def run(request: BreakRequest, raise_fd: int | None = None) -> int:
    return run_window(BreakWindow(request), raise_fd)


def main(argv: Sequence[str] | None = None) -> int:
    # no radio buttons nor check boxes here: Qt's style as it is (see start_application)
    return window_main("break_window", lambda: BreakRequest.from_argv(argv), run, indicators=False)


if __name__ == "__main__":
    sys.exit(main())
