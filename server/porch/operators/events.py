"""Facts the operators feature publishes after committing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


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
