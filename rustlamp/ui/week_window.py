"""The "Deze week" / "This week" window: the week's picture, the week in one sentence, the week day by day
in words, and a Close button; a small, calm Qt window run as a child process.

    python -m rustlamp.ui.week_window --language nl|en --entries FILE [--today YYYY-MM-DD]

The arguments are rustlamp.ui.contract.WeekRequest's. FILE is a JSON list of journal entries, as
rustlamp.core.entries_json writes them; "-" reads them from stdin (as the lamp sends them). The week ends
with --today (default: today's local date). The window reads nothing else; rustlamp.core.week decides what
it shows. It tells how it ended in one JSON line on stdout (rustlamp.ui.contract):

    Closed       Sluiten/Close, Enter, Esc, or the window manager's close
    CannotOpen   Qt could not start here (status 2; see rustlamp.ui.qt_common)

Bad arguments or entries: status 2 with the reason on stderr (the entry and field for bad entries); no
display: status 2 and a line on stderr; nothing on stdout in either case.

As a screen reader and voice control see it: a dialog named by its title; the picture, an image named
"De week in stippen"; the week's sentence as a label; a list named "Per dag" with one item per day in
words, oldest first ("zondag 12 mei, vandaag: 2 rustmomenten (waarvan 1 poging), 1 check-in (adem:
rustig)"), which says everything the dots show, so no colour carries a meaning alone; and the Sluiten
button. Keys: the list has the focus when the window opens (its first day is read at once); the arrow
keys go from day to day, Tab to Sluiten and back; Enter, Space on Sluiten, or Esc close.

Follows the desktop's light or dark scheme (the picture is drawn again when it changes) and its font and
scale (the picture grows with the font and is drawn at the screen's pixel ratio, so it stays sharp).
Bring to front on SIGUSR1 as the other windows; never forced on top, never grabs input.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFontInfo, QFontMetrics, QGuiApplication, QImage, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QVBoxLayout,
)

from rustlamp.core.entries import Entry
from rustlamp.core.entries_json import entries_from_json
from rustlamp.core.week import WeekSummary, day_line, summarize_week, summary_line, week_text
from rustlamp.ui.contract import Closed, Outcome, WeekRequest
from rustlamp.ui.lifecycle import FAILED
from rustlamp.ui.qt_common import CalmButton, CalmWindow, current_scheme, font_scaled, run_window, window_main
from rustlamp.ui.week_picture import render_week

NAME = "week_window"
PICTURE_FONT_PX = 13  # the picture's day names at scale 1: it grows when the desktop's font is larger


class BadEntries(ValueError):
    """The entries cannot be read; the message names the source and what is wrong."""


@dataclass(frozen=True)
class Options:
    language: str
    entries: tuple[Entry, ...]
    today: date


def read_entries(source: str) -> tuple[Entry, ...]:
    """The entries from a file or stdin ("-"), as UTF-8 whatever the locale says (the lamp writes them so,
    and a note may hold any letter)."""
    name = "stdin" if source == "-" else source
    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
        raw = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadEntries(f"cannot read the entries from {name}: {exc}") from None
    try:
        return tuple(entries_from_json(json.loads(raw)))
    except json.JSONDecodeError as exc:
        raise BadEntries(f"{name} is not JSON: {exc}") from None
    except ValueError as exc:
        raise BadEntries(f"{name}: {exc}") from None


def parse_args(argv: Sequence[str] | None = None) -> Options:
    """The options from the arguments; bad ones end the program with status 2 and the reason."""
    request = WeekRequest.from_argv(argv)
    try:
        entries = read_entries(request.entries)
    except BadEntries as exc:
        print(f"{NAME}: {exc}", file=sys.stderr)
        raise SystemExit(FAILED) from None
    today = request.today or datetime.now().astimezone().date()
    return Options(language=request.language, entries=entries, today=today)


def picture_pixmap(summary: WeekSummary, language: str, scale: float, ratio: float) -> QPixmap:
    """The week's picture, `scale` times its 96-dpi size in device-independent pixels, drawn at the screen's
    pixel `ratio` so it stays sharp on a HiDPI screen; in the desktop's scheme."""
    image = render_week(summary, language, scale * ratio, caption=False, scheme=current_scheme())
    data = image.tobytes("raw", "RGB")
    qimage = QImage(data, image.width, image.height, 3 * image.width, QImage.Format.Format_RGB888)
    pixmap = QPixmap.fromImage(qimage.copy())  # copy: the QImage only borrows `data`
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


