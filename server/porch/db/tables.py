"""Imports every feature's tables so `metadata` is complete (for Alembic and tests)."""

from porch.analytics import tables as analytics_tables
from porch.api import tables as api_tables
from porch.attachments import tables as attachment_tables
from porch.bot import tables as bot_tables
from porch.canned import tables as canned_tables
from porch.conversations import tables as conversation_tables
from porch.db.metadata import metadata
from porch.email import tables as email_tables
from porch.flows import tables as flow_tables
from porch.inbox import tables as inbox_tables
from porch.integrations.shopify import tables as shopify_tables
from porch.jobs import tables as job_tables
from porch.operators import tables as operator_tables
from porch.privacy import tables as privacy_tables
from porch.routing import tables as routing_tables
from porch.sites import tables as site_tables
from porch.tickets import tables as ticket_tables
from porch.visitors import tables as visitor_tables
from porch.webhooks import tables as webhook_tables

__all__ = [
    "analytics_tables",
    "api_tables",
    "attachment_tables",
    "bot_tables",
    "canned_tables",
    "conversation_tables",
    "email_tables",
    "flow_tables",
    "inbox_tables",
    "job_tables",
    "metadata",
    "operator_tables",
    "privacy_tables",
    "routing_tables",
    "shopify_tables",
    "site_tables",
    "ticket_tables",
    "visitor_tables",
    "webhook_tables",
]
