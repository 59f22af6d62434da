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
