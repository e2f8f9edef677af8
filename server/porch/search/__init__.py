"""Full-text search over tickets, conversations and contacts (docs/inbox.md, "Search")."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from porch.search.service import SearchService
    from porch.services import Services


def install(services: Services) -> None:
    setup(services)


def setup(services: Services) -> SearchService:
    """The search service and its panel page (tests call this for the service)."""
    from porch.search import panel
    from porch.search.service import SearchService

    search = SearchService(services.db)
    services.routes += panel.routes(services, search)
    return search
