"""The week as a calm picture: seven columns, one soft dot per rest moment and per check-in.

Each column has the weekday and the day number on top (today on a soft pill), then the day's rest
moments as dusk-blue dots (an attempt is a lighter dot with a ring: still a dot, never a cross), then
its check-ins, coloured by the breath answer (calm green-blue, hurried soft amber, not sure grey). Dots
are stacked in time order, first at the top. A day without entries is left empty: no mark, no colour.
There is no red anywhere.

Shapes are drawn at SUPERSAMPLE times the size and scaled down (LANCZOS) for smooth edges; the words are
drawn afterwards at the final size, so they stay crisp.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from rustlamp.core.week import DaySummary, WeekSummary, summary_line, week_text, weekday_name
from rustlamp.ui.palette import LIGHT, Scheme, blend, luminance


@dataclass(frozen=True)
class PictureColours:
    """The picture's colours for one scheme: its words and ground from the scheme, the dots in the
    palette's spirit (soft, warm, no red)."""

    background: str
    ink: str  # today's name and number
    soft_ink: str  # the other days' names, the legend
    muted: str  # the other days' numbers
    today: str  # the pill behind today's name
    rest: str
    attempt_fill: str
    calm: str
    hurried: str
    not_sure: str  # "unknown" and no answer alike

    def breath(self, answer: str | None) -> str:
        return {"calm": self.calm, "hurried": self.hurried}.get(answer or "", self.not_sure)


def picture_colours(scheme: Scheme) -> PictureColours:
    # The rest dot a little deeper than the breathing circle (lighter on a dark ground), so it reads.
    rest = blend(scheme.circle, scheme.primary, 0.4)
    dark = luminance(scheme.background) < 0.2  # on a dark ground the same hues, a touch deeper
    return PictureColours(
        background=scheme.background,
        ink=scheme.ink,
        soft_ink=scheme.soft_ink,
        muted=scheme.muted,
        today=scheme.button,
        rest=rest,
        attempt_fill=blend(scheme.background, rest, 0.3),
        calm="#79A99C" if dark else "#8DBFB2",  # soft green-blue
        hurried="#C99C5E" if dark else "#E0B374",  # warm soft amber
        not_sure="#8E867D" if dark else "#C2BAB0",  # soft warm grey
    )


LIGHT_COLOURS = picture_colours(LIGHT)
# The light picture's colours by name, for the tests.
BACKGROUND = LIGHT_COLOURS.background
REST = LIGHT_COLOURS.rest
ATTEMPT_FILL = LIGHT_COLOURS.attempt_fill
CALM = LIGHT_COLOURS.calm
HURRIED = LIGHT_COLOURS.hurried
NOT_SURE = LIGHT_COLOURS.not_sure
TODAY = LIGHT_COLOURS.today

SUPERSAMPLE = 4

# Sizes in pixels at scale 1 (96 dpi).
MARGIN = 16
COLUMN = 64
HEADER = 44
HEADER_GAP = 10
SECTION_GAP = 12
LEGEND_GAP = 16
LINE_GAP = 6
LEGEND_ITEM_GAP = 14
REST_PITCH, REST_DOT = 14.0, 10.0
CHECKIN_PITCH, CHECKIN_DOT = 12.0, 8.0
DOTS_PER_ROW = 3
MIN_REST_ROWS, MIN_CHECKIN_ROWS = 3, 2  # an empty week keeps a quiet, not a squashed, shape
MAX_ROWS = 10  # more dots than this fits a row each makes the rows wider and the dots smaller
FONT_DAY, FONT_NUMBER, FONT_LEGEND, FONT_CAPTION = 13, 11, 11, 12
TEXT_FONT_FILE = "DejaVuSans.ttf"


@functools.lru_cache(maxsize=32)
def font(size: int, file: str = TEXT_FONT_FILE) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans where it is installed; Pillow's own font otherwise, so a bare system still draws."""
    try:
        return ImageFont.truetype(file, size)
    except OSError:
        pass
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow before 10.1, or built without FreeType: one small bitmap size
        return ImageFont.load_default()


