"""Friendly generated visitor names ("Amber Fox"), used until a visitor gives their own."""

from __future__ import annotations

import secrets

_ADJECTIVES = (
    "Amber", "Azure", "Brave", "Bright", "Calm", "Clever", "Coral", "Crimson", "Daring",
    "Gentle", "Golden", "Happy", "Indigo", "Jade", "Jolly", "Kind", "Lively", "Lucky",
    "Mellow", "Misty", "Noble", "Olive", "Quiet", "Rapid", "Rosy", "Ruby", "Sage", "Silver",
    "Sunny", "Swift", "Teal", "Witty",
)  # fmt: skip
_ANIMALS = (
    "Badger", "Bear", "Beaver", "Crane", "Deer", "Dolphin", "Eagle", "Falcon", "Fox",
    "Hare", "Heron", "Koala", "Lark", "Lynx", "Marten", "Otter", "Owl", "Panda", "Puffin",
    "Raven", "Robin", "Seal", "Sparrow", "Swan", "Tiger", "Turtle", "Walrus", "Wolf",
    "Wren", "Yak", "Zebra",
)  # fmt: skip


def friendly_name() -> str:
    return f"{secrets.choice(_ADJECTIVES)} {secrets.choice(_ANIMALS)}"
