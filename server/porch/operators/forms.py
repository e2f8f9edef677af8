"""Reading the Team page's forms into domain values (the checks themselves are the
services'; these only turn text into numbers, lists and ids)."""

from __future__ import annotations

from pydantic import ValidationError

from porch.operators.service import Operator, OperatorError
from porch.operators.teams import Team
from porch.routing.settings import RoutingRule, RoutingSettings

MAX_ID = 2**31 - 1


def optional_int(value: str, what: str) -> int | None:
    """Blank: None (no limit, nobody); else a whole number."""
    value = value.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        raise OperatorError(f"{what} is a whole number (or empty)")
    return int(value)


def optional_id(value: str, what: str) -> int | None:
    found = optional_int(value, what)
    if found is not None and not 0 < found <= MAX_ID:
        raise OperatorError(f"no such {what}")
    return found


def word_list(text: str) -> list[str]:
    """Comma- or line-separated words: "billing, refunds"."""
    return [w.strip() for w in text.replace("\n", ",").split(",") if w.strip()]


def members(text: str, everyone: list[Operator]) -> list[int]:
    """Team members typed as emails (or names), comma or line separated."""
    by_key = {o.email.lower(): o.id for o in everyone} | {o.name.lower(): o.id for o in everyone}
    found: list[int] = []
    for word in word_list(text):
        operator_id = by_key.get(word.lower())
        if operator_id is None:
            raise OperatorError(f"no operator {word!r}: use their email")
        found.append(operator_id)
    return found


def rules_text(settings: RoutingSettings, teams: list[Team]) -> str:
    names = {t.id: t.name for t in teams}
    lines = []
    for rule in settings.rules:
        line = f"{rule.tag}: {rule.skill or rule.tag}"
        if rule.team_id in names:
            line += f" | {names[rule.team_id]}"
        lines.append(line)
    return "\n".join(lines)


def parse_rules(text: str, teams: list[Team]) -> list[RoutingRule]:
    """One rule a line: `tag: skill`, optionally `| team name` (`refund: billing | Billing`)."""
    by_name = {t.name.lower(): t.id for t in teams}
    rules: list[RoutingRule] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        head, _, team = line.partition("|")
        tag, _, skill = head.partition(":")
        team_id = None
        if team.strip():
            team_id = by_name.get(team.strip().lower())
            if team_id is None:
                raise OperatorError(f"rule {number}: no team called {team.strip()!r}")
        try:
            rules.append(
                RoutingRule.model_validate(
                    {"tag": tag, "skill": skill.strip() or None, "team_id": team_id}
                )
            )
        except ValidationError:
            raise OperatorError(
                f"rule {number}: write `tag: skill` with a tag of 1 to 50 characters"
            ) from None
    return rules
