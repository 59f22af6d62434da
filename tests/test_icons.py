"""The lamp's prepared icons: complete, consistent, reproducible, and readable in every state."""

from __future__ import annotations

import colorsys
import importlib.util
import itertools
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image

from rustlamp.core.menu import WARMTH_LEVELS, Lamp
from rustlamp.tray import icons

ROOT = Path(__file__).resolve().parent.parent
ICON_DIR = ROOT / "rustlamp" / "icons"
SCRIPT = ROOT / "assets" / "make_icons.py"
CALM = tuple(f"calm-{n}" for n in range(5))
ALL = [(state, size) for state in icons.STATES for size in icons.SIZES]


def _load(state: str, size: int) -> Image.Image:
    with Image.open(ICON_DIR / f"{state}-{size}.png") as img:
        img.load()
        return img


def _pixels(img: Image.Image) -> list[tuple[int, int, int, int]]:
    data = img.tobytes()
    return [(data[i], data[i + 1], data[i + 2], data[i + 3]) for i in range(0, len(data), 4)]


def _make_icons() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_icons", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it is being made
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def warmth(img: Image.Image) -> float:
    """How warm the light looks: the mean of red minus blue over the visible pixels, weighted by alpha."""
    total = weight = 0.0
    for r, _, b, a in _pixels(img):
        total += (r - b) * a
        weight += a
    return total / weight


def saturation(img: Image.Image) -> float:
    """The mean HSV saturation of the visible pixels, weighted by alpha."""
    total = weight = 0.0
    for r, g, b, a in _pixels(img):
        total += colorsys.rgb_to_hsv(r / 255, g / 255, b / 255)[1] * a
        weight += a
    return total / weight


def test_states_and_sizes_agree_with_the_script_and_the_core() -> None:
    script = _make_icons()
    assert script.STATES == icons.STATES
    assert script.SIZES == icons.SIZES
    assert script.PIXMAP_SIZES == icons.PIXMAP_SIZES
    wanted = {Lamp("calm", n).icon for n in range(WARMTH_LEVELS)} | {
        Lamp("waiting").icon,
        Lamp("paused").icon,
    }
    assert wanted == set(icons.STATES)


def test_the_icon_folder_holds_exactly_every_state_and_size_in_both_forms() -> None:
    expected = {f"{state}-{size}.png" for state, size in ALL}
    expected |= {f"{state}-{size}.argb" for state, size in ALL if size in icons.PIXMAP_SIZES}
    expected |= {"waiting.ico"}  # Windows' balloons load .ico files only
    assert {p.name for p in ICON_DIR.iterdir()} == expected
    assert not (ICON_DIR / "__init__.py").exists()


@pytest.mark.parametrize(
    ("state", "size"), [(state, size) for state, size in ALL if size in icons.PIXMAP_SIZES]
)
def test_png_is_rgba_of_its_size_and_argb_is_the_same_pixels_reordered(state: str, size: int) -> None:
    img = _load(state, size)
    assert img.mode == "RGBA"
    assert img.size == (size, size)
    rgba = img.tobytes()
    argb = (ICON_DIR / f"{state}-{size}.argb").read_bytes()
    assert len(argb) == size * size * 4
    expected = bytearray(len(rgba))
    expected[0::4] = rgba[3::4]  # A
    expected[1::4] = rgba[0::4]  # R
    expected[2::4] = rgba[1::4]  # G
    expected[3::4] = rgba[2::4]  # B
    assert argb == bytes(expected)


@pytest.mark.parametrize(("state", "size"), ALL)
def test_every_icon_has_transparent_and_opaque_pixels(state: str, size: int) -> None:
    alphas = set(_load(state, size).getchannel("A").tobytes())
    assert 0 in alphas
    assert 255 in alphas


