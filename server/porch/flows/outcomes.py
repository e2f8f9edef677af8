"""What a node does to its run: go on, wait for the visitor, sleep, or stop."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Next:
    node: str | None
    """None: the flow ends here."""


@dataclass(frozen=True)
class Wait:
    """A question or buttons were posted: the run waits for the visitor's answer."""

    message_id: int


@dataclass(frozen=True)
class Sleep:
    """Continue at `node` after `seconds` (a job with a `run_at`: a restart loses none)."""

    seconds: float
    node: str | None


@dataclass(frozen=True)
class Stop:
    reason: str


Outcome = Next | Wait | Sleep | Stop
