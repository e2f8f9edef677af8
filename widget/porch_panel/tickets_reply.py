"""Answering the requester from the ticket page (the reply goes to their channel: the
widget, or email), with the canned replies the ticket's template suggests one click away."""

from browser import window

from porch_panel.dom import add, find, set_text, show
from porch_ui import acks
from porch_ui.dom import el
from porch_ui.ids import new_client_id


class TicketReply:
    def __init__(self, client: object, selected: object, reload: object) -> None:
        self.client = client
        self.selected = selected  # () -> the ticket shown, or None
        self.reload = reload
        self.box = find("ticket-reply-input")
        self.suggestions = find("ticket-suggested-replies")
        find("ticket-reply-form").bind("submit", self._send)

    def suggest(self, replies: list) -> None:
        """One button per suggested canned reply; a click puts its text in the reply box."""
        listing = find("ticket-suggested-list")
        listing.clear()
        for reply in replies:
            button = el("button", "/" + reply["shortcut"] + " " + reply["title"], type="button",
                        data_testid="ticket-suggested-reply")  # fmt: skip
            button.bind("click", lambda _e, text=reply["body"]: self._use(text))
            add(listing, add(el("li"), button))
        show(self.suggestions, bool(replies))

    def _use(self, text: str) -> None:
        self.box.value = text
        self.box.focus()

    def _send(self, event: object) -> None:
        event.preventDefault()
        body = self.box.value.strip()
        ticket_id = self.selected()
        if not body or ticket_id is None:
            return
        error = find("ticket-error")

        def done(ack: dict) -> None:
            if acks.ok(ack):
                self.box.value = ""
                set_text(error, "")
                self.reload()
            else:
                set_text(error, acks.error_message(ack, "Could not send the reply."))

        payload = {
            "ticket_id": ticket_id,
            "client_id": new_client_id("tr", window.Math.random),
            "body": body,
        }
        self.client.emit("ticket.reply", payload, callback=done)
