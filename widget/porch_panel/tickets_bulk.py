"""The Tickets page's selection and bulk bar: assign, set status or priority, add a tag,
merge into the first picked, close. Each ticket is changed on its own by the server
(`tickets.bulk`); the view refreshes through the `ticket.updated` events."""

from porch_panel.dom import add, find, set_text, show
from porch_panel.tickets_state import bulk_payload
from porch_ui import acks
from porch_ui.dom import el


class BulkBar:
    def __init__(self, client: object, operator_id: int, error: object) -> None:
        self.client = client
        self.operator_id = operator_id
        self.error = error
        self.picked = []
        find("bulk-assign-me").bind("click", lambda _e: self._send("assignee_id", operator_id))
        find("bulk-assign").bind("change", self._assign)
        client.emit("operators.list", {}, callback=self._operators)
        find("bulk-status").bind("change", lambda e: self._choice("status", e))
        find("bulk-priority").bind("change", lambda e: self._choice("priority", e))
        find("bulk-add-tag").bind("click", self._tag)
        find("bulk-merge").bind("click", lambda _e: self._send("merge"))
        find("bulk-close").bind("click", lambda _e: self._send("close"))

    def _operators(self, ack: dict) -> None:
        if not acks.ok(ack):
            return
        select = find("bulk-assign")
        for operator in ack.get("operators") or []:
            add(select, el("option", operator["name"], value=operator["id"]))

    def _assign(self, event: object) -> None:
        value = event.currentTarget.value
        event.currentTarget.value = ""
        if value:
            self._send("assignee_id", None if value == "none" else int(value))

    def toggle(self, ticket_id: int, on: bool) -> None:
        if on and ticket_id not in self.picked:
            self.picked.append(ticket_id)
        if not on and ticket_id in self.picked:
            self.picked.remove(ticket_id)
        self._show()

    def is_picked(self, ticket_id: int) -> bool:
        return ticket_id in self.picked

    def keep_only(self, shown: list) -> None:
        """Forget picks that left the list."""
        self.picked = [ticket_id for ticket_id in self.picked if ticket_id in shown]
        self._show()

    def _show(self) -> None:
        show(find("bulk-bar"), bool(self.picked))
        find("bulk-count").text = f"{len(self.picked)} selected"

    def _choice(self, action: str, event: object) -> None:
        value = event.currentTarget.value
        event.currentTarget.value = ""
        if value:
            self._send(action, value)

    def _tag(self, _event: object) -> None:
        box = find("bulk-tag")
        tag = box.value.strip()
        if tag:
            box.value = ""
            self._send("add_tag", tag)

    def _send(self, action: str, value: object = None) -> None:
        if not self.picked or (action == "merge" and len(self.picked) < 2):
            return

        def done(ack: dict) -> None:
            if not acks.ok(ack):
                set_text(self.error, acks.error_message(ack, "Could not change the tickets."))
                return
            failed = ack.get("failed") or {}
            set_text(self.error, f"{len(failed)} could not be changed." if failed else "")
            self.picked = []
            self._show()

        self.client.emit("tickets.bulk", bulk_payload(self.picked, action, value), callback=done)
