"""Facts about sites."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from porch.actors import Actor
from porch.sites.models import Site


@dataclass(frozen=True)
class SiteUpdated:
    """A site's name, allowed origins or widget settings changed."""

    name: ClassVar[str] = "site.updated"
    site: Site
    actor: Actor | None = None


@dataclass(frozen=True)
class IdentitySecretRotated:
    """A site's identity secret was replaced: integrations that hold a copy update it."""

    name: ClassVar[str] = "site.identity_secret_rotated"
    site: Site
    actor: Actor | None = None