@dataclass(frozen=True)
class Grid:
    """How one section's dots are stacked: the same for every day, so rows line up across the week."""

    per_row: int
    rows: int
    pitch: float  # centre to centre, final pixels
    diameter: float

    @property
    def height(self) -> float:
        return self.rows * self.pitch


def _grid(most: int, min_rows: int, pitch: float, diameter: float, room: float) -> Grid:
    per_row = DOTS_PER_ROW
    if math.ceil(most / per_row) > MAX_ROWS:
        per_row = math.ceil(most / MAX_ROWS)
        shrink = min(1.0, room / (per_row * pitch))
        pitch, diameter = pitch * shrink, diameter * shrink
    return Grid(per_row, max(min_rows, math.ceil(most / per_row)), pitch, diameter)


def dot_centres(count: int, grid: Grid, centre_x: float, top: float) -> Iterator[tuple[float, float]]:
    """Row after row from the top, each row centred, so one dot sits in the middle of its day."""
    for index in range(count):
        row, place = divmod(index, grid.per_row)
        in_row = min(grid.per_row, count - row * grid.per_row)
        x = centre_x + (place - (in_row - 1) / 2) * grid.pitch
        yield x, top + (row + 0.5) * grid.pitch


@dataclass(frozen=True)
class Column:
    day: DaySummary
    header: tuple[float, float, float, float]  # box: left, top, right, bottom
    body: tuple[float, float, float, float]  # where the day's dots may go; nothing else is drawn there

    @property
    def centre_x(self) -> float:
        return (self.body[0] + self.body[2]) / 2


@dataclass(frozen=True)
class LegendItem:
    label: str
    colour: str | None  # a PictureColours field ("rest", "calm"...); None: just the words (a heading)
    hollow: bool = False


@dataclass(frozen=True)
class WeekLayout:
    """Where everything goes, in final pixels; the tests read the boxes too."""

    scale: float
    today: date
    width: int
    height: int
    columns: tuple[Column, ...]
    rests: Grid
    checkins: Grid
    rests_top: float
    checkins_top: float
    legend_lines: tuple[tuple[tuple[LegendItem, float], ...], ...]  # items with their x, per line
    legend_top: float
    legend_line: float  # from one legend line to the next
    caption_lines: tuple[str, ...]
    caption_top: float

    def px(self, value: float) -> float:
        return value * self.scale


def _legend_groups(language: str) -> list[list[LegendItem]]:
    t = functools.partial(week_text, language)
    return [
        [LegendItem(t("legend_rest"), "rest"), LegendItem(t("legend_attempt"), "rest", hollow=True)],
        [
            LegendItem(t("legend_checkin"), None),
            LegendItem(t("legend_calm"), "calm"),
            LegendItem(t("legend_hurried"), "hurried"),
            LegendItem(t("legend_unknown"), "not_sure"),
        ],
    ]


def _item_width(item: LegendItem, scale: float) -> float:
    swatch = (CHECKIN_DOT + 5) * scale if item.colour else 0.0
    return swatch + font(round(FONT_LEGEND * scale)).getlength(item.label)


def _flow(items: list[LegendItem], width: float, scale: float) -> list[list[LegendItem]]:
    """Greedy lines of legend items, each no wider than `width` (an item too wide stays on its own)."""
    gap = LEGEND_ITEM_GAP * scale
    lines: list[list[LegendItem]] = [[]]
    used = 0.0
    for item in items:
        needed = _item_width(item, scale) + (gap if lines[-1] else 0)
        if lines[-1] and used + needed > width:
            lines.append([])
            used, needed = 0.0, _item_width(item, scale)
        lines[-1].append(item)
        used += needed
    return lines


def _centred(items: list[LegendItem], width: float, scale: float) -> tuple[tuple[LegendItem, float], ...]:
    gap = LEGEND_ITEM_GAP * scale
    total = sum(_item_width(item, scale) for item in items) + gap * (len(items) - 1)
    x = (width - total) / 2
    placed = []
    for item in items:
        placed.append((item, x))
        x += _item_width(item, scale) + gap
    return tuple(placed)


