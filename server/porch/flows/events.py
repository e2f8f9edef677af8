"""Facts about flows, and the seams other features pick up (hand-over, email, teams)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from porch.actors import Actor
from porch.flows.models import Flow


@dataclass(frozen=True)
class FlowChanged:
    """A flow was created, edited, enabled, disabled or deleted (`deleted`)."""

    name: ClassVar[str] = "flow.changed"
    flow: Flow
    actor: Actor
    deleted: bool = False


@dataclass(frozen=True)
class FlowRunEvent:
    """A run's milestone (for reporting): which flow, on which site, for whom, when."""

    name: ClassVar[str]
    run_id: int
    flow_id: int
    site_id: int
    visitor_id: int
    conversation_id: int | None
    at: datetime


@dataclass(frozen=True)
class FlowStarted(FlowRunEvent):
    """A flow's trigger fired and a run began (published in the run's transaction)."""

    name: ClassVar[str] = "flow.started"


@dataclass(frozen=True)
class FlowGoalReached(FlowRunEvent):
    """A run went all the way to its flow's end: the flow's goal (a run stopped on the
    way, by a loop, an operator or a missing node, does not)."""

    name: ClassVar[str] = "flow.goal_reached"


@dataclass(frozen=True)
class FlowStopped:
    """A run was stopped before its end: `reason` is `loop`, `operator` (an operator is in
    the conversation) or `missing` (its flow or node is gone)."""

    name: ClassVar[str] = "flow.stopped"
    run_id: int
    flow_id: int
    visitor_id: int
    reason: str


@dataclass(frozen=True)
class FlowHandover:
    """A flow hands the conversation to the AI bot (`to="bot"`) or to the operators
    (`to="human"`). The bot feature subscribes (as a job) to take over; nothing else of
    flows waits for it."""

    name: ClassVar[str] = "flow.handover"
    conversation_id: int
    visitor_id: int
    to: str
    actor: Actor


@dataclass(frozen=True)
class FlowEmailRequested:
    """A flow asks for an email to be sent (the email feature sends it, as a job)."""

    name: ClassVar[str] = "flow.email_requested"
    site_id: int
    visitor_id: int
    conversation_id: int | None
    to: str
    subject: str
    body: str
    actor: Actor


@dataclass(frozen=True)
class FlowTeamAssignment:
    """A flow assigns the conversation to a team (the teams feature routes it)."""

    name: ClassVar[str] = "flow.team_assignment"
    conversation_id: int
    team: str
    actor: Actor


@dataclass(frozen=True)
class FlowTagged:
    """The contact's tags changed (stored in the contact property `tags`)."""

    name: ClassVar[str] = "flow.tagged"
    visitor_id: int
    tags: list[str]
    actor: Actor
    data: dict[str, Any] | None = None
