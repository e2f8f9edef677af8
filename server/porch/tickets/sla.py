"""SLA targets and deadlines: pure functions over a site's settings and the clock.

A ticket's deadlines are stored on it (`first_response_due_at`, `next_response_due_at`,
`resolution_due_at`) and moved only when something happens to the ticket: a reply, a
status change, a priority change. Each deadline gets two timer jobs (`porch.tickets.timers`),
at 80% and at 100% of its target; nothing ever scans tickets to find what is due.

Time is business time when the site says so (`sla_business_hours`), else every hour
counts. The clocks stop while a ticket is pending, resolved or closed (`sla_paused_at`);
when it opens again each deadline moves on by the business time it was stopped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from porch.hours.calculator import NeverOpen, add_business_time, business_time_between
from porch.hours.models import ALWAYS_OPEN, BusinessHours

TARGETS = ("first_response", "next_response", "resolution")
WARN_AT = 0.8
"""The share of a target's time after which the assignee is warned."""
DEFAULT_AUTO_CLOSE_HOURS = 72.0


@dataclass(frozen=True)
class Targets:
    first_response: timedelta
    next_response: timedelta
    resolution: timedelta

    def of(self, target: str) -> timedelta:
        value: timedelta = getattr(self, target)
        return value


def _targets(first: int, resolution: int) -> Targets:
    return Targets(
        timedelta(minutes=first), timedelta(minutes=first), timedelta(minutes=resolution)
    )


DEFAULT_TARGETS: dict[str, Targets] = {
    "critical": _targets(15, 2 * 60),
    "high": _targets(60, 8 * 60),
    "medium": _targets(4 * 60, 24 * 60),
    "low": _targets(8 * 60, 48 * 60),
}
"""First response / resolution per priority; next response defaults to first response."""


def targets(settings: Mapping[str, Any], priority: str) -> Targets:
    """The site's targets for `priority` (`sla_targets` in its settings), else the
    defaults."""
    custom = (settings.get("sla_targets") or {}).get(priority)
    if not custom:
        return DEFAULT_TARGETS[priority]
    first = timedelta(minutes=custom["first_response"])
    following = custom.get("next_response")
    return Targets(
        first_response=first,
        next_response=timedelta(minutes=following) if following else first,
        resolution=timedelta(minutes=custom["resolution"]),
    )


def hours(settings: Mapping[str, Any]) -> BusinessHours:
    """The hours SLA time counts in: the site's business hours if it says so."""
    if settings.get("sla_business_hours"):
        return BusinessHours.of_site(settings)
    return ALWAYS_OPEN


def auto_close_after(settings: Mapping[str, Any]) -> timedelta:
    return timedelta(hours=float(settings.get("ticket_auto_close_hours", DEFAULT_AUTO_CLOSE_HOURS)))


def due(schedule: BusinessHours, start: datetime, duration: timedelta) -> datetime:
    """When `duration` of SLA time has passed since `start` (plain time when the schedule
    has no open time left: a deadline that never comes would never warn anyone)."""
    try:
        return add_business_time(schedule, start, duration)
    except NeverOpen:
        return start + duration


def resumed(
    schedule: BusinessHours, deadline: datetime, paused_at: datetime, now: datetime
) -> datetime:
    """A deadline after its clock stood still from `paused_at` to `now`: what was left of
    it then is left now. One already missed when the clock stopped stays as it was."""
    if deadline <= paused_at:
        return deadline
    return due(schedule, now, business_time_between(schedule, paused_at, deadline))


def warning_at(
    schedule: BusinessHours, now: datetime, deadline: datetime, target: timedelta
) -> datetime:
    """When 80% of `target` is gone, for a deadline counted from before `now` (now, if
    that moment has passed)."""
    remaining = business_time_between(schedule, now, deadline)
    lead = target * (1 - WARN_AT)
    if remaining <= lead:
        return now
    return due(schedule, now, remaining - lead)


@dataclass(frozen=True)
class Deadline:
    target: str
    due_at: datetime
    state: str
    """`ok`, `warning` (80% of the target gone), `breached`, or `paused`."""


@dataclass(frozen=True)
class SlaStatus:
    """A ticket's deadlines as they stand at one instant, soonest first (what the panel
    shows on `[data-testid=sla-due]`); `state` is the most pressing of them, `none` when
    no clock runs."""

    deadlines: tuple[Deadline, ...] = ()

    @property
    def state(self) -> str:
        states = {d.state for d in self.deadlines}
        for state in ("breached", "warning", "ok", "paused"):
            if state in states:
                return state
        return "none"


def status(
    settings: Mapping[str, Any],
    priority: str,
    dues: Mapping[str, datetime | None],
    paused: bool,
    now: datetime,
) -> SlaStatus:
    """The state of each running deadline at `now`: the server's clock decides, never the
    browser's."""
    schedule, goal = hours(settings), targets(settings, priority)
    deadlines = []
    for target in TARGETS:
        deadline = dues.get(target)
        if deadline is None:
            continue
        if paused:
            state = "paused"
        elif now >= deadline:
            state = "breached"
        elif business_time_between(schedule, now, deadline) <= goal.of(target) * (1 - WARN_AT):
            state = "warning"
        else:
            state = "ok"
        deadlines.append(Deadline(target, deadline, state))
    return SlaStatus(tuple(sorted(deadlines, key=lambda d: d.due_at)))
