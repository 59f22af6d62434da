"""Qt's style where rustlamp adjusts it: clearer radio buttons, check boxes and fields on Fusion, and
the name of the style underneath. Its own module, loaded only by windows that need it: the first style
object that reaches Python makes Qt for Python build QStyle's enums, some 15 ms a window without these
controls (the break window) need not spend at its start."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QPlainTextEdit,
    QProxyStyle,
    QStyle,
    QStyleOption,
    QStyleOptionComplex,
    QTextEdit,
    QWidget,
)

from rustlamp.ui.qt_common import current_scheme


def clear_indicators(app: QApplication) -> None:
    """ClearIndicators over Fusion; the desktop's own style (Breeze, Windows, macOS) stays as it is."""
    if app.style().name().lower() == "fusion":
        app.setStyle(ClearIndicators("fusion"))


class ClearIndicators(QProxyStyle):
    """Fusion (Qt's style where the desktop gives none) outlines a radio button, a check box, a text field,
    a spin box or a combo box in a shade darker than the window: 1.7 to 2:1 on the calm cream, 1.1 to
    1.9:1 on the dark ground, where an empty box or field all but vanishes. WCAG 2.1 asks 3:1 for what
    identifies a control (1.4.11), so a clear outline is drawn over Fusion's: the scheme's control edge,
    or the warm focus colour while the keyboard is on it."""

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawPrimitive(element, option, painter, widget)
        kind = QStyle.PrimitiveElement
        if element == kind.PE_IndicatorRadioButton:
            _outline(option, painter, round_by=None)
        elif element == kind.PE_IndicatorCheckBox:
            _outline(option, painter, round_by=1)
        elif element == kind.PE_FrameLineEdit or (
            element == kind.PE_Frame and isinstance(widget, QPlainTextEdit | QTextEdit | QAbstractItemView)
        ):
            _outline(option, painter, round_by=2)

    def drawComplexControl(
        self,
        control: QStyle.ComplexControl,
        option: QStyleOptionComplex,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        # Fusion draws a spin box's and a combo box's frame itself, not through PE_FrameLineEdit
        super().drawComplexControl(control, option, painter, widget)
        if control in (QStyle.ComplexControl.CC_SpinBox, QStyle.ComplexControl.CC_ComboBox):
            _outline(option, painter, round_by=2)


def _outline(option: QStyleOption, painter: QPainter, round_by: float | None) -> None:
    """The control's edge over what the base style drew: a circle, or a box rounded by `round_by`."""
    scheme = current_scheme()
    focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(scheme.focus if focused else scheme.control_edge), 1.5 if focused else 1))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    edge = QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5)
    if round_by is None:
        painter.drawEllipse(edge)
    else:
        painter.drawRoundedRect(edge, round_by, round_by)
    painter.restore()


def style_name(app: QApplication) -> str:
    """The name of the app's style ("fusion", "breeze", "windowsvista"), also under ClearIndicators."""
    style = app.style()
    return style.baseStyle().name() if isinstance(style, QProxyStyle) else style.name()
