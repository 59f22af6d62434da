"""A Windows balloon holds 63 UTF-16 units of title and 255 of text; plyer raises on more (in a thread of its
own, so nothing is shown). rustlamp.notify.plyer_backend.clip cuts a text to fit, found under Wine."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rustlamp.notify.plyer_backend import BALLOON_TEXT, BALLOON_TITLE, clip

pytestmark = pytest.mark.windows


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@given(st.text(max_size=400), st.sampled_from([BALLOON_TITLE, BALLOON_TEXT]))
def test_a_clipped_text_fits_and_says_it_was_cut(text: str, limit: int) -> None:
    clipped = clip(text, limit)
    assert units(clipped) <= limit
    if units(text) <= limit:
        assert clipped == text
    else:
        assert clipped.endswith("…")
        assert text.startswith(clipped[:-1])


def test_a_long_settings_problem_keeps_its_start_and_characters_outside_the_bmp_count_twice() -> None:
    body = "Length of a break: 'banana' is not a duration; " + "x" * 300
    assert clip(body, BALLOON_TEXT).startswith("Length of a break: 'banana'")
    assert len(clip(body, BALLOON_TEXT)) == BALLOON_TEXT
    lamps = "🪔" * 40  # 80 UTF-16 units
    assert clip(lamps, BALLOON_TITLE) == "🪔" * 31 + "…"
