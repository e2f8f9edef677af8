"""Operators: the people who answer chats (accounts, passwords, presence), their roles,
invitations, teams, skills and capacity (docs/team.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from porch.services import Services


def install(services: Services) -> None:
    """The Team page, the invitation page, each operator's profile (and avatars) and the
    admin socket events."""
    from porch.operators import panel, profile, sockets

    services.routes += panel.routes(services)
    services.routes += profile.routes(services)
    sockets.attach(services)
