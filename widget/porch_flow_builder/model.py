"""The flow document as the builder edits it: pure Python (no browser, no stdlib), so it
runs under Brython in the panel and under CPython in the tests. Nodes keep their place on
the canvas in `x`/`y` (the schema allows them); the trigger box sits at the top left."""

NODE_TYPES = (
    "message", "buttons", "question", "delay", "condition", "open_widget", "assign",
    "add_tag", "remove_tag", "set_property", "set_priority", "create_ticket", "handover",
    "send_email", "webhook", "close_conversation", "start_flow", "end",
)  # fmt: skip

LABELS = {
    "message": "Message",
    "buttons": "Buttons",
    "question": "Question",
    "delay": "Delay",
    "condition": "Condition",
    "open_widget": "Open the chat",
    "assign": "Assign",
    "add_tag": "Add tag",
    "remove_tag": "Remove tag",
    "set_property": "Set contact property",
    "set_priority": "Set priority",
    "create_ticket": "Create ticket",
    "handover": "Hand over",
    "send_email": "Send email",
    "webhook": "Webhook",
    "close_conversation": "Close conversation",
    "start_flow": "Start another flow",
    "end": "End",
}

PRIORITIES = ["critical", "high", "medium", "low"]

# (key, label, kind, required, options): kinds text, textarea, int, select, choices, json,
# check
FIELDS = {
    "message": [
        ("text", "Message", "textarea", True, None),
        ("typing_ms", "Show “typing…” first (milliseconds)", "int", False, None),
    ],
    "buttons": [
        ("text", "Message", "textarea", True, None),
        ("choices", "Buttons (one per line)", "choices", True, None),
        ("quick_replies", "Quick replies: chips above the composer", "check", False, None),
    ],
    "question": [
        ("text", "Question", "textarea", True, None),
        ("input", "Answer kind", "select", True, ["text", "email", "phone", "number"]),
        ("property", "Save the answer as contact property", "text", True, None),
        ("invalid_text", "When the answer is not valid", "textarea", False, None),
    ],
    "delay": [("seconds", "Wait (seconds)", "int", True, None)],
    "condition": [("if", "Condition (advanced: JSON)", "json", True, None)],
    "assign": [
        ("team", "Team", "text", False, None),
        ("operator_id", "Operator id", "int", False, None),
    ],
    "add_tag": [("tag", "Tag", "text", True, None)],
    "remove_tag": [("tag", "Tag", "text", True, None)],
    "set_property": [
        ("property", "Contact property", "text", True, None),
        ("value", "Value", "text", True, None),
    ],
    "set_priority": [("priority", "Priority", "select", True, PRIORITIES)],
    "create_ticket": [
        ("subject", "Subject", "text", True, None),
        ("priority", "Priority", "select", False, ["", *PRIORITIES]),
    ],
    "handover": [("to", "Hand over to", "select", True, ["human", "bot"])],
    "send_email": [
        ("to", "To", "text", True, None),
        ("subject", "Subject", "text", True, None),
        ("body", "Body", "textarea", True, None),
    ],
    "webhook": [
        ("url", "URL", "text", True, None),
        ("method", "Method", "select", False, ["", "POST", "PUT", "GET"]),
    ],
    "start_flow": [("flow_id", "Flow id", "int", True, None)],
    "open_widget": [],
    "close_conversation": [],
    "end": [],
}

DEFAULTS = {
    "question": {"input": "email", "property": "email"},
    "delay": {"seconds": 5},
    "condition": {"if": {"all": [{"type": "business_hours"}]}},
    "set_priority": {"priority": "medium"},
    "handover": {"to": "human"},
    "buttons": {"choices": []},
}

TRIGGER_TYPES = (
    "page_open", "time_on_page", "time_on_site", "first_visit", "returning_visitor",
    "scroll_depth", "exit_intent", "page_count", "referrer", "launcher_click", "visitor_says",
    "form_abandoned", "cart_add", "cart_value", "custom_event", "schedule",
    "conversation_started", "message_received", "conversation_closed", "no_operator_reply",
    "visitor_inactive", "from_flow",
)  # fmt: skip

