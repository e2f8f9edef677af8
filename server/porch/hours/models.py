"""A site's business hours: a time zone, a weekly schedule and holidays.

Stored as JSON in the site's settings under `business_hours` (`SETTINGS_KEY`):

    {
      "timezone": "Europe/Paris",
      "weekly": {
        "mon": [["09:00", "12:30"], ["13:30", "18:00"]],   # a lunch break
        "fri": [["09:00", "17:00"], ["22:00", "24:00"]],   # ... and a night shift that
        "sat": [["00:00", "06:00"]]                        # goes on past midnight
      },
      "holidays": [
        {"date": "2025-12-25", "name": "Christmas"},                        # closed all day
        {"date": "2025-12-24", "name": "Christmas Eve", "hours": [["09:00", "12:00"]]}
      ]
    }

Times are local wall-clock times in the site's time zone, whole minutes, `HH:MM`; an
interval may end at `24:00` (the end of the day). A day not listed is closed. A holiday
replaces its date's weekly hours: closed all day, or open only during its `hours`.
Inside the model a time is a number of minutes after midnight (0 to 1440).

`model_validate` (or `from_json`) checks everything a site owner can get wrong, and
`hours_problems` turns pydantic's errors into sentences that say where: "Monday,
interval 2: …".
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
from collections.abc import Mapping
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PrivateAttr,
    ValidationError,
    field_validator,
)

SETTINGS_KEY = "business_hours"
"""Where a site's business hours live in its settings JSON."""
MINUTES_PER_DAY = 24 * 60
MAX_INTERVALS_PER_DAY = 10
MAX_HOLIDAYS = 500
MAX_HOLIDAY_NAME = 100
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""The weekly schedule's keys, Monday first (`date.weekday()` order)."""
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Span = tuple[int, int]
"""An open interval of one day in minutes after local midnight: [start, end)."""

_CLOCK_TIME = re.compile(r"(\d{1,2}):(\d{2})")


def format_minutes(minutes: int) -> str:
    """570 -> "09:30"; 1440 -> "24:00"."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _parse_time(value: object) -> int:
    if isinstance(value, dt.time) and not (value.second or value.microsecond):
        return value.hour * 60 + value.minute
    if isinstance(value, str):
        match = _CLOCK_TIME.fullmatch(value.strip())
        if match:
            hour, minute = int(match[1]), int(match[2])
            if (hour < 24 and minute < 60) or (hour == 24 and minute == 0):
                return hour * 60 + minute
    raise ValueError(
        f"{value!r} is not a time: write hours and minutes, like 09:00 or 17:30 "
        "(24:00 is midnight at the end of the day)"
    )


LocalTime = Annotated[
    int, BeforeValidator(_parse_time), PlainSerializer(format_minutes, return_type=str)
]
"""A wall-clock time, minutes after midnight; "HH:MM" in JSON."""


def _check_interval(span: Span) -> Span:
    start, end = span
    if start == MINUTES_PER_DAY:
        raise ValueError("an interval cannot start at 24:00; use 00:00 of the next day")
    if end == start:
        raise ValueError(f"it starts and ends at {format_minutes(start)}: it is never open")
    if end < start:
        raise ValueError(
            f"it ends ({format_minutes(end)}) before it starts ({format_minutes(start)}); "
            "a shift past midnight is two intervals, like 22:00-24:00 on one day and "
            "00:00-06:00 on the next"
        )
    return span


Interval = Annotated[tuple[LocalTime, LocalTime], AfterValidator(_check_interval)]


def _check_day(spans: tuple[Span, ...]) -> tuple[Span, ...]:
    if len(spans) > MAX_INTERVALS_PER_DAY:
        raise ValueError(f"at most {MAX_INTERVALS_PER_DAY} intervals a day, not {len(spans)}")
    ordered = tuple(sorted(spans))
    for (start_a, end_a), (start_b, end_b) in itertools.pairwise(ordered):
        if start_b < end_a:
            raise ValueError(
                f"{format_minutes(start_a)}-{format_minutes(end_a)} and "
                f"{format_minutes(start_b)}-{format_minutes(end_b)} overlap"
            )
    return ordered


DayHours = Annotated[tuple[Interval, ...], AfterValidator(_check_day)]
"""One day's intervals, in order, not overlapping (touching is fine: they are joined)."""


