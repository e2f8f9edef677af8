"""The Tickets page: the built-in views with live counts, the list, and one ticket's
detail (status, priority, assignee, notes, history). Every `ticket.updated` refreshes the
view, so counts and lists follow what other operators and the SLA clocks do."""

from browser import window

from porch_panel.dom import add, find, find_all, set_text, show
from porch_panel.ticket_team import TicketTeam, team_badge
from porch_panel.tickets_bulk import BulkBar
from porch_panel.tickets_notify import DesktopAlerts
from porch_panel.tickets_reply import TicketReply
from porch_panel.tickets_saved import SavedViewsBar
from porch_panel.tickets_setup import TicketSetup
from porch_panel.tickets_state import (
    alert_for,
    history_line,
    merged_line,
    rating_line,
    sla_line,
)
from porch_ui import acks
from porch_ui.dom import el


def when(iso: "str | None") -> str:
    if not iso:
        return ""
    return window.Date.new(iso).toLocaleString()


class TicketsView:
    def __init__(self, client: object, operator_id: int) -> None:
        self.client = client
        self.operator_id = operator_id
        self.view = "urgent"
        self.saved_view_id = None
        self.selected = None
        self.fields = []
        root = find("tickets")
        raw = root.attrs["data-ticket-id"]
        if raw:
            self.selected = int(raw)
        self.list = find("ticket-list")
        self.detail = find("ticket-detail")
        self.error = find("ticket-error")
        for button in find_all("ticket-view"):
            button.bind("click", self._on_view)
        find("ticket-status-select").bind("change", self._on_status)
        find("ticket-priority-select").bind("change", self._on_priority)
        find("ticket-assign-me").bind("click", self._on_assign_me)
        find("ticket-note-form").bind("submit", self._on_note)
        find("ticket-merge-form").bind("submit", self._on_merge)
        find("ticket-fields").bind("submit", self._on_fields)
        self.bulk = BulkBar(client, operator_id, find("sla-alert"))
        self.saved = SavedViewsBar(client, find("sla-alert"), self._on_saved_view)
        self.alerts = DesktopAlerts()
        self.team = TicketTeam(client, self._change)
        self.setup = TicketSetup(client, lambda: self.load(self.selected))
        self.reply = TicketReply(client, lambda: self.selected, lambda: self.load(self.selected))
        client.on("connect", lambda *_a: self.refresh())
        client.on("ticket.updated", self._on_updated)
        client.on("sla.warning", self._on_alert)
        client.on("sla.breached", self._on_alert)
        client.on("sla.escalated", self._on_escalated)

    # -- the list ------------------------------------------------------------------------

    def _on_view(self, event: object) -> None:
        self.view = event.currentTarget.attrs["data-view"]
        self.saved_view_id = None
        self._press()
        self.refresh()

    def _on_saved_view(self, view_id: int) -> None:
        self.saved_view_id = view_id
        self._press()
        self.refresh()

    def _press(self) -> None:
        for button in find_all("ticket-view"):
            pressed = self.saved_view_id is None and button.attrs["data-view"] == self.view
            button.attrs["aria-pressed"] = "true" if pressed else "false"

    def refresh(self) -> None:
        asked = (self.view, self.saved_view_id)

        def done(ack: dict) -> None:
            if acks.ok(ack) and asked == (self.view, self.saved_view_id):
                self.saved.render(ack.get("saved_views") or [], self.saved_view_id)
                self.render(ack.get("tickets") or [], ack.get("counts") or {})

        payload = {"view": self.view}
        if self.saved_view_id is not None:
            payload["saved_view_id"] = self.saved_view_id
        self.client.emit("tickets.list", payload, callback=done)
        if self.selected is not None:
            self.load(self.selected)

    def render(self, tickets: list, counts: dict) -> None:
        for badge in find_all("ticket-view-count"):
            badge.text = str(counts.get(badge.attrs["data-view"], 0))
        self.list.clear()
        for ticket in tickets:
            add(self.list, self._item(ticket))
        show(find("tickets-empty"), not tickets)
        self.bulk.keep_only([ticket["id"] for ticket in tickets])

    def _item(self, ticket: dict) -> object:
        item = el(
            "li",
            cls="conversation-item ticket-item",
            data_testid="ticket-item",
            data_ticket_id=ticket["id"],
        )
        pick = el("input", type="checkbox", data_testid="ticket-select")
        pick.attrs["aria-label"] = "Select " + ticket.get("label", "")
        pick.checked = self.bulk.is_picked(ticket["id"])
        pick.bind("change", lambda e: self.bulk.toggle(ticket["id"], e.currentTarget.checked))
        add(item, pick)
        link = el("a", href=f"/panel/tickets/{ticket['id']}", cls="ticket-link")
        add(link, el("span", ticket.get("label", ""), cls="ticket-label"))
        add(link, el("span", " " + (ticket.get("subject") or ""), cls="name"))
        link.bind("click", lambda e: self._open(e, ticket["id"]))
        add(item, link)
        meta = el("div", cls="ticket-meta")
        add(meta, el("span", ticket["priority"], cls="badge priority-" + ticket["priority"],
                     data_testid="ticket-priority"))  # fmt: skip
        add(meta, el("span", ticket.get("status_label") or ticket["status"], cls="badge",
                     data_testid="ticket-status"))  # fmt: skip
        badge = team_badge(ticket)
        if badge is not None:
            add(meta, badge)
        state = (ticket.get("sla") or {}).get("state") or "none"
        add(meta, el("span", sla_line(ticket, when), cls="sla sla-" + state,
                     data_testid="sla-due", data_state=state))  # fmt: skip
        add(item, meta)
        return item

    def _open(self, event: object, ticket_id: int) -> None:
        event.preventDefault()
        self.selected = ticket_id
        window.history.pushState("", "", f"/panel/tickets/{ticket_id}")
        self.load(ticket_id)

    # -- live ----------------------------------------------------------------------------

    def _on_updated(self, data: dict) -> None:
        self.refresh()

    def _on_alert(self, alert: dict) -> None:
        text = alert_for(alert, self.operator_id)
        if text:
            set_text(find("sla-alert"), text)
            ticket = alert.get("ticket") or {}
            self.alerts.notify("SLA warning", text, "sla-" + str(ticket.get("id", "")))

    def _on_escalated(self, alert: dict) -> None:
        if "notify" not in (alert.get("actions") or []):
            return
        ticket = alert.get("ticket") or {}
        text = f"{ticket.get('label', '')} {ticket.get('subject', '')} is overdue: escalated"
        set_text(find("sla-alert"), text)
        self.alerts.notify("SLA escalation", text, "sla-escalated-" + str(ticket.get("id", "")))

    # -- one ticket ----------------------------------------------------------------------

    def load(self, ticket_id: int) -> None:
        def done(ack: dict) -> None:
            if ticket_id != self.selected:
                return
            if not acks.ok(ack):
                set_text(self.error, acks.error_message(ack, "Could not load the ticket."))
                return
            self.show(ack["ticket"], ack.get("history") or [], ack.get("messages") or [])
            self.setup.site_id = ack["ticket"]["site_id"]
            self._statuses(ack.get("statuses") or [], ack["ticket"])
            self._fields(ack.get("site_fields") or [], ack.get("fields") or {})
            self.saved.fields(ack.get("site_fields") or [])
            self.reply.suggest(ack.get("suggested_replies") or [])

        self.client.emit("ticket.get", {"ticket_id": ticket_id}, callback=done)

    def show(self, ticket: dict, history: list, messages: list) -> None:
        show(find("no-ticket"), False)
        show(self.detail, True)
        set_text(self.error, "")
        find("ticket-label").text = ticket.get("label", "")
        find("ticket-subject").text = ticket.get("subject", "")
        assignee = (ticket.get("assignee") or {}).get("name") or "Unassigned"
        requester = (ticket.get("requester") or {}).get("name") or ""
        find("ticket-requester").text = f"{requester} · {assignee}"
        due = find("ticket-due")
        due.text = sla_line(ticket, when)
        due.attrs["data-state"] = (ticket.get("sla") or {}).get("state") or "none"
        rated = find("ticket-rating")
        rated.text = rating_line(ticket, messages)
        show(rated, bool(rated.text))
        find("ticket-description").text = ticket.get("description") or ""
        find("ticket-status-select").value = ticket["status"]
        find("ticket-priority-select").value = ticket["priority"]
        self.team.show(ticket)
        listing = find("ticket-messages")
        listing.clear()
        for message in messages:
            who = message.get("author_name") or message.get("author", "")
            add(listing, el("li", f"{who}: {message.get('body', '')}", cls="message",
                            data_author=message.get("author", "")))  # fmt: skip
        lines = find("ticket-history")
        lines.clear()
        for entry in history:
            add(lines, el("li", history_line(entry), data_testid="ticket-history-entry"))
        set_text(find("ticket-merged"), merged_line(ticket, history))

    def _statuses(self, statuses: list, ticket: dict) -> None:
        """The built-in statuses, then the site's own (each mapped to a built-in one)."""
        select = find("ticket-status-select")
        for option in list(select.select("option[data-custom]")):
            option.remove()
        for status in statuses:
            option = el("option", status["name"], value=status["name"], data_custom="1")
            add(select, option)
        select.value = ticket.get("status_label") or ticket["status"]

    def _fields(self, fields: list, values: dict) -> None:
        form = find("ticket-fields")
        box = find("ticket-field-list")
        box.clear()
        kinds = {"text": "text", "number": "number", "date": "date"}
        for field in fields:
            label = el("label", field["name"] + " ")
            value = values.get(str(field["id"]), "")
            if field["kind"] == "select":
                box_input = el("select", data_testid="ticket-field", data_field_id=field["id"])
                add(box_input, el("option", "", value=""))
                for choice in field.get("options") or []:
                    add(box_input, el("option", choice, value=choice))
            else:
                box_input = el("input", type=kinds.get(field["kind"], "text"),
                               data_testid="ticket-field", data_field_id=field["id"])  # fmt: skip
                if field["kind"] == "number":
                    box_input.attrs["step"] = "any"
            box_input.value = value
            add(box, add(label, box_input))
        show(form, bool(fields))

    def _change(self, changes: dict) -> None:
        if self.selected is None:
            return

        def done(ack: dict) -> None:
            if not acks.ok(ack):
                set_text(self.error, acks.error_message(ack, "Could not change the ticket."))

        self.client.emit("ticket.update", {"ticket_id": self.selected, **changes}, callback=done)

    def _on_status(self, event: object) -> None:
        self._change({"status": event.currentTarget.value})

    def _on_priority(self, event: object) -> None:
        self._change({"priority": event.currentTarget.value})

    def _on_assign_me(self, _event: object) -> None:
        self._change({"assignee_id": self.operator_id})

    def _on_merge(self, event: object) -> None:
        event.preventDefault()
        raw = find("ticket-merge-input").value.strip().lstrip("#")
        if not raw.isdigit() or self.selected is None:
            return

        def done(ack: dict) -> None:
            if not acks.ok(ack):
                set_text(self.error, acks.error_message(ack, "Could not merge the ticket."))
                return
            find("ticket-merge-input").value = ""
            self.selected = ack["ticket"]["id"]
            window.history.pushState("", "", f"/panel/tickets/{self.selected}")
            self.load(self.selected)

        payload = {"ticket_id": self.selected, "into_reference": int(raw)}
        self.client.emit("ticket.merge", payload, callback=done)

    def _on_fields(self, event: object) -> None:
        event.preventDefault()
        if self.selected is None:
            return
        values = {node.attrs["data-field-id"]: node.value for node in find_all("ticket-field")}

        def done(ack: dict) -> None:
            if not acks.ok(ack):
                set_text(self.error, acks.error_message(ack, "Could not save the fields."))

        payload = {"ticket_id": self.selected, "values": values}
        self.client.emit("ticket.fields", payload, callback=done)

    def _on_note(self, event: object) -> None:
        event.preventDefault()
        box = find("ticket-note-input")
        body = box.value.strip()
        if not body or self.selected is None:
            return

        def done(ack: dict) -> None:
            if acks.ok(ack):
                box.value = ""
                self.load(self.selected)
            else:
                set_text(self.error, acks.error_message(ack, "Could not add the note."))

        self.client.emit("ticket.note", {"ticket_id": self.selected, "body": body}, callback=done)
