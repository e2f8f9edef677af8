from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from porch.hours import calculator
from porch.hours.calculator import (
    NeverOpen,
    add_business_time,
    business_seconds_between,
    business_time_between,
    is_open,
    local_instant,
    next_closing,
    next_opening,
    open_intervals,
)
from porch.hours.models import ALWAYS_OPEN, BusinessHours

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = timedelta(hours=1)


def hours_of(timezone: str, weekly: dict[str, Any], holidays: Any = ()) -> BusinessHours:
    return BusinessHours.model_validate(
        {"timezone": timezone, "weekly": weekly, "holidays": list(holidays)}
    )


def every_day(*intervals: tuple[str, str]) -> dict[str, Any]:
    return {
        day: [list(i) for i in intervals]
        for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    }


def local(zone: ZoneInfo, *parts: int, fold: int = 0) -> datetime:
    """A wall-clock time in `zone`, as the UTC instant."""
    return datetime(*parts, tzinfo=zone, fold=fold).astimezone(UTC)  # type: ignore[arg-type, misc]


WEEKDAYS = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
LUNCH = hours_of(
    "Europe/Paris",
    {day: [["09:00", "12:30"], ["13:30", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
)


# A lunch break, split shifts, overnight shifts.


def test_lunch_break() -> None:
    monday = (2025, 1, 6)
    assert is_open(LUNCH, local(PARIS, *monday, 12, 29))
    assert not is_open(LUNCH, local(PARIS, *monday, 12, 30))
    assert next_opening(LUNCH, local(PARIS, *monday, 12, 45)) == local(PARIS, *monday, 13, 30)
    assert next_closing(LUNCH, local(PARIS, *monday, 10, 0)) == local(PARIS, *monday, 12, 30)
    assert business_time_between(
        LUNCH, local(PARIS, *monday, 0, 0), local(PARIS, 2025, 1, 13, 0, 0)
    ) == 5 * timedelta(hours=8)
    # An hour before lunch, an hour after it.
    assert add_business_time(LUNCH, local(PARIS, *monday, 11, 30), 2 * HOUR) == local(
        PARIS, *monday, 14, 30
    )


def test_split_shift_and_the_weekend() -> None:
    hours = hours_of(
        "UTC", {"fri": [["07:00", "11:00"], ["16:00", "20:00"]], "mon": [["08:00", "09:00"]]}
    )
    friday = datetime(2025, 1, 10, 10, 0, tzinfo=UTC)
    assert list(open_intervals(hours, friday, friday + timedelta(days=4))) == [
        (friday, friday.replace(hour=11)),
        (friday.replace(hour=16), friday.replace(hour=20)),
        (datetime(2025, 1, 13, 8, tzinfo=UTC), datetime(2025, 1, 13, 9, tzinfo=UTC)),
    ]
    assert add_business_time(hours, friday, 5 * HOUR) == datetime(2025, 1, 10, 20, 0, tzinfo=UTC)
    assert add_business_time(hours, friday, 5 * HOUR + timedelta(seconds=1)) == datetime(
        2025, 1, 13, 8, 0, 1, tzinfo=UTC
    )


def test_a_duration_that_runs_out_at_closing_time_is_due_at_closing_time() -> None:
    hours = hours_of("Europe/Paris", WEEKDAYS)
    start = local(PARIS, 2025, 1, 10, 17, 0)  # a Friday
    assert add_business_time(hours, start, HOUR) == local(PARIS, 2025, 1, 10, 18, 0)
    assert add_business_time(hours, start, 90 * timedelta(minutes=1)) == local(
        PARIS, 2025, 1, 13, 9, 30
    )


def test_an_overnight_shift_is_two_intervals_and_one_stretch() -> None:
    hours = hours_of("America/New_York", {"fri": [["22:00", "24:00"]], "sat": [["00:00", "06:00"]]})
    friday_night = local(NEW_YORK, 2025, 1, 10, 23, 0)
    assert next_closing(hours, friday_night) == local(NEW_YORK, 2025, 1, 11, 6, 0)
    week = local(NEW_YORK, 2025, 1, 6, 0, 0), local(NEW_YORK, 2025, 1, 13, 0, 0)
    assert list(open_intervals(hours, *week)) == [
        (local(NEW_YORK, 2025, 1, 10, 22, 0), local(NEW_YORK, 2025, 1, 11, 6, 0))
    ]
    assert business_seconds_between(hours, *week) == 8 * 3600
    assert is_open(hours, local(NEW_YORK, 2025, 1, 11, 0, 0))


# Holidays.


def test_holidays_close_a_day_or_change_its_hours() -> None:
    hours = hours_of(
        "Europe/Paris",
        WEEKDAYS,
        [
            {"date": "2025-12-25", "name": "Christmas"},
            {"date": "2025-12-24", "hours": [["09:00", "12:00"]]},
            {"date": "2025-12-27", "hours": [["10:00", "14:00"]]},  # a Saturday, opened
        ],
    )
    assert not is_open(hours, local(PARIS, 2025, 12, 25, 10, 0))
    assert not is_open(hours, local(PARIS, 2025, 12, 24, 13, 0))
    assert is_open(hours, local(PARIS, 2025, 12, 27, 10, 0))
    assert next_opening(hours, local(PARIS, 2025, 12, 24, 12, 0)) == local(
        PARIS, 2025, 12, 26, 9, 0
    )
    # Wednesday 11:00 + 4h: 1h on the 24th, none on the 25th, 9h on the 26th.
    assert add_business_time(hours, local(PARIS, 2025, 12, 24, 11, 0), 4 * HOUR) == local(
        PARIS, 2025, 12, 26, 12, 0
    )
    week = local(PARIS, 2025, 12, 22, 0, 0), local(PARIS, 2025, 12, 29, 0, 0)
    assert business_time_between(hours, *week) == (9 + 9 + 3 + 0 + 9 + 4) * HOUR


def test_open_only_on_holidays_with_hours() -> None:
    hours = hours_of("UTC", {}, [{"date": "2031-06-02", "hours": [["10:00", "11:00"]]}])
    now = datetime(2025, 1, 1, tzinfo=UTC)
    assert next_opening(hours, now) == datetime(2031, 6, 2, 10, tzinfo=UTC)
    assert add_business_time(hours, now, HOUR) == datetime(2031, 6, 2, 11, tzinfo=UTC)
    assert next_closing(hours, datetime(2031, 6, 2, 10, 30, tzinfo=UTC)) == datetime(
        2031, 6, 2, 11, tzinfo=UTC
    )
    with pytest.raises(NeverOpen):
        add_business_time(hours, now, HOUR + timedelta(seconds=1))
    assert next_opening(hours, datetime(2031, 6, 2, 11, tzinfo=UTC)) is None


def test_open_all_week_but_holidays() -> None:
    hours = hours_of("Europe/Paris", every_day(("00:00", "24:00")), [{"date": "2025-12-25"}])
    assert next_closing(hours, local(PARIS, 2025, 12, 1, 12, 0)) == local(PARIS, 2025, 12, 25, 0, 0)
    assert next_opening(hours, local(PARIS, 2025, 12, 25, 8, 0)) == local(PARIS, 2025, 12, 26, 0, 0)
    assert next_closing(hours, local(PARIS, 2025, 12, 26, 0, 0)) is None
    start = local(PARIS, 2025, 12, 24, 12, 0)
    assert add_business_time(hours, start, 24 * HOUR) == local(PARIS, 2025, 12, 26, 12, 0)


# 24/7 and never.


def test_always_open() -> None:
    start = datetime(2025, 3, 30, 0, 30, tzinfo=UTC)
    assert is_open(ALWAYS_OPEN, start)
    assert next_opening(ALWAYS_OPEN, start) == start
    assert next_closing(ALWAYS_OPEN, start) is None
    assert add_business_time(ALWAYS_OPEN, start, timedelta(weeks=3)) == start + timedelta(weeks=3)
    assert business_time_between(ALWAYS_OPEN, start, start + HOUR) == HOUR
    assert list(open_intervals(ALWAYS_OPEN, start, start + HOUR)) == [(start, start + HOUR)]


def test_every_day_all_day_in_a_zone_with_clock_changes_is_real_time() -> None:
    hours = hours_of("Europe/Paris", every_day(("00:00", "24:00")))
    start = datetime(2025, 3, 29, 12, 0, tzinfo=UTC)
    assert add_business_time(hours, start, timedelta(days=2)) == start + timedelta(days=2)
    assert next_closing(hours, start) is None
    assert list(open_intervals(hours, start, start + timedelta(days=9))) == [
        (start, start + timedelta(days=9))
    ]


def test_never_open() -> None:
    hours = BusinessHours.model_validate({"timezone": "Europe/Paris"})
    now = datetime(2025, 1, 1, tzinfo=UTC)
    assert not is_open(hours, now)
    assert next_opening(hours, now) is None
    assert next_closing(hours, now) == now
    assert business_time_between(hours, now, now + timedelta(weeks=52)) == timedelta()
    assert list(open_intervals(hours, now, now + timedelta(weeks=52))) == []
    assert add_business_time(hours, now, timedelta()) == now
    with pytest.raises(NeverOpen, match="never elapses"):
        add_business_time(hours, now, timedelta(seconds=1))


# Clock changes (docs/business-hours.md has the rule).


@pytest.mark.parametrize(
    ("zone", "day", "spring"),
    [
        (PARIS, (2025, 3, 30), True),  # 02:00 -> 03:00
        (PARIS, (2025, 10, 26), False),  # 03:00 -> 02:00
        (NEW_YORK, (2025, 3, 9), True),  # 02:00 -> 03:00
        (NEW_YORK, (2025, 11, 2), False),  # 02:00 -> 01:00
    ],
)
def test_a_night_across_a_clock_change_lasts_its_real_length(
    zone: ZoneInfo, day: tuple[int, int, int], spring: bool
) -> None:
    hours = hours_of(str(zone), every_day(("00:00", "06:00"), ("09:00", "17:00")))
    midnight, eight = local(zone, *day, 0, 0), local(zone, *day, 8, 0)
    assert business_time_between(hours, midnight, eight) == (5 if spring else 7) * HOUR
    assert business_time_between(hours, eight, local(zone, *day, 20, 0)) == 8 * HOUR
    # Three hours of business time from midnight are three real hours.
    assert add_business_time(hours, midnight, 3 * HOUR) == midnight + 3 * HOUR


def test_spring_forward_paris() -> None:
    # 2025-03-30: at 02:00 CET (01:00 UTC) the clocks jump to 03:00 CEST.
    gap_ends = datetime(2025, 3, 30, 1, 0, tzinfo=UTC)
    assert local_instant(PARIS, date(2025, 3, 30), 2 * 60 + 30) == gap_ends
    assert local_instant(PARIS, date(2025, 3, 30), 2 * 60) == gap_ends
    assert local_instant(PARIS, date(2025, 3, 30), 3 * 60) == gap_ends
    # An interval starting in the gap begins when the gap ends.
    opens_in_gap = hours_of("Europe/Paris", {"sun": [["02:30", "05:00"]]})
    assert next_opening(opens_in_gap, datetime(2025, 3, 29, tzinfo=UTC)) == gap_ends
    assert not is_open(opens_in_gap, gap_ends - timedelta(seconds=1))
    assert is_open(opens_in_gap, gap_ends)
    assert business_time_between(opens_in_gap, *day_bounds(PARIS, 2025, 3, 30)) == 2 * HOUR
    # One wholly in the gap has no time that day (and its usual length on other Sundays).
    in_gap = hours_of("Europe/Paris", {"sun": [["02:10", "02:50"]]})
    assert business_time_between(in_gap, *day_bounds(PARIS, 2025, 3, 30)) == timedelta()
    assert business_time_between(in_gap, *day_bounds(PARIS, 2025, 4, 6)) == 40 * timedelta(
        minutes=1
    )
    # One ending in the gap ends when it begins.
    ends_in_gap = hours_of("Europe/Paris", {"sun": [["01:00", "02:30"]]})
    assert next_closing(ends_in_gap, gap_ends - HOUR) == gap_ends


def test_fall_back_paris() -> None:
    # 2025-10-26: at 03:00 CEST (01:00 UTC) the clocks go back to 02:00 CET.
    first_0230 = local(PARIS, 2025, 10, 26, 2, 30, fold=0)
    second_0230 = local(PARIS, 2025, 10, 26, 2, 30, fold=1)
    assert second_0230 - first_0230 == HOUR
    assert local_instant(PARIS, date(2025, 10, 26), 150) == first_0230
    # A start in the repeated hour is its first occurrence; the interval runs in real time.
    starts = hours_of("Europe/Paris", {"sun": [["02:30", "04:00"]]})
    assert next_opening(starts, datetime(2025, 10, 25, tzinfo=UTC)) == first_0230
    assert is_open(starts, second_0230 - timedelta(minutes=10))  # 02:20 the second time
    assert business_time_between(starts, *day_bounds(PARIS, 2025, 10, 26)) == 150 * timedelta(
        minutes=1
    )
    # An end in the repeated hour is its first occurrence too: not open again at 02:15 CET.
    ends = hours_of("Europe/Paris", {"sun": [["01:00", "02:30"]]})
    assert next_closing(ends, datetime(2025, 10, 26, 0, 0, tzinfo=UTC)) == first_0230
    assert not is_open(ends, local(PARIS, 2025, 10, 26, 2, 15, fold=1))
    assert business_time_between(ends, *day_bounds(PARIS, 2025, 10, 26)) == 90 * timedelta(
        minutes=1
    )


def test_fall_back_new_york_sla() -> None:
    hours = hours_of("America/New_York", WEEKDAYS | {"sun": [["00:00", "04:00"]]})
    # Sunday 2025-11-02: 00:00-04:00 EDT/EST holds 01:00-02:00 twice: 5 real hours.
    assert business_time_between(hours, *day_bounds(NEW_YORK, 2025, 11, 2)) == 5 * HOUR
    assert is_open(hours, local(NEW_YORK, 2025, 11, 2, 1, 30, fold=1))
    # Friday 17:00 EDT + 3h: 1h Friday, 2h into... Sunday night's 5 hours.
    due = add_business_time(hours, local(NEW_YORK, 2025, 10, 31, 17, 0), 3 * HOUR)
    assert due == local(NEW_YORK, 2025, 11, 2, 1, 0, fold=1)  # 01:00 the second time, EST


def test_spring_forward_new_york_sla() -> None:
    hours = hours_of("America/New_York", WEEKDAYS)
    # Friday 2025-03-07 16:00 EST + 4h -> Monday 2025-03-10 11:00 EDT (15:00 UTC).
    due = add_business_time(hours, local(NEW_YORK, 2025, 3, 7, 16, 0), 4 * HOUR)
    assert due == datetime(2025, 3, 10, 15, 0, tzinfo=UTC)


def test_a_day_that_does_not_exist() -> None:
    # Samoa skipped 2011-12-30 to move west of the date line.
    hours = hours_of("Pacific/Apia", every_day(("09:00", "17:00")))
    zone = ZoneInfo("Pacific/Apia")
    start, end = local(zone, 2011, 12, 29, 0, 0), local(zone, 2012, 1, 1, 0, 0)
    assert end - start == 48 * HOUR  # the 29th and the 31st
    assert business_time_between(hours, start, end) == 16 * HOUR


def day_bounds(zone: ZoneInfo, year: int, month: int, day: int) -> tuple[datetime, datetime]:
    start = local(zone, year, month, day, 0, 0)
    return start, local(zone, year, month, day + 1, 0, 0)


# Instants in and out.


def test_results_are_utc_whatever_zone_the_instant_comes_in() -> None:
    hours = hours_of("Europe/Paris", WEEKDAYS)
    start = datetime(2025, 1, 6, 10, 0, tzinfo=PARIS)
    due = add_business_time(hours, start, HOUR)
    assert due.tzinfo is UTC and due == datetime(2025, 1, 6, 10, 0, tzinfo=UTC)
    opening = next_opening(hours, datetime(2025, 1, 6, 20, 0, tzinfo=NEW_YORK))
    assert opening is not None and opening.tzinfo is UTC


def test_naive_instants_and_negative_durations_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        is_open(LUNCH, datetime(2025, 1, 6, 10, 0))
    with pytest.raises(ValueError, match="no time zone"):
        is_open(ALWAYS_OPEN, datetime(2025, 1, 6, 10, 0))
    with pytest.raises(ValueError, match="negative"):
        add_business_time(LUNCH, datetime(2025, 1, 6, tzinfo=UTC), -HOUR)


def test_between_is_negative_backwards_and_an_empty_window_has_no_intervals() -> None:
    a, b = local(PARIS, 2025, 1, 6, 9, 0), local(PARIS, 2025, 1, 6, 11, 0)
    assert business_time_between(LUNCH, b, a) == -2 * HOUR
    assert list(open_intervals(LUNCH, b, a)) == []
    assert list(open_intervals(LUNCH, a, a)) == []


# Work is by the day, never by the minute; searches end.


def count_conversions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]
    real = calculator.local_instant

    def counting(zone: ZoneInfo, day: date, minute: int) -> datetime:
        calls[0] += 1
        return real(zone, day, minute)

    monkeypatch.setattr(calculator, "local_instant", counting)
    return calls


def test_weeks_of_business_time_cost_a_few_conversions_a_day(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = count_conversions(monkeypatch)
    start = local(PARIS, 2025, 1, 6, 9, 0)
    due = add_business_time(LUNCH, start, timedelta(weeks=2))  # 42 working days
    assert due - start > timedelta(weeks=8)
    days = (due - start).days + 2
    assert calls[0] <= 4 * days  # two intervals a day, two ends each


def test_a_far_holiday_is_found_without_walking_the_years_between(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = count_conversions(monkeypatch)
    hours = hours_of("UTC", {}, [{"date": "2090-01-01", "hours": [["10:00", "11:00"]]}])
    assert next_opening(hours, datetime(2025, 1, 1, tzinfo=UTC)) == datetime(
        2090, 1, 1, 10, tzinfo=UTC
    )
    assert calls[0] == 2


def test_the_end_of_the_calendar_ends_a_search() -> None:
    hours = hours_of("UTC", {"mon": [["09:00", "10:00"]]})
    with pytest.raises(NeverOpen):
        add_business_time(hours, datetime(9998, 1, 1, tzinfo=UTC), timedelta(weeks=100))
