"""Reads the bot needs on the message path."""

from __future__ import annotations

from sqlalchemy.sql.elements import ColumnElement

from porch.bot import settings
from porch.conversations.events import MessageCreated


def bot_should_see(event: MessageCreated) -> bool | ColumnElement[bool]:
    """A visitor's message on a site whose bot is on, in a conversation nobody has taken
    (an indexed lookup read with the other features' filters)."""
    if event.actor.kind != "visitor" or event.conversation.conversation.assignee_id is not None:
        return False
    return settings.is_on(event.conversation.conversation.site_id)
