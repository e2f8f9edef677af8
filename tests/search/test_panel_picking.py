"""The pure parts of the panel's inbox tools, under CPython."""

from __future__ import annotations

import sys

from porch.paths import widget_dir

sys.path.insert(0, str(widget_dir()))

from porch_panel.picking import matching, neighbour, typed_shortcut

REPLIES = [
    {"shortcut": "refund", "title": "Refund on its way"},
    {"shortcut": "ref", "title": "Reference number"},
    {"shortcut": "thanks", "title": "Thanks for the refund request"},
]


def test_a_shortcut_starts_the_text_or_follows_a_space() -> None:
    assert typed_shortcut("/ref", 4) == (0, "ref")
    assert typed_shortcut("Hello /Th", 9) == (6, "th")
    assert typed_shortcut("Hello /", 7) == (6, "")
    assert typed_shortcut("and/or", 6) is None  # inside a word
    assert typed_shortcut("/ref now", 8) is None  # a space ended it
    assert typed_shortcut("no slash", 8) is None
    assert typed_shortcut("/refund later", 4) == (0, "ref")  # up to the caret


def test_shortcut_prefixes_first_then_titles() -> None:
    assert [r["shortcut"] for r in matching(REPLIES, "ref")] == ["refund", "ref", "thanks"]
    assert [r["shortcut"] for r in matching(REPLIES, "than")] == ["thanks"]
    assert [r["shortcut"] for r in matching(REPLIES, "")] == ["refund", "ref", "thanks"]


def test_next_and_previous_stop_at_the_ends() -> None:
    assert neighbour([3, 2, 1], None, 1) == 3
    assert neighbour([3, 2, 1], 3, 1) == 2
    assert neighbour([3, 2, 1], 1, 1) == 1
    assert neighbour([3, 2, 1], 3, -1) == 3
    assert neighbour([], None, 1) is None
