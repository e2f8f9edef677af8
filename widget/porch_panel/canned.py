"""Canned replies in the reply box: typing `/` (at the start or after a space) opens the
list of the operator's replies filtered by what follows; arrows move, Enter or Tab insert,
Escape closes. The server fills placeholders (`canned.list`); the text goes in as a value,
never as HTML."""

from porch_panel.dom import add, show
from porch_panel.picking import matching, typed_shortcut
from porch_ui import acks
from porch_ui.dom import el


class CannedPicker:
    def __init__(self, client: object, composer: object) -> None:
        self.client = client
        self.composer = composer  # Composer: input, form, view.conversation_id
        self.input = composer.input
        self.replies: list = []
        self.loaded_for = None
        self.shown: list = []
        self.active = 0
        self.menu = el("ul", cls="canned-menu", data_testid="canned-menu", role="listbox")
        self.menu.attrs["aria-label"] = "Canned replies"
        show(self.menu, False)
        composer.form.insertBefore(self.menu, composer.form.firstChild)
        self.input.bind("input", self._on_input)
        # Capture on the form: runs before the textarea's own Enter-to-send handler.
        composer.form.addEventListener("keydown", self._on_keydown, True)

    # -- data ------------------------------------------------------------------------

    def _load(self) -> None:
        conversation_id = self.composer.view.conversation_id
        if conversation_id is None or conversation_id == self.loaded_for:
            return
        self.loaded_for = conversation_id

        def done(ack: dict) -> None:
            if acks.ok(ack) and conversation_id == self.composer.view.conversation_id:
                self.replies = ack.get("replies") or []
                self._on_input(None)
            elif not acks.ok(ack):
                self.loaded_for = None

        self.client.emit("canned.list", {"conversation_id": conversation_id}, callback=done)

    # -- events ----------------------------------------------------------------------

    def _on_input(self, _event: object) -> None:
        found = typed_shortcut(self.input.value, self.input.selectionStart)
        if found is None:
            self.close()
            return
        self._load()
        self.shown = matching(self.replies, found[1])
        self.active = 0
        self._render()

    def _on_keydown(self, event: object) -> None:
        if not self.shown or self.menu.hidden:
            return
        key = event.key
        if key in ("ArrowDown", "ArrowUp"):
            step = 1 if key == "ArrowDown" else -1
            self.active = (self.active + step) % len(self.shown)
            self._render()
        elif key in ("Enter", "Tab") and not event.isComposing:
            self.insert(self.shown[self.active])
        elif key == "Escape":
            self.close()
        else:
            return
        event.preventDefault()
        event.stopPropagation()

    def insert(self, reply: dict) -> None:
        value, caret = self.input.value, self.input.selectionStart
        found = typed_shortcut(value, caret)
        start = found[0] if found else caret
        text = reply["text"]
        self.input.value = value[:start] + text + value[caret:]
        where = start + len(text)
        self.input.setSelectionRange(where, where)
        self.close()
        self.input.focus()

    def close(self) -> None:
        self.shown = []
        show(self.menu, False)

    # -- rendering -------------------------------------------------------------------

    def _render(self) -> None:
        self.menu.clear()
        for i, reply in enumerate(self.shown):
            option = el(
                "li", cls="canned-option", data_testid="canned-option",
                data_shortcut=reply["shortcut"], role="option",
            )  # fmt: skip
            option.attrs["aria-selected"] = "true" if i == self.active else "false"
            add(
                option,
                el("strong", "/" + reply["shortcut"]),
                el("span", " " + reply["title"], cls="muted"),
                el("span", reply["text"], cls="canned-preview"),
            )
            option.bind("mousedown", lambda event, r=reply: self._on_pick(event, r))
            add(self.menu, option)
        if not self.shown:
            add(self.menu, el("li", "No canned reply matches", cls="muted"))
        show(self.menu, True)

    def _on_pick(self, event: object, reply: dict) -> None:
        event.preventDefault()  # keep the focus in the reply box
        self.insert(reply)
