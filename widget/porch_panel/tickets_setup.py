"""A site's ticket setup from the ticket's page: add custom fields, custom statuses (each
behaving as a built-in one) and templates to the site of the ticket shown."""

from porch_panel.dom import find, set_text
from porch_panel.tickets_state import split_list
from porch_ui import acks


class TicketSetup:
    def __init__(self, client: object, on_change: object) -> None:
        self.client = client
        self.on_change = on_change
        self.site_id = None
        find("setup-field-form").bind("submit", self._field)
        find("setup-status-form").bind("submit", self._status)
        find("setup-template-form").bind("submit", self._template)

    def _send(self, event: str, payload: dict, form: str, done_text: str) -> None:
        result = find("setup-result")

        def done(ack: dict) -> None:
            if not acks.ok(ack):
                set_text(result, acks.error_message(ack, "Could not add it."))
                return
            find(form).reset()
            set_text(result, done_text)
            self.on_change()

        self.client.emit(event, {"site_id": self.site_id, **payload}, callback=done)

    def _field(self, event: object) -> None:
        event.preventDefault()
        if self.site_id is None:
            return
        name = find("setup-field-name").value.strip()
        payload = {
            "name": name,
            "kind": find("setup-field-kind").value,
            "options": split_list(find("setup-field-options").value),
        }
        self._send("ticket_fields.add", payload, "setup-field-form", f"Field {name} added.")

    def _status(self, event: object) -> None:
        event.preventDefault()
        if self.site_id is None:
            return
        name = find("setup-status-name").value.strip()
        payload = {"name": name, "maps_to": find("setup-status-maps").value}
        self._send("ticket_statuses.add", payload, "setup-status-form", f"Status {name} added.")

    def _template(self, event: object) -> None:
        event.preventDefault()
        if self.site_id is None:
            return
        name = find("setup-template-name").value.strip()
        payload = {
            "name": name,
            "subject": find("setup-template-subject").value.strip(),
            "priority": find("setup-template-priority").value,
            "tags": split_list(find("setup-template-tags").value),
            "note": find("setup-template-note").value.strip(),
            "canned": split_list(find("setup-template-canned").value),
        }
        self._send(
            "ticket_templates.add", payload, "setup-template-form", f"Template {name} added."
        )
