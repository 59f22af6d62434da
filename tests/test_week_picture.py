"""The week's picture (rustlamp.ui.week_picture): it draws for any week, in both languages, and the pixels
say what the design promises: no red anywhere, an empty day left empty, every dot in its own day's
column with its own colour, today marked, and a picture that grows with the scale."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw

from rustlamp.core.entries import Entry
from rustlamp.core.week import WeekSummary, summarize_week, summary_line
from rustlamp.ui.palette import BACKGROUND
from rustlamp.ui.week_picture import (
    ATTEMPT_FILL,
    CALM,
    HURRIED,
    NOT_SURE,
    REST,
    TODAY,
    dot_centres,
    font,
    layout_week,
    render_week,
    save_week_png,
)

pytestmark = pytest.mark.windows

TODAY_DATE = date(2024, 5, 12)  # a Sunday
CEST = timezone(timedelta(hours=2))
BREATHS = ("calm", "hurried", "unknown", None)
LANGUAGES = ("nl", "en")


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _at(back: int, minute: int) -> datetime:
    day = TODAY_DATE - timedelta(days=back)
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=CEST) + timedelta(minutes=minute)


def _week(per_day: dict[int, tuple[int, int]]) -> WeekSummary:
    """`per_day`: days back from today -> (rest moments, check-ins); every third rest is an attempt and
    the check-ins take the breath answers in turn."""
    journal = []
    for back, (rests, checkins) in per_day.items():
        for i in range(rests):
            journal.append(Entry(_at(back, i), "break", {"outcome": "attempt" if i % 3 == 2 else "done"}))
        for i in range(checkins):
            journal.append(Entry(_at(back, 600 + i), "checkin", {"breath": BREATHS[i % 4]}))
    return summarize_week(journal, TODAY_DATE)


BUSY = _week({back: (30, 30) for back in range(7)})
EMPTY = _week({})
SOME = _week({6: (3, 1), 5: (5, 0), 3: (2, 4), 2: (7, 2), 0: (2, 1)})  # 4 days back: nothing


def _reddish(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The box around every pixel with r > g + 60 and r > b + 60; None when there is none."""
    r, g, b = image.convert("RGB").split()
    over_g = ImageChops.subtract(r, g).point(lambda v: 255 if v > 60 else 0)
    over_b = ImageChops.subtract(r, b).point(lambda v: 255 if v > 60 else 0)
    return ImageChops.multiply(over_g, over_b).getbbox()


def _colours(image: Image.Image, box: tuple[float, float, float, float]) -> set[tuple[int, int, int]]:
    left, top, right, bottom = (round(v) for v in box)
    part = image.crop((left, top, right, bottom))
    return {colour for _, colour in part.getcolors(maxcolors=1 << 24) or []}


def _close(a: tuple[int, ...], b: tuple[int, ...], tolerance: int = 6) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("week", [EMPTY, SOME, BUSY], ids=["empty", "some", "busy"])
def test_it_draws_any_week_without_a_trace_of_red(week: WeekSummary, language: str) -> None:
    for caption in (True, False):
        image = render_week(week, language, caption=caption)
        layout = layout_week(week, language, caption=caption)
        assert image.mode == "RGB" and image.size == (layout.width, layout.height)
        assert _reddish(image) is None
    assert render_week(week, language, caption=False).height < render_week(week, language).height


def test_the_red_check_would_see_red() -> None:
    """The check above is only worth something if it finds a soft red on the cream."""
    image = render_week(SOME, "nl")
    ImageDraw.Draw(image).ellipse((5, 5, 12, 12), fill="#D98080")
    assert _reddish(image) is not None


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_empty_day_is_only_background_and_a_day_with_dots_is_not(language: str) -> None:
    image = render_week(SOME, language)
    layout = layout_week(SOME, language)
    background = {_rgb(BACKGROUND)}
    for column in layout.columns:
        if column.day.is_empty:
            assert _colours(image, column.body) == background, column.day.day
        else:
            assert _colours(image, column.body) != background, column.day.day
    assert [column.day.is_empty for column in layout.columns].count(True) == 2  # 4 and 1 days back


