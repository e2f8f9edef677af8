"""The side panel: the selected box's settings as a form, checked as you type (a missing
setting marks the field and the box at once)."""

from browser import document

from porch_flow_builder import model
from porch_sio import jsontext
from porch_ui.dom import el


def find(testid):
    return document.select_one('[data-testid="' + testid + '"]')


class Settings:
    def __init__(self, builder):
        self.builder = builder
        self.form = find("node-settings")
        self.title = find("builder-side-title")
        self.form.bind("submit", lambda event: event.preventDefault())

    def show(self, node_id):
        """Rebuild the form for `node_id` (None: the flow's own settings)."""
        self.form.textContent = ""
        self.form.setAttribute("data-node-id", node_id or "")
        doc = self.builder.doc
        if node_id is None:
            self.title.textContent = "Settings: select a box"
            self._hint("Select a box on the canvas (or Tab to it) to edit it.")
        elif node_id == model.TRIGGER:
            self.title.textContent = "Settings: trigger"
            self._trigger(doc["trigger"])
        else:
            node = doc["nodes"][node_id]
            self.title.textContent = (
                "Settings: " + model.LABELS.get(node["type"], "") + " " + node_id
            )
            if node["type"] == "condition":
                self._checks(node)
            for key, label, kind, required, options in model.FIELDS.get(node["type"], []):
                self._field(node_id, node, key, label, kind, required, options)
            if not model.FIELDS.get(node["type"]):
                self._hint("This node has no settings.")
            remove = el("button", "Delete this node", "ghost danger", type="button")
            remove.setAttribute("data-testid", "node-delete")
            remove.bind("click", lambda _e: self.builder.delete(node_id))
            self.form.appendChild(remove)
        self.mark()

    def _checks(self, node):
        """A condition's checks in words: match all or any, remove one, add a ready one."""
        mode, conditions = model.branch_parts(node)
        match = el("select", None, id="node-match")
        for value, words in (("all", "All of these"), ("any", "Any of these")):
            item = el("option", words, value=value)
            if value == mode:
                item.setAttribute("selected", "")
            match.appendChild(item)
        match.setAttribute("data-testid", "condition-match")
        self.form.appendChild(el("label", "The visitor matches", **{"for": "node-match"}))
        self.form.appendChild(match)

        def rematch(_event):
            self.builder.record()
            model.set_branch(node, match.value, conditions)
            self.builder.changed(redraw_settings=True)

        match.bind("change", rematch)
        listing = el("ul", None, "condition-checks")
        listing.setAttribute("data-testid", "condition-checks")
        for index, condition in enumerate(conditions):
            words = model.check_words(condition, jsontext)
            item = el("li", words)
            remove = el("button", "Remove", "ghost", type="button", aria_label="Remove " + words)
            remove.setAttribute("data-testid", "condition-remove")
            remove.bind("click", lambda _e, i=index: self._drop_check(node, i))
            item.appendChild(remove)
            listing.appendChild(item)
        self.form.appendChild(listing)
        pick = el("select", None, id="node-add-check")
        for index, (words, _ready) in enumerate(model.CHECKS):
            pick.appendChild(el("option", words, value=str(index)))
        pick.setAttribute("data-testid", "condition-pick")
        self.form.appendChild(el("label", "Add a check", **{"for": "node-add-check"}))
        self.form.appendChild(pick)
        add = el("button", "Add the check", type="button")
        add.setAttribute("data-testid", "condition-add")
        add.bind("click", lambda _e: self._add_check(node, int(pick.value)))
        self.form.appendChild(add)

    def _add_check(self, node, index):
        self.builder.record()
        mode, conditions = model.branch_parts(node)
        ready = model.CHECKS[index][1]
        model.set_branch(node, mode, [*conditions, {k: v for k, v in ready.items()}])
        self.builder.changed(redraw_settings=True)

    def _drop_check(self, node, index):
        self.builder.record()
        mode, conditions = model.branch_parts(node)
        del conditions[index]
        model.set_branch(node, mode, conditions)
        self.builder.changed(redraw_settings=True)

    def _hint(self, text):
        self.form.appendChild(el("p", text, "muted"))

    def _field(self, node_id, node, key, label, kind, required, options):
        field_id = "node-field-" + key
        self.form.appendChild(
            el("label", label + ("" if required else " (optional)"), **{"for": field_id})
        )
        if kind == "select":
            control = el("select", None, id=field_id)
            for option in options:
                item = el("option", option or "(default)", value=option)
                if str(node.get(key, "")) == option:
                    item.setAttribute("selected", "")
                control.appendChild(item)
        elif kind == "check":
            control = el("input", None, id=field_id, type="checkbox")
            control.checked = bool(node.get(key))
        elif kind in ("textarea", "choices", "json"):
            rows = 6 if kind == "json" else 3
            control = el("textarea", None, id=field_id, rows=rows)
            control.value = model.field_text(node, key, kind, jsontext)
        else:
            control = el("input", None, id=field_id)
            if kind == "int":
                control.setAttribute("inputmode", "numeric")
            control.value = model.field_text(node, key, kind, jsontext)
        control.setAttribute("data-testid", "node-field-" + key)
        control.setAttribute("data-key", key)
        if required:
            control.setAttribute("aria-required", "true")
        problem = el("span", None, "field-problem", id=field_id + "-problem")
        control.setAttribute("aria-describedby", field_id + "-problem")

        def typed(_event):
            self.builder.record("field:" + node_id + ":" + key)
            typed_in = ("true" if control.checked else "") if kind == "check" else control.value
            said = model.set_field(node, key, kind, typed_in, jsontext)
            problem.textContent = said
            self.builder.changed(redraw_settings=False)

        # Selects say "change"; text fields "input" only (their "change" comes on blur, as
        # the pointer goes down on the canvas: a redraw then would swallow that click).
        control.bind("change" if kind in ("select", "check") else "input", typed)
        self.form.appendChild(control)
        self.form.appendChild(problem)

    def _trigger(self, trigger):
        form = self.form

        def labelled(text, control, field_id):
            form.appendChild(el("label", text, **{"for": field_id}))
            control.setAttribute("id", field_id)
            form.appendChild(control)

        kind = el("select", None)
        for name in model.TRIGGER_TYPES:
            item = el("option", name.replace("_", " "), value=name)
            if trigger.get("type") == name:
                item.setAttribute("selected", "")
            kind.appendChild(item)
        kind.setAttribute("data-testid", "trigger-type")
        labelled("Starts when", kind, "trigger-type")

        def kind_changed(_event):
            self.builder.record("trigger-type")
            trigger["type"] = kind.value
            for need in model.TRIGGER_NEEDS.get(kind.value, []):
                if need == "page" and "page" not in trigger:
                    trigger["page"] = {"match": "contains", "value": ""}
            self.builder.changed(redraw_settings=True)

        kind.bind("change", kind_changed)
        page = trigger.get("page") or {}
        match = el("select", None)
        for name in model.MATCHES:
            item = el("option", name, value=name)
            if page.get("match", "contains") == name:
                item.setAttribute("selected", "")
            match.appendChild(item)
        match.setAttribute("data-testid", "trigger-page-match")
        labelled("Page address", match, "trigger-page-match")
        value = el("input", None)
        value.value = page.get("value", "")
        value.setAttribute("data-testid", "trigger-page")
        value.setAttribute("placeholder", "/pricing (empty: any page)")
        labelled("Page (part of the address)", value, "trigger-page")

        def page_changed(_event):
            self.builder.record("trigger-page")
            if value.value.strip():
                trigger["page"] = {"match": match.value, "value": value.value.strip()[:2048]}
            else:
                trigger.pop("page", None)
            self.builder.changed(redraw_settings=False)

        value.bind("input", page_changed)
        match.bind("change", page_changed)
        for key in model.TRIGGER_NEEDS.get(trigger.get("type"), []):
            if key in model.TRIGGER_NUMBERS:
                self._trigger_number(trigger, key, labelled)
            elif key in model.TRIGGER_TEXTS:
                self._trigger_text(trigger, key, labelled)
        for key in model.TRIGGER_OPTIONAL.get(trigger.get("type"), []):
            words = model.TRIGGER_OPTIONAL_WORDS[(trigger["type"], key)] + " (optional)"
            self._trigger_number(trigger, key, labelled, words, required=False)
        self._flow_wide(labelled)

    def _trigger_text(self, trigger, key, labelled):
        control = el("input", None)
        control.value = model.trigger_text(trigger, key)
        control.setAttribute("data-testid", "trigger-" + key)
        control.setAttribute("aria-required", "true")
        labelled(model.TRIGGER_TEXTS[key], control, "trigger-" + key)

        def typed(_event):
            self.builder.record("trigger-" + key)
            model.set_trigger_text(trigger, key, control.value)
            self.builder.changed(redraw_settings=False)

        control.bind("input", typed)

    def _flow_wide(self, labelled):
        """How often a visitor may get the flow, and its audience (conditions, JSON)."""
        doc = self.builder.doc
        often = el("select", None)
        current = doc.get("frequency", {"per": "session"}).get("per")
        choices = list(model.FREQUENCIES)
        if current not in [value for value, _words in choices]:
            choices.append((current, "As in the document (" + str(current) + ")"))
        for value, words in choices:
            item = el("option", words, value=value)
            if value == current:
                item.setAttribute("selected", "")
            often.appendChild(item)
        often.setAttribute("data-testid", "flow-frequency")
        labelled("How often", often, "flow-frequency")

        def often_changed(_event):
            self.builder.record("frequency")
            if often.value in [value for value, _words in model.FREQUENCIES]:
                doc["frequency"] = {"per": often.value}
            self.builder.changed(redraw_settings=False)

        often.bind("change", often_changed)
        priority = el("input", None, inputmode="numeric")
        priority.value = str(doc.get("priority", ""))
        priority.setAttribute("data-testid", "flow-priority")
        priority.setAttribute("aria-describedby", "flow-priority-problem")
        labelled("Priority (0–100, optional: the highest starts first)", priority, "flow-priority")
        ranked = el("span", None, "field-problem", id="flow-priority-problem")
        self.form.appendChild(ranked)

        def priority_typed(_event):
            self.builder.record("priority")
            ranked.textContent = model.set_priority(doc, priority.value)
            self.builder.changed(redraw_settings=False)

        priority.bind("input", priority_typed)
        audience = el("textarea", None, rows=4)
        audience.value = jsontext.dumps(doc["conditions"]) if doc.get("conditions") else ""
        audience.setAttribute("data-testid", "flow-audience")
        audience.setAttribute("aria-describedby", "flow-audience-problem")
        labelled("Audience (optional, JSON list of conditions)", audience, "flow-audience")
        problem = el("span", None, "field-problem", id="flow-audience-problem")
        self.form.appendChild(problem)

        def audience_typed(_event):
            self.builder.record("audience")
            problem.textContent = model.set_audience(doc, audience.value, jsontext)
            self.builder.changed(redraw_settings=False)

        audience.bind("input", audience_typed)

    def _trigger_number(self, trigger, key, labelled, words=None, required=True):
        control = el("input", None, inputmode="numeric")
        control.value = str(trigger.get(key, ""))
        control.setAttribute("data-testid", "trigger-" + key)
        if required:
            control.setAttribute("aria-required", "true")
        labelled(words or model.TRIGGER_NUMBERS[key], control, "trigger-" + key)

        def typed(_event):
            self.builder.record("trigger-" + key)
            text = control.value.strip()
            if text.isdigit():
                trigger[key] = int(text)
            else:
                trigger.pop(key, None)
            self.builder.changed(redraw_settings=False)

        control.bind("input", typed)

    def mark(self):
        """Flag the required fields left empty (aria-invalid), as you type."""
        node_id = self.form.getAttribute("data-node-id")
        doc = self.builder.doc
        if not node_id or node_id == model.TRIGGER or node_id not in doc["nodes"]:
            return
        node = doc["nodes"][node_id]
        for control in self.form.select("[data-key]"):
            key = control.getAttribute("data-key")
            missing = control.getAttribute("aria-required") == "true" and node.get(key) in (
                None, "", [],
            )  # fmt: skip
            control.setAttribute("aria-invalid", "true" if missing else "false")
            problem = document.getElementById(control.id + "-problem")
            if missing and problem is not None:
                problem.textContent = "Required."
            elif problem is not None and problem.textContent == "Required.":
                problem.textContent = ""
