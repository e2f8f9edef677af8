"""The `webhook` action: an HTTP request with the visitor's data, as a job (retried, never
inside a step), with a timeout, and never to loopback or private addresses unless the
admin allows it (`PORCH_ALLOW_PRIVATE_TARGETS`, porch.outbound)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from porch.flows.facts import Facts
from porch.flows.models import Run
from porch.outbound import TargetRefused, pinned_client

if TYPE_CHECKING:
    from porch.services import Services

CALL = "flows.webhook"
DEFAULT_TIMEOUT = 10.0


def job_payload(run: Run, node: dict[str, Any], facts: Facts) -> dict[str, Any]:
    visitor = facts.visitor
    return {
        "url": node["url"],
        "method": node.get("method", "POST"),
        "timeout": node.get("timeout_seconds", DEFAULT_TIMEOUT),
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
    import logging

    log = logging.getLogger(__name__)

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
                return
        if response.status_code >= 500:
            raise RuntimeError(f"flow webhook {url}: HTTP {response.status_code}")  # retried

    return call
