"""Keyboard shortcuts of the panel (docs/inbox.md, "Keyboard shortcuts"). They never fire
while typing in a field; `?` lists them in an overlay that Escape closes."""

from browser import document

from porch_panel.dom import add, find, show
from porch_panel.picking import neighbour
from porch_ui.dom import el

INBOX_KEYS = [
    ("j", "Next conversation"),
    ("k", "Previous conversation"),
    ("r", "Reply"),
    ("e", "Close the conversation"),
    ("a", "Assign to me"),
    ("s", "Snooze"),
    ("t", "Add a tag"),
]
EVERYWHERE = [("/", "Search"), ("?", "Show these shortcuts"), ("Esc", "Close this list")]
FIELDS = ("INPUT", "TEXTAREA", "SELECT")


def typing_in_field(target: object) -> bool:
    return target.tagName in FIELDS or bool(target.isContentEditable)


class Shortcuts:
    def __init__(self, client: object, inbox: object = None) -> None:
        self.client = client
        self.inbox = inbox  # InboxView on the inbox page, else None
        self.overlay = self._build_overlay()
        document.bind("keydown", self._on_key)

    def _build_overlay(self) -> object:
        box = el("div", cls="shortcuts-help", data_testid="shortcuts-help", role="dialog")
        box.attrs["aria-modal"] = "true"
        box.attrs["aria-labelledby"] = "shortcuts-title"
        add(box, el("h2", "Keyboard shortcuts", id="shortcuts-title"))
        listing = el("dl")
        for key, what in (INBOX_KEYS if self.inbox else []) + EVERYWHERE:
            add(listing, el("dt", key, data_testid="shortcut-key"), el("dd", what))
        close = el("button", "Close", type="button", data_testid="shortcuts-close")
        close.bind("click", lambda _e: self.help(False))
        add(box, listing, close)
        show(box, False)
        add(document.body, box)
        return box

    def help(self, visible: bool) -> None:
        show(self.overlay, visible)
        if visible:
            self.overlay.select_one("button").focus()

    def _on_key(self, event: object) -> None:
        if event.key == "Escape" and not self.overlay.hidden:
            self.help(False)
            return
        if event.ctrlKey or event.metaKey or event.altKey or event.isComposing:
            return
        if typing_in_field(event.target):
            return
        action = self._action(event.key)
        if action is not None:
            event.preventDefault()
            action()

    def _action(self, key: str) -> object:
        common = {
            "/": lambda: find("search-input").focus(),
            "?": lambda: self.help(self.overlay.hidden),
        }
        if key in common:
            return common[key]
        if self.inbox is None:
            return None
        return {
            "j": lambda: self._move(1),
            "k": lambda: self._move(-1),
            "r": lambda: find("reply-input").focus(),
            "e": self._close,
            "a": self._assign_to_me,
            "s": self.inbox.tools.focus_snooze,
            "t": self.inbox.tools.focus_tags,
        }.get(key)

    def _move(self, step: int) -> None:
        ids = [s["id"] for s in self.inbox.inbox.ordered()]
        target = neighbour(ids, self.inbox.selected, step)
        if target is not None:
            self.inbox.select(target)

    def _open_id(self) -> "int | None":
        return self.inbox.conversation.conversation_id

    def _close(self) -> None:
        if self._open_id() is not None:
            self.client.emit("conversation.close", {"conversation_id": self._open_id()})

    def _assign_to_me(self) -> None:
        if self._open_id() is not None:
            payload = {
                "conversation_id": self._open_id(),
                "operator_id": self.inbox.conversation.operator_id,
            }
            self.client.emit("conversation.assign", payload)
