"""Webhook endpoints and their deliveries.

Every domain event recorded in a transaction writes a `webhooks.fanout` job in that same
transaction when its site has an enabled endpoint (`enqueue_on(None, …)`); the fan-out
writes one delivery per endpoint that wants the event and a `webhooks.deliver` job for
each. A delivery is tried at once, then on the Standard Webhooks schedule (`SCHEDULE`,
with jitter; a longer `Retry-After` wins) until it succeeds or the schedule runs out.
A 410 reply disables the endpoint; an endpoint failing for `DISABLE_AFTER` is disabled
with the reason shown in the panel. Handlers are idempotent: a delivery that is no longer
pending is left alone.
"""

from __future__ import annotations

import base64
import builtins
import logging
import random
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from porch.clock import Clock
from porch.db.engine import Database
from porch.errors import Invalid, NotFound
from porch.events import EventBus
from porch.jobs.queue import enqueue
from porch.outbound import Resolver, TargetRefused, check_target, check_url, pinned_client
from porch.webhooks import catalog, sender
from porch.webhooks.models import Attempt, Delivery, Endpoint
from porch.webhooks.tables import webhook_attempts, webhook_deliveries, webhook_endpoints

log = logging.getLogger(__name__)

FANOUT = "webhooks.fanout"
DELIVER = "webhooks.deliver"
SCHEDULE = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
"""Waits before the retries after the first try (the Standard Webhooks schedule)."""
MAX_RETRY_AFTER = timedelta(hours=24)
DISABLE_AFTER = timedelta(days=5)
MAX_ENDPOINTS = 20
MAX_DESCRIPTION = 200


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _endpoint(row: sa.Row[Any]) -> Endpoint:
    return Endpoint(
        id=row.id,
        site_id=row.site_id,
        url=row.url,
        description=row.description,
        events=list(row.events),
        secret=row.secret,
        enabled=row.enabled,
        allow_private=row.allow_private,
        disabled_reason=row.disabled_reason,
        failing_since=row.failing_since,
        created_at=row.created_at,
    )


def _delivery(row: sa.Row[Any], log_rows: list[Attempt] | None = None) -> Delivery:
    return Delivery(
        id=row.id,
        endpoint_id=row.endpoint_id,
        message_id=row.message_id,
        event_type=row.event_type,
        payload=dict(row.payload),
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        log=log_rows or [],
    )


def check_events(events: list[str]) -> list[str]:
    unknown = [e for e in events if e != catalog.ALL and e not in catalog.EVENTS]
    if unknown:
        raise Invalid(f"no event {unknown[0]!r} (see GET /api/v1/webhook-events)")
    if not events:
        raise Invalid("choose at least one event, or * for all")
    return sorted(set(events))


