"""Sending one signed delivery: Standard Webhooks headers (`webhook-id`,
`webhook-timestamp`, `webhook-signature`) made by the `standardwebhooks` package, a
bounded wait and a bounded read of the reply."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime

import httpx
from standardwebhooks.webhooks import Webhook

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MAX_RESPONSE_READ = 64 * 1024
"""Bytes read of a reply at most (the rest is not read)."""
MAX_RESPONSE_KEPT = 2000
"""Characters of the reply kept in the delivery log."""
USER_AGENT = "Porch-Webhooks/1"


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    response: str
    error: str | None
    duration_ms: int
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def signed_request(
    secret: str, message_id: str, at: datetime, payload: dict[str, object]
) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    signature = Webhook(secret).sign(message_id, at, body)
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }
    return body.encode(), headers


async def send(
    client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str]
) -> Outcome:
    started = time.monotonic()
    try:
        async with client.stream("POST", url, content=body, headers=headers) as reply:
            read = bytearray()
            async for chunk in reply.aiter_bytes():
                read += chunk
                if len(read) >= MAX_RESPONSE_READ:
                    break
            text = bytes(read[:MAX_RESPONSE_READ]).decode("utf-8", "replace")
            return Outcome(
                reply.status_code,
                text[:MAX_RESPONSE_KEPT],
                None,
                _ms(started),
                _retry_after(reply.headers.get("retry-after")),
            )
    except httpx.HTTPError as exc:
        return Outcome(None, "", f"{type(exc).__name__}: {exc}"[:500], _ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a `Retry-After` of delta-seconds (dates are ignored)."""
    if value is None or not value.strip().isdigit():
        return None
    return float(value.strip())
