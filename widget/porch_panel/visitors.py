"""The live visitors page: who is on the site, where, for how long; start a chat."""

from browser import timer, window

from porch_panel import timefmt
from porch_panel.dom import add, find, set_text, show
from porch_panel.state import visitor_order
from porch_ui import acks
from porch_ui.dom import el


def identity_badge(visitor: dict) -> object:
    """Verified (the site vouched for them), unverified (an email they typed), or nothing."""
    if visitor.get("verified"):
        return el("span", "Verified", cls="identity verified", data_testid="visitor-verified")
    if visitor.get("email"):
        return el("span", "Unverified", cls="identity unverified", data_testid="visitor-unverified")
    return el("span")


TICK_MS = 1000


def parse_ms(iso: "str | None") -> float:
    return window.Date.parse(iso) if iso else window.Date.now()


class VisitorsView:
    def __init__(self, client: object) -> None:
        self.client = client
        self.visitors: dict = {}
        self.body = find("visitor-list")
        self.error = find("visitors-error")
        client.on("connect", self._on_connect)
        client.on("visitor.updated", self._on_visitor)
        client.on("visitors.removed", self._on_removed)
        timer.set_interval(self._tick, TICK_MS)
        self.render()

    def _on_connect(self, *_args: object) -> None:
        def done(ack: dict) -> None:
            if acks.ok(ack):
                self.visitors = {v["id"]: v for v in ack.get("visitors") or []}
                self.render()

        self.client.emit("visitors.list", {}, callback=done)

    def _on_visitor(self, visitor: dict) -> None:
        self.visitors[visitor["id"]] = visitor
        self.render()

    def _on_removed(self, data: dict) -> None:
        for visitor_id in data.get("ids") or []:
            self.visitors.pop(visitor_id, None)
        self.render()

    def render(self) -> None:
        ordered = visitor_order(list(self.visitors.values()))
        self.body.clear()
        for visitor in ordered:
            add(self.body, self._row(visitor))
        online = sum(1 for v in ordered if v.get("online"))
        find("visitors-count").text = f"{online} online · {len(ordered)} recent"
        show(find("visitors-empty"), not ordered)
        self._tick()

    def _row(self, visitor: dict) -> object:
        online = bool(visitor.get("online"))
        row = el(
            "tr",
            cls="visitor-row",
            data_testid="visitor-row",
            data_visitor_id=visitor["id"],
            data_online="true" if online else "false",
        )
        name = visitor.get("name") or "Visitor"
        who = el("td")
        add(who, el("div", name, cls="name", data_testid="visitor-name"))
        if visitor.get("email"):
            add(who, el("div", visitor["email"], cls="muted"))
        add(who, identity_badge(visitor))
        add(who, el("div", "Online" if online else "Offline", cls="status"))
        add(row, who)
        page = visitor.get("current_page") or {}
        where = el("td")
        add(
            where,
            el("div", page.get("title") or "(untitled page)", data_testid="visitor-page-title"),
        )
        add(where, el("div", page.get("url") or "", cls="url", data_testid="visitor-page-url"))
        add(row, where)
        add(row, el("td", str(visitor.get("pages_viewed") or 0), data_testid="pages-viewed"))
        clock = el("td", "", data_testid="time-on-site")
        clock.attrs["data-first"] = str(parse_ms(visitor.get("first_seen_at")))
        clock.attrs["data-last"] = "" if online else str(parse_ms(visitor.get("last_seen_at")))
        add(row, clock)
        action = el("td")
        label = "Open chat" if visitor.get("conversation_id") else "Start chat"
        button = el("button", label, type="button", data_testid="start-chat")
        button.attrs["aria-label"] = f"{label} with {name}"
        button.bind("click", lambda _e: self._start_chat(visitor["id"], button))
        add(action, button)
        add(row, action)
        return row

    def _tick(self) -> None:
        """Time on site runs while a visitor is online and stops when they leave."""
        now = window.Date.now()
        for cell in self.body.select('[data-testid="time-on-site"]'):
            first = float(cell.attrs["data-first"])
            last = cell.attrs["data-last"]
            cell.text = timefmt.duration(((float(last) if last else now) - first) / 1000)

    def _start_chat(self, visitor_id: int, button: object) -> None:
        button.disabled = True

        def done(ack: dict) -> None:
            if acks.ok(ack):
                window.location.assign(f"/panel?c={ack['conversation']['id']}")
                return
            button.disabled = False
            set_text(self.error, acks.error_message(ack, "Could not start a chat."))

        self.client.emit("conversation.start", {"visitor_id": visitor_id}, callback=done)
