"""The emoji picker's list: a few hundred common emoji with their Unicode names (from the
standard library's `unicodedata`) and a few everyday words, as one JSON asset the widget
fetches only when the picker first opens (`/widget/assets/emoji.json`)."""

from __future__ import annotations

import json
import unicodedata

RANGES = (
    (0x1F600, 0x1F64F),  # faces, gestures
    (0x1F910, 0x1F92F),  # more faces
    (0x1F970, 0x1F97A),
    (0x1F440, 0x1F450),  # eyes, hands
    (0x1F493, 0x1F49F),  # hearts
    (0x1F525, 0x1F525),
)
SINGLES = [
    "❤️",
    "🧡",
    "💛",
    "💚",
    "💙",
    "💜",
    "🖤",
    "🤍",
    "👍",
    "👎",
    "👌",
    "✌️",
    "🤞",
    "👋",
    "🙌",
    "👏",
    "💪",
    "🤝",
    "✅",
    "❌",
    "❓",
    "❗",
    "⭐",
    "✨",
    "🎉",
    "🎊",
    "🎁",
    "🎈",
    "🔥",
    "💯",
    "💡",
    "📦",
    "🛒",
    "🛍️",
    "💳",
    "💰",
    "🚚",
    "✈️",
    "🚀",
    "📧",
    "📞",
    "📱",
    "💻",
    "⏰",
    "⌛",
    "📅",
    "🔒",
    "🔑",
    "🏠",
    "🏷️",
    "🧾",
    "🔧",
    "⚙️",
    "🐛",
    "☀️",
    "🌧️",
    "❄️",
    "🌈",
    "🌸",
    "🌻",
    "🍀",
    "☕",
    "🍕",
    "🍔",
    "🍰",
    "🍷",
    "🍺",
    "🐶",
    "🐱",
    "🦄",
]
WORDS = {
    "👍": "like ok yes good",
    "👎": "no bad dislike",
    "😂": "lol laugh",
    "🙏": "thanks please",
    "❤️": "love heart red",
    "🎉": "party celebrate",
    "😊": "happy smile",
    "😢": "sad",
    "😡": "angry",
    "✅": "done ok yes check",
    "❌": "no wrong",
    "🚚": "delivery shipping",
    "📦": "parcel package order delivery",
    "💳": "payment card",
    "👋": "hello hi bye wave",
}


def _name(emoji: str) -> str:
    base = emoji.replace("\ufe0f", "")
    try:
        name = unicodedata.name(base[0]).lower()
    except (ValueError, IndexError):
        return ""
    return f"{name} {WORDS[emoji]}" if emoji in WORDS else name


def entries() -> list[list[str]]:
    """[emoji, searchable words] in picker order, each emoji once."""
    seen: set[str] = set()
    found: list[list[str]] = []
    chars = [chr(c) for low, high in RANGES for c in range(low, high + 1)] + list(SINGLES)
    for emoji in chars:
        name = _name(emoji)
        if name and emoji not in seen:
            seen.add(emoji)
            found.append([emoji, name])
    return found


def catalog_json() -> bytes:
    return json.dumps(entries(), ensure_ascii=False, separators=(",", ":")).encode()