def test_the_loader_gives_every_size_and_a_real_png_path() -> None:
    for state in icons.STATES:
        maps = icons.pixmaps(state)
        assert [(w, h) for w, h, _ in maps] == [(s, s) for s in icons.PIXMAP_SIZES]
        for w, h, data in maps:
            assert data == (ICON_DIR / f"{state}-{w}.argb").read_bytes()
            assert len(data) == w * h * 4
        for size in icons.SIZES:
            path = icons.png_path(state, size)
            assert path.is_file()
            assert path.read_bytes() == (ICON_DIR / f"{state}-{size}.png").read_bytes()
    # a caller changing the list it got does not change what the next caller gets
    icons.pixmaps("calm-1").clear()
    assert len(icons.pixmaps("calm-1")) == len(icons.PIXMAP_SIZES)


def test_unknown_states_and_sizes_are_refused_clearly() -> None:
    with pytest.raises(ValueError, match=r"calm-0, calm-1, calm-2, calm-3, calm-4, waiting, paused"):
        icons.pixmaps("glowing")
    with pytest.raises(ValueError, match=r"'glowing'.*waiting"):
        icons.png_path("glowing", 22)
    with pytest.raises(ValueError, match=r"16, 22, 24"):
        icons.png_path("calm-0", 23)


def test_the_loader_never_imports_an_image_library() -> None:
    code = (
        "import sys, rustlamp.tray.icons as icons\n"
        "icons.pixmaps('calm-0')\n"
        "icons.png_path('waiting', 22)\n"
        "assert 'PIL' not in sys.modules, sorted(m for m in sys.modules if 'PIL' in m)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_regenerating_gives_the_checked_in_bytes(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    made = tmp_path / "rustlamp" / "icons"
    assert sorted(p.name for p in made.iterdir()) == sorted(p.name for p in ICON_DIR.iterdir())
    for path in sorted(made.iterdir()):
        assert path.read_bytes() == (ICON_DIR / path.name).read_bytes(), f"{path.name} differs; run {SCRIPT}"
    picture = (tmp_path / "assets" / "rustlamp.png").read_bytes()
    assert picture == (ROOT / "assets" / "rustlamp.png").read_bytes()


@pytest.mark.parametrize("size", icons.SIZES)
def test_the_calm_lamp_warms_step_by_step(size: int) -> None:
    values = [warmth(_load(state, size)) for state in CALM]
    assert all(a < b for a, b in itertools.pairwise(values)), values
    # gentle steps, but the first and the last are clearly different
    assert values[-1] - values[0] > 60, values


def test_the_app_picture_is_the_calm_lamp() -> None:
    with Image.open(ROOT / "assets" / "rustlamp.png") as picture:
        assert picture.tobytes() == _load("calm-2", 256).tobytes()


@pytest.mark.parametrize("size", icons.SIZES)
def test_paused_is_greyer_than_calm(size: int) -> None:
    assert saturation(_load("paused", size)) < saturation(_load("calm-2", size)) / 4


@pytest.mark.parametrize("state", icons.STATES)
def test_at_22_px_the_lamp_stands_out_on_light_and_dark_panels(state: str) -> None:
    def luma(r: int, g: int, b: int) -> float:
        return 0.299 * r + 0.587 * g + 0.114 * b

    opaque = [luma(r, g, b) for r, g, b, a in _pixels(_load(state, 22)) if a == 255]
    white, near_black = 255.0, luma(0x20, 0x20, 0x20)
    assert sum(1 for v in opaque if white - v > 100) >= 10  # dark pixels: seen on a white panel
    assert sum(1 for v in opaque if v - near_black > 100) >= 10  # light pixels: seen on a dark panel


def test_the_notification_lamp_has_an_ico_for_windows_balloons_drawn_as_the_pngs() -> None:
    with Image.open(icons.ico_path("waiting")) as ico:
        assert ico.info["sizes"] == {(s, s) for s in (16, 24, 32, 48, 64, 128, 256)}
        for size in (16, 32, 256):
            ico.size = (size, size)
            ico.load()
            assert ico.convert("RGBA").tobytes() == _load("waiting", size).tobytes(), size
    with pytest.raises(ValueError, match=r"no \.ico"):
        icons.ico_path("paused")