def test_a_crowded_day_stays_in_its_column() -> None:
    week = _week({3: (200, 150), 1: (60, 0)})  # far more than a day needs; the rows widen, dots shrink
    layout = layout_week(week, "en")
    image = render_week(week, "en")
    busy = {column.day.day: column for column in layout.columns if not column.day.is_empty}
    assert len(busy) == 2
    for column in layout.columns:
        if column.day.is_empty:
            assert _colours(image, column.body) == {_rgb(BACKGROUND)}, column.day.day
    assert layout.rests.rows <= 10 and layout.checkins.rows <= 10  # the picture stays a size a screen holds
    assert layout.height < 2 * layout_week(BUSY, "en").height


@pytest.mark.parametrize("scale", [1.0, 2.0])
def test_each_dot_has_its_colour_in_its_place(scale: float) -> None:
    """The middle of every dot: dusk blue for a rest moment, the light fill for an attempt, and the breath
    colour for a check-in, in time order from the top."""
    image = render_week(SOME, "en", scale)
    layout = layout_week(SOME, "en", scale)
    for column in layout.columns:
        day = column.day
        rests = dot_centres(day.rest_count, layout.rests, column.centre_x, layout.rests_top)
        for dot, (x, y) in zip(day.rests, rests, strict=True):
            want = ATTEMPT_FILL if dot.attempt else REST
            assert _close(image.getpixel((round(x), round(y))), _rgb(want)), (day.day, dot)
        checkins = dot_centres(day.checkin_count, layout.checkins, column.centre_x, layout.checkins_top)
        for checkin, (x, y) in zip(day.checkins, checkins, strict=True):
            want = {"calm": CALM, "hurried": HURRIED}.get(checkin.breath or "", NOT_SURE)
            got = image.getpixel((round(x), round(y)))
            assert _close(got, _rgb(want)), (day.day, checkin)


def test_today_is_marked_and_no_other_day() -> None:
    image = render_week(EMPTY, "nl")
    layout = layout_week(EMPTY, "nl")
    for column in layout.columns:
        left, top, right, _ = column.header
        pixel = image.getpixel((round((left + right) / 2), round(top + 1)))
        assert (pixel == _rgb(TODAY)) == (column.day.day == TODAY_DATE), column.day.day


def test_the_picture_grows_with_the_scale() -> None:
    small, large = render_week(SOME, "nl"), render_week(SOME, "nl", 2.0)
    assert abs(large.width - 2 * small.width) <= 2
    assert abs(large.height - 2 * small.height) <= 0.08 * small.height  # words round to whole points
    with pytest.raises(ValueError):
        render_week(SOME, "nl", 0)


def test_the_dots_are_smooth() -> None:
    """Drawn large and scaled down: a dot's edge has in-between colours, not just cream and blue."""
    image = render_week(_week({0: (1, 0)}), "en", caption=False)
    layout = layout_week(_week({0: (1, 0)}), "en", caption=False)
    x, y = next(dot_centres(1, layout.rests, layout.columns[-1].centre_x, layout.rests_top))
    r = layout.rests.diameter / 2 + 2
    assert len(_colours(image, (x - r, y - r, x + r, y + r))) > 6


def test_save_week_png(tmp_path: Path) -> None:
    path = save_week_png(SOME, "en", tmp_path / "week.png")
    with Image.open(path) as saved:
        assert saved.format == "PNG" and saved.size == render_week(SOME, "en").size


def test_without_dejavu_it_still_writes() -> None:
    fallback = font(12, "no-such-font-anywhere.ttf")
    image = Image.new("RGB", (80, 20), BACKGROUND)
    ImageDraw.Draw(image).text((2, 2), "Deze week", font=fallback, fill="#514A43")
    assert len(_colours(image, (0, 0, 80, 20))) > 1


def test_it_draws_quickly() -> None:
    """A figure with a generous bound: the window waits for the picture before it shows."""
    started = time.perf_counter()
    render_week(BUSY, "nl", 2.0)
    assert time.perf_counter() - started < 2.0


def test_the_caption_is_the_summary_line() -> None:
    layout = layout_week(SOME, "en")
    assert " ".join(layout.caption_lines) == summary_line(SOME, "en")
    narrow = layout_week(BUSY, "nl", 1.0)
    assert " ".join(narrow.caption_lines) == summary_line(BUSY, "nl")