class WebhookService:
    def __init__(
        self,
        db: Database,
        events: EventBus,
        clock: Clock,
        *,
        allow_private: bool = False,
        resolver: Resolver | None = None,
        jitter: Callable[[], float] = lambda: random.uniform(0.9, 1.1),
    ) -> None:
        self.db = db
        self.events = events
        self.clock = clock
        self.allow_private = allow_private
        """The install allows private targets (`PORCH_ALLOW_PRIVATE_TARGETS=1`)."""
        self.jitter = jitter
        self.resolver = resolver
        """How endpoints' names are resolved (`porch.outbound.resolve`; tests give one)."""
        self._clients: dict[bool, httpx.AsyncClient] = {}
        """Pinned clients (porch.outbound), by whether private targets are allowed."""

    async def close(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()

    # -- endpoints ----------------------------------------------------------------------

    async def create(
        self,
        site_id: int,
        url: str,
        events: list[str],
        description: str = "",
        *,
        allow_private: bool = False,
    ) -> Endpoint:
        await self._check(url, allow_private)
        values = {
            "site_id": site_id,
            "url": url,
            "description": description.strip()[:MAX_DESCRIPTION],
            "events": check_events(events),
            "secret": new_secret(),
            "enabled": True,
            "allow_private": allow_private,
            "created_at": self.clock.now(),
        }
        async with self.db.begin() as conn:
            count = await conn.scalar(
                sa.select(sa.func.count()).where(webhook_endpoints.c.site_id == site_id)
            )
            if (count or 0) >= MAX_ENDPOINTS:
                raise Invalid(f"a site has at most {MAX_ENDPOINTS} webhook endpoints")
            insert = webhook_endpoints.insert().values(values).returning(webhook_endpoints)
            return _endpoint((await conn.execute(insert)).one())

    async def _check(self, url: str, allow_private: bool) -> None:
        try:
            check_url(url)
            await check_target(url, allow_private or self.allow_private)
        except TargetRefused as exc:
            raise Invalid(str(exc)) from None

    async def list(self, site_id: int | None = None) -> list[Endpoint]:
        query = sa.select(webhook_endpoints).order_by(webhook_endpoints.c.id)
        if site_id is not None:
            query = query.where(webhook_endpoints.c.site_id == site_id)
        async with self.db.connect() as conn:
            return [_endpoint(row) for row in await conn.execute(query)]

    async def get(self, endpoint_id: int, site_id: int | None = None) -> Endpoint:
        async with self.db.connect() as conn:
            return await _endpoint_or_raise(conn, endpoint_id, site_id)

    async def update(
        self,
        endpoint_id: int,
        site_id: int | None = None,
        *,
        url: str | None = None,
        events: builtins.list[str] | None = None,
        description: str | None = None,
        enabled: bool | None = None,
    ) -> Endpoint:
        before = await self.get(endpoint_id, site_id)
        values: dict[str, Any] = {}
        if url is not None:
            await self._check(url, before.allow_private)
            values["url"] = url
        if events is not None:
            values["events"] = check_events(events)
        if description is not None:
            values["description"] = description.strip()[:MAX_DESCRIPTION]
        if enabled is not None:
            values["enabled"] = enabled
            if enabled:  # turned on again: a fresh start
                values |= {"disabled_reason": None, "failing_since": None}
        if values:
            async with self.db.begin() as conn:
                update = webhook_endpoints.update().where(webhook_endpoints.c.id == endpoint_id)
                await conn.execute(update.values(values))
        return await self.get(endpoint_id, site_id)

    async def delete(self, endpoint_id: int, site_id: int | None = None) -> None:
        async with self.db.begin() as conn:
            await _endpoint_or_raise(conn, endpoint_id, site_id)
            done = sa.select(webhook_deliveries.c.id).where(
                webhook_deliveries.c.endpoint_id == endpoint_id
            )
            await conn.execute(
                webhook_attempts.delete().where(webhook_attempts.c.delivery_id.in_(done))
            )
            await conn.execute(
                webhook_deliveries.delete().where(webhook_deliveries.c.endpoint_id == endpoint_id)
            )
            await conn.execute(
                webhook_endpoints.delete().where(webhook_endpoints.c.id == endpoint_id)
            )

    # -- deliveries ---------------------------------------------------------------------

    async def deliveries(
        self, endpoint_id: int, site_id: int | None, limit: int, before_id: int | None = None
    ) -> builtins.list[Delivery]:
        """Newest first, each with its attempts (`limit + 1` read: is there more)."""
        async with self.db.connect() as conn:
            await _endpoint_or_raise(conn, endpoint_id, site_id)
            query = sa.select(webhook_deliveries).where(
                webhook_deliveries.c.endpoint_id == endpoint_id
            )
            if before_id is not None:
                query = query.where(webhook_deliveries.c.id < before_id)
            rows = (
                await conn.execute(query.order_by(webhook_deliveries.c.id.desc()).limit(limit + 1))
            ).all()
            attempts = await _attempts(conn, [row.id for row in rows])
        return [_delivery(row, attempts.get(row.id, [])) for row in rows]

    async def delivery(self, delivery_id: int, site_id: int | None = None) -> Delivery:
        async with self.db.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id)
                )
            ).first()
            if row is None:
                raise NotFound(f"no delivery {delivery_id}")
            await _endpoint_or_raise(conn, row.endpoint_id, site_id)
            attempts = await _attempts(conn, [row.id])
        return _delivery(row, attempts.get(row.id, []))

    async def redeliver(self, delivery_id: int, site_id: int | None = None) -> Delivery:
        """The same event (same `webhook-id`, so receivers can tell) sent again now, as a
        new delivery with its own attempts."""
        original = await self.delivery(delivery_id, site_id)
        async with self.db.begin() as conn:
            new_id = await self._add_delivery(
                conn, original.endpoint_id, original.message_id, original.event_type,
                original.payload,
            )  # fmt: skip
        self.events.jobs_committed()
        return await self.delivery(new_id, site_id)

    async def send_test(self, endpoint_id: int, site_id: int | None = None) -> Delivery:
        endpoint = await self.get(endpoint_id, site_id)
        now = self.clock.now()
        payload = {
            "type": catalog.TEST,
            "timestamp": now.isoformat(),
            "data": {"endpoint_id": endpoint.id, "site_id": endpoint.site_id},
        }
        async with self.db.begin() as conn:
            new_id = await self._add_delivery(
                conn, endpoint.id, _message_id(), catalog.TEST, payload
            )
        self.events.jobs_committed()
        return await self.delivery(new_id, site_id)

    async def _add_delivery(
        self,
        conn: AsyncConnection,
        endpoint_id: int,
        message_id: str,
        event_type: str,
        payload: dict[str, Any],
    ) -> int:
        now = self.clock.now()
        values = {
            "endpoint_id": endpoint_id,
            "message_id": message_id,
            "event_type": event_type,
            "payload": payload,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
            "updated_at": now,
        }
        insert = webhook_deliveries.insert().values(values).returning(webhook_deliveries.c.id)
        delivery_id = int((await conn.execute(insert)).scalar_one())
        await enqueue(conn, DELIVER, {"delivery_id": delivery_id}, run_at=now,
                      key=f"webhook:{delivery_id}:0")  # fmt: skip
        return delivery_id

    # -- job handlers -------------------------------------------------------------------

    @staticmethod
    def site_has_endpoints(event: object) -> bool | ColumnElement[bool]:
        """The fan-out's filter: skip events no endpoint could want (an indexed lookup)."""
        site_id = catalog.site_of_event(event)
        if site_id is None:
            return False
        return sa.exists().where(
            webhook_endpoints.c.site_id == site_id, webhook_endpoints.c.enabled.is_(True)
        )

    async def fanout(self, payload: dict[str, Any]) -> None:
        """One delivery per enabled endpoint of the event's site that wants it."""
        event_type, data = str(payload.get("type", "")), payload.get("data") or {}
        site_id = catalog.site_of_payload(data)
        if site_id is None:
            return
        body = {
            "type": event_type,
            "timestamp": self.clock.now().isoformat(),
            "data": catalog.shape(data),
        }
        message_id = _message_id()
        async with self.db.begin() as conn:
            query = sa.select(webhook_endpoints).where(
                webhook_endpoints.c.site_id == site_id, webhook_endpoints.c.enabled.is_(True)
            )
            for endpoint in map(_endpoint, await conn.execute(query)):
                if endpoint.wants(event_type):
                    await self._add_delivery(conn, endpoint.id, message_id, event_type, body)
        self.events.jobs_committed()

    async def deliver(self, payload: dict[str, Any]) -> None:
        delivery_id = int(payload["delivery_id"])
        async with self.db.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id)
                )
            ).first()
            if row is None or row.status != "pending":
                return  # done already (a job run twice), or the endpoint was deleted
            endpoint = _endpoint(
                (
                    await conn.execute(
                        sa.select(webhook_endpoints).where(
                            webhook_endpoints.c.id == row.endpoint_id
                        )
                    )
                ).one()
            )
        delivery = _delivery(row)
        if not endpoint.enabled:
            await self._finish(delivery, "failed", _refused("the endpoint is disabled"))
            return
        try:
            outcome = await self._send(endpoint, delivery)
        except TargetRefused as exc:  # checked again on sending, at the address connected to
            await self._finish(delivery, "failed", _refused(str(exc)))
            return
        await self._settle(endpoint, delivery, outcome)

    async def _send(self, endpoint: Endpoint, delivery: Delivery) -> sender.Outcome:
        allow = endpoint.allow_private or self.allow_private
        if allow not in self._clients:
            self._clients[allow] = pinned_client(allow, self.resolver, timeout=sender.TIMEOUT)
        body, headers = sender.signed_request(
            endpoint.secret, delivery.message_id, self.clock.now(), delivery.payload
        )
        return await sender.send(self._clients[allow], endpoint.url, body, headers)

    async def _settle(
        self, endpoint: Endpoint, delivery: Delivery, outcome: sender.Outcome
    ) -> None:
        now = self.clock.now()
        if outcome.ok:
            await self._finish(delivery, "delivered", outcome)
            await self._endpoint_values(endpoint.id, failing_since=None)
            return
        if outcome.status_code == 410:
            await self._finish(delivery, "failed", outcome)
            await self._disable(endpoint, "the endpoint answered 410 Gone")
            return
        tried = delivery.attempts + 1
        if tried > len(SCHEDULE):
            await self._finish(delivery, "failed", outcome)
        else:
            wait = SCHEDULE[tried - 1] * self.jitter()
            if outcome.retry_after is not None:
                wait = max(wait, min(timedelta(seconds=outcome.retry_after), MAX_RETRY_AFTER))
            await self._retry(delivery, outcome, now + wait)
        since = endpoint.failing_since or now
        if endpoint.failing_since is None:
            await self._endpoint_values(endpoint.id, failing_since=now)
        elif now - since >= DISABLE_AFTER:
            days = DISABLE_AFTER.days
            await self._disable(endpoint, f"every delivery failed for {days} days")

    async def _finish(self, delivery: Delivery, status: str, outcome: sender.Outcome) -> None:
        async with self.db.begin() as conn:
            await self._log(conn, delivery, outcome)
            await conn.execute(
                webhook_deliveries.update()
                .where(webhook_deliveries.c.id == delivery.id)
                .values(
                    status=status,
                    attempts=delivery.attempts + 1,
                    next_attempt_at=None,
                    updated_at=self.clock.now(),
                )
            )

    async def _retry(self, delivery: Delivery, outcome: sender.Outcome, at: Any) -> None:
        tried = delivery.attempts + 1
        async with self.db.begin() as conn:
            await self._log(conn, delivery, outcome)
            await conn.execute(
                webhook_deliveries.update()
                .where(webhook_deliveries.c.id == delivery.id)
                .values(attempts=tried, next_attempt_at=at, updated_at=self.clock.now())
            )
            await enqueue(conn, DELIVER, {"delivery_id": delivery.id}, run_at=at,
                          key=f"webhook:{delivery.id}:{tried}")  # fmt: skip
        self.events.jobs_committed()

    async def _log(
        self, conn: AsyncConnection, delivery: Delivery, outcome: sender.Outcome
    ) -> None:
        await conn.execute(
            webhook_attempts.insert().values(
                delivery_id=delivery.id,
                at=self.clock.now(),
                status_code=outcome.status_code,
                response=outcome.response,
                error=outcome.error,
                duration_ms=outcome.duration_ms,
            )
        )

    async def _disable(self, endpoint: Endpoint, reason: str) -> None:
        log.warning("webhook endpoint %s (%s) disabled: %s", endpoint.id, endpoint.url, reason)
        await self._endpoint_values(endpoint.id, enabled=False, disabled_reason=reason)

    async def _endpoint_values(self, endpoint_id: int, **values: Any) -> None:
        async with self.db.begin() as conn:
            update = webhook_endpoints.update().where(webhook_endpoints.c.id == endpoint_id)
            await conn.execute(update.values(values))


def _message_id() -> str:
    return "msg_" + secrets.token_hex(12)


def _refused(reason: str) -> sender.Outcome:
    return sender.Outcome(None, "", reason[:500], 0)


async def _endpoint_or_raise(
    conn: AsyncConnection, endpoint_id: int, site_id: int | None
) -> Endpoint:
    row = (
        await conn.execute(
            sa.select(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id)
        )
    ).first()
    if row is None or (site_id is not None and row.site_id != site_id):
        raise NotFound(f"no webhook endpoint {endpoint_id}")
    return _endpoint(row)


async def _attempts(conn: AsyncConnection, delivery_ids: list[int]) -> dict[int, list[Attempt]]:
    if not delivery_ids:
        return {}
    query = (
        sa.select(webhook_attempts)
        .where(webhook_attempts.c.delivery_id.in_(delivery_ids))
        .order_by(webhook_attempts.c.id)
    )
    found: dict[int, list[Attempt]] = {}
    for row in await conn.execute(query):
        found.setdefault(row.delivery_id, []).append(
            Attempt(row.id, row.at, row.status_code, row.response, row.error, row.duration_ms)
        )
    return found
