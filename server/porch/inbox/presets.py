"""Snooze presets: when "tomorrow" and "next week" are, in the site's time zone and
business hours (the first opening from 9:00 that day; 9:00 for a site without hours)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from porch.hours.calculator import next_opening
from porch.hours.models import BusinessHours

Preset = Literal["1h", "tomorrow", "next_week"]
PRESETS: tuple[Preset, ...] = ("1h", "tomorrow", "next_week")
MORNING = time(9, 0)


def until(preset: Preset, now: datetime, settings: dict[str, Any]) -> datetime:
    if preset == "1h":
        return now + timedelta(hours=1)
    hours = BusinessHours.of_site(settings)
    zone = ZoneInfo(hours.timezone)
    today = now.astimezone(zone).date()
    days = 1 if preset == "tomorrow" else 7 - today.weekday()  # next Monday
    morning = datetime.combine(today + timedelta(days=days), MORNING, zone)
    return next_opening(hours, morning) or morning
