"""Tags and snooze in the inbox: the tag filter above the list, tag chips on list items,
and in the open conversation a tag editor and a snooze menu (presets computed by the
server in the site's time zone and business hours, or a custom time)."""

from browser import window

from porch_panel.dom import add, find, set_text, show
from porch_ui import acks
from porch_ui.dom import el

PRESETS = [
    ("", "Snooze…"),
    ("1h", "For 1 hour"),
    ("tomorrow", "Until tomorrow morning"),
    ("next_week", "Until next week"),
    ("custom", "Until a time…"),
]


def url_tag() -> str:
    return window.URLSearchParams.new(window.location.search).get("tag") or ""


def when(iso: "str | None") -> str:
    return window.Date.new(iso).toLocaleString() if iso else ""


class InboxTools:
    def __init__(self, client: object, inbox: object) -> None:
        self.client = client
        self.inbox = inbox  # InboxView: select, render_list, conversation, inbox (InboxList)
        self.tag = url_tag()
        self.marks: dict = {}  # conversation id -> {"tags": [...], "snoozed_until": iso}
        self.snoozed: set = set()
        self._build_filter()
        self._build_controls()
        client.on("conversation.tags", self._on_tags)
        client.on("conversation.snoozed", self._on_snoozed)
        client.on("conversation.woke", self._on_woke)
        client.on("ticket.updated", lambda _data: self.opened(self._current()))

    # -- the list --------------------------------------------------------------------

    def query(self, status: str) -> dict:
        return {"status": status, "tag": self.tag or None}

    def listed(self, ack: dict) -> None:
        for summary in ack.get("conversations") or []:
            self.marks[summary["id"]] = {
                "tags": summary.get("tags") or [],
                "snoozed_until": summary.get("snoozed_until"),
            }
            if summary.get("snoozed_until"):
                self.snoozed.add(summary["id"])
        self._fill_filter(ack.get("all_tags") or [])

    def hidden(self, summary: dict) -> bool:
        """A snoozed conversation stays out of the open list whatever else changes."""
        return self.inbox.inbox.status == "open" and summary.get("id") in self.snoozed

    def url_params(self) -> list:
        return [f"tag={window.encodeURIComponent(self.tag)}"] if self.tag else []

    def decorate(self, item: object, summary: dict) -> None:
        tags = (self.marks.get(summary["id"]) or {}).get("tags") or []
        if tags:
            row = el("span", cls="tag-row")
            for tag in tags:
                add(row, el("span", tag, cls="tag", data_testid="conversation-tag"))
            add(item, row)

    def _build_filter(self) -> None:
        self.filter = el("select", data_testid="tag-filter", cls="tag-filter")
        self.filter.attrs["aria-label"] = "Filter by tag"
        self.filter.bind("change", self._on_filter)
        add(find("inbox").select_one(".list-head"), self.filter)
        self._fill_filter([])

    def _fill_filter(self, tags: list) -> None:
        known = sorted(set(tags) | ({self.tag} if self.tag else set()))
        self.filter.clear()
        add(self.filter, el("option", "All tags", value=""))
        for tag in known:
            add(self.filter, el("option", tag, value=tag))
        self.filter.value = self.tag

    def _on_filter(self, _event: object) -> None:
        self.tag = self.filter.value
        window.history.pushState("", "", self.inbox._url())
        self.inbox._load_list()

    # -- the open conversation -------------------------------------------------------

    def _build_controls(self) -> None:
        actions = find("conversation-view").select_one(".conversation-actions")
        self.snooze = el("select", data_testid="snooze-select")
        self.snooze.attrs["aria-label"] = "Snooze"
        for value, label in PRESETS:
            add(self.snooze, el("option", label, value=value))
        self.snooze.bind("change", self._on_snooze_choice)
        self.custom = el("input", type="datetime-local", data_testid="snooze-custom")
        self.custom.attrs["aria-label"] = "Snooze until"
        self.apply = el("button", "Snooze", type="button", data_testid="snooze-apply")
        self.apply.bind("click", self._on_custom)
        show(self.custom, False)
        show(self.apply, False)
        add(actions, self.snooze, self.custom, self.apply)
        self.snoozed_line = el("p", cls="muted", data_testid="snoozed-until")
        self.wake_button = el("button", "Wake now", type="button", data_testid="wake-conversation")
        self.wake_button.bind("click", self._on_wake)
        self.tags = el("div", cls="tag-editor", data_testid="conversation-tags")
        self.tag_input = el(
            "input", data_testid="tag-input", maxlength="40", placeholder="Add a tag…"
        )
        self.tag_input.attrs["aria-label"] = "Add a tag"
        self.tag_input.bind("keydown", self._on_tag_key)
        head = find("conversation-view").select_one(".conversation-head")
        box = el("div", cls="inbox-tools")
        add(box, self.tags, self.tag_input, self.snoozed_line, self.wake_button)
        head.parentNode.insertBefore(box, head.nextSibling)
        show(self.snoozed_line, False)
        show(self.wake_button, False)

    def opened(self, conversation_id: "int | None") -> None:
        if conversation_id is None:
            return
        self._render_marks(conversation_id)

        def done(ack: dict) -> None:
            if acks.ok(ack):
                self.marks[conversation_id] = {
                    "tags": ack.get("tags") or [],
                    "snoozed_until": ack.get("snoozed_until"),
                }
                self._render_marks(conversation_id)

        self.client.emit("conversation.marks", {"conversation_id": conversation_id}, callback=done)

    def _current(self) -> "int | None":
        return self.inbox.conversation.conversation_id

    def _render_marks(self, conversation_id: int) -> None:
        if conversation_id != self._current():
            return
        mark = self.marks.get(conversation_id) or {}
        self.tags.clear()
        for tag in mark.get("tags") or []:
            chip = el("span", cls="tag", data_testid="tag-chip", data_tag=tag)
            remove = el("button", "×", type="button", cls="ghost", data_testid="tag-remove")
            remove.attrs["aria-label"] = f"Remove tag {tag}"
            remove.bind("click", lambda _e, t=tag: self._untag(t))
            add(chip, el("span", tag), remove)
            add(self.tags, chip)
        until = mark.get("snoozed_until")
        set_text(self.snoozed_line, f"Snoozed until {when(until)}" if until else "")
        show(self.wake_button, bool(until))

    def _on_tag_key(self, event: object) -> None:
        if event.key != "Enter" or event.isComposing:
            return
        event.preventDefault()
        tag = self.tag_input.value.strip()
        conversation_id = self._current()
        if not tag or conversation_id is None:
            return
        self.tag_input.value = ""
        payload = {"conversation_id": conversation_id, "tag": tag}
        self.client.emit("conversation.tag", payload, callback=self._on_tag_ack)

    def _untag(self, tag: str) -> None:
        payload = {"conversation_id": self._current(), "tag": tag}
        self.client.emit("conversation.untag", payload, callback=self._on_tag_ack)

    def _on_tag_ack(self, ack: dict) -> None:
        if not acks.ok(ack):
            set_text(find("conversation-error"), acks.error_message(ack, "tag not saved"))

    def focus_snooze(self) -> None:
        self.snooze.focus()

    def focus_tags(self) -> None:
        self.tag_input.focus()

    def _on_snooze_choice(self, _event: object) -> None:
        choice = self.snooze.value
        custom = choice == "custom"
        show(self.custom, custom)
        show(self.apply, custom)
        if custom:
            self.custom.focus()
        elif choice:
            self._snooze({"preset": choice})

    def _on_custom(self, _event: object) -> None:
        if self.custom.value:
            self._snooze({"until": window.Date.new(self.custom.value).toISOString()})

    def _snooze(self, what: dict) -> None:
        conversation_id = self._current()
        if conversation_id is None:
            return
        payload = {"conversation_id": conversation_id}
        payload.update(what)

        def done(ack: dict) -> None:
            self.snooze.value = ""
            show(self.custom, False)
            show(self.apply, False)
            if not acks.ok(ack):
                set_text(find("conversation-error"), acks.error_message(ack, "not snoozed"))

        self.client.emit("conversation.snooze", payload, callback=done)

    def _on_wake(self, _event: object) -> None:
        conversation_id = self._current()
        if conversation_id is not None:
            self.client.emit("conversation.wake", {"conversation_id": conversation_id})

    # -- live ------------------------------------------------------------------------

    def _on_tags(self, data: dict) -> None:
        conversation_id = data.get("conversation_id")
        mark = self.marks.setdefault(conversation_id, {"tags": [], "snoozed_until": None})
        mark["tags"] = data.get("tags") or []
        self._render_marks(conversation_id)
        self.inbox.render_list()

    def _on_snoozed(self, data: dict) -> None:
        conversation_id = data.get("conversation_id")
        self.snoozed.add(conversation_id)
        mark = self.marks.setdefault(conversation_id, {"tags": [], "snoozed_until": None})
        mark["snoozed_until"] = data.get("until")
        if self.inbox.inbox.status == "open":
            self.inbox.inbox.remove([conversation_id])
        self._render_marks(conversation_id)
        self.inbox.render_list()

    def _on_woke(self, data: dict) -> None:
        conversation_id = data.get("conversation_id")
        self.snoozed.discard(conversation_id)
        mark = self.marks.setdefault(conversation_id, {"tags": [], "snoozed_until": None})
        mark["snoozed_until"] = None
        summary = data.get("conversation")
        if summary:
            self.inbox.inbox.upsert(summary)  # back in the open list, out of "Snoozed"
        self._render_marks(conversation_id)
        self.inbox.render_list()
