"""Qt's style where rustlamp adjusts it: clearer radio buttons, check boxes and text fields on Fusion, and
the name of the style underneath. Its own module, loaded only by windows that need it: the first style
object that reaches Python makes Qt for Python build QStyle's enums, some 15 ms a window without these
controls (the break window) need not spend at its start."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QProxyStyle, QStyle, QStyleOption, QWidget

from rustlamp.ui.qt_common import current_scheme


def clear_indicators(app: QApplication) -> None:
    """ClearIndicators over Fusion; the desktop's own style (Breeze, Windows, macOS) stays as it is."""
    if app.style().name().lower() == "fusion":
        app.setStyle(ClearIndicators("fusion"))


class ClearIndicators(QProxyStyle):
    """Fusion (Qt's style where the desktop gives none) outlines a radio button or a check box in a shade
    darker than the window: 2:1 on the calm cream, 1.1:1 on the dark ground, where an empty box all but
    vanishes. Its text fields fare no better (1.7:1 and 1.1:1), and a multi-line field shows no sign at all
    of having the keyboard. WCAG 2.1 asks 3:1 for what identifies a control (1.4.11), so a clear outline is
    drawn over Fusion's: the scheme's control edge, or the warm focus colour while the keyboard is there."""

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawPrimitive(element, option, painter, widget)
        kind = element
        if kind not in _OUTLINED or (kind == _MULTI_LINE_FRAME and not isinstance(widget, QPlainTextEdit)):
            return
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus) or (
            kind == _MULTI_LINE_FRAME and widget is not None and widget.hasFocus()
        )
        if focused and kind == QStyle.PrimitiveElement.PE_FrameLineEdit:
            return  # Fusion's own ring in the highlight colour (6.3:1 light, 3.6:1 dark) says it well
        scheme = current_scheme()
        if not focused:
            colour, width = scheme.control_edge, 1.0
        elif kind == _MULTI_LINE_FRAME:
            colour, width = scheme.primary, 1.5  # as Fusion rings a focused line's field
        else:
            colour, width = scheme.focus, 1.5
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(colour), width))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        edge = QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5)
        if kind == QStyle.PrimitiveElement.PE_IndicatorRadioButton:
            painter.drawEllipse(edge)
        elif kind == QStyle.PrimitiveElement.PE_IndicatorCheckBox:
            painter.drawRoundedRect(edge, 1, 1)
        else:
            painter.drawRoundedRect(edge, 2, 2)
        painter.restore()


# what gets a clear outline: the answers' indicators, a line's field (PE_FrameLineEdit), and a multi-line
# field's frame (PE_Frame, as Qt draws it for a QPlainTextEdit; any other frame is left as it is)
_MULTI_LINE_FRAME = QStyle.PrimitiveElement.PE_Frame
_OUTLINED = (
    QStyle.PrimitiveElement.PE_IndicatorRadioButton,
    QStyle.PrimitiveElement.PE_IndicatorCheckBox,
    QStyle.PrimitiveElement.PE_FrameLineEdit,
    _MULTI_LINE_FRAME,
)


def style_name(app: QApplication) -> str:
    """The name of the app's style ("fusion", "breeze", "windowsvista"), also under ClearIndicators."""
    style = app.style()
    return style.baseStyle().name() if isinstance(style, QProxyStyle) else style.name()
