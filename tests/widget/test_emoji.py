"""Emoji-only messages show larger (`porch_ui.emoji`, pure, run under CPython)."""

from __future__ import annotations

import sys

import pytest

from porch.paths import widget_dir

sys.path.insert(0, str(widget_dir()))

from porch_ui.emoji import emoji_only


@pytest.mark.parametrize("text", ["👍", "🎉🎉", "👨\u200d👩\u200d👧", "🇫🇷", "❤️", "👍🏽", " 😀 😀 "])
def test_emoji_alone_are_emoji_only(text: str) -> None:
    assert emoji_only(text)


@pytest.mark.parametrize("text", ["", "hi 👍", "👍👍👍👍", "1", "ok", ":)", "#"])
def test_text_or_many_emoji_are_not(text: str) -> None:
    assert not emoji_only(text)


def test_the_picker_searches_every_word_and_keeps_recent_ones_first() -> None:
    from porch.embed.emoji import entries
    from porch_ui.emoji import remember, search

    catalog = entries()
    assert len({e for e, _words in catalog}) == len(catalog) > 150
    assert [e for e, _w in search(catalog, "thumbs up")][:1] == ["👍"]
    assert [e for e, _w in search(catalog, "PARCEL")] == ["📦"]
    assert search(catalog, "no such emoji at all") == []
    assert search(catalog, "  ") == catalog
    recent = remember(remember(remember([], "🎉"), "👍"), "🎉")
    assert recent == ["🎉", "👍"]
    assert len(remember([str(n) for n in range(20)], "x")) == 16
