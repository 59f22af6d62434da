"""What rustlamp's Qt windows share: the application set-up, the calm palette, buttons, and the life of a
window process. Every window module (break, check-in, week, settings, the popup menu) is a child process
that does this:

    def main(argv=None) -> int:
        return window_main("break_window", lambda: parse(argv), run)   # run(options, raise_fd) -> int

    def run(options, raise_fd):
        window = BreakWindow(options)        # a CalmWindow subclass
        return run_window(window, raise_fd)  # shows it, runs Qt until it settles; the exit status

`start_application` (called by `window_main`, before anything else of Qt):
- names the app `rustlamp` everywhere: WM_CLASS ("rustlamp", "rustlamp") on X11, the desktop file's id as
  the Wayland app id, the lamp as the window icon; so docks and the alt-tab list group the windows;
- follows the desktop: its font and scale (HiDPI is Qt's own), its light or dark colour scheme (Qt's
  platform theme says which; on a desktop that tells Qt nothing, RUSTLAMP_COLOR_SCHEME=dark|light
  chooses), and rustlamp's calm palette for that scheme (rustlamp.ui.palette, WCAG AA for every text);
- speaks Qt's own words (a text field's menu, standard buttons) in the window's language (`speak_qt_in`);
- turns Qt's fatal start-up error (no usable platform plugin, typically a missing system library on X11)
  into the typed outcome `CannotOpen` naming the Debian/Ubuntu packages to install (one JSON line on
  stdout, a sentence on stderr, exit status FAILED), instead of Qt's abort.

Accessible by construction (AT-SPI on Linux, UI Automation on Windows, NSAccessibility on macOS, all
through Qt): use real widgets (QPushButton, QRadioButton, QCheckBox, QLineEdit, QGroupBox) with visible
text, so every control has a role and the name a person sees and says ("click Klaar"); a group of
answers is a QGroupBox with its question as title; anything drawn (the breathing circle) gets
`setAccessibleName`/`setAccessibleDescription`; text that changes by itself is updated rarely (see
`QuietLabel`), so a screen reader is not flooded. Focus order is the order widgets are created in;
`CalmWindow` adds: Enter presses the focused button or else the default, Esc calls `leave()`.

Tests see the windows as a screen reader does: tests/atspi.py (the driver) and the `accessible_desktop`
fixture in tests/conftest.py.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Literal, TypeVar, cast

from PySide6.QtCore import (
    QEvent,
    QLibraryInfo,
    QMessageLogContext,
    QObject,
    QRectF,
    QSocketNotifier,
    Qt,
    QTimer,
    QtMsgType,
    QTranslator,
    qInstallMessageHandler,
)
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QFont,
    QGuiApplication,
    QIcon,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QLabel, QPushButton, QWidget

from rustlamp.ui.contract import WAIT_FOR_REQUEST, CannotOpen, ContractError, Outcome, args_from_line
from rustlamp.ui.lifecycle import FAILED, emit, listen_for_raise, raise_was_asked
from rustlamp.ui.palette import DARK, LIGHT, Scheme

APP_ID = "rustlamp"  # WM_CLASS (instance and class) on X11; the name docks and the issue trackers use
DESKTOP_ID = "nl.rustlamp.Rustlamp"  # the desktop file's name: the Wayland app id
COLOR_SCHEME_VARIABLE = "RUSTLAMP_COLOR_SCHEME"

ButtonKind = Literal["plain", "primary", "quiet"]
W = TypeVar("W")


# ----- the application ------------------------------------------------------------------------------


def _lamp_icon() -> QIcon:
    icon = QIcon()
    folder = resources.files("rustlamp") / "icons"
    for size in (16, 24, 32, 48, 64, 128, 256):
        with resources.as_file(folder / f"calm-0-{size}.png") as path:
            icon.addFile(str(path))
    return icon


def _on_qt_message(name: str) -> Callable[[QtMsgType, QMessageLogContext, str], None]:
    def handle(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if kind == QtMsgType.QtFatalMsg:
            cannot_open(name, message)
        elif (context.category or "").startswith("qt.accessibility"):
            pass  # e.g. "does not implement GetApplicationBusAddress" whenever pyatspi asks: harmless
        elif kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg):
            print(f"{name}: Qt: {message}", file=sys.stderr)

    return handle


def cannot_open(name: str, detail: str) -> None:
    """Qt cannot show windows here: say why as the outcome and on stderr, and leave (never returns)."""
    from rustlamp.ui.qt_libraries import missing_packages  # here: `ldd` and its imports, only when needed

    outcome = CannotOpen(missing_packages=tuple(missing_packages()), detail=detail.strip().splitlines()[0])
    emit(outcome.to_json())
    print(f"{name}: {outcome.sentence()}", file=sys.stderr)
    sys.stderr.flush()
    os._exit(FAILED)  # Qt would abort right after this message; nothing is left to clean up


def start_application(name: str, argv: Sequence[str] = (), *, indicators: bool = True) -> QApplication:
    """The one QApplication of a window process, set up as the module docstring says. `indicators`: the
    window has radio buttons or check boxes, whose outlines rustlamp.ui.qt_style draws clearer; a window
    without them (the break window) leaves Qt's style alone, which spares it some 15 ms at every start
    (Qt for Python builds QStyle's ten enums the first time a style object reaches Python)."""
    qInstallMessageHandler(_on_qt_message(name))
    QApplication.setApplicationName(APP_ID)  # before the app exists: Qt takes WM_CLASS's class from it
    QApplication.setDesktopFileName(DESKTOP_ID)
    if sys.platform == "win32":
        _be_one_app_on_windows()
    # argv[0] "rustlamp" gives WM_CLASS's instance name (Qt reads it from argv[0] or RESOURCE_NAME).
    app = QApplication([APP_ID, *argv])
    app.setWindowIcon(_lamp_icon())
    app.setQuitOnLastWindowClosed(False)  # a window ends by settling its outcome, see CalmWindow
    if indicators:
        from rustlamp.ui.qt_style import clear_indicators

        clear_indicators(app)
    asked = _asked_scheme()
    if asked is not None:
        app.styleHints().setColorScheme(asked)  # a platform theme that can follows; ours follows anyway
    apply_scheme(app)
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_scheme(app))
    return app


