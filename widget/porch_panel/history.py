"""Beside the conversation: the visitor's other conversations (from `conversation.watch`'s
`history`, kept fresh by `conversation.updated`). Each opens in the panel like an inbox
item, whichever inbox tab it would be listed under. Text goes in through `.text`.
"""

from porch_panel.dom import add, find, show
from porch_panel.state import preview
from porch_ui.clock import day_and_time
from porch_ui.dom import el

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

STATUS_LABELS = {"open": "Open", "closed": "Closed"}


class PastConversations:
    def __init__(self, on_open: "Callable[[int], None]") -> None:
        self.on_open = on_open
        self.box = find("past-conversations")
        self.title = find("past-conversations-title")
        self.list = find("past-conversation-list")
        self.visitor_id = None
        self.current: dict = {}  # the open conversation's summary
        self.items: dict = {}

    def clear(self) -> None:
        self.visitor_id = None
        self.current = {}
        self.items = {}
        self.render()

    def show(self, current: dict, history: list) -> None:
        """The conversation just opened (its summary) and the visitor's others."""
        self.visitor_id = current.get("visitor_id")
        self.current = current
        self.items = {s["id"]: s for s in history if isinstance(s, dict) and "id" in s}
        self.render()

    def upsert(self, summary: dict) -> None:
        """Any conversation changed: one of this visitor's others (maybe a new one)."""
        if self.visitor_id is None or summary.get("visitor_id") != self.visitor_id:
            return
        if summary.get("id") == self.current.get("id"):
            self.current = summary
            return
        self.items[summary["id"]] = summary
        self.render()

    def remove(self, conversation_ids: list) -> None:
        if any(self.items.pop(i, None) is not None for i in list(conversation_ids)):
            self.render()

    def render(self) -> None:
        ordered = sorted(
            self.items.values(), key=lambda s: (s.get("created_at") or "", s["id"]), reverse=True
        )
        self.list.clear()
        for summary in ordered:
            add(self.list, add(el("li"), self._item(summary)))
        started = self.current.get("created_at") or ""
        newer = any((s.get("created_at") or "") > started for s in ordered)
        label = "Other conversations" if newer else "Past conversations"
        self.title.text = f"{label} ({len(ordered)})"
        show(self.box, bool(ordered))

    def _item(self, summary: dict) -> object:
        status = summary.get("status") or ""
        href = f"/panel?c={summary['id']}" + ("&status=closed" if status == "closed" else "")
        item = el(
            "a",
            cls="past-conversation",
            href=href,
            data_testid="past-conversation",
            data_id=summary["id"],
            data_status=status,
        )
        started = day_and_time(summary.get("created_at"))
        add(
            item,
            el("span", started, cls="when"),
            el("span", STATUS_LABELS.get(status, status.capitalize()), cls="state"),
            el("span", preview(summary.get("last_message")), cls="preview"),
        )
        item.bind("click", lambda event: self._on_click(event, summary["id"]))
        return item

    def _on_click(self, event: object, conversation_id: int) -> None:
        if event.ctrlKey or event.metaKey or event.shiftKey or event.button != 0:
            return  # let the browser open it in a new tab/window
        event.preventDefault()
        self.on_open(conversation_id)
