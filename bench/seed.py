"""Seeding a benchmark's database through Porch's own service API (not raw SQL), so the rows
are exactly what real sessions and sign-ins create: visitors with their tokens,
conversations, operators with live sign-in cookies."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from porch.actors import Actor
from porch.app import build_services
from porch.config import Config, load_config
from porch.db.migrate import upgrade
from porch.panel.sessions import COOKIE_NAME, encode_session
from porch.services import Services
from porch.visitors.models import Page
from porch.visitors.tokens import issue_visitor_token

ORIGIN = "https://shop.example"
PAGE = Page(url=f"{ORIGIN}/products/1", title="Blue mug")


@dataclass
class Seeded:
    visitor_ids: list[int] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    conversation_ids: list[int] = field(default_factory=list)
    operator_cookies: list[str] = field(default_factory=list)


def bench_config(data: Path, database_url: str | None = None) -> Config:
    """The configuration `porch serve --data DATA --database-url URL` will load, migrated."""
    config = load_config(data=str(data), database_url=database_url)
    upgrade(config.database_url)
    return config


async def seed(
    config: Config, visitors: int, operators: int = 0, conversations: bool = False
) -> Seeded:
    """A site with `visitors` visitors (each as a widget session creates them), optionally a
    conversation each (started by the operators in turn), and `operators` signed in."""
    services = build_services(config)
    try:
        site = await services.sites.create("Bench shop", [ORIGIN])
        seeded = Seeded()
        for _ in range(visitors):
            visitor = await services.visitors.open_session(site, None, PAGE)
            seeded.visitor_ids.append(visitor.id)
            seeded.tokens.append(issue_visitor_token(config.secret_key, site.id, visitor.id))
        operator_ids = [await _operator(services, seeded, n) for n in range(operators)]
        if conversations and operator_ids:
            for n, visitor_id in enumerate(seeded.visitor_ids):
                operator_id = operator_ids[n % len(operator_ids)]
                actor = Actor.operator(operator_id, f"Op {operator_id}")
                summary = await services.conversations.start(visitor_id, actor)
                seeded.conversation_ids.append(summary.conversation.id)
        return seeded
    finally:
        await services.db.dispose()


async def _operator(services: Services, seeded: Seeded, n: int) -> int:
    operator = await services.operators.create(f"op{n}@bench.example", f"Op {n}", "bench-pw-1")
    session = await services.sessions.create(operator, user_agent="bench")
    token = encode_session(services.config.secret_key, session.token)
    seeded.operator_cookies.append(f"{COOKIE_NAME}={token}")
    return operator.id
