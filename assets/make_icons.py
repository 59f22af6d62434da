"""Draw the rustlamp tray icon, "the lamp", in every state and size.

The design is the one in assets/lamp.svg: a table lamp with a trapezoid shade, a glimpse of the bulb, a
slim stem and a rounded base, all with a dark warm outline so it reads on light panels, and warm fills
(plus a soft glow) so it reads on dark ones. 16 and 22 px are drawn by hand, pixel by pixel (24 px is the
22 px lamp with a pixel more room); 32 px and up are drawn from the 64-unit design grid with 8x
supersampling, their straight edges snapped to whole pixels. The glow is drawn the same way at every size.

Run from the project root:  .venv/bin/python assets/make_icons.py [--out DIR]
It writes DIR/rustlamp/icons/<state>-<size>.png (RGBA) and .argb (ARGB32, big-endian, row-major: what a
StatusNotifierItem's IconPixmap wants), and DIR/assets/rustlamp.png. DIR defaults to the project root.
The output is deterministic: the same bytes on every run.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

STATES: tuple[str, ...] = ("calm-0", "calm-1", "calm-2", "calm-3", "calm-4", "waiting", "paused")
SIZES: tuple[int, ...] = (16, 22, 24, 32, 48, 64, 128, 256)
# Raw pixmaps only at panel sizes: a tray never draws the lamp larger, and every NewIcon sends them all
PIXMAP_SIZES: tuple[int, ...] = tuple(size for size in SIZES if size <= 64)
ICO_STATES: tuple[str, ...] = ("waiting",)  # the lamp notifications carry
ICO_SIZES: tuple[int, ...] = (16, 24, 32, 48, 64, 128, 256)
APP_PICTURE = ("calm-2", 256)

RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]
Point = tuple[float, float]

SUPERSAMPLE = 8
GRID = 64.0  # the design grid of lamp.svg


def _rgb(hex_colour: str) -> RGB:
    v = int(hex_colour.lstrip("#"), 16)
    return (v >> 16 & 255, v >> 8 & 255, v & 255)


OUTLINE = _rgb("#3b2b22")  # dark and warm: keeps the light shade visible on light panels
WOOD = _rgb("#a57a52")  # stem and base: a mid tone that reads on light panels and on dark ones
FOOT = _rgb("#705037")  # the base's shadowed underside


@dataclass(frozen=True)
class Palette:
    shade: RGB  # the shade's fill: the colour of the light
    rim: RGB  # the lit lower edge of the shade
    bulb: RGB  # the bulb peeking out below the shade
    glow: RGB = (0, 0, 0)  # the soft light behind the lamp
    glow_alpha: float = 0.0  # how strong that light is, 0..1
    halo: bool = False  # waiting: a round halo behind the whole lamp instead of a pool of light below it
    outline: RGB = OUTLINE
    wood: RGB = WOOD
    foot: RGB = FOOT


# calm-0 is a cool, quiet, pale light; every step is a little warmer, up to calm-4's amber with a glow
PALETTES: dict[str, Palette] = {
    "calm-0": Palette(_rgb("#dde6ee"), _rgb("#ecf2f7"), _rgb("#f4f8fb")),
    "calm-1": Palette(_rgb("#ece9db"), _rgb("#f6f4ea"), _rgb("#faf8ee")),
    "calm-2": Palette(_rgb("#f6dda8"), _rgb("#fcecc8"), _rgb("#fff4d6")),
    "calm-3": Palette(_rgb("#fcc877"), _rgb("#ffdea0"), _rgb("#ffecba"), _rgb("#ffb450"), 0.45),
    "calm-4": Palette(_rgb("#ffb347"), _rgb("#ffd078"), _rgb("#ffe4a0"), _rgb("#ffa532"), 0.65),
    "waiting": Palette(_rgb("#ffd36b"), _rgb("#ffeaaa"), _rgb("#fff4cd"), _rgb("#ffc85a"), 0.85, halo=True),
    "paused": Palette(
        _rgb("#a4a4a4"),
        _rgb("#b0b0b0"),
        _rgb("#b8b8b8"),
        outline=_rgb("#626262"),
        wood=_rgb("#808080"),
        foot=_rgb("#6a6a6a"),
    ),
}


# --- geometry ------------------------------------------------------------------------------------------


def _inset(poly: list[Point], d: float) -> list[Point]:
    """The convex polygon `poly` (clockwise on screen, y down) moved inwards by `d` on every side."""
    n = len(poly)
    lines: list[tuple[Point, Point]] = []
    for i in range(n):
        (x0, y0), (x1, y1) = poly[i], poly[(i + 1) % n]
        dx, dy = x1 - x0, y1 - y0
        length = math.hypot(dx, dy)
        nx, ny = -dy / length, dx / length  # inward normal for a clockwise polygon with y down
        lines.append(((x0 + nx * d, y0 + ny * d), (dx, dy)))
    out: list[Point] = []
    for i in range(n):
        (px, py), (rx, ry) = lines[i - 1]
        (qx, qy), (sx, sy) = lines[i]
        denom = rx * sy - ry * sx
        t = ((qx - px) * sy - (qy - py) * sx) / denom
        out.append((px + t * rx, py + t * ry))
    return out


@dataclass(frozen=True)
class Layout:
    """The lamp's shapes in pixels for one size; straight edges fall on whole pixels."""

    size: int
    line: int  # outline width
    shade: list[Point]  # outer trapezoid, clockwise
    bulb: tuple[float, float, float, float]  # ellipse box, its top half hidden by the shade
    bulb_line: int  # the bulb's rim: thinner than the outline at small sizes, so the light shows
    stem: tuple[int, int, int, int]
    base: tuple[int, int, int, int]
    base_radius: float
    foot: int  # the height of the base's darker underside


