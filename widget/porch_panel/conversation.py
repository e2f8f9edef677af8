"""The open conversation: header, messages, typing preview, assignment, close/reopen, and
the visitor's other conversations."""

from porch_panel.composer import Composer
from porch_panel.dom import add, find, set_text, show
from porch_panel.history import PastConversations
from porch_panel.messages import confirm_node, fail_node, message_node
from porch_panel.orders import OrdersPanel
from porch_panel.state import MessageIndex, typing_line
from porch_ui import acks
from porch_ui.clock import day_and_time
from porch_ui.dom import el


class ConversationView:
    def __init__(
        self, client: object, operator_id: int, on_summary: object, on_open: object
    ) -> None:
        self.client = client
        self.operator_id = operator_id
        self.on_summary = on_summary  # called with every fresher ConversationSummary
        self.conversation_id = None
        self.summary: dict = {}
        self.visitor: dict = {}
        self.operators: list = []
        self.index = MessageIndex()
        self.pending_nodes: dict = {}
        self.view = find("conversation-view")
        self.placeholder = find("no-selection")
        self.list = find("message-list")
        self.preview = find("typing-preview")
        self.error = find("conversation-error")
        self.assign = find("assign-select")
        self.close_button = find("close-conversation")
        self.reopen_button = find("reopen-conversation")
        self.composer = Composer(client, self)
        self.orders = OrdersPanel()
        self.history = PastConversations(on_open)  # on_open(id): open another conversation
        self.assign.bind("change", self._on_assign)
        self.close_button.bind("click", lambda _e: self._set_status("conversation.close"))
        self.reopen_button.bind("click", lambda _e: self._set_status("conversation.reopen"))

    # -- opening ---------------------------------------------------------------------

    def open(self, conversation_id: int) -> None:
        if self.conversation_id is not None and self.conversation_id != conversation_id:
            self.client.emit("conversation.unwatch", {"conversation_id": self.conversation_id})
        self.conversation_id = conversation_id
        self.summary, self.visitor = {}, {}
        self.index = MessageIndex()
        self.pending_nodes = {}
        self.list.clear()
        self.composer.reset()
        self.orders.clear()
        self.history.clear()
        set_text(self.preview, "")
        set_text(self.error, "")
        find("visitor-name").text = "Loading…"
        show(self.placeholder, False)
        show(self.view, True)
        if self.client.connected:
            self.watch()

    def leave(self) -> None:
        if self.conversation_id is not None:
            self.client.emit("conversation.unwatch", {"conversation_id": self.conversation_id})
        self.conversation_id = None
        self.composer.reset()
        show(self.view, False)
        show(self.placeholder, True)

    def watch(self) -> None:
        """Load (or after a reconnect, re-load) the open conversation and join its room."""
        conversation_id = self.conversation_id
        if conversation_id is None:
            return

        def done(ack: dict) -> None:
            if conversation_id != self.conversation_id:
                return  # the operator moved on meanwhile
            if not acks.ok(ack):
                self._show_error(ack, "This conversation could not be loaded.")
                return
            self.visitor = ack.get("visitor") or {}
            self.apply_summary(ack["conversation"])
            self.history.show(ack["conversation"], ack.get("history") or [])
            for message in ack.get("messages") or []:
                self.add_message(message)
            self.show_draft(ack.get("draft") or "")
            self.composer.resend_pending()

        self.client.emit("conversation.watch", {"conversation_id": conversation_id}, callback=done)

    # -- live updates ----------------------------------------------------------------

    def apply_summary(self, summary: dict) -> None:
        self.history.upsert(summary)
        if summary.get("id") != self.conversation_id:
            return
        self.summary = summary
        self._render_header()
        self._render_assign()
        closed = summary.get("status") == "closed"
        show(self.close_button, not closed)
        show(self.reopen_button, closed)

    def update_visitor(self, visitor: dict) -> None:
        if visitor.get("id") == self.summary.get("visitor_id"):
            self.visitor = visitor
            self._render_header()

    def add_message(self, message: dict) -> None:
        verdict = self.index.classify(message)
        if verdict == MessageIndex.CONFIRM:
            self.confirm(message)
        elif verdict == MessageIndex.NEW:
            self._append(message_node(message))
            if message.get("author") == "visitor":
                self.show_draft("")

    def show_draft(self, draft: str) -> None:
        name = self.visitor.get("name") or self.summary.get("visitor_name") or "Visitor"
        set_text(self.preview, typing_line(name, draft))

    # -- our own messages (called by the composer) -----------------------------------

    def add_pending(self, payload: dict) -> None:
        self.index.add_pending(payload["client_id"])
        message = dict(payload, author="operator", author_name="You")
        node = message_node(message, pending=True)
        self.pending_nodes[payload["client_id"]] = node
        self._append(node)

    def confirm(self, message: dict) -> None:
        if message.get("conversation_id") != self.conversation_id:
            return  # the ack of a reply sent before the operator switched conversations
        node = self.pending_nodes.pop(message.get("client_id"), None)
        if node is None:
            self.add_message(message)  # an ack after a reload of the conversation
            return
        self.index.classify(message)
        confirm_node(node, message)

    def fail(self, client_id: str, reason: str) -> None:
        node = self.pending_nodes.pop(client_id, None)
        if node is not None:
            fail_node(node, reason)

    # -- rendering -------------------------------------------------------------------

    def _append(self, node: object) -> None:
        add(self.list, node)
        self.list.scrollTop = self.list.scrollHeight

    def _render_header(self) -> None:
        visitor, summary = self.visitor, self.summary
        find("visitor-name").text = visitor.get("name") or summary.get("visitor_name") or ""
        find("visitor-email").text = visitor.get("email") or "No email yet"
        verified = bool(visitor.get("verified"))
        show(find("visitor-verified"), verified)
        show(find("visitor-unverified"), not verified and bool(visitor.get("email")))
        page = visitor.get("current_page") or {}
        where = " — ".join(p for p in (page.get("title"), page.get("url")) if p)
        find("visitor-page").text = f"On: {where}" if where else ""
        visitor_details(find("visitor-details"), visitor)
        self.orders.show_for(visitor)

    def set_operators(self, operators: list) -> None:
        self.operators = operators
        self._render_assign()

    def _render_assign(self) -> None:
        assignee = self.summary.get("assignee") or {}
        current = str(assignee.get("id") or "")
        choices = [("", "Unassigned"), (str(self.operator_id), "Me")]
        choices += [
            (str(o["id"]), o.get("name") or f"Operator {o['id']}")
            for o in self.operators
            if o.get("id") != self.operator_id
        ]
        if current and current not in [value for value, _ in choices]:
            choices.append((current, assignee.get("name") or "Someone"))
        self.assign.clear()
        for value, label in choices:
            add(self.assign, el("option", label, value=value))
        self.assign.value = current

    # -- operator actions ------------------------------------------------------------

    def _on_assign(self, _event: object) -> None:
        value = self.assign.value
        payload = {
            "conversation_id": self.conversation_id,
            "operator_id": int(value) if value else None,
        }
        self.client.emit("conversation.assign", payload, callback=self._on_changed)

    def _set_status(self, event: str) -> None:
        payload = {"conversation_id": self.conversation_id}
        self.client.emit(event, payload, callback=self._on_changed)

    def _on_changed(self, ack: dict) -> None:
        if acks.ok(ack):
            set_text(self.error, "")
            self.apply_summary(ack["conversation"])
            self.on_summary(ack["conversation"])
        else:
            self._show_error(ack, "That did not work. Try again.")
            self._render_assign()  # put the select back to the real assignee

    def _show_error(self, ack: "dict | None", fallback: str) -> None:
        set_text(self.error, acks.error_message(ack, fallback))


