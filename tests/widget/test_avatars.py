"""An operator's avatar on their messages (`porch_ui.avatars`, pure, run under CPython):
only this server's avatar paths are ever used as an image's source."""

from __future__ import annotations

import sys

import pytest

from porch.paths import widget_dir

sys.path.insert(0, str(widget_dir()))

from porch_ui.avatars import avatar_src

GOOD = "/avatars/" + "ab" * 32 + ".webp"


@pytest.mark.parametrize(
    ("message", "src"),
    [
        ({"author": "operator", "author_avatar_url": GOOD}, GOOD),
        ({"author": "operator"}, ""),
        ({"author": "visitor", "author_avatar_url": GOOD}, ""),
        ({"author": "operator", "author_avatar_url": "https://evil.example/x.webp"}, ""),
        ({"author": "operator", "author_avatar_url": "/avatars/../../panel/logout.webp"}, ""),
        ({"author": "operator", "author_avatar_url": "/avatars/" + "AB" * 32 + ".webp"}, ""),
        ({"author": "operator", "author_avatar_url": "javascript:alert(1)"}, ""),
    ],
)
def test_only_our_avatar_paths_are_used(message: dict, src: str) -> None:
    assert avatar_src(message) == src