def layout(size: int) -> Layout:
    s = size / GRID
    c = size / 2

    def px(v: float) -> int:
        return round(v * s)

    def half(w: float) -> int:
        return max(1, round(w * s))

    line = max(1, round(3 * s))
    top, bottom = px(7), px(36)
    top_half, bottom_half = half(11), half(26)
    shade = [(c - top_half, top), (c + top_half, top), (c + bottom_half, bottom), (c - bottom_half, bottom)]
    bulb_half, bulb_drop = max(2, round(6 * s)), max(2, round(6 * s))
    bulb = (c - bulb_half, bottom - bulb_drop, c + bulb_half, bottom + bulb_drop)
    stem_half = max(1, round(2 * s))
    base_top, base_bottom = px(49), px(58)
    stem = (round(c - stem_half), bottom, round(c + stem_half), base_top)
    base_half = half(16)
    base = (round(c - base_half), base_top, round(c + base_half), base_bottom)
    bulb_line = line if size >= 48 else 1
    return Layout(size, line, shade, bulb, bulb_line, stem, base, 2.5 * s, max(1, round(line * 0.67)))


# --- drawing -------------------------------------------------------------------------------------------


def _fill(colour: RGB, alpha: float = 1.0) -> RGBA:
    return (*colour, round(255 * alpha))


def _reduce(img: Image.Image, factor: int) -> Image.Image:
    """Box-downsample with premultiplied alpha, so edges do not pick up dark fringes."""
    return img.convert("RGBa").reduce(factor).convert("RGBA")


