"""The calm colours the windows and the week's picture share. No toolkit here: the picture is drawn with
Pillow, and drawing it must not pull in Tk."""

from __future__ import annotations

# Warm and soft, low contrast but readable; no pure white, no red.
BACKGROUND = "#F2EBDF"  # muted cream
INK = "#514A43"  # warm dark grey, the prompt
SOFT_INK = "#6E665E"  # the breathing words
MUTED = "#9D948A"  # the countdown: there, but easy to ignore
CIRCLE = "#A9BFCF"  # soft dusk blue
CIRCLE_TRACK = "#E6DED1"  # the faint outline of a full breath
BUTTON = "#E5DCCD"
BUTTON_HOVER = "#DCD1BF"
PRIMARY = "#5F7A90"  # Klaar: the one calm, darker accent
PRIMARY_HOVER = "#536C80"
PRIMARY_INK = "#F6F1E8"
FOCUS = "#B08458"  # a warm ochre ring shows where the keyboard is
CHOSEN = "#C5D4DF"  # a chosen answer: the circle's dusk blue, lighter (and always with a ✓ as well)
CHOSEN_HOVER = "#B7CAD8"
FIELD = "#FAF6EF"  # where a person types: a little lighter than the window
FIELD_EDGE = "#D8CDBB"  # a text field's quiet outline while the focus is elsewhere


def blend(a: str, b: str, share: float) -> str:
    """The colour `share` of the way from a to b (#rrggbb)."""
    ca = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(ca, cb, strict=True))
