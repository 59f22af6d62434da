"""Measures the outlines Qt really draws around the text fields, spin boxes and combo boxes of the
check-in and settings windows (run by tests/test_palette.py as a child process, on Qt's offscreen
platform, in one colour scheme).

Each window is grabbed as Qt paints it (QWidget.grab, the settings window tab by tab). For every visible
field the ground is the window's colour just outside it; on each of its four sides, in the middle third,
the strongest contrast with that ground among the field's outermost 3 pixels is read (the outline, with
or without a pixel of Fusion's shadow). Prints one JSON object: the style's name, and for every field
its four sides' contrasts.

    QT_QPA_PLATFORM=offscreen RUSTLAMP_COLOR_SCHEME=dark python tests/field_probe.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit, QPlainTextEdit, QWidget

from rustlamp.core.content import load_content
from rustlamp.ui.checkin_window import CheckinWindow
from rustlamp.ui.palette import contrast
from rustlamp.ui.qt_common import start_application
from rustlamp.ui.qt_style import style_name
from rustlamp.ui.settings_window import SettingsWindow

KINDS = (QLineEdit, QPlainTextEdit, QAbstractSpinBox, QComboBox)
GAP = 3  # how far outside the field its ground is read


def _hex(image: QImage, x: int, y: int) -> str:
    return QColor(image.pixel(x, y)).name()


def fields(root: QWidget) -> list[QWidget]:
    found = [w for w in root.findChildren(QWidget) if isinstance(w, KINDS) and w.isVisible()]
    # a spin box's or an editable combo box's own line edit is inside its outline, not an outline itself
    return [w for w in found if not (isinstance(w, QLineEdit) and isinstance(w.parent(), KINDS))]


def sides(window: QWidget, image: QImage, field: QWidget) -> list[float]:
    """The strongest contrast with the window's ground on the left, right, top and bottom edge."""
    at = field.mapTo(window, QPoint(0, 0))
    left, top = at.x(), at.y()
    right, bottom = left + field.width() - 1, top + field.height() - 1
    middle_y, middle_x = (top + bottom) // 2, (left + right) // 2
    third_h, third_w = max(1, field.height() // 6), max(1, field.width() // 6)
    rows = range(middle_y - third_h, middle_y + third_h + 1)
    columns = range(middle_x - third_w, middle_x + third_w + 1)

    def strongest(ground: tuple[int, int], points: list[tuple[int, int]]) -> float:
        colour = _hex(image, *ground)
        return round(max(contrast(_hex(image, x, y), colour) for x, y in points), 2)

    return [
        strongest((left - GAP, middle_y), [(x, y) for x in range(left, left + GAP) for y in rows]),
        strongest((right + GAP, middle_y), [(x, y) for x in range(right - GAP + 1, right + 1) for y in rows]),
        strongest((middle_x, top - GAP), [(x, y) for y in range(top, top + GAP) for x in columns]),
        strongest(
            (middle_x, bottom + GAP), [(x, y) for y in range(bottom - GAP + 1, bottom + 1) for x in columns]
        ),
    ]


def label(field: QWidget) -> str:
    return field.accessibleName() or field.objectName() or type(field).__name__


def main() -> int:
    app = start_application("field_probe")
    checkin = CheckinWindow(load_content("en"))
    checkin.show()
    app.processEvents()
    image = checkin.grab().toImage()
    drawn: dict[str, list[float]] = {}
    for field in fields(checkin):
        drawn[f"check-in: {label(field)}"] = sides(checkin, image, field)
    checkin.ended = True  # our own close, not the person's
    checkin.close()

    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config.toml"
        config.write_text("", encoding="utf-8")
        settings = SettingsWindow("en", config, autostart=None)
        settings.resize(settings.sizeHint())
        settings.show()
        app.processEvents()
        for tab in range(settings.tabs.count()):
            settings.tabs.setCurrentIndex(tab)
            app.processEvents()
            image = settings.grab().toImage()
            for field in fields(settings.tabs.widget(tab)):
                drawn[f"{settings.tabs.tabText(tab)}: {label(field)}"] = sides(settings, image, field)
        settings.ended = True
        settings.close()
    print(json.dumps({"style": style_name(app), "fields": drawn}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
