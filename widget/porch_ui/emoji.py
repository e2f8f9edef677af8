"""Emoji-only messages ("👍", "🎉🎉") are shown larger, as chat apps do.

Pure (no browser imports): unit-tested under CPython.
"""

MAX_EMOJI = 3
_JOINERS = {0x200D, 0xFE0F, 0xFE0E, 0x20E3}  # ZWJ, variation selectors, keycap
_RANGES = (
    (0x1F000, 0x1FAFF),  # pictographs, emoticons, transport, supplemental symbols
    (0x2600, 0x27BF),  # miscellaneous symbols, dingbats
    (0x2300, 0x23FF),  # ⌚ ⏰ …
    (0x2B00, 0x2BFF),  # ⭐ ⬆ …
    (0x1F1E6, 0x1F1FF),  # regional indicators (flags)
    (0x1F3FB, 0x1F3FF),  # skin tones
    (0xE0020, 0xE007F),  # tag characters (subdivision flags)
)


def _is_emoji(code: int) -> bool:
    return any(low <= code <= high for low, high in _RANGES)


def emoji_only(text: str) -> bool:
    """One to three emoji and nothing else (spaces aside)."""
    count, joined = 0, False
    for ch in text.strip():
        code = ord(ch)
        if ch.isspace():
            continue
        if code in _JOINERS or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F:
            joined = code == 0x200D
            continue
        if not _is_emoji(code):
            return False
        if not joined:
            count += 1
        joined = False
    return 0 < count <= MAX_EMOJI


# -- the picker's search and recent list (`porch_widget.emoji_picker`) ---------------------

RECENT_MAX = 16


def search(entries: list, query: str, limit: int = 240) -> list:
    """The [emoji, words] entries whose words contain every word of `query`."""
    words = query.lower().split()
    found = [e for e in entries if all(w in e[1] for w in words)] if words else entries
    return found[:limit]


def remember(recent: list, emoji: str, limit: int = RECENT_MAX) -> list:
    """`emoji` first, then the others most recent first, at most `limit`."""
    return ([emoji] + [e for e in recent if e != emoji])[:limit]