# What each trigger type needs besides its optional page.
TRIGGER_NEEDS = {
    "page_open": ["page"],
    "time_on_page": ["seconds"],
    "time_on_site": ["seconds"],
    "scroll_depth": ["percent"],
    "page_count": ["count"],
    "referrer": ["referrer"],
    "visitor_says": ["keywords"],
    "custom_event": ["event"],
    "cart_value": ["value"],
    "no_operator_reply": ["minutes"],
    "visitor_inactive": ["days"],
    "schedule": ["weekdays", "from", "to"],
}
# Settings a trigger type may have, left out when empty.
TRIGGER_OPTIONAL = {"exit_intent": ["seconds"]}
TRIGGER_OPTIONAL_WORDS = {("exit_intent", "seconds"): "Or after this many seconds idle"}
TRIGGER_NUMBERS = {
    "seconds": "Seconds",
    "percent": "Percent scrolled",
    "count": "Pages viewed",
    "minutes": "Minutes",
    "days": "Days",
    "value": "Cart value at least",
}
TRIGGER_TEXTS = {
    "keywords": "Keywords (comma-separated)",
    "event": "Event name",
    "referrer": "Referrer contains",
    "weekdays": "Days (mon, tue, …)",
    "from": "From (HH:MM)",
    "to": "To (HH:MM)",
}
PRIORITY_MAX = 100
FREQUENCIES = [
    ("session", "Once per visit"),
    ("visitor", "Once per visitor"),
    ("always", "Every time"),
]
MATCHES = ["contains", "equals", "wildcard", "regex"]
NODE_ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_-"
TRIGGER = "trigger"
"""The trigger box's id on the canvas (never a node id: nodes are named `type-N`)."""
NODE_WIDTH = 220


CHECKS = [
    ("Inside business hours", {"type": "business_hours"}),
    ("Outside business hours", {"type": "business_hours", "value": False}),
    ("An operator is online", {"type": "operators_online"}),
    ("No operator is online", {"type": "operators_online", "value": False}),
    ("Returning visitor", {"type": "returning_visitor"}),
    ("New visitor", {"type": "returning_visitor", "value": False}),
    ("On a phone or tablet", {"type": "mobile"}),
    ("Email known", {"type": "contact_property", "property": "email", "compare": "exists"}),
    ("Email not known", {"type": "contact_property", "property": "email", "compare": "not_exists"}),
    ("Something in the cart", {"type": "cart_value", "compare": "gt", "value": 0}),
]
"""Ready-made conditions a condition node offers in words (any other is edited as JSON)."""


def check_words(condition, codec):
    for words, ready in CHECKS:
        if ready == condition:
            return words
    return codec.dumps(condition)


def branch_parts(node):
    """("all" or "any", [conditions]) of a condition node."""
    branch = node.get("if") or {}
    if "any" in branch:
        return "any", list(branch["any"])
    return "all", list(branch.get("all", []))


def set_branch(node, mode, conditions):
    """Kept even when empty (flagged as a problem), so all/any survives the last removal."""
    node["if"] = {mode: conditions}


def trigger_text(trigger, key):
    value = trigger.get(key)
    if value is None:
        return ""
    if key == "referrer":
        return value.get("value", "")
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


def set_trigger_text(trigger, key, text):
    """A trigger's text setting as typed (lists comma-separated); empty removes it."""
    text = text.strip()
    if not text:
        trigger.pop(key, None)
    elif key == "referrer":
        trigger[key] = {"match": "contains", "value": text[:2048]}
    elif key in ("keywords", "weekdays"):
        items = [item.strip() for item in text.split(",") if item.strip()]
        trigger[key] = items if key == "keywords" else [i.lower()[:3] for i in items]
    else:
        trigger[key] = text


def set_audience(document, text, codec):
    """The flow's audience from JSON text (a list of conditions); a problem or ""."""
    if not text.strip():
        document.pop("conditions", None)
        return ""
    try:
        value = codec.loads(text)
    except Exception:
        return "Not valid JSON."
    if not isinstance(value, list):
        return "A list of conditions: [ … ]."
    document["conditions"] = value
    return ""