def speak_qt_in(app: QApplication, language: str | None) -> bool:
    """Qt's own words (a text field's menu: Undo, Copy, Paste; standard buttons) in the window's language,
    from the qtbase catalog Qt ships (translations/qtbase_<language>.qm). English is Qt's source language;
    a language Qt has no catalog for stays English. Whether a catalog was installed."""
    if not language or language == "en":
        return False
    translator = QTranslator(app)  # the app as parent keeps it alive as long as the app
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(f"qtbase_{language}", folder):
        return False
    return app.installTranslator(translator)


def _be_one_app_on_windows() -> None:
    # Without an app id Windows groups the windows under python.exe in the taskbar.
    try:
        import ctypes

        ctypes.windll.shell32.SetCurrentProcessExplicitAppUserModelID(DESKTOP_ID)  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        pass


def _asked_scheme() -> Qt.ColorScheme | None:
    asked = os.environ.get(COLOR_SCHEME_VARIABLE, "").strip().lower()
    return {"dark": Qt.ColorScheme.Dark, "light": Qt.ColorScheme.Light}.get(asked)


def current_scheme() -> Scheme:
    """The calm colours for the desktop's scheme now: dark when it says dark (or RUSTLAMP_COLOR_SCHEME
    does, on a desktop that tells Qt nothing), light otherwise."""
    scheme = _asked_scheme() or QGuiApplication.styleHints().colorScheme()
    return DARK if scheme == Qt.ColorScheme.Dark else LIGHT


def calm_palette(scheme: Scheme) -> QPalette:
    palette = QPalette(QColor(scheme.button), QColor(scheme.background))
    roles = {
        QPalette.ColorRole.Window: scheme.background,
        QPalette.ColorRole.WindowText: scheme.ink,
        QPalette.ColorRole.Base: scheme.field,
        QPalette.ColorRole.AlternateBase: scheme.button,
        QPalette.ColorRole.Text: scheme.ink,
        QPalette.ColorRole.Button: scheme.button,
        QPalette.ColorRole.ButtonText: scheme.ink,
        QPalette.ColorRole.PlaceholderText: scheme.soft_ink,
        # selected text and list rows: the calm accent with its own ink (background on focus was 3.7:1)
        QPalette.ColorRole.Highlight: scheme.primary,
        QPalette.ColorRole.HighlightedText: scheme.primary_ink,
        QPalette.ColorRole.Link: scheme.primary,
        QPalette.ColorRole.ToolTipBase: scheme.field,
        QPalette.ColorRole.ToolTipText: scheme.ink,
        QPalette.ColorRole.Accent: scheme.primary,
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(scheme.muted))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor(scheme.muted))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(scheme.muted))
    return palette


def apply_scheme(app: QApplication) -> None:
    """Give the app the calm palette of the desktop's scheme (again when the desktop changes it)."""
    app.setPalette(calm_palette(current_scheme()))
    for widget in app.allWidgets():
        if isinstance(widget, CalmButton):
            widget.colour()


# ----- widgets --------------------------------------------------------------------------------------


def font_scaled(widget: QWidget, factor: float, *, underline: bool = False) -> QFont:
    """The desktop's font (its family and size follow the system), `factor` times as large."""
    font = QFont(QApplication.font())
    font.setPointSizeF(max(6.0, font.pointSizeF() * factor))
    font.setUnderline(underline)
    return font


