"""/site: the key's own site, its name, origins and settings."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from porch import wire
from porch.api.edge import Api, Call, Operation, Reply
from porch.api.errors import not_found
from porch.api.v1.schemas import Input, Name, Site
from porch.sites.settings import SiteSettingsUpdate
from porch.text import TextOnly

TAG = "site"
Origin = Annotated[str, StringConstraints(min_length=1, max_length=300), TextOnly]


class SiteUpdate(Input):
    """Only what is given changes; settings are merged into the stored ones."""

    name: Name | None = None
    allowed_origins: Annotated[list[Origin], Field(min_length=1, max_length=50)] | None = None
    settings: SiteSettingsUpdate | None = None


def install(api: Api) -> None:
    async def get_site(call: Call) -> Reply:
        site = await call.services.sites.get(call.site_id)
        if site is None:
            raise not_found("site")
        return wire.site(site)

    async def update_site(call: Call) -> Reply:
        body: SiteUpdate = call.body
        site = await call.services.sites.update(
            call.site_id, name=body.name, origins=body.allowed_origins, settings=body.settings
        )
        return wire.site(site)

    api.add(
        Operation("GET", "/site", get_site, "Get the key's site", TAG, response=Site),
        Operation("PATCH", "/site", update_site, "Change the key's site", TAG, "write",
                  body=SiteUpdate, response=Site),
    )  # fmt: skip