def outlets(node):
    """[(outlet key, label)]: `next`, a condition's `then`/`else`, one per button."""
    kind = node.get("type")
    if kind == "end":
        return []
    if kind == "condition":
        return [("then", "Yes"), ("else", "No")]
    if kind == "buttons":
        return [("choice:" + c["id"], c["label"]) for c in node.get("choices", [])]
    return [("next", "Next")]


def target(document, owner, outlet):
    """The node an outlet points at (or None)."""
    if owner == TRIGGER:
        return document.get("start")
    node = document["nodes"][owner]
    if outlet.startswith("choice:"):
        for choice in node.get("choices", []):
            if choice["id"] == outlet[7:]:
                return choice.get("next")
        return None
    return node.get(outlet)


def connect(document, owner, outlet, to):
    """Point an outlet at `to` (None: disconnect)."""
    if owner == TRIGGER:
        if to is not None:
            document["start"] = to
        return
    node = document["nodes"][owner]
    if outlet.startswith("choice:"):
        for choice in node.get("choices", []):
            if choice["id"] == outlet[7:]:
                _put(choice, "next", to)
        return
    _put(node, outlet, to)


def _put(mapping, key, value):
    if value is None:
        mapping.pop(key, None)
    else:
        mapping[key] = value


def new_id(document, kind):
    number = 1
    while kind.replace("_", "-") + "-" + str(number) in document["nodes"]:
        number += 1
    return kind.replace("_", "-") + "-" + str(number)


def add_node(document, kind, x, y):
    """A new node of `kind` at (x, y); returns its id. The first node becomes the start."""
    node_id = new_id(document, kind)
    node = {"type": kind, "x": round(x), "y": round(y)}
    for key, value in DEFAULTS.get(kind, {}).items():
        node[key] = _copy(value)
    if kind == "message":
        node["text"] = ""
    document["nodes"][node_id] = node
    if document.get("start") not in document["nodes"]:
        document["start"] = node_id
    return node_id


def _copy(value):
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def delete_node(document, node_id):
    """Remove a node and every arrow into it (the start moves to another node)."""
    del document["nodes"][node_id]
    for node in document["nodes"].values():
        for key in ("next", "then", "else"):
            if node.get(key) == node_id:
                del node[key]
        for choice in node.get("choices", []):
            if choice.get("next") == node_id:
                del choice["next"]
    if document.get("start") == node_id:
        remaining = list(document["nodes"])
        document["start"] = remaining[0] if remaining else ""


def set_choices(node, text):
    """Buttons from lines of text; each line keeps the id (and arrow) of the button it
    replaces, so relabelling never disconnects."""
    old = node.get("choices", [])
    labels = [line.strip()[:100] for line in text.split("\n") if line.strip()]
    made = []
    used = set()
    for index, label in enumerate(labels):
        if index < len(old):
            choice = {"id": old[index]["id"], "label": label}
            if "next" in old[index]:
                choice["next"] = old[index]["next"]
        else:
            choice = {"id": _slug(label, used), "label": label}
        used.add(choice["id"])
        made.append(choice)
    node["choices"] = made


def _slug(label, used):
    base = "".join(c if c in NODE_ID_CHARS else "-" for c in label.lower())
    while "--" in base:
        base = base.replace("--", "-")
    base = base.strip("-")[:40] or "choice"
    slug, number = base, 2
    while slug in used:
        slug = base + "-" + str(number)
        number += 1
    return slug


def field_text(node, key, kind, codec):
    """A setting as its form field shows it (`codec`: JSON `dumps`/`loads`, the browser's
    in the panel)."""
    value = node.get(key)
    if value is None:
        return ""
    if kind == "choices":
        return "\n".join(c["label"] for c in value)
    if kind == "json":
        return codec.dumps(value)
    return str(value)


def set_field(node, key, kind, text, codec=None):
    """Store what was typed; an empty or unreadable value removes the setting (and the
    node is then marked if the setting is required). Returns a problem or ""."""
    if kind == "choices":
        set_choices(node, text)
        return ""
    if kind == "check":  # "true" when ticked; unticked leaves the setting out
        if text:
            node[key] = True
        else:
            node.pop(key, None)
        return ""
    text = text if kind in ("textarea", "json") else text.strip()
    if not text:
        node.pop(key, None)
        return ""
    if kind == "int":
        if not text.isdigit():
            node.pop(key, None)
            return "Type a whole number."
        node[key] = int(text)
        return ""
    if kind == "json":
        try:
            node[key] = codec.loads(text)
        except ValueError:
            node.pop(key, None)
            return "Not valid JSON."
        return ""
    node[key] = text
    return ""


