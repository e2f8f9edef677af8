"""The routing decision, as pure functions over candidates: skills, round-robin among
online operators with room, then the fallback so nothing stays ownerless."""

from __future__ import annotations

from collections.abc import Sequence

from porch.routing.candidates import Candidate
from porch.routing.settings import RoutingSettings


def wanted(settings: RoutingSettings, tags: Sequence[str]) -> tuple[set[str], int | None]:
    """The skills a ticket's tags ask for, and the team a rule sends it to (first rule
    naming one wins). A tag with no rule asks for the skill of the same name."""
    skills: set[str] = set()
    team_id: int | None = None
    clean = [t.strip().lower() for t in tags if t.strip()]
    for tag in clean:
        rules = [rule for rule in settings.rules if rule.tag == tag]
        skills.update(rule.skill or rule.tag for rule in rules)
        if not rules:
            skills.add(tag)
        if team_id is None:
            team_id = next((rule.team_id for rule in rules if rule.team_id), None)
    return skills, team_id


def available(kind: str, found: Sequence[Candidate], skills: set[str]) -> list[Candidate]:
    """Online operators with room left; those with a wanted skill, if any of them is."""
    ready = [c for c in found if c.online and c.has_room(kind)]
    skilled = [c for c in ready if skills & set(c.operator.skills)]
    return skilled or ready


def next_in_turn(ready: Sequence[Candidate], last_operator_id: int | None) -> Candidate | None:
    """Round-robin: the first operator (by id) after the one who got the last item."""
    ordered = sorted(ready, key=lambda c: c.id)
    if not ordered:
        return None
    if last_operator_id is None:
        return ordered[0]
    return next((c for c in ordered if c.id > last_operator_id), ordered[0])


def fallback(
    found: Sequence[Candidate],
    everyone: Sequence[Candidate],
    settings: RoutingSettings,
    lead_id: int | None,
) -> Candidate | None:
    """Nobody online has room: the site's fallback operator, else the team lead, else the
    least busy active operator (of the team, else of everyone)."""
    active = {c.id: c for c in everyone}
    for chosen in (settings.fallback_operator_id, lead_id):
        if chosen is not None and chosen in active:
            return active[chosen]
    pool = list(found) or list(everyone)
    return min(pool, key=lambda c: (c.load, c.id)) if pool else None
