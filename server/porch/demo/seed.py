"""Demo data: one site and one operator, created once and reused on later runs."""

from __future__ import annotations

from dataclasses import dataclass

from porch.operators.service import Operator
from porch.services import Services
from porch.sites.models import Site

DEMO_SITE_NAME = "Porch Demo Store"
DEMO_OPERATOR_EMAIL = "demo@porch.example"
DEMO_OPERATOR_NAME = "Olivia (demo)"
DEMO_OPERATOR_PASSWORD = "porch-demo-password"


@dataclass(frozen=True)
class Demo:
    site: Site
    operator: Operator
    password: str


async def demo_site(services: Services) -> Site | None:
    """The site flagged as the demo one, if the demo has been seeded."""
    for site in await services.sites.all():
        if site.settings.get("demo"):
            return site
    return None


async def seed_demo(services: Services) -> Demo:
    site = await demo_site(services)
    if site is None:
        site = await services.sites.create(
            DEMO_SITE_NAME, [services.config.base_url], settings={"demo": True}
        )
    operator = await _demo_operator(services)
    return Demo(site=site, operator=operator, password=DEMO_OPERATOR_PASSWORD)


async def _demo_operator(services: Services) -> Operator:
    for operator in await services.operators.list():
        if operator.email == DEMO_OPERATOR_EMAIL:
            return operator
    return await services.operators.create(
        DEMO_OPERATOR_EMAIL, DEMO_OPERATOR_NAME, DEMO_OPERATOR_PASSWORD
    )
