"""Measures what the check-in and settings windows really draw for their radio buttons and check boxes, and
for the outline of every field a person types in (run by tests/test_palette.py as a child process, on Qt's
offscreen platform, in one colour scheme).

Each window is grabbed as Qt paints it (QWidget.grab: the app's real style and palette; the settings
window tab by tab, whose pane Fusion draws lighter than the window). In each control's place its ground is
the colour at its corner, its indicator the pixels that differ from it at its start, and on each of the
indicator's four sides (the middle of the side, 2 pixels deep) the strongest contrast with the ground is
read. A field's outline is its outermost two pixels, read in the middle of each side against the ground
just outside it. Prints one JSON object: for every control, its four sides' contrasts, unfocused and with
the keyboard on it (check-in) or unfocused only (settings); for every field, its four sides' contrasts,
unfocused and with the keyboard in it.

    QT_QPA_PLATFORM=offscreen RUSTLAMP_COLOR_SCHEME=dark python tests/indicator_probe.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QWidget,
)

from rustlamp.core.content import load_content
from rustlamp.ui.checkin_window import CheckinWindow
from rustlamp.ui.palette import contrast
from rustlamp.ui.qt_common import start_application
from rustlamp.ui.settings_window import SettingsWindow


def _hex(image: QImage, x: int, y: int) -> str:
    return QColor(image.pixel(x, y)).name()


def sides(window: QWidget, button: QAbstractButton) -> list[float]:
    """The strongest contrast with the ground on the left, right, top and bottom side of the indicator."""
    corner = button.mapTo(window, QPoint(0, 0))
    image = window.grab().toImage().copy(corner.x(), corner.y(), button.width(), button.height())
    width, height = image.width(), image.height()
    ground = _hex(image, 0, 0)
    span = min(width, 3 * height)  # the indicator is at the start, about as wide as the line is high
    drawn = [
        (x, y) for x in range(span) for y in range(height) if _hex(image, x, y) != ground
    ]  # the indicator and, further on, the first letters
    xs = sorted({x for x, _ in drawn})
    right = xs[0]
    while right + 1 in xs:  # the indicator ends at the first column left blank before the words
        right += 1
    box = [(x, y) for x, y in drawn if x <= right]
    left, top, bottom = xs[0], min(y for _, y in box), max(y for _, y in box)
    middle_x, middle_y = (left + right) // 2, (top + bottom) // 2
    third_w, third_h = max(1, (right - left) // 6), max(1, (bottom - top) // 6)

    def strongest(points: list[tuple[int, int]]) -> float:
        return round(max(contrast(_hex(image, x, y), ground) for x, y in points), 2)

    rows = range(middle_y - third_h, middle_y + third_h + 1)
    columns = range(middle_x - third_w, middle_x + third_w + 1)
    return [
        strongest([(x, y) for x in (left, left + 1) for y in rows]),
        strongest([(x, y) for x in (right - 1, right) for y in rows]),
        strongest([(x, y) for y in (top, top + 1) for x in columns]),
        strongest([(x, y) for y in (bottom - 1, bottom) for x in columns]),
    ]


def outline(window: QWidget, field: QWidget) -> list[float]:
    """The strongest contrast of a field's outline (its outermost two pixels) with the ground just outside it,
    in the middle third of its left, right, top and bottom side."""
    corner = field.mapTo(window, QPoint(0, 0))
    image = window.grab().toImage()
    left, top = corner.x(), corner.y()
    right, bottom = left + field.width() - 1, top + field.height() - 1
    rows = range(top + field.height() // 3, bottom - field.height() // 3 + 1)
    columns = range(left + field.width() // 3, right - field.width() // 3 + 1)

    def strongest(edge: list[tuple[int, int]], outside: tuple[int, int]) -> float:
        ground = _hex(image, *outside)
        return round(max(contrast(_hex(image, x, y), ground) for x, y in edge), 2)

    middle_x, middle_y = (left + right) // 2, (top + bottom) // 2
    return [
        strongest([(x, y) for x in (left, left + 1) for y in rows], (left - 2, middle_y)),
        strongest([(x, y) for x in (right - 1, right) for y in rows], (right + 2, middle_y)),
        strongest([(x, y) for y in (top, top + 1) for x in columns], (middle_x, top - 2)),
        strongest([(x, y) for y in (bottom - 1, bottom) for x in columns], (middle_x, bottom + 2)),
    ]


def text_fields(window: QWidget) -> list[QWidget]:
    return [
        w for w in window.findChildren(QWidget) if isinstance(w, QLineEdit | QPlainTextEdit) and w.isVisible()
    ]


def field_outlines(
    app: QApplication, window: QWidget, name: str, into: dict[str, dict[str, list[float]]]
) -> None:
    for number, field in enumerate(text_fields(window)):
        key = f"{name}: {field.accessibleName() or number}"
        into[key] = {"plain": outline(window, field)}
        field.setFocus()
        app.processEvents()
        into[key]["focused"] = outline(window, field) if field.hasFocus() else []
        field.clearFocus()
        app.processEvents()


def controls(window: QWidget) -> list[QAbstractButton]:
    return [w for w in window.findChildren(QAbstractButton) if isinstance(w, QRadioButton | QCheckBox)]


def main() -> int:
    app = start_application("indicator_probe")
    checkin = CheckinWindow(load_content("en"))
    checkin.show()
    checkin.activateWindow()
    app.processEvents()
    typed: dict[str, dict[str, list[float]]] = {}
    field_outlines(app, checkin, "check-in", typed)
    answers: dict[str, dict[str, list[float]]] = {}
    for button in controls(checkin):
        answers[button.text()] = {"plain": sides(checkin, button)}
        button.setFocus()
        app.processEvents()
        answers[button.text()]["focused"] = sides(checkin, button) if button.hasFocus() else []
    checkin.ended = True  # our own close, not the person's
    checkin.close()

    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config.toml"
        config.write_text("", encoding="utf-8")
        settings = SettingsWindow("en", config, autostart=None)
        settings.resize(settings.sizeHint())
        settings.show()
        app.processEvents()
        fields: dict[str, dict[str, list[float]]] = {}
        for tab in range(settings.tabs.count()):
            settings.tabs.setCurrentIndex(tab)
            app.processEvents()
            field_outlines(app, settings, settings.tabs.tabText(tab), typed)
            for button in controls(settings.tabs.widget(tab)):
                if button.isVisible():
                    fields[f"{settings.tabs.tabText(tab)}: {button.text()}"] = {
                        "plain": sides(settings, button)
                    }
        settings.ended = True
        settings.close()
    style = app.style().objectName() or type(app.style()).__name__
    print(json.dumps({"style": style, "checkin": answers, "settings": fields, "fields": typed}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