class WeekWindow(CalmWindow):
    def __init__(self, options: Options) -> None:
        self.language = options.language
        super().__init__(week_text(options.language, "title"))
        self.summary = summarize_week(options.entries, options.today)
        # The picture's words grow with the desktop's font, never below their 96-dpi size.
        self.scale = max(1.0, QFontInfo(QApplication.font()).pixelSize() / PICTURE_FONT_PX)
        self._build()
        self._fit_days()
        hints = QGuiApplication.styleHints()
        hints.colorSchemeChanged.connect(lambda _scheme: self.draw_picture())

    def _build(self) -> None:
        language, summary = self.language, self.summary
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 16)
        layout.setSpacing(8)

        self.picture = QLabel()
        self.picture.setAccessibleName(week_text(language, "picture"))
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.draw_picture()
        layout.addWidget(self.picture)

        self.line = QLabel(summary_line(summary, language))
        self.line.setWordWrap(True)
        self.line.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.line.setFont(font_scaled(self.line, 1.05))
        layout.addWidget(self.line)

        self.days = QListWidget()
        self.days.setAccessibleName(week_text(language, "days"))
        self.days.setFrameShape(QFrame.Shape.NoFrame)
        self.days.setWordWrap(True)
        self.days.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.days.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.days.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.days.setStyleSheet(
            "QListWidget { background: transparent; } QListWidget::item { padding: 2px; }"
        )
        for day in summary.days:
            item = QListWidgetItem(day_line(day, language, summary.today))
            if day.day == summary.today:
                font = font_scaled(self.days, 1.0)
                font.setBold(True)  # today stands out in words ("vandaag") and weight, not in colour
                item.setFont(font)
            self.days.addItem(item)
        self.days.setCurrentRow(0)
        layout.addWidget(self.days)

        row = QHBoxLayout()
        row.addStretch(1)
        self.close_button = CalmButton(week_text(language, "close"), "primary")
        self.close_button.clicked.connect(self.leave)
        row.addWidget(self.close_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.default_button = self.close_button

    def draw_picture(self) -> None:
        """Draw the picture for the screen's pixel ratio and the desktop's scheme (again when it changes)."""
        self.picture.setPixmap(
            picture_pixmap(self.summary, self.language, self.scale, self.devicePixelRatioF())
        )

    def _fit_days(self) -> None:
        """The list as tall as its days at the picture's width: no scroll bar, nothing cut off. Each day is
        measured wrapped at the width it gets (the list's own row hints know no width yet, so a day that
        wraps, as in a longer language, would otherwise push the last days out of sight)."""
        width = round(self.picture.pixmap().deviceIndependentSize().width())
        self.days.setFixedWidth(width)
        # the text's room: the list's frame, the item's padding (2 px a side) and the style's text margins
        margin = self.days.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.days) + 1
        room = width - 2 * self.days.frameWidth() - 2 * (2 + margin)
        height = 0
        for row in range(self.days.count()):
            item = self.days.item(row)
            metrics = QFontMetrics(item.font())
            wrapped = metrics.boundingRect(
                QRect(0, 0, room, 10_000), Qt.TextFlag.TextWordWrap, item.text()
            ).height()
            tall = max(self.days.sizeHintForRow(row), wrapped + 2 * 2 + 2)
            item.setSizeHint(QSize(width - 2 * self.days.frameWidth(), tall))
            height += tall
        self.days.setFixedHeight(height + 2 * self.days.frameWidth() + 4)

    def default_outcome(self) -> Outcome:
        return Closed()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if QApplication.focusWidget() is None:
            self.days.setFocus(Qt.FocusReason.ActiveWindowFocusReason)  # opened by the person: read at once


def run(options: Options, raise_fd: int | None = None) -> int:
    return run_window(WeekWindow(options), raise_fd)


def main(argv: Sequence[str] | None = None) -> int:
    return window_main(NAME, lambda: parse_args(argv), run)


if __name__ == "__main__":
    sys.exit(main())
