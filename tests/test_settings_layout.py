"""The settings window's layout promises, measured on a window built in this process on Qt's offscreen
platform (no display needed): rows that stay put while a problem shows, fields wide enough for their values,
hints on one line, the Tab order in reading order, many routines in a list that scrolls, every tab with room
for what it holds, every control named by the words it shows. Keys are real Qt key events (QTest)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QAccessible, QFontMetrics
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from rustlamp.core.content import LANGUAGES
from rustlamp.ui.settings_fields import NoteLine
from rustlamp.ui.settings_window import SettingsWindow
from rustlamp.ui.settings_words import SETTINGS_TEXTS, TAB_KEYS

HAND_WRITTEN = """\
language = "auto"

[reminders]
every = "45m"   # a gentle pace
snooze = ["10m", "30m", "1h", "1h30m", "2h"]

[routines.morning]
at = "08:00"
prompt = "Twee minuten ademen."
"""

MANY = "".join(f'[routines.r{n:02d}]\nat = "{5 + n:02d}:00"\n' for n in range(1, 13))


@pytest.fixture(scope="module")
def qt() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(["rustlamp", "-platform", "offscreen"])
    assert isinstance(app, QApplication)
    return app


@pytest.fixture
def window(qt: QApplication, tmp_path: Path) -> Iterator[object]:
    built: list[SettingsWindow] = []

    def build(language: str = "nl", text: str = HAND_WRITTEN) -> SettingsWindow:
        config = tmp_path / "config.toml"
        config.write_text(text, encoding="utf-8")
        made = SettingsWindow(language, config, autostart=None)
        made.resize(made.sizeHint())
        made.show()
        made.activateWindow()
        settle(qt)
        built.append(made)
        return made

    yield build
    for made in built:
        made.ended = True  # our own close, not the person's
        made.close()
        made.deleteLater()
    settle(qt)


def settle(qt: QApplication) -> None:
    for _ in range(5):
        qt.processEvents()


def box(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def showing(window: SettingsWindow, kind: type[QWidget]) -> list[QWidget]:
    page = window.tabs.currentWidget()
    return [w for w in page.findChildren(kind) if w.isVisible()]


def field(window: SettingsWindow, name: str) -> QLineEdit:
    (found,) = [w for w in window.findChildren(QLineEdit) if w.accessibleName() == name and w.isVisible()]
    return found


def test_a_problem_that_shows_moves_no_row_and_does_not_resize_the_window(window, qt: QApplication) -> None:  # type: ignore[no-untyped-def]
    shown: SettingsWindow = window("nl")
    shown.tabs.setCurrentIndex(TAB_KEYS.index("reminders"))
    settle(qt)
    size = shown.size()
    widgets = [w for w in showing(shown, QWidget) if not isinstance(w, NoteLine)]
    before = {id(w): box(w, shown) for w in widgets}
    bar = shown.tabs.tabBar()
    tabs_before = [bar.tabRect(tab) for tab in range(bar.count())]
    every = field(shown, SETTINGS_TEXTS["nl"]["every"])
    every.setFocus()
    every.selectAll()
    QTest.keyClicks(every, "banana")
    settle(qt)
    notes = [w for w in showing(shown, NoteLine) if w.text()]
    assert len(notes) == 1 and notes[0].text().startswith("'banana' is geen duur")
    assert every.accessibleDescription() == notes[0].text()  # read with the field
    marks = [mark.text() for mark in shown.tab_marks]
    assert marks == ["", "•", "", "", ""]  # a dot after Herinneringen
    assert shown.tabs.tabText(TAB_KEYS.index("reminders")) == SETTINGS_TEXTS["nl"]["tab_reminders"]
    moved = [w.accessibleName() or type(w).__name__ for w in widgets if box(w, shown) != before[id(w)]]
    assert moved == [] and shown.size() == size
    assert [bar.tabRect(tab) for tab in range(bar.count())] == tabs_before  # no tab moves for the dot


def test_a_problem_with_a_routine_moves_nothing_either(window, qt: QApplication) -> None:  # type: ignore[no-untyped-def]
    shown: SettingsWindow = window("en")
    shown.tabs.setCurrentIndex(TAB_KEYS.index("routines"))
    settle(qt)
    size = shown.size()
    widgets = [w for w in showing(shown, QWidget) if not isinstance(w, NoteLine)]
    before = {id(w): box(w, shown) for w in widgets}
    at = shown.routines.editor.at
    at.setFocus()
    at.selectAll()
    QTest.keyClicks(at, "25:00")
    settle(qt)
    notes = [w for w in showing(shown, NoteLine) if w.text()]
    assert len(notes) == 1 and notes[0].text().startswith("Time: '25:00' is not a time of day")
    assert shown.routines.list.item(0).text() == "morning •"
    moved = [w.accessibleName() or type(w).__name__ for w in widgets if box(w, shown) != before[id(w)]]
    assert moved == [] and shown.size() == size


def test_fields_are_wide_enough_for_their_values(window, qt: QApplication) -> None:  # type: ignore[no-untyped-def]
    shown: SettingsWindow = window("en")
    for tab in range(len(TAB_KEYS)):
        shown.tabs.setCurrentIndex(tab)
        settle(qt)
        for edit in showing(shown, QLineEdit):
            assert isinstance(edit, QLineEdit)
            text = edit.text() or edit.placeholderText()
            needed = QFontMetrics(edit.font()).horizontalAdvance(text)
            assert edit.width() >= needed + 8, (edit.accessibleName(), text, edit.width(), needed)
    shown.tabs.setCurrentIndex(TAB_KEYS.index("reminders"))
    settle(qt)
    snooze = field(shown, SETTINGS_TEXTS["en"]["snooze"])
    # longer than the field is made for: it is wider
    assert snooze.text() == "10 min, 30 min, 1 hour, 1 hour 30 min, 2 hours"


def test_hints_do_not_wrap_and_sentences_have_room(window, qt: QApplication) -> None:  # type: ignore[no-untyped-def]
    for language in LANGUAGES:
        shown: SettingsWindow = window(language)
        for tab in range(len(TAB_KEYS)):
            shown.tabs.setCurrentIndex(tab)
            settle(qt)
            for label in showing(shown, QLabel):
                assert isinstance(label, QLabel)
                if not label.text():
                    continue
                metrics = QFontMetrics(label.font())
                if label.wordWrap():  # a sentence: wraps only at a good width, never word by word
                    assert label.width() >= min(metrics.horizontalAdvance(label.text()), 360), label.text()
                else:  # a hint beside a field: on one line, whole
                    assert label.width() >= metrics.horizontalAdvance(label.text()), label.text()


def accessible_name(widget: QWidget) -> str:
    """The name assistive technology gets (Qt's own from the text, where none was set)."""
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None
    return str(interface.text(QAccessible.Text.Name))


def _reading_order(first: QRect, second: QRect) -> bool:
    """Whether `second` comes after `first` as a person reads: lower down, or further right on a line."""
    same_line = second.top() < first.bottom() and first.top() < second.bottom()
    return second.left() > first.left() if same_line else second.top() >= first.bottom() - 2


@pytest.mark.parametrize("tab", TAB_KEYS)
def test_tab_goes_through_the_fields_in_reading_order_then_the_buttons(
    window,
    qt: QApplication,
    tab: str,  # type: ignore[no-untyped-def]
) -> None:
    shown: SettingsWindow = window("nl")
    shown.tabs.setCurrentIndex(TAB_KEYS.index(tab))
    shown.tabs.tabBar().setFocus()
    settle(qt)
    visited: list[QWidget] = []
    for _ in range(60):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        settle(qt)
        now = QApplication.focusWidget()
        if now is shown.tabs.tabBar() or now in visited:
            break
        visited.append(now)
    page = shown.tabs.currentWidget()
    fields = [w for w in visited if page.isAncestorOf(w)]
    buttons = [w for w in visited if not page.isAncestorOf(w)]
    assert visited == fields + buttons  # the page's fields first, then the buttons under the tabs
    reachable = [
        w
        for w in page.findChildren(QWidget)
        if w.isVisible()
        and w.isEnabled()
        and w.focusPolicy() & Qt.FocusPolicy.TabFocus
        and w.focusProxy() is None
    ]
    assert set(fields) == set(reachable)  # every field is reached
    for first, second in itertools.pairwise(fields):
        assert _reading_order(box(first, shown), box(second, shown)), (
            first.accessibleName(),
            second.accessibleName(),
        )
    assert [b.text() for b in buttons] == ["Het bestand openen", "Sluiten"]  # Opslaan is off: nothing to save


def test_many_routines_scroll_in_their_list_and_the_arrow_keys_show_each_in_the_one_editor(
    window, qt: QApplication
) -> None:  # type: ignore[no-untyped-def]
    shown: SettingsWindow = window("en", MANY)
    screen = shown.screen().availableGeometry()
    assert shown.height() <= screen.height()
    shown.tabs.setCurrentIndex(TAB_KEYS.index("routines"))
    settle(qt)
    routines = shown.routines
    assert routines.list.verticalScrollBar().maximum() > 0  # twelve do not fit: the list scrolls
    routines.list.setFocus()
    settle(qt)
    viewport = routines.list.viewport()
    for number in range(1, 13):
        assert routines.editor.heading.text() == f"r{number:02d}"
        assert routines.editor.at.text() == f"{5 + number:02d}:00"
        item = routines.list.item(number - 1)
        assert item.isSelected() and viewport.rect().contains(routines.list.visualItemRect(item))
        QTest.keyClick(routines.list, Qt.Key.Key_Down)
        settle(qt)
    assert routines.list.verticalScrollBar().value() == routines.list.verticalScrollBar().maximum()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_tab_has_room_for_all_it_holds(window, qt: QApplication, language: str) -> None:  # type: ignore[no-untyped-def]
    shown: SettingsWindow = window(language)
    for tab in range(len(TAB_KEYS)):
        shown.tabs.setCurrentIndex(tab)
        settle(qt)
        page = shown.tabs.currentWidget()
        needed = page.minimumSizeHint()
        assert needed.width() <= page.width() and needed.height() <= page.height(), (TAB_KEYS[tab], needed)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_control_is_named_by_the_words_it_shows(window, qt: QApplication, language: str) -> None:  # type: ignore[no-untyped-def]
    """Voice control users say what they see: a button's or a box's name holds its text, a field's name is
    its label's text, a list item's name is its text (without the dot that marks a problem)."""
    shown: SettingsWindow = window(language, HAND_WRITTEN + '[routines.tea]\nat = "25:00"\n')
    for button in shown.findChildren(QAbstractButton):
        if isinstance(button, QAbstractButton) and button.text():
            assert button.text().replace("&", "") in accessible_name(button), button.text()
    buddies = {id(label.buddy()): label.text() for label in shown.findChildren(QLabel) if label.buddy()}
    for field in [*shown.findChildren(QLineEdit), *shown.findChildren(QPlainTextEdit)]:
        assert isinstance(field, QWidget)
        assert buddies.get(id(field)) == accessible_name(field), accessible_name(field)
    items = shown.routines.list
    names = [items.item(row).data(Qt.ItemDataRole.AccessibleTextRole) for row in range(items.count())]
    texts = [items.item(row).text() for row in range(items.count())]
    assert names == ["morning", "tea"] and texts == ["morning", "tea •"]  # tea's time has an error