def node_problems(document, node_id):
    """What is missing or wrong in one node, in words."""
    node = document["nodes"][node_id]
    kind = node.get("type")
    found = []
    for key, label, _kind, required, _options in FIELDS.get(kind, []):
        value = node.get(key)
        if required and (value is None or value == "" or value == []):
            found.append(label.split(" (")[0] + " is missing.")
    if kind == "assign" and "team" not in node and "operator_id" not in node:
        found.append("Set a team or an operator.")
    if kind == "delay" and isinstance(node.get("seconds"), int) and node["seconds"] < 1:
        found.append("Wait at least one second.")
    if kind == "webhook" and node.get("url") and not _http(node["url"]):
        found.append("The URL must start with http:// or https://.")
    named = node.get("property")
    if kind in ("question", "set_property") and named and not _property(named):
        found.append("A property name is letters, digits and _, not starting with a digit.")
    if kind == "condition" and isinstance(node.get("if"), dict):
        branch = node["if"]
        conditions = branch.get("all", branch.get("any"))
        if not isinstance(conditions, list) or not conditions:
            found.append('The condition needs "all" or "any" with at least one condition.')
    for key in ("next", "then", "else"):
        if node.get(key) and node[key] not in document["nodes"]:
            found.append("An arrow points at a deleted node.")
    return found


def trigger_problems(document):
    trigger = document.get("trigger", {})
    found = []
    for need in TRIGGER_NEEDS.get(trigger.get("type"), []):
        value = trigger.get(need)
        if value is None or value == "" or value == []:
            found.append(_need_words(need) + " is missing.")
    page = trigger.get("page")
    if page is not None and not page.get("value"):
        found.append("Page is missing.")
    return found


def _need_words(need):
    if need in TRIGGER_NUMBERS:
        return TRIGGER_NUMBERS[need]
    return {"page": "Page", "referrer": "Referrer", "keywords": "Keywords", "event": "Event"}.get(
        need, need.capitalize()
    )


def problems(document):
    """{node id or TRIGGER: [problems]} for every box with one, and the flow's own under
    "flow" (no name, no node)."""
    found = {}
    flow = []
    if not str(document.get("name", "")).strip():
        flow.append("The flow needs a name.")
    if not document.get("nodes"):
        flow.append("Add at least one node after the trigger.")
    if flow:
        found["flow"] = flow
    trigger = trigger_problems(document)
    if trigger:
        found[TRIGGER] = trigger
    for node_id in document.get("nodes", {}):
        node = node_problems(document, node_id)
        if node:
            found[node_id] = node
    return found


def summary(problems_found):
    """One sentence naming each box with a problem (for the Enable refusal)."""
    parts = []
    for where, items in problems_found.items():
        name = "The flow" if where == "flow" else "Trigger" if where == TRIGGER else where
        parts.append(name + ": " + " ".join(items))
    return " ".join(parts)


def _http(url):
    return url.startswith("http://") or url.startswith("https://")


def _property(name):
    if not name or len(name) > 100 or name[0].isdigit():
        return False
    return all((c.isalnum() and c.isascii()) or c == "_" for c in name)


def auto_layout(document):
    """Columns by distance from the trigger (breadth first), rows in order found; nodes
    the trigger never reaches go in a last column."""
    depth = {}
    queue = []
    start = document.get("start")
    if start in document["nodes"]:
        depth[start] = 1
        queue.append(start)
    while queue:
        node_id = queue.pop(0)
        node = document["nodes"][node_id]
        for outlet, _label in outlets(node):
            to = target(document, node_id, outlet)
            if to in document["nodes"] and to not in depth:
                depth[to] = depth[node_id] + 1
                queue.append(to)
    last = max(depth.values()) + 1 if depth else 1
    rows = {}
    for node_id in document["nodes"]:
        column = depth.get(node_id, last)
        row = rows.get(column, 0)
        rows[column] = row + 1
        node = document["nodes"][node_id]
        node["x"] = 40 + column * (NODE_WIDTH + 60)
        node["y"] = 40 + row * 170