class CalmButton(QPushButton):
    """A button in the calm palette. `primary` is the window's default (Enter) in the dark accent; `quiet`
    reads as underlined text until the pointer or the focus is on it. Its accessible name is its text."""

    def __init__(self, label: str, kind: ButtonKind = "plain", parent: QWidget | None = None) -> None:
        super().__init__(label, parent)
        self.kind = kind
        self.setAutoDefault(False)  # Enter is handled by CalmWindow: the focused button, else the default
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        if kind == "quiet":
            self.setFlat(True)
            self.setFont(font_scaled(self, 0.9, underline=True))
        self.colour()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.hasFocus():
            # A clear ring in the warm focus colour (Fusion's own is a faint line, lost on the accent).
            painter = QPainter(self)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(QColor(current_scheme().focus), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 3, 3)
            painter.end()

    def colour(self) -> None:
        """Colours for the kind, in the current scheme (called again when the scheme changes)."""
        scheme = current_scheme()
        palette = calm_palette(scheme)
        if self.kind == "primary":
            palette.setColor(QPalette.ColorRole.Button, QColor(scheme.primary))
            palette.setColor(QPalette.ColorRole.ButtonText, QColor(scheme.primary_ink))
            # off (Save with nothing to save): a plain button with muted words, so it looks off too
            off = QPalette.ColorGroup.Disabled
            palette.setColor(off, QPalette.ColorRole.Button, QColor(scheme.button))
            palette.setColor(off, QPalette.ColorRole.ButtonText, QColor(scheme.muted))
        elif self.kind == "quiet":
            palette.setColor(QPalette.ColorRole.ButtonText, QColor(scheme.soft_ink))
        self.setPalette(palette)


class QuietLabel(QLabel):
    """A label whose text changes by itself (a countdown, the breathing words) without flooding a screen
    reader: what it shows follows every change, what it tells assistive technology (its accessible name)
    changes only when `say` differs from the last thing said, e.g. whole minutes of a countdown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._said = ""

    def show_text(self, shown: str, said: str | None = None) -> None:
        self.setText(shown)
        said = shown if said is None else said
        if said != self._said:
            self._said = said
            self.setAccessibleName(said)


class ArrowGroup(QObject):
    """A group of buttons that is one stop for Tab: the arrow keys move within it (and round), Tab and
    Shift+Tab leave it, and coming back lands on the one last used. (Qt's exclusive radio buttons do this
    by themselves; this gives push buttons and check boxes in a named group the same keys.)"""

    def __init__(self, buttons: Sequence[QAbstractButton]) -> None:
        super().__init__(buttons[0] if buttons else None)
        self.buttons = list(buttons)
        for button in self.buttons:
            button.installEventFilter(self)
        if self.buttons:
            self._make_current(self.buttons[0])

    def _make_current(self, current: QAbstractButton) -> None:
        for button in self.buttons:
            tab = button is current
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus if tab else Qt.FocusPolicy.ClickFocus)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched not in self.buttons:
            return False
        if event.type() == QEvent.Type.FocusIn:
            self._make_current(watched)
        elif event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            step = {
                Qt.Key.Key_Left: -1, Qt.Key.Key_Up: -1, Qt.Key.Key_Right: 1, Qt.Key.Key_Down: 1,
            }.get(Qt.Key(event.key()))  # fmt: skip
            if step is not None:
                index = self.buttons.index(watched)
                target = self.buttons[(index + step) % len(self.buttons)]
                self._make_current(target)
                target.setFocus(Qt.FocusReason.TabFocusReason)
                return True
        return False


# ----- the window and its life ----------------------------------------------------------------------


class CalmWindow(QDialog):
    """A top-level rustlamp window that ends with exactly one outcome. A QDialog for the role it gives
    assistive technology ("dialog"; a bare QWidget would be a nameless "filler"), shown as an ordinary
    window (in the task bar, with minimise and close).

    Subclasses build their widgets, call `settle(outcome)` when the person has answered (the JSON line goes
    to the parent at once) and `end()` when the window may go (at once, or after a short reply). Closing it
    from the window manager or Esc calls `leave()`, which settles on `default_outcome()`.
    Enter presses the button with the focus, or else `default_button`; Space presses the focused control
    (Qt's own)."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.setWindowFlags(
            Qt.WindowType.Window
            | Qt.WindowType.WindowTitleHint
            | Qt.WindowType.WindowMinimizeButtonHint
            | Qt.WindowType.WindowCloseButtonHint
        )
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.told: Outcome | None = None
        self.default_button: QAbstractButton | None = None
        self.ended = False

    # outcomes
    def default_outcome(self) -> Outcome:
        raise NotImplementedError

    def settle(self, outcome: Outcome) -> bool:
        """Tell the parent `outcome` unless one was told already; True when this one counts."""
        if self.told is not None:
            return False
        self.told = outcome
        emit(outcome.to_json())
        return True

    def end(self, after_ms: int = 0) -> None:
        """Close the window and end the process's loop (after `after_ms`)."""
        if after_ms:
            QTimer.singleShot(after_ms, self.end)
            return
        self.ended = True
        self.hide()
        QApplication.quit()

    def leave(self) -> None:
        """Esc, or the window manager's close: the default outcome, and go."""
        self.settle(self.default_outcome())
        self.end()

    # keys and closing
    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.escape()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.enter():
            pass
        else:
            super().keyPressEvent(event)

    def escape(self) -> None:
        self.leave()

    def enter(self) -> bool:
        """Enter: press the focused button, or else the default one; False leaves the key to the widget."""
        focused = QApplication.focusWidget()
        if isinstance(focused, QAbstractButton) and focused.isEnabled():
            focused.click()
            return True
        if self.default_button is not None and self.default_button.isEnabled():
            self.default_button.click()
            return True
        return False

    def reject(self) -> None:  # QDialog's own way out (Esc, when a child does not take it)
        self.leave()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.ended:
            self.leave()
        event.accept()

    def bring_to_front(self) -> None:
        """Show the window again (minimised, or unmapped behind Qt's back), raise it and give it the keys;
        the focus goes back to the control that had it."""
        handle = self.windowHandle()
        had_focus = self.focusWidget()
        if self.isMinimized():
            self.showNormal()
        elif handle is not None and not handle.isExposed():
            self.hide()  # Qt still thinks it is shown: map it afresh
            self.show()
        self.raise_()
        self.activateWindow()
        if had_focus is not None:  # once the window is active again (the show may reset it)
            QTimer.singleShot(50, lambda: had_focus.setFocus(Qt.FocusReason.ActiveWindowFocusReason))


