"""The calm palettes stay readable: every text colour on its ground meets WCAG AA in light and dark."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rustlamp.ui.palette import DARK, EDGE_PAIRS, LIGHT, TEXT_PAIRS, Scheme, blend, contrast

AA = 4.5
NON_TEXT = 3.0  # WCAG 2.1, 1.4.11: a control's outline and the focus indicator


@pytest.mark.parametrize("scheme", [LIGHT, DARK], ids=["light", "dark"])
@pytest.mark.parametrize(("text", "ground"), TEXT_PAIRS)
def test_text_meets_wcag_aa(scheme: Scheme, text: str, ground: str) -> None:
    ratio = contrast(getattr(scheme, text), getattr(scheme, ground))
    assert ratio >= AA, f"{text} on {ground}: {ratio:.2f}:1"


@pytest.mark.parametrize("scheme", [LIGHT, DARK], ids=["light", "dark"])
@pytest.mark.parametrize(("edge", "ground"), EDGE_PAIRS)
def test_control_outlines_and_focus_meet_wcag_non_text_contrast(
    scheme: Scheme, edge: str, ground: str
) -> None:
    ratio = contrast(getattr(scheme, edge), getattr(scheme, ground))
    assert ratio >= NON_TEXT, f"{edge} on {ground}: {ratio:.2f}:1"


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


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_radio_buttons_and_check_boxes_are_drawn_with_clear_outlines(scheme: str) -> None:
    """Read from what Qt really paints (tests/indicator_probe.py grabs the check-in and the settings
    windows): every side of every answer's and field's outline, and of a focused one's, stands out 3:1
    from the ground it sits on (Qt's Fusion alone draws them at 2.1:1 on the light ground and 1.1:1 on
    the dark one), and so does every text field's, which changes when the keyboard is in it (Fusion: 1.7
    to 2:1 light, 1.1 to 1.9:1 dark, and a multi-line field showed no focus at all)."""
    pytest.importorskip("PySide6.QtWidgets")
    probe = Path(__file__).with_name("indicator_probe.py")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "RUSTLAMP_COLOR_SCHEME": scheme}
    done = subprocess.run(
        [sys.executable, str(probe)], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    found = json.loads(done.stdout.splitlines()[0])
    assert found["style"] == "ClearIndicators"
    assert len(found["checkin"]) == 12  # five and three radio buttons, four check boxes
    assert len(found["settings"]) >= 12  # the languages, the days, the yes-or-no settings
    focused = 0
    for control, drawn in (*found["checkin"].items(), *found["settings"].items()):
        assert min(drawn["plain"]) >= NON_TEXT, (control, drawn)
        if drawn.get("focused"):
            focused += 1
            assert min(drawn["focused"]) >= NON_TEXT, (control, drawn)
    assert focused >= 11  # the keyboard reached the check-in's answers (the first has it from the start)
    fields = found["fields"]
    assert sum(name.startswith("check-in: ") for name in fields) == 2 and len(fields) >= 12
    for field, drawn in fields.items():  # what a person types in: its outline, and a sign of the keyboard
        assert min(drawn["plain"]) >= NON_TEXT and min(drawn["focused"]) >= NON_TEXT, (field, drawn)
        assert drawn["focused"] != drawn["plain"], (field, drawn)
