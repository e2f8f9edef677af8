"""The `webhook` action: an HTTP request with the visitor's data, as a job (retried, never
inside a step), with a timeout, and never to loopback or private addresses unless the
admin allows it (`PORCH_ALLOW_PRIVATE_TARGETS`, porch.outbound). Each attempt's outcome
(the status, or why it failed) goes to the run log (`run_log.webhook_attempt`)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import httpx

from porch.flows import run_log
from porch.flows.facts import Facts
from porch.flows.models import Run
from porch.outbound import TargetRefused, pinned_client

if TYPE_CHECKING:
    from porch.services import Services

CALL = "flows.webhook"
DEFAULT_TIMEOUT = 10.0
MAX_ATTEMPTS = 5
log = logging.getLogger(__name__)


def job_payload(run: Run, node_id: str, node: dict[str, Any], facts: Facts) -> dict[str, Any]:
    visitor = facts.visitor
    return {
        "url": node["url"],
        "method": node.get("method", "POST"),
        "timeout": node.get("timeout_seconds", DEFAULT_TIMEOUT),
        "node": node_id,
        "body": {
            "flow_id": run.flow_id,
            "run_id": run.id,
            "conversation_id": run.conversation_id,
            "visitor": {
                "id": visitor.id,
                "name": visitor.name,
                "email": visitor.email,
                "verified": visitor.verified,
                "attributes": visitor.attributes,
            },
            "page": {"url": facts.url, "referrer": facts.referrer},
        },
    }


def handler(services: Services) -> Any:
    async def logged(payload: dict[str, Any], outcome: str, error: str | None, **more: Any) -> None:
        await run_log.webhook_attempt(
            services.db, payload, outcome, error, services.clock.now(), **more
        )

    async def call(payload: dict[str, Any]) -> None:
        url, method = payload["url"], payload["method"]
        # Pinned: the address checked is the one connected to (no DNS rebinding); no
        # redirects, so a public host cannot bounce the request to a private one.
        allow = services.config.allow_private_targets
        async with pinned_client(allow, timeout=payload["timeout"]) as client:
            try:
                if method == "GET":
                    response = await client.get(url)
                else:
                    response = await client.request(method, url, json=payload["body"])
            except TargetRefused as exc:
                log.warning("flow webhook refused: %s", exc)
                await logged(payload, "webhook refused, not sent", str(exc))
                return
            except httpx.HTTPError as exc:  # timeouts, refused connections: retried
                said = str(exc) or type(exc).__name__
                await logged(payload, "webhook failed, retried", f"{type(exc).__name__}: {said}")
                raise
        status = response.status_code
        if status >= 500:
            await logged(payload, "webhook failed, retried", f"HTTP {status}", status=status)
            raise RuntimeError(f"flow webhook {url}: HTTP {status}")  # retried
        if status >= 400:  # the receiver refused it: trying again would not help
            await logged(payload, "webhook failed", f"HTTP {status}", status=status)
            return
        await logged(payload, f"webhook sent (HTTP {status})", None, status=status)

    return call