def _draw_lamp(pal: Palette, lay: Layout) -> Image.Image:
    k = SUPERSAMPLE
    big = Image.new("RGBA", (lay.size * k, lay.size * k), (0, 0, 0, 0))
    d = ImageDraw.Draw(big)
    line = lay.line * k

    def sc(poly: list[Point]) -> list[Point]:
        return [(x * k, y * k) for x, y in poly]

    def box(b: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        return (b[0] * k, b[1] * k, b[2] * k - 1, b[3] * k - 1)

    # stem, then base, then bulb, then shade on top
    # the wooden stem and base are a mid tone, legible on any panel without an outline
    d.rectangle(box(lay.stem), fill=_fill(pal.wood))
    d.rounded_rectangle(box(lay.base), radius=lay.base_radius * k, fill=_fill(pal.foot))
    b0, b1, b2, b3 = lay.base
    top_part = (b0, b1, b2, b3 - lay.foot)
    d.rounded_rectangle(
        box(top_part), radius=min(lay.base_radius, (top_part[3] - b1) / 2) * k, fill=_fill(pal.wood)
    )
    d.ellipse(box(lay.bulb), fill=_fill(pal.outline))
    b = lay.bulb
    bl = lay.bulb_line
    inner_bulb = (b[0] + bl, b[1] + bl, b[2] - bl, b[3] - bl)
    if inner_bulb[3] - inner_bulb[1] > 0.5:
        d.ellipse(box(inner_bulb), fill=_fill(pal.bulb))
    shade = sc(lay.shade)
    d.polygon(shade, fill=_fill(pal.outline))
    inner_shade = _inset(shade, line)
    d.polygon(inner_shade, fill=_fill(pal.shade))
    # the lit rim: the lowest third of the inside of the shade
    (x0, y0), (x1, _), (x2, y2), (x3, _) = inner_shade
    h = y2 - y0
    cut = y2 - round(h / 3 / k) * k
    t = (cut - y0) / h
    d.polygon([(x0 + (x3 - x0) * t, cut), (x1 + (x2 - x1) * t, cut), (x2, y2), (x3, y2)], fill=_fill(pal.rim))
    return _reduce(big, k)


def _glow(pal: Palette, size: int) -> Image.Image:
    """The light behind the lamp: a pool under the shade (calm), or a round halo (waiting)."""
    out = Image.new("RGBA", (size, size), (*pal.glow, 0))
    if pal.glow_alpha <= 0 or (size < 48 and not pal.halo):
        return out  # below 48 px a pool of light is only a smudge; the shade's colour says it all
    k = SUPERSAMPLE
    s = size / GRID
    if pal.halo:
        # waiting: a round disc of light behind the whole lamp, brightest behind the shade
        cx, cy, r = 32 * s, 30 * s, 31.5 * s
        steps = 48
        mask = Image.new("L", (size * k, size * k), 0)
        d = ImageDraw.Draw(mask)
        for i in range(steps):
            t = i / steps  # 0 at the rim .. 1 near the centre
            rr = r * (1 - t)
            d.ellipse(
                ((cx - rr) * k, (cy - rr) * k, (cx + rr) * k, (cy + rr) * k), fill=round(255 * (t**0.6))
            )
        mask = mask.reduce(k)
    else:
        mask = Image.new("L", (size * k, size * k), 0)
        cx, cy, rx, ry = 32 * s, 40 * s, 22 * s, 9 * s
        ImageDraw.Draw(mask).ellipse(((cx - rx) * k, (cy - ry) * k, (cx + rx) * k, (cy + ry) * k), fill=255)
        mask = mask.reduce(k).filter(ImageFilter.GaussianBlur(size * 0.06))
    out.putalpha(mask.point(lambda v: round(v * pal.glow_alpha)))
    return out


# --- the hand-drawn small lamps -----------------------------------------------------------------------

# The small sizes, drawn by hand: o outline, s shade, r lit rim, b bulb, t stem, B base, f the base's
# underside, . nothing. The shade's sides step one pixel every two rows, so its edges stay crisp.
LAMP_16 = (
    "................",
    ".....oooooo.....",
    ".....osssso.....",
    "....osssssso....",
    "....osssssso....",
    "...osssssssso...",
    "...osssssssso...",
    "..orrrrrrrrrro..",
    "..oooooooooooo..",
    "......obbo......",
    ".......tt.......",
    ".......tt.......",
    ".......tt.......",
    "....BBBBBBBB....",
    "...BBBBBBBBBB...",
    "...ffffffffff...",
)
LAMP_22 = (
    "......................",
    "......................",
    ".......oooooooo.......",
    "......osssssssso......",
    "......osssssssso......",
    ".....osssssssssso.....",
    ".....osssssssssso.....",
    "....osssssssssssso....",
    "....orrrrrrrrrrrro....",
    "...orrrrrrrrrrrrrro...",
    "...orrrrrrrrrrrrrro...",
    "..oooooooooooooooooo..",
    ".........obbo.........",
    "..........oo..........",
    "..........tt..........",
    "..........tt..........",
    "..........tt..........",
    ".....BBBBBBBBBBBB.....",
    ".....BBBBBBBBBBBB.....",
    ".....ffffffffffff.....",
    "......................",
    "......................",
)


def _pad(rows: tuple[str, ...], n: int) -> tuple[str, ...]:
    blank = "." * (len(rows[0]) + 2 * n)
    return (blank,) * n + tuple("." * n + row + "." * n for row in rows) + (blank,) * n


# 24 px is the 22 px lamp with a little more room: crisper than any resampling
PIXEL_LAMPS: dict[int, tuple[str, ...]] = {16: LAMP_16, 22: LAMP_22, 24: _pad(LAMP_22, 1)}


def _draw_pixels(pal: Palette, rows: tuple[str, ...]) -> Image.Image:
    colours: dict[str, RGBA] = {
        "o": _fill(pal.outline),
        "s": _fill(pal.shade),
        "r": _fill(pal.rim),
        "b": _fill(pal.bulb),
        "t": _fill(pal.wood),
        "f": _fill(pal.foot),
        "B": _fill(pal.wood),
    }
    img = Image.new("RGBA", (len(rows[0]), len(rows)), (0, 0, 0, 0))
    for y, row in enumerate(rows):
        for x, ch in enumerate(row):
            if ch in colours:
                img.putpixel((x, y), colours[ch])
    return img


# --- states, sizes, files ------------------------------------------------------------------------------


def render(state: str, size: int) -> Image.Image:
    pal = PALETTES[state]
    rows = PIXEL_LAMPS.get(size)
    lamp = _draw_pixels(pal, rows) if rows else _draw_lamp(pal, layout(size))
    img = Image.alpha_composite(_glow(pal, size), lamp)
    # fully transparent pixels carry no colour: cleaner ARGB for tray hosts, smaller PNGs
    clear = img.getchannel("A").point(lambda v: 255 if v == 0 else 0)
    img.paste((0, 0, 0, 0), mask=clear)
    return img


def argb_bytes(img: Image.Image) -> bytes:
    """RGBA pixels as ARGB32 in network byte order (A, R, G, B per pixel), row-major."""
    r, g, b, a = img.convert("RGBA").split()
    return Image.merge("RGBA", (a, r, g, b)).tobytes()


def _save_png(img: Image.Image, path: Path) -> None:
    # no metadata and a fixed compression level, so the bytes are the same on every run
    img.save(path, format="PNG", optimize=True)


def generate(out_dir: Path) -> list[Path]:
    """Write every icon (PNG and ARGB) and the app picture under `out_dir`; return the paths written."""
    icons = out_dir / "rustlamp" / "icons"
    icons.mkdir(parents=True, exist_ok=True)
    (out_dir / "assets").mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for state in STATES:
        for size in SIZES:
            img = render(state, size)
            png = icons / f"{state}-{size}.png"
            _save_png(img, png)
            written.append(png)
            if size in PIXMAP_SIZES:
                argb = icons / f"{state}-{size}.argb"
                argb.write_bytes(argb_bytes(img))
                written.append(argb)
    for state in ICO_STATES:
        # Windows' balloon (plyer) loads only .ico files; each size drawn as the PNGs are
        ico = icons / f"{state}.ico"
        sizes = [size for size in SIZES if size in ICO_SIZES]
        largest = render(state, sizes[-1])
        smaller = [render(state, size) for size in sizes[:-1]]
        largest.save(ico, format="ICO", sizes=[(size, size) for size in sizes], append_images=smaller)
        written.append(ico)
    picture = out_dir / "assets" / "rustlamp.png"
    _save_png(render(*APP_PICTURE), picture)
    written.append(picture)
    return written


def main(argv: list[str] | None = None) -> int:
    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--out", type=Path, default=root, help="the tree to write into (default: the project)"
    )
    args = parser.parse_args(argv)
    written = generate(args.out)
    total = sum(p.stat().st_size for p in written)
    print(f"wrote {len(written)} files, {total} bytes, under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