def _wrap(words: str, width: float, size: int) -> tuple[str, ...]:
    lines: list[str] = []
    for word in words.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and font(size).getlength(candidate) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return tuple(lines)


def _line_height(size: int) -> float:
    chosen = font(size)
    if isinstance(chosen, ImageFont.FreeTypeFont):
        ascent, descent = chosen.getmetrics()
        return float(ascent + descent)
    _, top, _, bottom = chosen.getbbox("Ágy")  # the small bitmap font has no metrics to ask
    return float(bottom - top)


def layout_week(
    summary: WeekSummary, language: str, scale: float = 1.0, *, caption: bool = True
) -> WeekLayout:
    if not math.isfinite(scale) or scale <= 0:
        raise ValueError(f"scale must be a positive number, not {scale!r}")
    s = scale
    width = (2 * MARGIN + len(summary.days) * COLUMN) * s
    room = (COLUMN - 6) * s
    rests = _grid(max(d.rest_count for d in summary.days), MIN_REST_ROWS, REST_PITCH * s, REST_DOT * s, room)
    checkins = _grid(
        max(d.checkin_count for d in summary.days), MIN_CHECKIN_ROWS, CHECKIN_PITCH * s, CHECKIN_DOT * s, room
    )
    rests_top = (MARGIN + HEADER + HEADER_GAP) * s
    checkins_top = rests_top + rests.height + SECTION_GAP * s
    body_bottom = checkins_top + checkins.height
    columns = tuple(
        Column(
            day=day,
            header=((MARGIN + i * COLUMN) * s, MARGIN * s, (MARGIN + (i + 1) * COLUMN) * s, rests_top),
            body=((MARGIN + i * COLUMN) * s, rests_top, (MARGIN + (i + 1) * COLUMN) * s, body_bottom),
        )
        for i, day in enumerate(summary.days)
    )
    text_width = width - 2 * MARGIN * s
    lines = [line for group in _legend_groups(language) for line in _flow(group, text_width, s)]
    legend_top = body_bottom + LEGEND_GAP * s
    legend_line = max(_line_height(round(FONT_LEGEND * s)), CHECKIN_DOT * s) + LINE_GAP * s
    bottom = legend_top + len(lines) * legend_line - LINE_GAP * s
    caption_top = bottom + LEGEND_GAP * s
    caption_size = round(FONT_CAPTION * s)
    caption_lines = _wrap(summary_line(summary, language), text_width, caption_size) if caption else ()
    if caption_lines:
        bottom = caption_top + len(caption_lines) * (_line_height(caption_size) + LINE_GAP * s) - LINE_GAP * s
    height = bottom + MARGIN * s
    return WeekLayout(
        scale=s,
        today=summary.today,
        width=round(width),
        height=round(height),
        columns=columns,
        rests=rests,
        checkins=checkins,
        rests_top=rests_top,
        checkins_top=checkins_top,
        legend_lines=tuple(_centred(line, width, s) for line in lines),
        legend_top=legend_top,
        legend_line=legend_line,
        caption_lines=caption_lines,
        caption_top=caption_top,
    )


# ----- drawing ------------------------------------------------------------------------------------------


def _dot(
    draw: ImageDraw.ImageDraw,
    x: float,
    y: float,
    diameter: float,
    colour: str,
    hollow: str | None = None,
) -> None:
    """A round dot at (x, y), in final pixels, on the SUPERSAMPLE canvas."""
    k = SUPERSAMPLE
    r = diameter / 2 * k
    box = (x * k - r, y * k - r, x * k + r, y * k + r)
    if hollow is not None:  # the fill inside the ring
        ring = max(1, round(diameter * k * 0.16))
        draw.ellipse(box, fill=hollow, outline=colour, width=ring)
    else:
        draw.ellipse(box, fill=colour)


