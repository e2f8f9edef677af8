"""/analytics/summary: the Analytics page's figures for the key's site."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator
from typing_extensions import TypedDict

from porch.analytics.figures import Durations, Span, report
from porch.api.edge import Api, Call, Operation, Reply

TAG = "analytics"
MAX_DAYS = 366


class AnalyticsQuery(BaseModel):
    """`since` and `until` are inclusive UTC days (default: the last 30 days)."""

    model_config = ConfigDict(extra="forbid")

    since: date | None = None
    until: date | None = None
    hours: Literal["wall", "business"] = "wall"

    @model_validator(mode="after")
    def _range(self) -> AnalyticsQuery:
        if self.since and self.until and not 0 <= (self.until - self.since).days < MAX_DAYS:
            raise ValueError(f"until is on or after since, at most {MAX_DAYS} days apart")
        return self


class DurationFigures(TypedDict):
    count: int
    median_seconds: float | None
    p90_seconds: float | None


class DayVolume(TypedDict):
    day: str
    conversations: int
    tickets: int


class FlowFigure(TypedDict):
    flow: str
    triggered: int
    goals: int


class SlaCompliance(TypedDict):
    priority: str
    met: int
    missed: int


class OperatorWorkload(TypedDict):
    operator_id: int
    name: str
    replies: int
    resolved: int


class AnalyticsSummary(TypedDict):
    since: str
    until: str
    hours: str
    volume: list[DayVolume]
    first_response: DurationFigures
    resolution: DurationFigures
    reopen_rate: float | None
    bot_resolution_rate: float | None
    bot_handoffs: int
    csat: float | None
    ratings: int
    sla: list[SlaCompliance]
    workload: list[OperatorWorkload]
    flows: list[FlowFigure]


def _durations(found: Durations) -> DurationFigures:
    return {"count": found.count, "median_seconds": found.median, "p90_seconds": found.p90}


def install(api: Api) -> None:
    async def summary(call: Call) -> Reply:
        q: AnalyticsQuery = call.query
        until = q.until or call.services.clock.now().date()
        since = q.since or until - timedelta(days=29)
        if (until - since).days >= MAX_DAYS:
            since = until - timedelta(days=MAX_DAYS - 1)
        span = Span(
            datetime.combine(since, time(), UTC),
            datetime.combine(until + timedelta(days=1), time(), UTC),
            business=q.hours == "business",
            site_id=call.site_id,
        )
        async with call.services.db.connect() as conn:
            figures = await report(conn, span)
        shaped: AnalyticsSummary = {
            "since": since.isoformat(),
            "until": until.isoformat(),
            "hours": q.hours,
            "volume": [
                {"day": d.isoformat(), "conversations": n, "tickets": t}
                for (d, n), (_, t) in zip(figures.volume, figures.ticket_volume, strict=True)
            ],
            "first_response": _durations(figures.first_response),
            "resolution": _durations(figures.resolution),
            "reopen_rate": figures.reopen_rate,
            "bot_resolution_rate": figures.bot_resolution_rate,
            "bot_handoffs": figures.bot_handoffs,
            "csat": figures.csat,
            "ratings": sum(figures.ratings.values()),
            "sla": [
                {"priority": p, "met": met, "missed": missed}
                for p, (met, missed) in figures.sla.items()
            ],
            "workload": [
                {"operator_id": w.operator_id, "name": w.name, "replies": w.replies,
                 "resolved": w.resolved}
                for w in figures.workload
            ],
            "flows": [
                {"flow": f.name, "triggered": f.triggered, "goals": f.completed}
                for f in figures.flows
            ],
        }  # fmt: skip
        return dict(shaped)

    api.add(
        Operation("GET", "/analytics/summary", summary, "Get the site's analytics figures",
                  TAG, query=AnalyticsQuery, response=AnalyticsSummary),
    )  # fmt: skip
