"""The inbox page: the conversation list (left) driving the conversation view (right).

The URL is the source of truth for what is shown (`/panel?c=ID&status=closed`), so deep
links and the browser's back button work without page loads.
"""

from browser import document, timer, window

from porch_panel import timefmt
from porch_panel.conversation import ConversationView
from porch_panel.dom import add, find, find_all, show
from porch_panel.inbox_tools import InboxTools
from porch_panel.state import InboxList, preview
from porch_ui import acks
from porch_ui.dom import el

LIST_REFRESH_MS = 30_000


def now_ms() -> float:
    return window.Date.now()


def age_seconds(iso: "str | None") -> float:
    return (now_ms() - window.Date.parse(iso)) / 1000 if iso else 0


def url_state() -> tuple:
    params = window.URLSearchParams.new(window.location.search)
    status = params.get("status") if params.get("status") in ("closed", "snoozed") else "open"
    raw = params.get("c") or ""
    return status, int(raw) if raw.isdigit() else None


class InboxView:
    def __init__(self, client: object, operator_id: int, deep_link_id: "int | None") -> None:
        self.client = client
        status, selected = url_state()
        self.inbox = InboxList(status)
        self.selected = deep_link_id or selected
        self.list_node = find("conversation-list")
        self.root = find("inbox")
        self.conversation = ConversationView(client, operator_id, self._on_summary, self.select)
        self.tools = InboxTools(client, self)  # tags, snooze (docs/inbox.md)
        for button in find_all("status-filter"):
            button.bind("click", self._on_filter)
        find("back-to-list").bind("click", lambda _e: self.select(None))
        window.bind("popstate", self._on_popstate)
        document.bind("visibilitychange", self._on_visibility)
        client.on("connect", self._on_connect)
        client.on("conversation.updated", self._on_summary)
        client.on("message", self._on_message)
        client.on("visitor.typing", self._on_visitor_typing)
        client.on("visitor.updated", self.conversation.update_visitor)
        client.on("conversations.removed", self._on_removed)
        timer.set_interval(self.render_list, LIST_REFRESH_MS)  # relative times age
        self._render_filters()
        self.render_list()
        if self.selected is not None:
            window.history.replaceState("", "", self._url())  # one URL form for deep links
            self._show_selected()

    # -- navigation ------------------------------------------------------------------

    def select(self, conversation_id: "int | None", push: bool = True) -> None:
        if conversation_id == self.selected and push:
            return
        self.selected = conversation_id
        if push:
            window.history.pushState("", "", self._url())
        self._show_selected()
        self.render_list()

    def _show_selected(self) -> None:
        self.root.attrs["data-selected"] = "true" if self.selected else "false"
        if self.selected is None:
            self.conversation.leave()
        elif self.selected != self.conversation.conversation_id:
            self.conversation.open(self.selected)
            self.tools.opened(self.selected)

    def _url(self) -> str:
        params = []
        if self.selected is not None:
            params.append(f"c={self.selected}")
        if self.inbox.status != "open":
            params.append(f"status={self.inbox.status}")
        params += self.tools.url_params()
        return "/panel" + ("?" + "&".join(params) if params else "")

    def _on_popstate(self, _event: object) -> None:
        status, selected = url_state()
        if status != self.inbox.status:
            self._set_status(status)
        self.select(selected, push=False)

    def _on_filter(self, event: object) -> None:
        status = event.currentTarget.attrs["data-status"]
        if status != self.inbox.status:
            self._set_status(status)
            window.history.pushState("", "", self._url())

    def _set_status(self, status: str) -> None:
        self.inbox = InboxList(status)
        self._render_filters()
        self.render_list()
        self._load_list()

    # -- socket ----------------------------------------------------------------------

    def _on_connect(self, *_args: object) -> None:
        self._load_list()
        self.client.emit("operators.list", {}, callback=self._on_operators)
        self.conversation.watch()

    def _load_list(self) -> None:
        status = self.inbox.status

        def done(ack: dict) -> None:
            if acks.ok(ack) and status == self.inbox.status:
                self.tools.listed(ack)
                self.inbox.replace(ack.get("conversations") or [])
                self.render_list()

        self.client.emit("inbox.query", self.tools.query(status), callback=done)

    def _on_operators(self, ack: dict) -> None:
        if acks.ok(ack):
            self.conversation.set_operators(ack.get("operators") or [])

    def _on_summary(self, summary: dict) -> None:
        if not self.tools.hidden(summary):
            self.inbox.upsert(summary)
        self.conversation.apply_summary(summary)
        self.render_list()

    def _on_removed(self, data: dict) -> None:
        """Erased for privacy: gone from the list, and closed if it was open."""
        removed = data.get("ids") or []
        self.inbox.remove(removed)
        self.conversation.history.remove(removed)
        if self.selected not in removed:
            self.render_list()
            return
        self.select(None, push=False)  # renders the list
        window.history.replaceState("", "", self._url())

    def _on_message(self, message: dict) -> None:
        if message.get("conversation_id") == self.conversation.conversation_id:
            self.conversation.add_message(message)
            if message.get("author") == "visitor":
                self._mark_read()

    def _on_visibility(self, _event: object) -> None:
        if int(self.conversation.summary.get("unread") or 0):
            self._mark_read()  # back on the tab: what is on screen has now been seen

    def _mark_read(self) -> None:
        """Tell the server (so every operator's list agrees) that the open conversation has
        been seen; only when it really is on screen."""
        conversation_id = self.conversation.conversation_id
        if conversation_id is not None and document.visibilityState == "visible":
            self.client.emit("conversation.read", {"conversation_id": conversation_id})

    def _on_visitor_typing(self, data: dict) -> None:
        if data.get("conversation_id") == self.conversation.conversation_id:
            self.conversation.show_draft(data.get("draft") or "")

    # -- rendering -------------------------------------------------------------------

    def _render_filters(self) -> None:
        for button in find_all("status-filter"):
            pressed = button.attrs["data-status"] == self.inbox.status
            button.attrs["aria-pressed"] = "true" if pressed else "false"

    def render_list(self) -> None:
        items = self.inbox.ordered()
        self.list_node.clear()
        for summary in items:
            row = el("li")
            add(row, self._item(summary))
            add(self.list_node, row)
        show(find("inbox-empty"), not items)

    def _item(self, summary: dict) -> object:
        selected = summary["id"] == self.selected
        unread = 0 if selected else int(summary.get("unread") or 0)
        name = summary.get("visitor_name") or "Visitor"
        href = f"/panel?c={summary['id']}" + (
            f"&status={self.inbox.status}" if self.inbox.status != "open" else ""
        )
        item = el(
            "a",
            cls="conversation-item",
            href=href,
            data_testid="conversation-item",
            data_id=summary["id"],
            data_unread="true" if unread else "false",
        )
        if selected:
            item.attrs["aria-current"] = "true"
        when = timefmt.relative(age_seconds(summary.get("last_activity_at")))
        assignee = (summary.get("assignee") or {}).get("name")
        add(
            item,
            el("span", name, cls="name"),
            el("span", when, cls="time"),
            el("span", preview(summary.get("last_message")), cls="preview"),
        )
        if unread:
            badge = el("span", str(unread), cls="badge", data_testid="unread-badge")
            badge.attrs["aria-label"] = f"{unread} unread"
            add(item, badge)
        add(
            item,
            el("span", f"Assigned to {assignee}" if assignee else "Unassigned", cls="assignee"),
        )
        self.tools.decorate(item, summary)
        item.bind("click", lambda event: self._on_item_click(event, summary["id"]))
        return item

    def _on_item_click(self, event: object, conversation_id: int) -> None:
        if event.ctrlKey or event.metaKey or event.shiftKey or event.button != 0:
            return  # let the browser open it in a new tab/window
        event.preventDefault()
        self.select(conversation_id)