DETAILS = (
    ("email", "Email"),
    ("location", "Location (guessed)"),
    ("device", "Device"),
    ("pages_viewed", "Pages this visit"),
)
TAGS = "tags"  # the contact property with their tags, comma-separated (shown as chips)


def visitor_details(box: object, visitor: dict) -> None:
    """Who the visitor is, as text: email, where (a guess from their browser's time zone
    and language), device, pages this visit, first seen, tags and the contact properties
    the site set. The orders and past conversations follow in the same side panel."""
    box.textContent = ""
    shown = 0
    for key, label in DETAILS:
        if visitor.get(key):
            _detail(box, key, label, el("dd", str(visitor[key])))
            shown += 1
    if visitor.get("first_seen_at"):
        _detail(box, "first_seen", "First seen", el("dd", day_and_time(visitor["first_seen_at"])))
        shown += 1
    tags = [str(t) for t in visitor.get("tags") or []][:30]
    if tags:
        chips = el("dd")
        for tag in tags:
            add(chips, el("span", tag, cls="tag", data_testid="visitor-tag"))
        _detail(box, "tags", "Tags", chips)
        shown += 1
    attributes = visitor.get("attributes") or {}
    for key in [k for k in sorted(attributes) if k != TAGS][:20]:
        _detail(box, "property", str(key), el("dd", str(attributes[key])))
        shown += 1
    show(box, bool(shown))


def _detail(box: object, key: str, label: str, value: object) -> None:
    value.setAttribute("data-testid", "visitor-detail")
    value.setAttribute("data-detail", key)
    add(box, el("dt", label), value)
