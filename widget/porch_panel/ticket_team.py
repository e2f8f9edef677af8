"""A ticket's team on the Tickets page: a select in the detail (filled from `teams.list`,
changed with `ticket.update`) and a badge in the list. Team names go in as text."""

from porch_panel.dom import add, find
from porch_ui import acks
from porch_ui.dom import el


def team_badge(ticket: dict) -> "object | None":
    team = ticket.get("team") or {}
    if not team.get("name"):
        return None
    return el("span", team["name"], cls="badge", data_testid="ticket-team")


class TicketTeam:
    def __init__(self, client: object, change: object) -> None:
        self.client = client
        self.change = change  # TicketsView._change: sends `ticket.update`
        self.select = find("ticket-team-select")
        self.wanted = ""
        self.select.bind("change", self._on_change)
        client.on("connect", lambda *_a: self.load())

    def load(self) -> None:
        def done(ack: dict) -> None:
            if not acks.ok(ack):
                return
            self.select.clear()
            add(self.select, el("option", "No team", value=""))
            for team in ack.get("teams") or []:
                add(self.select, el("option", team["name"], value=str(team["id"])))
            self.select.value = self.wanted

        self.client.emit("teams.list", {}, callback=done)

    def show(self, ticket: dict) -> None:
        self.wanted = str((ticket.get("team") or {}).get("id") or "")
        self.select.value = self.wanted

    def _on_change(self, event: object) -> None:
        value = event.currentTarget.value
        self.wanted = value
        self.change({"team_id": int(value) if value else None})
