"""A small window built only from rustlamp.ui.qt_common, for the tests of the shared Qt base and of the
AT-SPI harness: a question with three answers in a group, and two buttons (Klaar is the default).

    python tests/qt_sample_window.py     prints {"outcome": "done"} (Klaar) or {"outcome": "closed"}
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QRadioButton, QVBoxLayout

from rustlamp.ui.contract import BreakDone, Closed, Outcome
from rustlamp.ui.qt_common import CalmButton, CalmWindow, run_window, window_main


class SampleWindow(CalmWindow):
    def __init__(self) -> None:
        super().__init__("Voorbeeld")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Adem rustig in en uit."))
        group = QGroupBox("Hoe voelt je lichaam?")
        answers = QVBoxLayout(group)
        for answer in ("gespannen", "moe", "ontspannen"):
            answers.addWidget(QRadioButton(answer))
        layout.addWidget(group)
        buttons = QHBoxLayout()
        self.done = CalmButton("Klaar", "primary")
        self.done.clicked.connect(lambda: self.settle(BreakDone()) and self.end())
        buttons.addWidget(self.done)
        later = CalmButton("Later")
        later.clicked.connect(self.leave)
        buttons.addWidget(later)
        layout.addLayout(buttons)
        self.default_button = self.done

    def default_outcome(self) -> Outcome:
        return Closed()


def main() -> int:
    return window_main("sample_window", lambda: None, lambda _options, fd: run_window(SampleWindow(), fd))


if __name__ == "__main__":
    sys.exit(main())
