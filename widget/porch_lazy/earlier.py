"""The visitor's earlier conversations: an entry above the thread, a list of them (when,
status, the last message), and each one's transcript, read-only, with a way back to the
current conversation. Everything is text (`textContent`), never HTML.

The elements are made here: the frame page only styles them (`.threadbar`, `.history`).
"""

from browser import document

from porch_ui.clock import day_and_time
from porch_ui.dom import el
from porch_widget.i18n import _
from porch_widget.messages import message_node
from porch_widget.threads import last_at, preview, status_label

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

CHAT, LIST, TRANSCRIPT = "chat", "list", "transcript"
HIDDEN_WHILE_BROWSING = ("porch-log", "porch-typing", "porch-offline", "porch-composer")


class EarlierView:
    """`load(conversation_id, done)` asks for a transcript and calls `done(messages)`, or
    `done(None)` when it could not be had; `on_back()` runs once the thread is shown again."""

    def __init__(
        self,
        load: "Callable[[int, Callable[[list | None], None]], None]",
        on_back: "Callable[[], None]",
    ) -> None:
        self.load = load
        self.on_back = on_back
        self.mode = CHAT
        self.conversations: list = []
        self.shown_id = None  # the conversation whose transcript is shown
        self.root = document["porch"]
        log = document["porch-log"]

        self.bar = el("div", None, "threadbar")
        self.entry = el(
            "button", "", "link earlier-entry", type="button", data_testid="porch-earlier"
        )
        self.entry.bind("click", lambda _evt: self.show_list())
        self.bar.appendChild(self.entry)
        self.bar.hidden = True

        self.pane = el("section", None, "history", aria_labelledby="porch-history-title")
        self.pane.hidden = True
        head = el("div", None, "history-head")
        self.back = el("button", "", "link back", type="button", data_testid="porch-back")
        self.back.bind("click", lambda _evt: self.show_chat())
        self.all = el("button", "All earlier conversations", "link", type="button")
        self.all.setAttribute("data-testid", "porch-earlier-all")
        self.all.bind("click", lambda _evt: self.show_list())
        head.appendChild(self.back)
        head.appendChild(self.all)
        self.title = el("h2", "", "history-title", id="porch-history-title", tabindex="-1")
        self.subtitle = el("p", "", "history-sub")
        self.list = el("ul", None, "earlier-list")
        self.transcript = el("div", None, "transcript", data_testid="porch-transcript")
        self.note = el("p", "", "history-note", role="status")
        for node in (head, self.title, self.subtitle, self.list, self.transcript, self.note):
            self.pane.appendChild(node)
        self.root.insertBefore(self.bar, log)
        self.root.insertBefore(self.pane, log)
        self.set_unread(0)

    @property
    def browsing(self) -> bool:
        return self.mode != CHAT

    # -- state from the controller ---------------------------------------------------

    def update(self, conversations: list) -> None:
        """The visitor's earlier conversations changed (hello, or one more after a close)."""
        self.conversations = conversations
        count = len(conversations)
        self.entry.textContent = f"{_('Earlier conversations')} ({count})"
        self.entry.setAttribute(
            "aria-label",
            f"{_('Earlier conversations')}: {count}" if count else _("Earlier conversations"),
        )
        self.bar.hidden = not count
        if self.mode == LIST:
            self._render_list()
        elif self.mode == TRANSCRIPT and self._find(self.shown_id) is None:
            self.show_chat()  # it became the current conversation again

    def set_unread(self, count: int) -> None:
        """Replies in the current conversation while the visitor reads an earlier one."""
        label = _("Back to the chat")
        self.back.textContent = f"← {label}" + (f" · {count} new" if count else "")
        self.back.setAttribute(
            "aria-label", f"{label}, {count} new" if count else f"{label} (current conversation)"
        )

    # -- views -----------------------------------------------------------------------

    def show_list(self) -> None:
        self._browse(LIST)
        self.shown_id = None
        self.title.textContent = _("Earlier conversations")
        self.subtitle.textContent = "Choose one to read it again."
        self.all.hidden = True
        self.list.hidden = False
        self.transcript.hidden = True
        self._set_note("")
        self._render_list()
        self.title.focus()

    def show_transcript(self, conversation_id: int) -> None:
        conversation = self._find(conversation_id)
        if conversation is None:
            return
        self._browse(TRANSCRIPT)
        self.shown_id = conversation_id
        self.title.textContent = "Earlier conversation"
        started = day_and_time(conversation.get("created_at"))
        status = status_label(conversation.get("status"))
        self.subtitle.textContent = f"Started {started} · {status}" if started else status
        self.all.hidden = False
        self.list.hidden = True
        self.transcript.hidden = False
        self.transcript.clear()
        self._set_note("Loading…")
        self.title.focus()
        self.load(conversation_id, lambda messages: self._show_messages(conversation_id, messages))

    def show_chat(self) -> None:
        if self.mode == CHAT:
            return
        self.mode = CHAT
        self.shown_id = None
        self.transcript.clear()
        self.pane.hidden = True
        self._hide_chat(False)
        if not self.bar.hidden:
            self.entry.focus()  # where the visitor left from
        else:
            document["porch-input"].focus()
        self.on_back()

    # -- rendering -------------------------------------------------------------------

    def _browse(self, mode: str) -> None:
        self.mode = mode
        self._hide_chat(True)
        self.pane.hidden = False

    def _hide_chat(self, hidden: bool) -> None:
        self.bar.classList.toggle("gone", hidden)
        for name in HIDDEN_WHILE_BROWSING:
            document[name].classList.toggle("gone", hidden)

    def _render_list(self) -> None:
        self.list.clear()
        for conversation in self.conversations:
            item = el("li")
            item.appendChild(self._item(conversation))
            self.list.appendChild(item)
        if not self.conversations:
            self.list.appendChild(el("li", "No earlier conversations.", "history-note"))

    def _item(self, conversation: dict) -> object:
        status = conversation.get("status") or ""
        button = el(
            "button",
            None,
            "earlier-item",
            type="button",
            data_testid="porch-earlier-item",
            data_status=status,
        )
        top = el("span", None, "top")
        top.appendChild(el("span", day_and_time(last_at(conversation)), "when"))
        top.appendChild(el("span", status_label(status), "state"))
        button.appendChild(top)
        button.appendChild(el("span", preview(conversation.get("last_message")), "preview"))
        conversation_id = conversation["id"]
        button.bind("click", lambda _evt: self.show_transcript(conversation_id))
        return button

    def _show_messages(self, conversation_id: int, messages: "list | None") -> None:
        if self.mode != TRANSCRIPT or self.shown_id != conversation_id:
            return  # the visitor moved on meanwhile
        self.transcript.clear()
        if messages is None:
            self._set_note("This conversation could not be loaded. Try again in a moment.")
            return
        for message in messages:
            self.transcript.appendChild(message_node(message, "sent"))
        conversation = self._find(conversation_id) or {}
        if not messages:
            self._set_note("No messages in this conversation.")
        elif conversation.get("status") == "closed":
            self._set_note("This conversation is closed.")
        else:
            self._set_note("")

    def _set_note(self, text: str) -> None:
        self.note.textContent = text
        self.note.hidden = not text

    def _find(self, conversation_id: object) -> "dict | None":
        for conversation in self.conversations:
            if conversation["id"] == conversation_id:
                return conversation
        return None
