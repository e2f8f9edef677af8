"""Tables owned by tickets: tickets, their history, the SLA hits and misses, the
conversations merged into them, saved views, custom fields and statuses, templates."""

import sqlalchemy as sa

from porch.db.metadata import UTCDateTime, metadata

tickets = sa.Table(
    "tickets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    # What people call it: "#1042", sequential per site.
    sa.Column("reference", sa.Integer, nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column(
        "requester_id", sa.ForeignKey("visitors.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column(
        "conversation_id", sa.ForeignKey("conversations.id", ondelete="SET NULL"), index=True
    ),
    sa.Column("priority", sa.String(16), nullable=False),  # critical | high | medium | low
    sa.Column("status", sa.String(16), nullable=False),  # open | pending | resolved | closed
    sa.Column("assignee_id", sa.ForeignKey("operators.id", ondelete="SET NULL")),
    sa.Column("team_id", sa.ForeignKey("teams.id", ondelete="SET NULL")),  # migration 0012
    # The latest message of the conversation the ticket has taken into account: replies
    # move the ticket once each and in order, however late or twice their jobs run.
    sa.Column("seen_message_id", sa.Integer),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("first_responded_at", UTCDateTime),
    sa.Column("resolved_at", UTCDateTime),
    sa.Column("closed_at", UTCDateTime),
    # SLA deadlines, stored so that nothing scans tickets to find what is due: jobs fire
    # at their 80% and 100% instants (porch.tickets.sla). None: that clock is not running.
    sa.Column("first_response_due_at", UTCDateTime),
    sa.Column("next_response_due_at", UTCDateTime),
    sa.Column("resolution_due_at", UTCDateTime),
    # Set while the clocks are stopped (pending, resolved, closed); resuming moves the
    # deadlines by the business time spent stopped.
    sa.Column("sla_paused_at", UTCDateTime),
    # The soonest running deadline and its 80% instant (None while paused): what the SLA
    # state filter of saved views reads, without business-time arithmetic in SQL.
    sa.Column("sla_warn_at", UTCDateTime),
    sa.Column("sla_due_at", UTCDateTime),
    # A custom status the admin added (its name); `status` holds the one it maps to, which
    # decides the SLA clocks and auto-close.
    sa.Column("custom_status", sa.String(40)),
    # Set when this ticket was merged into another: replies and notes go to that one.
    sa.Column("merged_into_id", sa.ForeignKey("tickets.id", ondelete="SET NULL")),
    sa.UniqueConstraint("site_id", "reference", name="uq_tickets_site_reference"),
    sa.Index("ix_tickets_site_status", "site_id", "status"),
    # The built-in views and the saved views' sorts (bench/tickets.py).
    sa.Index("ix_tickets_status_priority_created", "status", "priority", "created_at"),
    sa.Index("ix_tickets_assignee_status", "assignee_id", "status"),
    sa.Index("ix_tickets_status_resolved", "status", "resolved_at"),
    sa.Index("ix_tickets_updated", "updated_at"),
)


ticket_counters = sa.Table(
    "ticket_counters",
    metadata,
    # Each site's last ticket reference, bumped in the transaction that makes the ticket
    # (migration 0023): a burst of concurrent creations queues on this one row instead of
    # racing for MAX(reference) + 1, so references are distinct and without gaps.
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("last_reference", sa.Integer, nullable=False),
)


ticket_events = sa.Table(
    "ticket_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("ticket_id", sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
    # created | updated | note | sla.warning | sla.breached | sla.met
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("actor_kind", sa.String(16), nullable=False),  # visitor | operator | bot | system
    sa.Column("actor_id", sa.Integer),
    sa.Column("actor_name", sa.String(200), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Index("ix_ticket_events_ticket", "ticket_id", "id"),
)


sla_records = sa.Table(
    "sla_records",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("ticket_id", sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
    sa.Column("target", sa.String(32), nullable=False),  # first_response | next_response | …
    sa.Column("outcome", sa.String(16), nullable=False),  # warning | breached | met
    sa.Column("due_at", UTCDateTime, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    # One record per deadline and outcome: a timer job that runs twice records once.
    sa.UniqueConstraint("ticket_id", "target", "outcome", "due_at", name="uq_sla_records_deadline"),
)


ticket_conversations = sa.Table(
    "ticket_conversations",
    metadata,
    # Conversations added to a ticket besides the one it came from: merged tickets' chats,
    # a conversation merged in, a requester's later chat. Their messages show on the
    # ticket, and the requester's replies in them move it.
    sa.Column("ticket_id", sa.ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "conversation_id",
        sa.ForeignKey("conversations.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    sa.Column("added_at", UTCDateTime, nullable=False),
)


ticket_views = sa.Table(
    "ticket_views",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "owner_id", sa.ForeignKey("operators.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("shared", sa.Boolean, nullable=False),  # every operator sees it
    sa.Column("filters", sa.JSON, nullable=False),  # porch.tickets.filters.Filters
    sa.Column("sort", sa.String(16), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)


ticket_fields = sa.Table(
    "ticket_fields",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(80), nullable=False),  # "Order number"
    sa.Column("kind", sa.String(16), nullable=False),  # text | number | select | date
    sa.Column("options", sa.JSON, nullable=False),  # a select's choices
    sa.Column("position", sa.Integer, nullable=False),
    sa.UniqueConstraint("site_id", "name", name="uq_ticket_fields_site_name"),
)


ticket_field_values = sa.Table(
    "ticket_field_values",
    metadata,
    sa.Column("ticket_id", sa.ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("field_id", sa.ForeignKey("ticket_fields.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("value", sa.String(500), nullable=False),
    sa.Index("ix_ticket_field_values_field_value", "field_id", "value"),
)


ticket_statuses = sa.Table(
    "ticket_statuses",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(40), nullable=False),  # "Waiting on warehouse"
    sa.Column("maps_to", sa.String(16), nullable=False),  # open | pending | resolved | closed
    sa.UniqueConstraint("site_id", "name", name="uq_ticket_statuses_site_name"),
)


ticket_templates = sa.Table(
    "ticket_templates",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(80), nullable=False),  # "Refund"
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("priority", sa.String(16), nullable=False),
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("fields", sa.JSON, nullable=False),  # {field id (str): value}
    sa.Column("note", sa.Text, nullable=False),  # an internal note; "" for none
    # Shared canned replies that usually answer it, suggested on its tickets' page.
    sa.Column("canned_ids", sa.JSON, nullable=False, server_default="[]"),
    sa.UniqueConstraint("site_id", "name", name="uq_ticket_templates_site_name"),
)


ticket_template_links = sa.Table(
    "ticket_template_links",  # the template a ticket was made from
    metadata,
    sa.Column("ticket_id", sa.ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "template_id", sa.ForeignKey("ticket_templates.id", ondelete="CASCADE"), nullable=False
    ),
)
