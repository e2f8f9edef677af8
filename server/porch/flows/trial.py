"""The builder's "Try it": a flow walked for a made-up visitor (page URL, returning or not,
cart value, inside business hours or not) without a visitor record, a conversation, a job
or a counter. Messages, buttons and questions come back as the preview shows them; every
action is described, never done. The preview answers buttons and questions by walking
again with `answers` (node id → choice id or typed text); what the visitor answered (and
properties and tags the flow set) fill the later texts' placeholders and checks."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from porch.flows import answers as answer_kinds
from porch.flows import conditions
from porch.flows.actions import fill
from porch.flows.facts import Facts
from porch.sites.models import Site
from porch.visitors.models import Visitor

MAX_STEPS = 100


@dataclass(frozen=True)
class Simulated:
    url: str = "https://example.com/"
    returning: bool = False
    cart_value: float = 0.0
    business_hours: bool = True
    operators_online: bool = True


@dataclass
class Trial:
    triggered: bool
    why: str = ""
    steps: list[dict[str, Any]] = field(default_factory=list)
    waiting: str | None = None
    """The node waiting for the visitor (a click or an answer), if the walk stopped there."""

    def as_json(self) -> dict[str, Any]:
        return {
            "triggered": self.triggered,
            "why": self.why,
            "steps": self.steps,
            "path": [step["node"] for step in self.steps],
            "waiting": self.waiting,
        }


def facts_for(simulated: Simulated, site: Site, now: datetime) -> Facts:
    visitor = Visitor(0, site.id, "Test visitor", None, {}, now, now)
    return Facts(
        visitor=visitor,
        site=site,
        now=now,
        url=simulated.url,
        returning=simulated.returning,
        operators_online=simulated.operators_online,
        cart={"value": simulated.cart_value},
        visit_started_at=now,
        pages_in_visit=1,
    )


def run(
    document: dict[str, Any],
    simulated: Simulated,
    site: Site,
    now: datetime,
    answers: dict[str, str] | None = None,
) -> Trial:
    """The path a (checked) document takes for the simulated visitor."""
    facts = facts_for(simulated, site, now)
    trigger = document["trigger"]
    page = trigger.get("page")
    if page and not conditions.url_matches(page, simulated.url):
        return Trial(False, f"The trigger does not watch {simulated.url}.")
    unmet = _trigger_unmet(trigger, simulated)
    if unmet:
        return Trial(False, unmet)
    for condition in document.get("conditions", []):
        if not _holds(condition, facts, simulated):
            return Trial(False, f"The audience condition {condition['type']!r} is not met.")
    trial = Trial(True)
    _walk(trial, document, facts, simulated, answers or {})
    return trial


def _trigger_unmet(trigger: dict[str, Any], simulated: Simulated) -> str:
    """Why the trigger itself cannot fire for this visitor (what the test visitor's
    settings decide: a returning visit, the cart), or ""."""
    kind = trigger["type"]
    if kind == "returning_visitor" and not simulated.returning:
        return "The trigger waits for a returning visitor."
    if kind == "first_visit" and simulated.returning:
        return "The trigger waits for a first visit."
    if kind == "cart_value" and simulated.cart_value < float(trigger.get("value", 0)):
        return f"The trigger waits for a cart worth at least {trigger.get('value', 0)}."
    return ""


def _walk(
    trial: Trial,
    document: dict[str, Any],
    facts: Facts,
    simulated: Simulated,
    answers: dict[str, str],
) -> None:
    node_id: str | None = document["start"]
    seen: set[str] = set()
    for _ in range(MAX_STEPS):
        if node_id is None or node_id in seen:
            return
        seen.add(node_id)
        node = document["nodes"][node_id]
        step: dict[str, Any] = {"node": node_id, "type": node["type"]}
        trial.steps.append(step)
        node_id = _step(trial, step, node, facts, simulated, answers.get(step["node"]))
        facts = _learned(facts, node, step)
    trial.why = "Stopped: too many steps without waiting (a cycle)."


def _step(
    trial: Trial,
    step: dict[str, Any],
    node: dict[str, Any],
    facts: Facts,
    simulated: Simulated,
    answer: str | None,
) -> str | None:
    kind = node["type"]
    nxt: str | None = node.get("next")
    if kind == "message":
        step["text"] = fill(node["text"], facts)
    elif kind == "buttons":
        step["text"] = fill(node["text"], facts)
        step["choices"] = [{"id": c["id"], "label": c["label"]} for c in node["choices"]]
        chosen = next((c for c in node["choices"] if c["id"] == answer), None)
        if chosen is None:
            trial.waiting = step["node"]
            return None
        step["answer"] = chosen["label"]
        return chosen.get("next", nxt)  # type: ignore[no-any-return]
    elif kind == "question":
        step["text"] = fill(node["text"], facts)
        step["input"] = node["input"]
        if answer is None:
            trial.waiting = step["node"]
            return None
        step["answer"] = answer
        if answer_kinds.checked(node["input"], answer) is None:
            step["error"] = node.get("invalid_text", "That answer is not valid.")
            trial.waiting = step["node"]
            return None
    elif kind == "delay":
        step["note"] = f"Waits {node['seconds']} s (skipped in the preview)."
    elif kind == "condition":
        held = _branch(node["if"], facts, simulated)
        step["note"] = "Condition met: yes." if held else "Condition met: no."
        return node.get("then") if held else node.get("else")
    elif kind == "end":
        step["note"] = "The flow ends."
        return None
    else:
        step["note"] = _described(node)
    return nxt


def _learned(facts: Facts, node: dict[str, Any], step: dict[str, Any]) -> Facts:
    """The test visitor as the nodes after this one see them: an answer saved to its
    property, a property set, a tag added or removed (for `{name}` and later checks)."""
    kind = node["type"]
    if kind == "question" and "answer" in step and "error" not in step:
        return _with(facts, node["property"], answer_kinds.checked(node["input"], step["answer"]))
    if kind == "set_property":
        return _with(facts, node["property"], node["value"])
    if kind in ("add_tag", "remove_tag"):
        tags = [tag for tag in conditions.tags_of(facts) if tag != node["tag"]]
        kept = [*tags, node["tag"]] if kind == "add_tag" else tags
        return _with(facts, conditions.TAGS, ",".join(kept))
    return facts


def _with(facts: Facts, name: str, value: Any) -> Facts:
    visitor = facts.visitor
    if name == "name":
        visitor = replace(visitor, name=str(value))
    elif name == "email":
        visitor = replace(visitor, email=str(value))
    else:
        visitor = replace(visitor, attributes={**visitor.attributes, name: value})
    return replace(facts, visitor=visitor)


def _described(node: dict[str, Any]) -> str:
    """What an action would do, said instead of done."""
    settings = {k: v for k, v in node.items() if k not in ("type", "next", "x", "y")}
    shown = ", ".join(f"{key}={value}" for key, value in settings.items())
    action = node["type"].replace("_", " ")
    return f"Would {action}" + (f" ({shown})" if shown else "") + " — not done in the preview."


def _branch(branch: dict[str, Any], facts: Facts, simulated: Simulated) -> bool:
    if "any" in branch:
        return any(_holds(c, facts, simulated) for c in branch["any"])
    return all(_holds(c, facts, simulated) for c in branch.get("all", []))


def _holds(condition: dict[str, Any], facts: Facts, simulated: Simulated) -> bool:
    if condition["type"] == "business_hours":  # the simulated answer, not the clock
        result = simulated.business_hours == bool(condition.get("value", True))
        return not result if condition.get("negate") else result
    return conditions.holds(condition, facts)
