"""The calm colours the windows and the week's picture share, for a light and a dark desktop. No toolkit
here: the picture is drawn with Pillow, and drawing it must not pull in a toolkit.

Every pair of text and the ground it sits on meets WCAG AA (4.5:1), and what tells a control apart (its
outline, the focus ring) 3:1 (tests/test_palette.py holds us to both): calm is soft shapes and warm
colours, never faint words nor controls that vanish into the ground."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scheme:
    """One set of the calm colours (#rrggbb)."""

    background: str  # the window
    ink: str  # the prompt, answers, labels
    soft_ink: str  # the breathing words, hints
    muted: str  # the countdown: there, but easy to ignore (still readable)
    circle: str  # the breathing circle
    circle_track: str  # the faint outline of a full breath
    button: str
    button_hover: str
    primary: str  # Klaar: the one calm, darker accent
    primary_hover: str
    primary_ink: str
    focus: str  # the ring that shows where the keyboard is
    chosen: str  # a chosen answer (always with a ✓ as well)
    chosen_hover: str
    field: str  # where a person types
    field_edge: str
    control_edge: str  # the outline of a radio button or check box: 3:1 on the ground and on the field


# Warm and soft; no pure white, no red.
LIGHT = Scheme(
    background="#F2EBDF",  # muted cream
    ink="#514A43",  # warm dark grey
    soft_ink="#665E56",
    muted="#6E665E",
    circle="#A9BFCF",  # soft dusk blue
    circle_track="#E6DED1",
    button="#E5DCCD",
    button_hover="#DCD1BF",
    primary="#536C80",
    primary_hover="#485E70",
    primary_ink="#F6F1E8",
    focus="#9A6F45",  # a warm ochre
    chosen="#C5D4DF",
    chosen_hover="#B7CAD8",
    field="#FAF6EF",
    field_edge="#D8CDBB",
    control_edge="#857A6D",
)

# The same warmth at night: a deep brown-grey ground, cream words, the dusk blue lighter.
DARK = Scheme(
    background="#2A2622",
    ink="#EEE7DB",
    soft_ink="#CFC6B8",
    muted="#B3A99C",
    circle="#5E7A90",
    circle_track="#3A3430",
    button="#3D3732",
    button_hover="#49423C",
    primary="#A9BFCF",
    primary_hover="#BBCDDA",
    primary_ink="#1E2830",
    focus="#D9A66E",
    chosen="#3F5668",
    chosen_hover="#4A6376",
    field="#332E2A",
    field_edge="#5C544C",
    control_edge="#ADA498",
)

# The light scheme's colours by their old names (the tests of the week's picture read them).
BACKGROUND = LIGHT.background
INK = LIGHT.ink
SOFT_INK = LIGHT.soft_ink
MUTED = LIGHT.muted
CIRCLE = LIGHT.circle
CIRCLE_TRACK = LIGHT.circle_track
BUTTON = LIGHT.button
BUTTON_HOVER = LIGHT.button_hover
PRIMARY = LIGHT.primary
PRIMARY_HOVER = LIGHT.primary_hover
PRIMARY_INK = LIGHT.primary_ink
FOCUS = LIGHT.focus
CHOSEN = LIGHT.chosen
CHOSEN_HOVER = LIGHT.chosen_hover
FIELD = LIGHT.field
FIELD_EDGE = LIGHT.field_edge

# (text, ground) pairs that carry words, for the contrast check.
TEXT_PAIRS = (
    ("ink", "background"),
    ("soft_ink", "background"),
    ("muted", "background"),
    ("ink", "button"),
    ("ink", "button_hover"),
    ("primary_ink", "primary"),
    ("primary_ink", "primary_hover"),
    ("ink", "chosen"),
    ("ink", "chosen_hover"),
    ("ink", "field"),
    ("soft_ink", "button"),
)


# (outline, ground) pairs of what identifies a control or shows the keyboard's place, for WCAG 2.1's 3:1
# for non-text contrast (1.4.11): a radio button's or check box's outline, on the window and on its own fill.
EDGE_PAIRS = (
    ("control_edge", "background"),
    ("control_edge", "field"),
    ("focus", "background"),
    ("focus", "field"),
)


def _channels(colour: str) -> list[int]:
    return [int(colour[i : i + 2], 16) for i in (1, 3, 5)]


def blend(a: str, b: str, share: float) -> str:
    """The colour `share` of the way from a to b (#rrggbb)."""
    return "#" + "".join(
        f"{round(x + (y - x) * share):02x}" for x, y in zip(_channels(a), _channels(b), strict=True)
    )


def luminance(colour: str) -> float:
    """WCAG 2's relative luminance of #rrggbb."""
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
        for c in (v / 255 for v in _channels(colour))
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2's contrast ratio of two colours, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)
