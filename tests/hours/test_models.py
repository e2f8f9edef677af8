from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from porch.hours.models import (
    ALWAYS_OPEN,
    MAX_HOLIDAYS,
    MAX_INTERVALS_PER_DAY,
    SETTINGS_KEY,
    BusinessHours,
    hours_problems,
)

SHOP = {
    "timezone": "Europe/Paris",
    "weekly": {
        "mon": [["13:30", "18:00"], ["09:00", "12:30"]],
        "fri": [["09:00", "17:00"], ["22:00", "24:00"]],
        "sat": [["00:00", "06:00"]],
    },
    "holidays": [
        {"date": "2025-12-25", "name": "Christmas"},
        {"date": "2025-12-24", "name": "Christmas Eve", "hours": [["09:00", "12:00"]]},
    ],
}


def problems(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        BusinessHours.model_validate(data)
    return hours_problems(caught.value)


def test_a_schedule_in_minutes_sorted_with_days_left_out_closed() -> None:
    hours = BusinessHours.model_validate(SHOP)
    assert hours.weekly.mon == ((540, 750), (810, 1080))
    assert hours.weekly.tue == ()
    assert hours.weekly.fri[-1] == (1320, 1440)
    assert [h.date for h in hours.holidays] == [date(2025, 12, 24), date(2025, 12, 25)]
    assert hours.spans_on(date(2025, 12, 24)) == ((540, 720),)  # a Wednesday, special hours
    assert hours.spans_on(date(2025, 12, 25)) == ()
    assert hours.spans_on(date(2025, 12, 22)) == ((540, 750), (810, 1080))  # a Monday


def test_json_round_trip_and_the_shape_stored() -> None:
    hours = BusinessHours.model_validate(SHOP)
    stored = hours.to_json()
    assert stored["weekly"]["mon"] == [["09:00", "12:30"], ["13:30", "18:00"]]
    assert stored["weekly"]["fri"][1] == ["22:00", "24:00"]
    assert stored["holidays"][0] == {
        "date": "2025-12-24",
        "name": "Christmas Eve",
        "hours": [["09:00", "12:00"]],
    }
    assert BusinessHours.from_json(stored) == hours
    assert hash(BusinessHours.from_json(stored)) == hash(hours)


def test_times_may_be_written_loosely_or_given_as_time_objects() -> None:
    hours = BusinessHours.model_validate(
        {"timezone": "UTC", "weekly": {"tue": [[" 9:05", time(17, 30)]]}}
    )
    assert hours.weekly.tue == ((545, 1050),)


def test_touching_intervals_are_allowed_and_joined() -> None:
    hours = BusinessHours.model_validate(
        {"timezone": "UTC", "weekly": {"mon": [["09:00", "12:00"], ["12:00", "15:00"]]}}
    )
    assert hours.weekly.mon == ((540, 720), (720, 900))  # as written
    assert hours.spans_on(date(2025, 1, 6)) == ((540, 900),)  # as the calculator sees it


def test_always_open_is_the_default() -> None:
    assert ALWAYS_OPEN.always_open and ALWAYS_OPEN.weekly_is_full
    assert BusinessHours.from_json(None) is ALWAYS_OPEN
    assert BusinessHours.of_site({"color": "#4f46e5"}) is ALWAYS_OPEN
    assert BusinessHours.of_site({SETTINGS_KEY: SHOP}).timezone == "Europe/Paris"
    assert BusinessHours.from_json(ALWAYS_OPEN.to_json()) == ALWAYS_OPEN
    with_holiday = {**ALWAYS_OPEN.to_json(), "holidays": [{"date": "2025-01-01"}]}
    assert not BusinessHours.model_validate(with_holiday).always_open


def test_never_open() -> None:
    hours = BusinessHours.model_validate({"timezone": "UTC"})
    assert hours.weekly_is_empty and not hours.always_open


def test_it_is_immutable() -> None:
    with pytest.raises(ValidationError):
        ALWAYS_OPEN.timezone = "Europe/Paris"


@pytest.mark.parametrize(
    ("data", "key", "words"),
    [
        (
            {"timezone": "Europe/Pariss"},
            "timezone",
            "Time zone: unknown time zone 'Europe/Pariss': use a name like Europe/Paris",
        ),
        ({"timezone": "../../etc/passwd"}, "timezone", "unknown time zone"),
        ({}, "timezone", "Time zone: choose a time zone, like Europe/Paris"),
        (
            {"timezone": "UTC", "weekly": {"mon": [["09:00", "12:00"], ["11:30", "14:00"]]}},
            "weekly.mon",
            "Monday: 09:00-12:00 and 11:30-14:00 overlap",
        ),
        (
            {"timezone": "UTC", "weekly": {"tue": [["08:00", "09:00"], ["22:00", "06:00"]]}},
            "weekly.tue.1",
            "Tuesday, interval 2: it ends (06:00) before it starts (22:00); a shift past "
            "midnight is two intervals",
        ),
        (
            {"timezone": "UTC", "weekly": {"wed": [["09:00", "09:00"]]}},
            "weekly.wed.0",
            "Wednesday, interval 1: it starts and ends at 09:00",
        ),
        (
            {"timezone": "UTC", "weekly": {"thu": [["25:00", "26:00"]]}},
            "weekly.thu.0.0",
            "Thursday, interval 1, start: '25:00' is not a time",
        ),
        (
            {"timezone": "UTC", "weekly": {"thu": [["09:00", "5pm"]]}},
            "weekly.thu.0.1",
            "Thursday, interval 1, end: '5pm' is not a time",
        ),
        (
            {"timezone": "UTC", "weekly": {"fri": [["24:00", "24:00"]]}},
            "weekly.fri.0",
            "Friday, interval 1: an interval cannot start at 24:00",
        ),
        (
            {"timezone": "UTC", "weekly": {"sat": [["09:00"]]}},
            "weekly.sat.0.1",
            'Saturday, interval 1, end: an interval is a start and an end, like ["09:00", "17:00"]',
        ),
        (
            {"timezone": "UTC", "weekly": {"sun": [[540, 600]]}},
            "weekly.sun.0.0",
            "Sunday, interval 1, start: 540 is not a time",
        ),
        (
            {
                "timezone": "UTC",
                "weekly": {"mon": [[f"{h:02d}:00", f"{h:02d}:30"] for h in range(11)]},
            },
            "weekly.mon",
            f"Monday: at most {MAX_INTERVALS_PER_DAY} intervals a day, not 11",
        ),
        (
            {"timezone": "UTC", "weekly": {"monday": [["09:00", "17:00"]]}},
            "weekly.monday",
            "Weekly hours: 'monday' is not a day: the days are mon, tue, wed, thu, fri, sat, sun",
        ),
        ({"timezone": "UTC", "opening": {}}, "opening", "'opening' is not a setting here"),
        (
            {"timezone": "UTC", "holidays": [{"date": "2025-12-25"}, {"date": "2025-12-25"}]},
            "holidays",
            "Holidays: 2025-12-25 is listed twice",
        ),
        (
            {"timezone": "UTC", "holidays": [{"date": "25/12/2025"}]},
            "holidays.0.date",
            "Holiday 1, date: a date is written YYYY-MM-DD",
        ),
        (
            {"timezone": "UTC", "holidays": [{"date": "2025-12-24"}, {"name": "Eve"}]},
            "holidays.1.date",
            "Holiday 2, date: required",
        ),
        (
            {
                "timezone": "UTC",
                "holidays": [{"date": "2025-12-24", "hours": [["12:00", "09:00"]]}],
            },
            "holidays.0.hours.0",
            "Holiday 1, interval 1: it ends (09:00) before it starts (12:00)",
        ),
        (
            {"timezone": "UTC", "holidays": [{"date": "2025-12-24", "name": "x" * 101}]},
            "holidays.0.name",
            "Holiday 1, name: a holiday's name has at most 100 characters",
        ),
        (
            {
                "timezone": "UTC",
                "holidays": [
                    {"date": (date(2025, 1, 1) + timedelta(days=i)).isoformat()}
                    for i in range(MAX_HOLIDAYS + 1)
                ],
            },
            "holidays",
            f"Holidays: at most {MAX_HOLIDAYS} holidays",
        ),
    ],
)
def test_errors_say_where_in_a_site_owners_words(
    data: dict[str, Any], key: str, words: str
) -> None:
    found = problems(data)
    assert key in found, found
    assert words in found[key]


def test_several_problems_are_reported_at_once() -> None:
    found = problems(
        {
            "timezone": "Nowhere/Special",
            "weekly": {"mon": [["10:00", "09:00"]], "tue": [["09:00", "99:00"]]},
        }
    )
    assert set(found) == {"timezone", "weekly.mon.0", "weekly.tue.0.1"}
