"""The conversation view's "Create ticket" action: turns the open chat into a ticket with
a priority, or in one click from a template (the conversation stays and links to it).
Before that it shows the requester's open tickets, each of which the chat can join
instead. Added to the conversation's actions from here, so the inbox's own modules need
not know about tickets."""

from browser import document, window

from porch_panel.dom import add, find, show
from porch_ui import acks
from porch_ui.dom import el

PRIORITIES = ("critical", "high", "medium", "low")


def open_conversation_id() -> "int | None":
    """The conversation the inbox shows: it keeps it in the URL (`?c=<id>`)."""
    raw = window.URLSearchParams.new(window.location.search).get("c") or ""
    return int(raw) if raw.isdigit() else None


class TicketAction:
    def __init__(self, client: object) -> None:
        self.client = client
        actions = document.select_one(".conversation-actions")
        if actions is None:
            return
        self.priority = el("select", data_testid="ticket-create-priority")
        self.priority.attrs["aria-label"] = "Ticket priority"
        for priority in PRIORITIES:
            add(self.priority, el("option", priority.capitalize(), value=priority))
        self.priority.value = "medium"
        self.button = el("button", "Create ticket", type="button", data_testid="create-ticket")
        self.button.bind("click", self._create)
        self.template = el("select", data_testid="ticket-create-template", hidden="")
        self.template.attrs["aria-label"] = "Ticket template"
        self.result = el("a", "", data_testid="ticket-created", hidden="")
        add(actions, self.priority, self.template, self.button, self.result)
        self.open_tickets = el("ul", cls="requester-tickets", data_testid="requester-tickets",
                               hidden="")  # fmt: skip
        self.open_tickets.attrs["aria-label"] = "The requester's open tickets"
        actions.parentNode.insertBefore(self.open_tickets, actions.nextSibling)
        self.shown_for = None
        window.setInterval(self._follow, 1000)
        self._follow()

    def _follow(self) -> None:
        """The inbox moves between conversations without a reload: look up each new one's
        requester tickets and the site's templates."""
        conversation_id = open_conversation_id()
        if conversation_id is None or conversation_id == self.shown_for:
            return
        self.shown_for = conversation_id

        def done(ack: dict) -> None:
            if conversation_id != self.shown_for or not acks.ok(ack):
                return
            self._templates(ack.get("templates") or [])
            self._requester(ack.get("tickets") or [], conversation_id)

        payload = {"conversation_id": conversation_id}
        self.client.emit("tickets.requester", payload, callback=done)

    def _templates(self, templates: list) -> None:
        self.template.clear()
        add(self.template, el("option", "No template", value=""))
        for template in templates:
            add(self.template, el("option", template["name"], value=template["id"]))
        show(self.template, bool(templates))

    def _requester(self, tickets: list, conversation_id: int) -> None:
        self.open_tickets.clear()
        if tickets:
            add(self.open_tickets, el("li", "Open tickets of this customer:", cls="muted"))
        for ticket in tickets:
            item = el("li", data_testid="requester-ticket", data_ticket_id=ticket["id"])
            link = el("a", f"{ticket['label']} {ticket['subject']}",
                      href=f"/panel/tickets/{ticket['id']}")  # fmt: skip
            join = el("button", "Add this chat", type="button",
                      data_testid="requester-ticket-add")  # fmt: skip
            join.bind("click", lambda _e, t=ticket: self._join(t, conversation_id))
            add(self.open_tickets, add(item, link, el("span", " "), join))
        show(self.open_tickets, bool(tickets))

    def _join(self, ticket: dict, conversation_id: int) -> None:
        def done(ack: dict) -> None:
            if acks.ok(ack):
                self.result.text = f"Added to {ack['ticket']['label']}"
                self.result.attrs["href"] = f"/panel/tickets/{ack['ticket']['id']}"
            else:
                self.result.text = acks.error_message(ack, "Could not add the chat.")
            self.result.hidden = False

        payload = {"ticket_id": ticket["id"], "conversation_id": conversation_id}
        self.client.emit("ticket.add_conversation", payload, callback=done)

    def _create(self, _event: object) -> None:
        conversation_id = open_conversation_id()
        if conversation_id is None:
            return
        name = find("visitor-name").text or "visitor"
        self.button.disabled = True

        def done(ack: dict) -> None:
            self.button.disabled = False
            if acks.ok(ack):
                self.shown_for = None  # the new ticket joins the requester's open ones
                ticket = ack["ticket"]
                self.result.text = f"Ticket {ticket['label']}"
                self.result.attrs["href"] = f"/panel/tickets/{ticket['id']}"
            else:
                self.result.text = acks.error_message(ack, "Could not create the ticket.")
                self.result.removeAttribute("href")
            self.result.hidden = False

        payload = {
            "conversation_id": conversation_id,
            "subject": f"Chat with {name}",
            "priority": self.priority.value,
        }
        if self.template.value:
            payload["template_id"] = int(self.template.value)
        self.client.emit("ticket.create", payload, callback=done)