def free_spot(document, x, y):
    """(x, y) moved down until no box is there."""
    taken = [(n.get("x", 0), n.get("y", 0)) for n in document["nodes"].values()] + [(40, 40)]
    while any(abs(x - tx) < NODE_WIDTH + 20 and abs(y - ty) < 150 for tx, ty in taken):
        y += 170
    return (x, y)


def position(document, node_id):
    if node_id == TRIGGER:
        return (40, 40)
    node = document["nodes"][node_id]
    return (node.get("x", 40), node.get("y", 40))


def describe(node):
    """A line of what the node says or does, for its box."""
    for key in ("text", "tag", "subject", "url", "to", "property", "priority"):
        if node.get(key):
            text = str(node[key])
            return text if len(text) <= 80 else text[:79] + "…"
    if node.get("type") == "delay" and node.get("seconds"):
        return "Wait " + str(node["seconds"]) + " s"
    return ""


def trigger_line(trigger):
    kind = trigger.get("type", "")
    line = kind.replace("_", " ").capitalize()
    for key, label in TRIGGER_NUMBERS.items():
        if key in trigger:
            line += ", " + label.lower() + " " + str(trigger[key])
    if trigger.get("page", {}).get("value"):
        line += ", page " + trigger["page"]["match"] + " " + trigger["page"]["value"]
    return line


def fire_label(trigger):
    """What the test visitor in "Try it" does to fire the trigger, as its button says."""
    kind = trigger.get("type", "")
    fixed = {
        "page_open": "Open the page",
        "first_visit": "Arrive on a first visit",
        "returning_visitor": "Come back on a later visit",
        "exit_intent": "Move to leave the page (exit intent)",
        "launcher_click": "Click the launcher",
        "form_abandoned": "Leave a half-filled form",
        "cart_add": "Add something to the cart",
        "schedule": "Open a page in the scheduled hours",
        "conversation_started": "Start a conversation",
        "message_received": "Send a message",
        "conversation_closed": "Close the conversation",
        "from_flow": "Be sent here by another flow",
    }
    if kind in fixed:
        return fixed[kind]
    if kind == "time_on_page":
        return "Stay " + str(trigger.get("seconds", 0)) + " s on the page"
    if kind == "time_on_site":
        return "Stay " + str(trigger.get("seconds", 0)) + " s on the site"
    if kind == "scroll_depth":
        return "Scroll " + str(trigger.get("percent", 0)) + "% down the page"
    if kind == "page_count":
        return "View " + str(trigger.get("count", 0)) + " pages"
    if kind == "referrer":
        return "Arrive from " + str(trigger.get("referrer", "a link"))
    if kind == "cart_value":
        return "Fill the cart to " + str(trigger.get("value", 0))
    if kind == "custom_event":
        return "Send the event “" + str(trigger.get("event", "")) + "”"
    if kind == "visitor_says":
        words = [str(w) for w in trigger.get("keywords") or [] if str(w).strip()]
        return "Say “" + (words[0] if words else "…") + "”"
    if kind == "no_operator_reply":
        return "Wait " + str(trigger.get("minutes", 0)) + " min for a reply"
    if kind == "visitor_inactive":
        return "Stay away " + str(trigger.get("days", 0)) + " days"
    return "Fire the trigger"


def set_priority(document, text):
    """The flow's priority (0–100: the highest starts when several fire at once); empty:
    the default. Returns a problem or ""."""
    text = text.strip()
    if not text:
        document.pop("priority", None)
        return ""
    if not text.isdigit() or int(text) > PRIORITY_MAX:
        document.pop("priority", None)
        return "Type a whole number from 0 to 100."
    document["priority"] = int(text)
    return ""


def says_keyword(trigger, text):
    """Whether a visitor's message starts the trigger in "Try it": any message, except
    for "visitor says", which needs one of its keywords (any case)."""
    if trigger.get("type") != "visitor_says":
        return True
    said = text.lower()
    return any(str(word).lower() in said for word in trigger.get("keywords") or [])
