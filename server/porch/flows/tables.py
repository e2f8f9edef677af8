"""Tables owned by flows: the documents (current and every version) and the runs."""

import sqlalchemy as sa

from porch.db.metadata import UTCDateTime, metadata

flows = sa.Table(
    "flows",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("site_id", sa.ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False),
    # Copied out of the document so the session path selects candidate flows by index.
    sa.Column("trigger_type", sa.String(32), nullable=False),
    sa.Column("priority", sa.Integer, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("document", sa.JSON, nullable=False),
    sa.Column("template", sa.String(64)),  # the template it came from, if any
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_flows_site_enabled", "site_id", "enabled"),
)

flow_versions = sa.Table(
    "flow_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("flow_id", sa.ForeignKey("flows.id", ondelete="CASCADE"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("document", sa.JSON, nullable=False),
    sa.Column("actor_kind", sa.String(16), nullable=False),
    sa.Column("actor_name", sa.String(200), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("flow_id", "version", name="uq_flow_versions_flow_version"),
)

flow_runs = sa.Table(
    "flow_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("flow_id", sa.ForeignKey("flows.id", ondelete="CASCADE"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column(
        "visitor_id", sa.ForeignKey("visitors.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("conversation_id", sa.ForeignKey("conversations.id", ondelete="SET NULL")),
    # running | waiting (a choice or an answer) | done | stopped
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("node", sa.String(64)),  # the node it runs or waits at
    # Bumped at every step: a step job carries the number it was scheduled for, so a late
    # or repeated job finds the run moved on and does nothing.
    sa.Column("step", sa.Integer, nullable=False),
    sa.Column("waiting_message_id", sa.Integer),  # the question or buttons asked
    # What the trigger knew (page, browser, language, cart) and the flows that started this
    # one (loop protection).
    sa.Column("context", sa.JSON, nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_flow_runs_flow_visitor", "flow_id", "visitor_id", "started_at"),
)

flow_steps = sa.Table(
    "flow_steps",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("run_id", sa.ForeignKey("flow_runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("flow_id", sa.ForeignKey("flows.id", ondelete="CASCADE"), nullable=False),
    sa.Column("conversation_id", sa.ForeignKey("conversations.id", ondelete="SET NULL")),
    # The run log (porch.flows.run_log): which node ran, with what, and how it ended; kept
    # 30 days.
    sa.Column("node", sa.String(64), nullable=False),
    sa.Column("node_type", sa.String(32), nullable=False),
    sa.Column("outcome", sa.String(200), nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Column("error", sa.String(1000)),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_flow_steps_flow_created", "flow_id", "created_at"),
    sa.Index("ix_flow_steps_conversation", "conversation_id"),
    sa.Index("ix_flow_steps_created", "created_at"),
)