def _check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"unknown time zone {name!r}: use a name like Europe/Paris or America/New_York"
        ) from None
    return name


class Week(BaseModel):
    """The weekly schedule; a day left out is closed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mon: DayHours = ()
    tue: DayHours = ()
    wed: DayHours = ()
    thu: DayHours = ()
    fri: DayHours = ()
    sat: DayHours = ()
    sun: DayHours = ()

    def day(self, weekday: int) -> tuple[Span, ...]:
        """By `date.weekday()`: 0 is Monday."""
        spans: tuple[Span, ...] = getattr(self, DAYS[weekday])
        return spans


class Holiday(BaseModel):
    """A date with other hours than its weekday's: closed all day when `hours` is empty."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: dt.date
    name: Annotated[str, Field(max_length=MAX_HOLIDAY_NAME)] = ""
    hours: DayHours = ()


class BusinessHours(BaseModel):
    """When a site is open. Build it with `model_validate` / `from_json`; it is immutable
    and hashable. `porch.hours.calculator` answers questions about it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: Annotated[str, AfterValidator(_check_zone)]
    """An IANA time zone name: the schedule is in its local wall-clock time."""
    weekly: Week = Week()
    holidays: Annotated[tuple[Holiday, ...], Field(max_length=MAX_HOLIDAYS)] = ()

    _zone: ZoneInfo = PrivateAttr()
    _week: tuple[tuple[Span, ...], ...] = PrivateAttr()
    _special: dict[dt.date, tuple[Span, ...]] = PrivateAttr()
    _special_open_dates: tuple[dt.date, ...] = PrivateAttr()

    @field_validator("holidays")
    @classmethod
    def _one_entry_per_date(cls, holidays: tuple[Holiday, ...]) -> tuple[Holiday, ...]:
        seen: set[dt.date] = set()
        for holiday in holidays:
            if holiday.date in seen:
                raise ValueError(f"{holiday.date.isoformat()} is listed twice")
            seen.add(holiday.date)
        return tuple(sorted(holidays, key=lambda h: h.date))

    def model_post_init(self, context: Any, /) -> None:
        self._zone = ZoneInfo(self.timezone)
        self._week = tuple(_joined(self.weekly.day(weekday)) for weekday in range(7))
        self._special = {h.date: _joined(h.hours) for h in self.holidays}
        self._special_open_dates = tuple(h.date for h in self.holidays if h.hours)

    # What the calculator reads.

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    def spans_on(self, day: dt.date) -> tuple[Span, ...]:
        """The local day's open intervals (holiday or weekly), touching ones joined."""
        special = self._special.get(day)
        return special if special is not None else self._week[day.weekday()]

    @property
    def weekly_is_empty(self) -> bool:
        """No weekday has hours: open only on holidays with special hours, if any."""
        return not any(self._week)

    @property
    def weekly_is_full(self) -> bool:
        """Every weekday is open 00:00-24:00 (holidays aside)."""
        return all(spans == ((0, MINUTES_PER_DAY),) for spans in self._week)

    @property
    def always_open(self) -> bool:
        """24/7: business time is real time."""
        return self.weekly_is_full and not self.holidays

    @property
    def last_holiday(self) -> dt.date | None:
        return self.holidays[-1].date if self.holidays else None

    def next_special_open_date(self, day: dt.date) -> dt.date | None:
        """The first holiday on or after `day` that has hours."""
        index = bisect.bisect_left(self._special_open_dates, day)
        return self._special_open_dates[index] if index < len(self._special_open_dates) else None

    # JSON, as stored in a site's settings.

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> BusinessHours:
        """None (a site that has set no hours) is `ALWAYS_OPEN`. Raises ValidationError."""
        if data is None:
            return ALWAYS_OPEN
        return cls.model_validate(dict(data))

    @classmethod
    def of_site(cls, settings: Mapping[str, Any]) -> BusinessHours:
        """The hours in a site's settings, `ALWAYS_OPEN` when it has none."""
        return cls.from_json(settings.get(SETTINGS_KEY))