def _draw_shapes(layout: WeekLayout, colours: PictureColours) -> Image.Image:
    """Today's pill and every dot, drawn large and scaled down for soft edges."""
    k = SUPERSAMPLE
    big = Image.new("RGB", (layout.width * k, layout.height * k), colours.background)
    draw = ImageDraw.Draw(big)
    for column in layout.columns:
        if column.day.day == layout.today:
            inset = layout.px(7)
            left, top, right, bottom = column.header
            box = ((left + inset) * k, (top - layout.px(4)) * k, (right - inset) * k, (bottom - inset) * k)
            draw.rounded_rectangle(box, radius=layout.px(10) * k, fill=colours.today)
        rests = dot_centres(column.day.rest_count, layout.rests, column.centre_x, layout.rests_top)
        for dot, (x, y) in zip(column.day.rests, rests, strict=True):
            hollow = colours.attempt_fill if dot.attempt else None
            _dot(draw, x, y, layout.rests.diameter, colours.rest, hollow)
        grid = layout.checkins
        places = dot_centres(column.day.checkin_count, grid, column.centre_x, layout.checkins_top)
        for checkin, (x, y) in zip(column.day.checkins, places, strict=True):
            _dot(draw, x, y, grid.diameter, colours.breath(checkin.breath))
    for line_number, line in enumerate(layout.legend_lines):
        y = _legend_line_y(layout, line_number)
        for item, x in line:
            if item.colour is not None:
                diameter = layout.px(CHECKIN_DOT)
                hollow = colours.attempt_fill if item.hollow else None
                _dot(draw, x + diameter / 2, y, diameter, getattr(colours, item.colour), hollow)
    return big.resize((layout.width, layout.height), Image.Resampling.LANCZOS)


def _legend_line_y(layout: WeekLayout, line_number: int) -> float:
    """The middle of a legend line, in final pixels."""
    line = layout.legend_line
    return layout.legend_top + line_number * line + (line - layout.px(LINE_GAP)) / 2


def _draw_words(image: Image.Image, layout: WeekLayout, language: str, colours: PictureColours) -> None:
    draw = ImageDraw.Draw(image)
    today = layout.today
    day_font, number_font = font(round(FONT_DAY * layout.scale)), font(round(FONT_NUMBER * layout.scale))
    for column in layout.columns:
        is_today = column.day.day == today
        left, top, right, bottom = column.header
        middle = (left + right) / 2
        name_y = top + (bottom - top) * 0.3
        draw.text(
            (middle, name_y),
            weekday_name(language, column.day.day),
            font=day_font,
            fill=colours.ink if is_today else colours.soft_ink,
            anchor="mm",
        )
        draw.text(
            (middle, top + (bottom - top) * 0.72),
            str(column.day.day.day),
            font=number_font,
            fill=colours.ink if is_today else colours.muted,
            anchor="mm",
        )
    legend_font = font(round(FONT_LEGEND * layout.scale))
    for line_number, line in enumerate(layout.legend_lines):
        y = _legend_line_y(layout, line_number)
        for item, x in line:
            swatch = layout.px(CHECKIN_DOT + 5) if item.colour else 0.0
            draw.text((x + swatch, y), item.label, font=legend_font, fill=colours.soft_ink, anchor="lm")
    caption_size = round(FONT_CAPTION * layout.scale)
    caption_line = _line_height(caption_size) + layout.px(LINE_GAP)
    for number, words in enumerate(layout.caption_lines):
        y = layout.caption_top + number * caption_line
        draw.text((layout.width / 2, y), words, font=font(caption_size), fill=colours.ink, anchor="ma")


def render_week(
    summary: WeekSummary,
    language: str,
    scale: float = 1.0,
    *,
    caption: bool = True,
    scheme: Scheme = LIGHT,
) -> Image.Image:
    """The week as an RGB picture, `scale` times its 96-dpi size, in `scheme`'s colours; with the summary
    line under it unless `caption` is False (the window shows that line as a real label instead)."""
    layout = layout_week(summary, language, scale, caption=caption)
    colours = picture_colours(scheme)
    image = _draw_shapes(layout, colours)
    _draw_words(image, layout, language, colours)
    return image


def save_week_png(summary: WeekSummary, language: str, path: str | Path, scale: float = 1.0) -> Path:
    render_week(summary, language, scale).save(path, format="PNG", optimize=True)
    return Path(path)
