from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from porch.clock import DEFAULT_START, Clock, ManualClock, SystemClock
from porch.hours.calculator import is_open, next_opening
from porch.hours.models import BusinessHours


def test_the_system_clock_tells_utc() -> None:
    before = datetime.now(UTC)
    now = SystemClock().now()
    assert now.tzinfo is UTC
    assert before <= now <= datetime.now(UTC)


def test_both_clocks_are_clocks() -> None:
    assert isinstance(SystemClock(), Clock)
    assert isinstance(ManualClock(), Clock)
    now: Callable[[], datetime] = ManualClock().now  # what JobQueue(now=...) takes
    assert now() == DEFAULT_START


def test_a_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(datetime(2025, 1, 6, 10, 0, tzinfo=ZoneInfo("Europe/Paris")))
    assert clock.now() == datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC
    assert clock.now() == clock.now()
    assert clock.advance(minutes=5) == datetime(2025, 1, 6, 9, 5, tzinfo=UTC)
    clock.advance(timedelta(hours=1), seconds=30)
    assert clock.now() == datetime(2025, 1, 6, 10, 5, 30, tzinfo=UTC)
    clock.set(datetime(2024, 12, 31, tzinfo=UTC))
    assert clock.now() == datetime(2024, 12, 31, tzinfo=UTC)


def test_a_manual_clock_refuses_naive_times_and_going_back_by_advancing() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        ManualClock(datetime(2025, 1, 1))
    clock = ManualClock()
    with pytest.raises(ValueError, match="no time zone"):
        clock.set(datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="forward"):
        clock.advance(minutes=-1)
    assert clock.now() == DEFAULT_START


def test_tests_move_time_instead_of_sleeping() -> None:
    hours = BusinessHours.model_validate(
        {"timezone": "Europe/Paris", "weekly": {"mon": [["09:00", "18:00"]]}}
    )
    clock = ManualClock(datetime(2025, 1, 6, 7, 0, tzinfo=UTC))  # Monday 08:00 in Paris
    assert not is_open(hours, clock.now())
    back = next_opening(hours, clock.now())
    assert back is not None
    clock.set(back)
    assert is_open(hours, clock.now())
