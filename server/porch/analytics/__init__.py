"""Analytics: immutable reporting events written by jobs reacting to domain events, and the
figures derived from them (docs/analytics.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from porch.services import Services


def install(services: Services) -> None:
    from porch.analytics import panel, rating_page, ratings, recorder

    recorder.subscribe(services)
    ratings.attach(services)
    services.routes += panel.routes(services)
    services.routes += rating_page.routes(services)
