"""The calm palettes stay readable: every text colour on its ground meets WCAG AA in light and dark."""

from __future__ import annotations

import pytest

from rustlamp.ui.palette import DARK, LIGHT, TEXT_PAIRS, Scheme, blend, contrast

AA = 4.5


@pytest.mark.parametrize("scheme", [LIGHT, DARK], ids=["light", "dark"])
@pytest.mark.parametrize(("text", "ground"), TEXT_PAIRS)
def test_text_meets_wcag_aa(scheme: Scheme, text: str, ground: str) -> None:
    ratio = contrast(getattr(scheme, text), getattr(scheme, ground))
    assert ratio >= AA, f"{text} on {ground}: {ratio:.2f}:1"


def test_contrast_is_the_wcag_ratio() -> None:
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert contrast("#123456", "#123456") == 1.0


def test_blend_goes_from_one_colour_to_the_other() -> None:
    assert blend("#000000", "#FFFFFF", 0.0) == "#000000"
    assert blend("#000000", "#FFFFFF", 1.0) == "#ffffff"
    assert blend("#000000", "#FFFFFF", 0.5) == "#808080"


@pytest.mark.parametrize("scheme", [LIGHT, DARK], ids=["light", "dark"])
def test_every_text_role_of_the_qt_palette_meets_wcag_aa_on_its_ground(scheme: Scheme) -> None:
    # what Qt itself draws with the palette: selected rows, fields, tooltips, buttons
    pytest.importorskip("PySide6.QtGui")
    from PySide6.QtGui import QPalette

    from rustlamp.ui.qt_common import calm_palette

    palette = calm_palette(scheme)
    role = QPalette.ColorRole
    pairs = [
        (role.WindowText, role.Window),
        (role.Text, role.Base),
        (role.ButtonText, role.Button),
        (role.HighlightedText, role.Highlight),
        (role.ToolTipText, role.ToolTipBase),
        (role.PlaceholderText, role.Base),
    ]
    for text, ground in pairs:
        ratio = contrast(palette.color(text).name(), palette.color(ground).name())
        assert ratio >= AA, f"{text.name} on {ground.name}: {ratio:.2f}:1"
