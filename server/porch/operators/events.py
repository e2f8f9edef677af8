"""Facts the operators feature publishes after committing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from porch.actors import Actor


@dataclass(frozen=True)
class SessionsRevoked:
    """Sign-out (or revoking every session of an operator): sockets opened with these
    sessions must go. `session_ids` are the stored (hashed) ids, never cookie values."""

    name: ClassVar[str] = "operator.sessions_revoked"
    operator_id: int
    session_ids: tuple[str, ...]


@dataclass(frozen=True)
class OperatorPresenceChanged:
    """An operator connected, went away or back, or closed their last panel tab."""

    name: ClassVar[str] = "operator.presence"
    operator_id: int
    status: str  # online | away | offline


@dataclass(frozen=True)
class OperatorRoleChanged:
    """An operator's role changed (the audit log records it)."""

    name: ClassVar[str] = "operator.role_changed"
    operator_id: int
    operator_name: str
    old: str
    new: str
    actor: Actor


@dataclass(frozen=True)
class OperatorActiveChanged:
    """An account deactivated or brought back (the audit log records it)."""

    name: ClassVar[str] = "operator.active_changed"
    operator_id: int
    operator_name: str
    active: bool
    actor: Actor


@dataclass(frozen=True)
class InviteChanged:
    """An invitation made or revoked (`change`: "created" | "revoked"; the audit log
    records it, never the link)."""

    name: ClassVar[str] = "operator.invite"
    invite_id: int
    email: str
    role: str
    change: str
    actor: Actor
