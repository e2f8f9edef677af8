"""The clock the server reads.

Everything that depends on the time of day (SLA timers, snoozes, retention, a job's
`run_at`, "open now?") asks a `Clock` instead of calling `datetime.now`, so a test moves
time with a `ManualClock` instead of sleeping. `clock.now` is also the `now` callable
`JobQueue(db, now=...)` takes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


DEFAULT_START = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
"""Where a `ManualClock` starts unless told: a Monday morning, far from a clock change."""


class ManualClock:
    """A clock that moves only when told: `set` it or `advance` it."""

    def __init__(self, start: datetime = DEFAULT_START) -> None:
        self._now = _aware(start)

    def now(self) -> datetime:
        return self._now

    def set(self, at: datetime) -> None:
        """Jump to `at` (backwards too, to test what a clock that goes back does)."""
        self._now = _aware(at)

    def advance(self, by: timedelta | None = None, /, **parts: float) -> datetime:
        """Move forward by `by`, or by `timedelta(**parts)` (`advance(minutes=5)`); returns
        the new time."""
        step = (by if by is not None else timedelta()) + timedelta(**parts)
        if step < timedelta():
            raise ValueError("advance moves forward; use set() to go back")
        self._now += step
        return self._now

    def __repr__(self) -> str:
        return f"ManualClock({self._now.isoformat()})"


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at.isoformat()} has no time zone: a clock tells UTC")
    return at.astimezone(UTC)