def _joined(spans: tuple[Span, ...]) -> tuple[Span, ...]:
    joined: list[Span] = []
    for start, end in spans:
        if joined and joined[-1][1] == start:
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return tuple(joined)


ALWAYS_OPEN = BusinessHours.model_validate(
    {"timezone": "UTC", "weekly": {day: [["00:00", "24:00"]] for day in DAYS}}
)
"""24/7, the default for a site that has set no business hours."""


# Errors in a site owner's words.


def hours_problems(error: ValidationError) -> dict[str, str]:
    """What is wrong, keyed by the dotted path of the field (`weekly.mon.1`, for a form to
    point at), each a sentence that says where: "Monday, interval 2: … overlap"."""
    problems: dict[str, str] = {}
    for item in error.errors():
        loc = tuple(item["loc"])
        key = ".".join(str(part) for part in loc) or "business_hours"
        problems.setdefault(key, f"{_where(loc)}: {_what(item)}")
    return problems


def _where(loc: tuple[int | str, ...]) -> str:
    if not loc:
        return "Business hours"
    head, rest = loc[0], loc[1:]
    if head == "timezone":
        return "Time zone"
    if head == "weekly":
        if not rest:
            return "Weekly hours"
        day = rest[0]
        where = DAY_NAMES[DAYS.index(day)] if day in DAYS else "Weekly hours"
        return where + _interval_where(rest[1:])
    if head == "holidays":
        if not rest or not isinstance(rest[0], int):
            return "Holidays"
        where = f"Holiday {rest[0] + 1}"
        if rest[1:2] == ("hours",):
            return where + _interval_where(rest[2:])
        return where + (f", {rest[1]}" if len(rest) > 1 else "")
    return str(head)


def _interval_where(loc: tuple[int | str, ...]) -> str:
    if not loc or not isinstance(loc[0], int):
        return ""
    where = f", interval {loc[0] + 1}"
    if len(loc) > 1:
        where += ", start" if loc[1] == 0 else ", end"
    return where


_MESSAGES = {
    "date_from_datetime_parsing": "a date is written YYYY-MM-DD, like 2025-12-25",
    "date_parsing": "a date is written YYYY-MM-DD, like 2025-12-25",
    "date_type": "a date is written YYYY-MM-DD, like 2025-12-25",
    "too_short": 'an interval is a start and an end, like ["09:00", "17:00"]',
    "tuple_type": 'a list of intervals, each like ["09:00", "17:00"]',
    "string_too_long": f"a holiday's name has at most {MAX_HOLIDAY_NAME} characters",
}


def _what(item: Any) -> str:
    kind, loc = item["type"], tuple(item["loc"])
    if kind == "value_error":
        return str(item["ctx"]["error"])
    if kind == "extra_forbidden":
        if len(loc) == 2 and loc[0] == "weekly":
            return f"{loc[1]!r} is not a day: the days are {', '.join(DAYS)}"
        return f"{loc[-1]!r} is not a setting here"
    if kind == "missing":
        if loc == ("timezone",):
            return "choose a time zone, like Europe/Paris"
        if isinstance(loc[-1], int):
            return _MESSAGES["too_short"]
        return "required"
    if kind == "too_long":
        if loc == ("holidays",):
            return f"at most {MAX_HOLIDAYS} holidays"
        return 'an interval is a start and an end, like ["09:00", "17:00"]'
    message = _MESSAGES.get(kind)
    return message if message is not None else str(item["msg"])
