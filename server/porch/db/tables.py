"""Imports every feature's tables so `metadata` is complete (for Alembic and tests)."""

from porch.chat import tables as chat_tables
from porch.db.metadata import metadata
from porch.integrations.shopify import tables as shopify_tables
from porch.operators import tables as operator_tables

__all__ = ["chat_tables", "metadata", "operator_tables", "shopify_tables"]
