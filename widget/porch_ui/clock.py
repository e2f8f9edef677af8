"""Dates and clock times as the reader reads them: local, in their locale's style (10:05 or
10:05 AM; "Yesterday, 18:40")."""

from browser import window

_HH_MM = window.JSON.parse('{"hour": "2-digit", "minute": "2-digit"}')
_DAY = window.JSON.parse('{"day": "numeric", "month": "short"}')
_DAY_YEAR = window.JSON.parse('{"day": "numeric", "month": "short", "year": "numeric"}')
DAY_MS = 86_400_000


def clock(iso: "str | None") -> str:
    """Local hh:mm of an ISO timestamp ("" when absent or unreadable)."""
    if not iso:
        return ""
    date = window.Date.new(iso)
    time = date.getTime()
    if time != time:  # NaN: unparseable
        return ""
    return date.toLocaleTimeString(window.navigator.language, _HH_MM)


def now_iso() -> str:
    return window.Date.new().toISOString()


def day_and_time(iso: "str | None") -> str:
    """ "Today, 10:05", "Yesterday, 18:40", "3 May, 09:12", "3 May 2025, 09:12" (local)."""
    if not iso:
        return ""
    date = window.Date.new(iso)
    if date.getTime() != date.getTime():  # NaN: unparseable
        return ""
    now = window.Date.new()
    time = clock(iso)
    if date.toDateString() == now.toDateString():
        return f"Today, {time}"
    if date.toDateString() == window.Date.new(now.getTime() - DAY_MS).toDateString():
        return f"Yesterday, {time}"
    options = _DAY if date.getFullYear() == now.getFullYear() else _DAY_YEAR
    return f"{date.toLocaleDateString(window.navigator.language, options)}, {time}"
