"""Pure choices of the inbox tools (no browser imports, unit-tested under CPython): which
`/shortcut` the caret ends, which canned replies match it, which conversation is next."""

SHORTCUT_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_-"
MAX_SHOWN = 8


def typed_shortcut(text: str, caret: int) -> "tuple | None":
    """(start, token) when the caret ends a `/token` that starts the text or follows a space;
    None otherwise."""
    before = text[:caret]
    slash = before.rfind("/")
    if slash < 0 or (slash > 0 and not before[slash - 1].isspace()):
        return None
    token = before[slash + 1 :].lower()
    if any(ch not in SHORTCUT_CHARS for ch in token):
        return None
    return slash, token


def matching(replies: list, token: str) -> list:
    """Replies whose shortcut starts with the token first, then those whose title has it."""
    first = [r for r in replies if r["shortcut"].startswith(token)]
    then = [r for r in replies if r not in first and token in r["title"].lower()]
    return (first + then)[:MAX_SHOWN]


def neighbour(ids: list, current: "int | None", step: int) -> "int | None":
    """The conversation `step` away from `current` in the list (the first if none is open)."""
    if not ids:
        return None
    if current not in ids:
        return ids[0]
    return ids[max(0, min(len(ids) - 1, ids.index(current) + step))]
