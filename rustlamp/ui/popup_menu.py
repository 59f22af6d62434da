"""The lamp's own menu, for trays whose host draws none (an XEmbed tray such as trayer or stalonetray, and
swaybar's ContextMenu): a Qt popup menu in a child process, so the lamp itself never loads Qt.

    python -m rustlamp.ui.popup_menu --x X --y Y --menu -  < menu.json   (rustlamp.ui.contract.MenuRequest)

The menu pops up with its corner at (X, Y), in the screen's own pixels (what the tray reports; Qt's
scaling is undone here), kept on the screen. It ends with one outcome line: `MenuChosen` with the chosen
item's id, or `Closed` when it was left (Esc, a click elsewhere, another window taking the focus on X11,
or the request's timeout without a choice).

For a screen reader and voice control it is a real QMenu: the menu role, each item a menu item named by
its visible words (no `&` shortcuts: what shows is what a person says), check items checked or not,
submenus as submenus. The first item that can be chosen has the keyboard when the menu opens, so a screen
reader speaks at once; Up reaches the status line at the top, read as the sentence it is though it cannot
be chosen. Arrows move, Right opens a submenu, Enter chooses, Esc closes.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QMenu,
    QProxyStyle,
    QStyle,
    QStyleHintReturn,
    QStyleOption,
    QWidget,
)

from rustlamp.core.menu import MenuItem
from rustlamp.ui.contract import Closed, MenuChosen, MenuRequest, Outcome
from rustlamp.ui.lifecycle import emit
from rustlamp.ui.qt_common import calm_palette, current_scheme, window_main
from rustlamp.ui.qt_style import style_name

MENU_NAME = "rustlamp"  # the menu's accessible name: whose menu this is


class ReadableDisabledItems(QProxyStyle):
    """The keyboard may rest on an item that cannot be chosen, so the status line can be read aloud (Qt
    skips such items by default, and a screen reader would never reach it)."""

    def styleHint(
        self,
        hint: QStyle.StyleHint,
        option: QStyleOption | None = None,
        widget: QWidget | None = None,
        returned: QStyleHintReturn | None = None,
    ) -> int:
        if hint == QStyle.StyleHint.SH_Menu_AllowActiveAndDisabled:
            return 1
        return super().styleHint(hint, option, widget, returned)


def plain(label: str) -> str:
    """A label as Qt shows it literally: `&` would make a keyboard shortcut and vanish."""
    return label.replace("&", "&&")


def fill(menu: QMenu, items: Sequence[MenuItem], choose: Callable[[str], None]) -> None:
    for item in items:
        if item.separator:
            menu.addSeparator()
            continue
        if item.children:
            submenu = menu.addMenu(plain(item.label))
            submenu.setAccessibleName(item.label)
            fill(submenu, item.children, choose)
            action = submenu.menuAction()
        else:
            action = QAction(plain(item.label), menu)
            # the action's own signal: a click, Enter, and assistive technology's "press" all come here
            action.triggered.connect(functools.partial(choose, item.id))
            if item.checked is not None:
                # it shows the app's state; choosing it only reports the id (the app flips the state)
                action.setCheckable(True)
                action.setChecked(item.checked)
            menu.addAction(action)
        action.setEnabled(item.enabled)


def first_choice(menu: QMenu) -> QAction | None:
    for action in menu.actions():
        if action.isEnabled() and not action.isSeparator():
            return action
    return None


def logical_point(x: int, y: int) -> QPoint:
    """(x, y) in the screen's pixels as Qt's scaled coordinates: Qt keeps each screen's corner where it is
    and divides the distance from it by the screen's scale."""
    for screen in QGuiApplication.screens():
        corner, ratio = screen.geometry().topLeft(), screen.devicePixelRatio()
        width, height = screen.geometry().width() * ratio, screen.geometry().height() * ratio
        if corner.x() <= x < corner.x() + width and corner.y() <= y < corner.y() + height:
            return QPoint(
                corner.x() + round((x - corner.x()) / ratio), corner.y() + round((y - corner.y()) / ratio)
            )
    return QPoint(x, y)


def menu_palette() -> QPalette:
    """The calm palette, with the item under the keyboard or pointer in the accent that is AA-readable
    (the shared focus colour is for rings, not for text on it)."""
    scheme = current_scheme()
    palette = calm_palette(scheme)
    palette.setColor(QPalette.ColorRole.Highlight, QColor(scheme.primary))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor(scheme.primary_ink))
    return palette


def show(request: MenuRequest) -> Outcome:
    """Pop the menu up and wait for the person; what they did."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    style = ReadableDisabledItems(style_name(app))
    style.setParent(app)
    menu = QMenu()
    menu.setAccessibleName(MENU_NAME)
    menu.setTitle(MENU_NAME)
    chosen: list[str] = []

    def choose(ident: str) -> None:
        if ident and not chosen:
            chosen.append(ident)
        menu.close()  # already closed after a click; not after assistive technology's "press"

    fill(menu, request.items, choose)
    for each in (menu, *menu.findChildren(QMenu)):
        each.setStyle(style)
        each.setPalette(menu_palette())

    def opened() -> None:
        if not os.environ.get("WAYLAND_DISPLAY"):
            # The menu takes the focus, so it hears when another window takes it (a popup alone only
            # grabs the keys). Not under XWayland: asking sway 1.7 to activate a popup ends sway itself.
            menu.activateWindow()
        start = first_choice(menu)
        if start is not None:  # the keyboard (and a screen reader) starts there
            menu.setActiveAction(start)

    def focus_moved(state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationInactive:
            menu.close()

    app.applicationStateChanged.connect(focus_moved)
    QTimer.singleShot(0, opened)
    QTimer.singleShot(round(request.timeout.total_seconds() * 1000), menu.close)
    menu.exec(logical_point(request.x, request.y))
    return MenuChosen(chosen[0]) if chosen else Closed()


def _prefer_x11() -> None:
    # A Wayland client cannot put a window at a point of the screen, and a popup there needs a parent
    # surface this process does not have; the tray's coordinates are X's (XWayland's, under sway).
    if (
        sys.platform.startswith("linux")
        and os.environ.get("DISPLAY")
        and not os.environ.get("QT_QPA_PLATFORM")
    ):
        os.environ["QT_QPA_PLATFORM"] = "xcb"


def _run(request: MenuRequest, _raise_fd: int | None) -> int:
    emit(show(request).to_json())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    _prefer_x11()
    return window_main("popup_menu", lambda: MenuRequest.from_argv(argv, sys.stdin.read), _run)


if __name__ == "__main__":
    sys.exit(main())
