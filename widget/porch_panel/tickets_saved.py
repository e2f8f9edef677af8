"""Saved views on the Tickets page: their buttons with live counts, and the form that
saves the current filters (personal, or shared with every operator)."""

from porch_panel.dom import add, find, set_text
from porch_panel.tickets_state import build_filters
from porch_ui import acks
from porch_ui.dom import el

FORM_FIELDS = {
    "status": "filter-status",
    "priority": "filter-priority",
    "assignee": "filter-assignee",
    "tag": "filter-tag",
    "sla": "filter-sla",
    "created_from": "filter-created-from",
    "created_to": "filter-created-to",
    "updated_from": "filter-updated-from",
    "updated_to": "filter-updated-to",
    "field_id": "filter-field",
    "field_value": "filter-field-value",
}


class SavedViewsBar:
    def __init__(self, client: object, error: object, on_pick: object) -> None:
        self.client = client
        self.error = error
        self.on_pick = on_pick
        self.known_fields = set()
        find("saved-view-save-form").bind("submit", self._save)

    def render(self, views: list, current: "int | None") -> None:
        bar = find("saved-views")
        bar.clear()
        for view in views:
            button = el(
                "button", view["name"] + " ", type="button", data_testid="saved-view",
                data_view_id=view["id"],
            )  # fmt: skip
            button.attrs["aria-pressed"] = "true" if view["id"] == current else "false"
            add(button, el("span", str(view.get("count", 0)), cls="count",
                           data_testid="saved-view-count"))  # fmt: skip
            button.bind("click", lambda _e, view_id=view["id"]: self.on_pick(view_id))
            add(bar, button)

    def fields(self, fields: list) -> None:
        """Offer the custom fields seen so far in the form's field filter."""
        select = find("filter-field")
        for field in fields:
            if field["id"] not in self.known_fields:
                self.known_fields.add(field["id"])
                add(select, el("option", field["name"], value=field["id"]))

    def _save(self, event: object) -> None:
        event.preventDefault()
        form = {name: find(testid).value for name, testid in FORM_FIELDS.items()}
        payload = {
            "name": find("saved-view-name").value.strip(),
            "filters": build_filters(form),
            "sort": find("filter-sort").value,
            "shared": bool(find("saved-view-shared").checked),
        }

        def done(ack: dict) -> None:
            if not acks.ok(ack):
                set_text(self.error, acks.error_message(ack, "Could not save the view."))
                return
            find("saved-view-name").value = ""
            find("saved-view-form").open = False
            self.on_pick(ack["view"]["id"])

        self.client.emit("ticket_views.save", payload, callback=done)
