"""Facts about tickets. Each carries the ticket as it stands after the change and the actor
(the SLA's own facts are by `Actor.system("sla")`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from porch.actors import Actor
from porch.tickets.models import Ticket


@dataclass(frozen=True)
class TicketEvent:
    name: ClassVar[str]
    ticket: Ticket
    actor: Actor


@dataclass(frozen=True)
class TicketCreated(TicketEvent):
    name: ClassVar[str] = "ticket.created"


@dataclass(frozen=True)
class TicketUpdated(TicketEvent):
    """`changes`: each changed field's old and new value (`{"priority": ["low", "high"]}`);
    also published for a note (`{"note": …}`) and for SLA clocks moved by a reply."""

    name: ClassVar[str] = "ticket.updated"
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TicketStatusChanged(TicketEvent):
    name: ClassVar[str] = "ticket.status_changed"
    old: str = ""
    new: str = ""


@dataclass(frozen=True)
class SlaEvent(TicketEvent):
    """`target` (`first_response`, `next_response`, `resolution`) and its deadline."""

    name: ClassVar[str]
    target: str = ""
    due_at: datetime | None = None


@dataclass(frozen=True)
class SlaWarning(SlaEvent):
    """80% of the target's time is gone: the assignee (or the team) should act."""

    name: ClassVar[str] = "sla.warning"


@dataclass(frozen=True)
class SlaBreached(SlaEvent):
    name: ClassVar[str] = "sla.breached"


@dataclass(frozen=True)
class SlaMet(SlaEvent):
    """The target was done with (answered, resolved) before its deadline."""

    name: ClassVar[str] = "sla.met"
    at: datetime | None = None
    """When it was done with."""


@dataclass(frozen=True)
class SlaMissed(SlaEvent):
    """The target was done with after its deadline (a breach, if its timer ran first, was
    already published as `sla.breached`: the same deadline)."""

    name: ClassVar[str] = "sla.missed"
    at: datetime | None = None


@dataclass(frozen=True)
class SlaEscalated(SlaEvent):
    """The site's escalation rules ran at a breach: `actions` done (`raise_priority`,
    `reassign`, `notify`)."""

    name: ClassVar[str] = "sla.escalated"
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class TicketMerged(TicketEvent):
    """`ticket` went into `target_id`: its messages, notes and later replies are there."""

    name: ClassVar[str] = "ticket.merged"
    target_id: int = 0
