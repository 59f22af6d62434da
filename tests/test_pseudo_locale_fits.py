"""The pseudo-locale (RUSTLAMP_PSEUDO_LOCALE=1: the English words accented and about 30 % longer, in brackets
so a cut end shows) leaves nothing clipped in the week window and in the lamp's own popup menu, and the
week in the languages rustlamp speaks. Built in this process on Qt's offscreen platform and measured: every
day of the week's list whole inside the list, its sentence and its button with room for their words; every
menu item as wide as its words. The same windows were looked at as screenshots under Xvfb."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QMenu, QWidget
from test_week_window import TODAY, _journal

from rustlamp.core.catalog import PSEUDO_VARIABLE
from rustlamp.core.content import LANGUAGES
from rustlamp.core.menu import TrayView, menu
from rustlamp.ui.popup_menu import fill
from rustlamp.ui.week_window import Options, WeekWindow


@pytest.fixture(scope="module")
def qt() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(["rustlamp", "-platform", "offscreen"])
    assert isinstance(app, QApplication)
    return app


@pytest.fixture
def pseudo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PSEUDO_VARIABLE, "1")


def settle(qt: QApplication) -> None:
    for _ in range(5):
        qt.processEvents()


def words_cut_off(window: QWidget) -> list[str]:
    """The words of every visible label and button that do not fit in it: a sentence (wrapping) taller
    than its label at the label's width, a line or a button narrower than its words."""
    cut = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or not isinstance(widget, QLabel | QAbstractButton) or not widget.text():
            continue
        metrics = QFontMetrics(widget.font())
        if isinstance(widget, QLabel) and widget.wordWrap():
            needed = metrics.boundingRect(
                QRect(0, 0, widget.contentsRect().width(), 10_000), Qt.TextFlag.TextWordWrap, widget.text()
            )
            fits = needed.height() <= widget.contentsRect().height()
        else:
            fits = metrics.horizontalAdvance(widget.text()) <= widget.contentsRect().width()
        if not fits:
            cut.append(widget.text())
    return cut


@pytest.fixture
def week(qt: QApplication) -> Iterator[object]:
    built: list[WeekWindow] = []

    def build(language: str) -> WeekWindow:
        window = WeekWindow(Options(language, tuple(_journal()), TODAY))
        window.show()
        settle(qt)
        built.append(window)
        return window

    yield build
    for window in built:
        window.ended = True  # our own close, not the person's
        window.close()
        window.deleteLater()
    settle(qt)


def assert_week_fits(window: WeekWindow) -> None:
    days = window.days
    seen = days.viewport().rect()
    assert days.count() == 7
    for row in range(days.count()):
        item = days.item(row)
        place = days.visualItemRect(item)
        assert seen.contains(place), f"{item.text()!r} is cut off at the list's edge"
        metrics = QFontMetrics(item.font())
        wrapped = metrics.boundingRect(
            QRect(0, 0, place.width() - 8, 10_000), Qt.TextFlag.TextWordWrap, item.text()
        )
        assert wrapped.height() <= place.height(), f"{item.text()!r} wraps past its row"
    assert days.verticalScrollBar().maximum() == 0  # nothing to scroll to: every day shows
    assert words_cut_off(window) == []
    assert window.geometry().width() >= window.minimumSizeHint().width()


@pytest.mark.usefixtures("pseudo")
def test_the_week_in_the_pseudo_locale_shows_every_day_whole(week, qt: QApplication) -> None:  # type: ignore[no-untyped-def]
    window: WeekWindow = week("en")
    assert window.days.item(0).text().startswith("[")  # the pseudo-locale's words, not English
    assert_week_fits(window)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_week_shows_every_day_whole_in_each_language(week, qt: QApplication, language: str) -> None:  # type: ignore[no-untyped-def]
    assert_week_fits(week(language))


def the_menu(language: str, paused: bool) -> QMenu:
    now = datetime(2026, 12, 7, 14, 0, tzinfo=timezone.utc)
    view = TrayView(
        language=language,
        now=now,
        last_rest=now - timedelta(minutes=20),
        every=timedelta(minutes=45),
        next_reminder=now + timedelta(minutes=25),
        snoozed_until=None,
        paused_until=now + timedelta(hours=20) if paused else None,
        waiting=False,
        snooze_choices=(timedelta(minutes=10), timedelta(minutes=30), timedelta(hours=1)),
        autostart=True,
    )
    shown = QMenu()
    fill(shown, menu(view), lambda _ident: None)
    return shown


@pytest.mark.usefixtures("pseudo")
@pytest.mark.parametrize("paused", [False, True])
def test_the_popup_menu_in_the_pseudo_locale_is_as_wide_as_its_words(qt: QApplication, paused: bool) -> None:
    shown = the_menu("en", paused)
    menus = [shown, *shown.findChildren(QMenu)]
    labels = []
    for each in menus:
        each.popup(shown.pos())  # laid out as when it shows
        settle(qt)
        metrics = QFontMetrics(each.font())
        screen = each.screen().availableGeometry()
        assert each.width() <= screen.width()
        for action in each.actions():
            if action.isSeparator():
                continue
            labels.append(action.text())
            room = each.actionGeometry(action)
            assert metrics.horizontalAdvance(action.text()) <= room.width(), f"{action.text()!r} is cut off"
        each.close()
    assert any(label.startswith("[") for label in labels)  # the pseudo-locale's words, not English
    shown.deleteLater()
