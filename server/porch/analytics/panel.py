"""The Analytics page (`/panel/analytics`) and its CSV export (`/panel/analytics.csv`):
server-rendered, each chart drawn as SVG and also given as a table."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from porch.analytics import charts, drill
from porch.analytics.figures import Report, Span, report
from porch.panel.auth import SignedIn
from porch.panel.headers import secured_route
from porch.panel.pages import operators_only
from porch.services import Services

ANALYTICS_PATH = "/panel/analytics"
DEFAULT_DAYS = 30
MAX_DAYS = 366
TABLES = ("volume", "hours", "durations", "sla", "workload", "flows", "tags")
EXPORTS = (*TABLES, "conversations")  # `conversations`: one row per conversation
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def span_of(request: Request, today: date) -> Span:
    """The date range and toggles asked for; anything malformed falls back to the last 30
    days (never an error page for a bad query string)."""
    query = request.query_params
    end = _day(query.get("to", ""), today)
    start = _day(query.get("from", ""), end - timedelta(days=DEFAULT_DAYS - 1))
    if start > end or (end - start).days >= MAX_DAYS:
        start = end - timedelta(days=DEFAULT_DAYS - 1)
    return Span(
        datetime.combine(start, time(), UTC),
        datetime.combine(end + timedelta(days=1), time(), UTC),
        business=query.get("hours") == "business",
        site_id=_id(query.get("site", "")),
        operator_id=_id(query.get("operator", "")),
        team_id=_id(query.get("team", "")),
    )


def _id(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 10 else None


def _day(text: str, default: date) -> date:
    try:
        return date.fromisoformat(text[:10]) if text else default
    except ValueError:
        return default


def rows(figures: Report, table: str) -> list[list[str]]:
    """A table of the report as text cells, header first (the page and the CSV share it)."""
    if table == "volume":
        return [
            ["day", "conversations", "tickets"],
            *[
                [d.isoformat(), str(n), str(t)]
                for (d, n), (_, t) in zip(figures.volume, figures.ticket_volume, strict=True)
            ],
        ]
    if table == "durations":
        return [
            ["measure", "count", "median_seconds", "p90_seconds"],
            *[
                [name, str(d.count), _number(d.median), _number(d.p90)]
                for name, d in (
                    ("first_response", figures.first_response),
                    ("resolution", figures.resolution),
                    ("ticket_resolution", figures.ticket_resolution),
                )
            ],
        ]
    if table == "hours":
        return [
            ["weekday", *[f"{hour:02d}" for hour in range(24)]],
            *[[day, *map(str, n)] for day, n in zip(DAYS, figures.hour_of_week, strict=True)],
        ]
    if table == "tags":
        return [
            ["tag", "conversations", "tickets"],
            *[[tag, str(chats), str(tickets)] for tag, chats, tickets in figures.tags],
        ]
    if table == "flows":
        return [
            ["flow", "triggered", "completed"],
            *[[f.name, str(f.triggered), str(f.completed)] for f in figures.flows],
        ]
    if table == "sla":
        return [
            ["priority", "met", "missed", "compliance"],
            *[
                [priority, str(met), str(missed), _number(met / (met + missed))]
                for priority, (met, missed) in figures.sla.items()
            ],
        ]
    return [
        ["operator", "assigned", "replies", "resolved", "open_now"],
        *[
            [load.name, *map(str, (load.assigned, load.replies, load.resolved, load.open_now))]
            for load in figures.workload
        ],
    ]


def shown(figures: Report) -> list[tuple[str, str, str, str]]:
    """The headline figures: (data-testid, label, text, the drill-down figure behind it)."""
    first, resolution = figures.first_response, figures.resolution
    return [
        ("analytics-conversations", "Conversations", str(sum(n for _, n in figures.volume)),
         "volume"),
        ("analytics-first-response-median", "First response, median", duration(first.median),
         "first_response"),
        ("analytics-first-response-p90", "First response, p90", duration(first.p90),
         "first_response"),
        ("analytics-resolution-median", "Resolution, median", duration(resolution.median),
         "resolution"),
        ("analytics-resolution-p90", "Resolution, p90", duration(resolution.p90), "resolution"),
        ("analytics-reopen-rate", "Reopen rate", percent(figures.reopen_rate), "reopen"),
        ("analytics-bot-resolution-rate", "Bot resolution rate",
         percent(figures.bot_resolution_rate), "bot_resolved"),
        ("analytics-bot-handoffs", "Bot hand-offs", str(figures.bot_handoffs), "bot_handoff"),
        ("analytics-csat", "CSAT (rated 4–5)", percent(figures.csat), "rating"),
        ("analytics-ratings", "Ratings", str(sum(figures.ratings.values())), "rating"),
        ("analytics-tickets", "Tickets opened", str(figures.tickets_opened), ""),
        ("analytics-sla-compliance", "SLA compliance", percent(figures.sla_compliance),
         "sla_hit"),
        ("analytics-sla-misses", "SLA deadlines missed", str(figures.sla_missed), "sla_miss"),
        ("analytics-ticket-resolution-median", "Ticket resolution, median",
         duration(figures.ticket_resolution.median), "ticket_resolution"),
        ("analytics-flows-triggered", "Flows triggered",
         str(sum(f.triggered for f in figures.flows)), "flow_triggered"),
        ("analytics-flow-goals", "Flow goals reached",
         str(sum(f.completed for f in figures.flows)), "flow_goal"),
    ]  # fmt: skip


def duration(seconds: float | None) -> str:
    """ "3m 20s", "2h 5m", "—" when there is nothing to measure."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m {secs}s" if minutes else f"{secs}s"