def centre_on_screen(window: QWidget) -> None:
    screen = window.screen().availableGeometry()
    size = window.sizeHint().expandedTo(window.minimumSize()).boundedTo(screen.size() * 0.9)
    window.resize(size)
    window.move(screen.center().x() - size.width() // 2, screen.center().y() - size.height() // 2)


def watch_raise(fd: int | None, window: CalmWindow) -> QSocketNotifier | None:
    """Bring `window` to the front whenever a SIGUSR1 comes through `fd` (from `listen_for_raise`)."""
    if fd is None:
        return None
    notifier = QSocketNotifier(fd, QSocketNotifier.Type.Read, window)

    def on_signal(*_: object) -> None:
        if raise_was_asked(fd):
            window.bring_to_front()

    notifier.activated.connect(on_signal)
    return notifier


def run_window(window: CalmWindow, raise_fd: int | None) -> int:
    """Show `window` centred, with the focus, and run Qt until it ends; the exit status (0)."""
    notifier = watch_raise(raise_fd, window)
    centre_on_screen(window)
    window.show()
    window.raise_()
    window.activateWindow()  # opened by the person (a click), so the keys may come here at once
    if not window.ended:
        QApplication.exec()
    if notifier is not None:
        notifier.setEnabled(False)
    if window.told is None:  # ended some other way: the default still tells the parent
        window.settle(window.default_outcome())
    return 0


def window_main(
    name: str, parse: Callable[[], W], run: Callable[[W, int | None], int], *, indicators: bool = True
) -> int:
    """A window process's `main`: set up SIGUSR1, `parse` the arguments (argparse's status 2 on bad ones),
    start Qt (FAILED with `CannotOpen` when it cannot) and `run` the window; the exit status.
    `indicators`: see `start_application`.

    Started ahead (WAIT_FOR_REQUEST, rustlamp.ui.contract), it starts Qt first, the slow part, then waits
    for the request's arguments on stdin and goes on as if they had been given; stdin closed without a
    request: the window is not needed, and the process ends at once, telling nothing."""
    raise_fd = listen_for_raise()  # first of all: an early SIGUSR1 must not end the process
    ahead = sys.argv[1:] == [WAIT_FOR_REQUEST]
    options = None if ahead else parse()
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        if not os.environ.get("QT_QPA_PLATFORM"):
            print(
                f"{name}: no display to show a window on (neither DISPLAY nor WAYLAND_DISPLAY is set)",
                file=sys.stderr,
            )
            return FAILED
    app = start_application(name, indicators=indicators)
    if ahead:
        line = sys.stdin.buffer.readline()
        if not line.strip():
            return 0  # let go before it was needed
        try:
            sys.argv[1:] = args_from_line(line)  # the request, as if it had come as the arguments
        except ContractError as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            return FAILED
        options = parse()
    speak_qt_in(app, getattr(options, "language", None))
    return run(cast(W, options), raise_fd)
