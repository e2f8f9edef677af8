"""What the Tickets page says about a ticket: pure Python (no browser imports), so it is
unit-tested under CPython."""

TARGET_NAMES = {
    "first_response": "First response",
    "next_response": "Next response",
    "resolution": "Resolution",
}
STATE_NAMES = {
    "ok": "",
    "warning": "at risk",
    "breached": "overdue",
    "paused": "paused",
}


def sla_line(ticket: dict, when: object) -> str:
    """`First response due 10:48 · at risk`, for the soonest deadline; `when(iso)` formats
    a time. The state comes from the server's clock, never the browser's."""
    sla = ticket.get("sla") or {}
    deadlines = sla.get("deadlines") or []
    if not deadlines:
        return "No SLA clock running"
    soonest = deadlines[0]
    line = f"{TARGET_NAMES.get(soonest['target'], soonest['target'])} due {when(soonest['due_at'])}"
    state = STATE_NAMES.get(sla.get("state") or "", "")
    return f"{line} · {state}" if state else line


def history_line(entry: dict) -> str:
    """One line of a ticket's history, with who did it."""
    who = (entry.get("actor") or {}).get("name") or (entry.get("actor") or {}).get("kind", "")
    kind, data = entry.get("kind", ""), entry.get("data") or {}
    if kind == "created":
        return f"{who} created it ({data.get('priority', '')})"
    if kind == "note" and data.get("merged_from"):
        return f"{who} noted (on {data['merged_from']}): {data.get('body', '')}"
    if kind == "note":
        return f"{who} noted: {data.get('body', '')}"
    if kind == "updated":
        changes = [f"{name} {old} → {new}" for name, (old, new) in sorted(data.items())]
        return f"{who} changed " + ", ".join(changes)
    if kind == "merged" and data.get("into"):
        return f"{who} merged it into {data['into']}"
    if kind == "merged":
        return f"{who} merged {data.get('from', '')} into it"
    if kind == "conversation_added":
        return f"{who} added a conversation"
    if kind == "sla.escalated":
        return "SLA escalated: " + ", ".join(data.get("actions") or [])
    if kind.startswith("sla."):
        target = TARGET_NAMES.get(data.get("target", ""), data.get("target", ""))
        return f"SLA {kind[4:]}: {target}"
    return f"{who}: {kind}"


def alert_for(alert: dict, operator_id: int) -> str:
    """The warning to show this operator, or "" when it is someone else's ticket: the
    assignee is warned, or the whole team when nobody is assigned."""
    ticket = alert.get("ticket") or {}
    assignee = ticket.get("assignee")
    if assignee and assignee.get("id") != operator_id:
        return ""
    target = TARGET_NAMES.get(alert.get("target", ""), "SLA")
    return f"{ticket.get('label', '')} {ticket.get('subject', '')}: {target} is at risk"


def build_filters(form: dict) -> dict:
    """A saved view's filters from the form's values (empty ones left out): `status` and
    `priority` become lists, a custom field needs both its id and a value."""
    filters = {}
    for name in ("status", "priority"):
        if form.get(name):
            filters[name] = [form[name]]
    for name in ("assignee", "tag", "sla", "created_from", "created_to", "updated_from",
                 "updated_to"):  # fmt: skip
        value = (form.get(name) or "").strip()
        if value:
            filters[name] = value
    field_id = form.get("field_id") or ""
    if field_id.isdigit() and (form.get("field_value") or "").strip():
        filters["field"] = {"field_id": int(field_id), "value": form["field_value"].strip()}
    return filters


def merged_line(ticket: dict, history: list) -> str:
    """What a merged ticket says at its top: where its work goes on."""
    if not ticket.get("merged_into_id"):
        return ""
    into = [e["data"]["into"] for e in history if e.get("kind") == "merged" and
            (e.get("data") or {}).get("into")]  # fmt: skip
    label = into[-1] if into else "another ticket"
    return f"Merged into {label}: replies and notes go there."


def bulk_payload(ids: list, action: str, value: object = None) -> dict:
    """The `tickets.bulk` request for an action of the bulk bar on the selected ids (in
    the order they were picked: "merge" keeps the first and merges the others into it)."""
    payload = {"ticket_ids": list(ids)}
    if action == "merge":
        payload["merge_into"] = ids[0]
    elif action == "close":
        payload["close"] = True
    elif action == "add_tag":
        payload["add_tag"] = value
    else:
        payload[action] = value
    return payload


def split_list(text: str) -> list:
    """`"refund, vip,"` → `["refund", "vip"]` (tags, a select's choices)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def rating_line(ticket: dict, messages: list) -> str:
    """The requester's rating of this ticket, from the note the rating posts in its
    conversation (the latest, if asked again after a reopen); "" when not rated."""
    line = ""
    for message in messages:
        rating = (message.get("parts") or {}).get("rating")
        if isinstance(rating, dict) and rating.get("ticket_id") == ticket.get("id"):
            score = int(rating.get("score") or 0)
            line = f"Rated {'★' * score}{'☆' * (5 - score)} {score}/5"
            if rating.get("comment"):
                line += f": {rating['comment']}"
    return line