def percent(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio * 100:.0f}%"


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


def routes(services: Services) -> list[Route]:
    async def figures_for(request: Request) -> tuple[Span, Report]:
        span = span_of(request, services.clock.now().date())
        async with services.db.connect() as conn:
            return span, await report(conn, span)

    async def page(request: Request, who: SignedIn) -> Response:
        span, figures = await figures_for(request)
        volume: list[tuple[str, tuple[float, ...]]] = [
            (d.isoformat(), (float(n), float(t)))
            for (d, n), (_, t) in zip(figures.volume, figures.ticket_volume, strict=True)
        ]
        html = services.templates.get_template("analytics/analytics.html").render(
            view="analytics",
            operator=who.operator,
            span=span,
            last_day=(span.end - timedelta(days=1)).date(),
            shown=shown(figures),
            tables={name: rows(figures, name) for name in TABLES},
            titles={**TITLES, "hours": f"{TITLES['hours']} ({figures.time_zone})"},
            bars=charts.grouped(volume),
            chart=(charts.WIDTH, charts.HEIGHT),
            cells=charts.heatmap(figures.hour_of_week, DAYS),
            heat=(charts.CELL, charts.LEFT, charts.TOP, DAYS),
            sites=await services.sites.all(),
            operators=await services.operators.list(),
            teams=await _teams(services),
            query=_filters(request),
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    async def conversations(request: Request, who: SignedIn) -> Response:
        figure = request.query_params.get("figure", "volume")
        if figure not in drill.FIGURES:
            figure = "volume"
        span = span_of(request, services.clock.now().date())
        async with services.db.connect() as conn:
            found = await drill.behind(conn, span, figure)
        html = services.templates.get_template("analytics/conversations.html").render(
            view="analytics",
            operator=who.operator,
            figure=figure,
            span=span,
            last_day=(span.end - timedelta(days=1)).date(),
            found=found,
            limit=drill.LIMIT,
            query=_filters(request),
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    async def export(request: Request, who: SignedIn) -> Response:
        table = request.query_params.get("table", "volume")
        if table not in EXPORTS:
            return Response("Unknown table.", status_code=404, media_type="text/plain")
        if table == "conversations":
            span = span_of(request, services.clock.now().date())
            async with services.db.connect() as conn:
                cells = await drill.per_conversation(conn, span)
        else:
            _, figures = await figures_for(request)
            cells = rows(figures, table)
        out = io.StringIO()
        csv.writer(out).writerows(cells)
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="analytics-{table}.csv"',
                "Cache-Control": "no-store",
            },
        )

    return [
        secured_route(ANALYTICS_PATH, operators_only(services, page), "GET"),
        secured_route(f"{ANALYTICS_PATH}.csv", operators_only(services, export), "GET"),
        secured_route(
            f"{ANALYTICS_PATH}/conversations", operators_only(services, conversations), "GET"
        ),
    ]


TITLES = {
    "volume": "Conversations and tickets by day",
    "hours": "Conversations by hour of the week",
    "durations": "Response and resolution times",
    "sla": "SLA compliance by priority",
    "workload": "Workload per operator",
    "flows": "Flows triggered and goals reached",
    "tags": "Tags",
}
FILTERS = ("from", "to", "site", "team", "operator", "hours")


def _filters(request: Request) -> str:
    """The page's filters as a query string, for links to the CSVs and drill-downs."""
    from urllib.parse import urlencode

    kept = {k: v for k, v in request.query_params.items() if k in FILTERS and len(v) < 40}
    return urlencode(kept)


async def _teams(services: Services) -> list[tuple[int, str]]:
    from porch.operators.teams import all_teams

    async with services.db.connect() as conn:
        return [(team.id, team.name) for team in await all_teams(conn)]
