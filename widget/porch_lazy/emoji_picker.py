"""The emoji picker beside the message box (docs/widget.md, "Emoji").

Its list (`/widget/assets/emoji.json`) is fetched the first time it opens, never with the
widget. Search matches the emoji's names; the ones used last come first (`localStorage`
`porch:emoji-recent`). Keyboard: the button opens it with the search box focused; arrows
move through the grid (Down from the search box enters it), Enter picks, Escape closes and
returns to the message box.
"""

from browser import document, window

from porch_ui.dom import el
from porch_ui.emoji import remember, search
from porch_widget.i18n import _

RECENT_KEY = "porch:emoji-recent"
COLUMNS = 8
MOVES = {"ArrowRight": 1, "ArrowLeft": -1, "ArrowDown": COLUMNS, "ArrowUp": -COLUMNS}


class EmojiPicker:
    def __init__(self, url: str, on_pick: object) -> None:
        self.url = url
        self.on_pick = on_pick  # inserts the emoji where the caret is
        self.button = document["porch-emoji"]
        self.panel = document["porch-emoji-picker"]
        self.query = document["porch-emoji-search"]
        self.grid = document["porch-emoji-grid"]
        self.recent_row = document["porch-emoji-recent"]
        self.entries: list | None = None
        self.loading = False
        self.recent = _load_recent()
        self.button.bind("click", self.toggle)
        self.query.bind("input", lambda _evt: self._render())
        self.panel.bind("keydown", self._keydown)
        document.bind("click", self._outside)

    @property
    def is_open(self) -> bool:
        return not self.panel.hidden

    def toggle(self, _evt: object = None) -> None:
        if self.is_open:
            self.close()
        else:
            self.open()

    def open(self) -> None:
        self.panel.hidden = False
        self.button.setAttribute("aria-expanded", "true")
        self.query.value = ""
        self._render_recent()
        if self.entries is None:
            self._load()
        else:
            self._render()
        self.query.focus()

    def close(self) -> None:
        self.panel.hidden = True
        self.button.setAttribute("aria-expanded", "false")

    def _load(self) -> None:
        if self.loading:
            return
        self.loading = True
        self.grid.textContent = _("Loading…")

        def loaded(data: object) -> None:
            self.entries = [[str(item[0]), str(item[1])] for item in data]
            self.panel.setAttribute("data-loaded", "true")
            self._render()

        def failed(_error: object) -> None:
            self.loading = False
            self.grid.textContent = _("Emoji could not be loaded.")

        window.fetch(self.url).then(lambda reply: reply.json()).then(loaded).catch(failed)

    def _render(self) -> None:
        self.grid.textContent = ""
        found = search(self.entries or [], self.query.value)
        for emoji, words in found:
            self.grid.appendChild(self._option(emoji, words, "porch-emoji-option"))
        if not found:
            self.grid.appendChild(el("p", _("No emoji found"), "emoji-none"))

    def _render_recent(self) -> None:
        self.recent_row.textContent = ""
        for emoji in self.recent:
            self.recent_row.appendChild(self._option(emoji, emoji, "porch-emoji-recent-item"))
        self.recent_row.parentElement.hidden = not self.recent

    def _option(self, emoji: str, words: str, testid: str) -> object:
        button = el("button", emoji, "emoji-option", type="button", data_testid=testid)
        button.setAttribute("aria-label", words.split(" ")[0] if words == emoji else words)
        button.title = words
        button.bind("click", lambda _evt: self._pick(emoji))
        return button

    def _pick(self, emoji: str) -> None:
        self.recent = remember(self.recent, emoji)
        window.localStorage.setItem(RECENT_KEY, window.JSON.stringify(self.recent))
        self.close()
        self.on_pick(emoji)

    def _keydown(self, evt: object) -> None:
        if evt.key == "Escape":
            evt.stopPropagation()  # closes the picker, not the chat
            self.close()
            self.button.focus()
            return
        options = list(self.panel.querySelectorAll(".emoji-option"))
        target = evt.target
        if target == self.query:
            if evt.key == "Enter":
                evt.preventDefault()
                first = self.grid.querySelector(".emoji-option")
                if first:
                    first.click()
            elif evt.key == "ArrowDown" and options:
                evt.preventDefault()
                options[0].focus()
            return
        if evt.key in MOVES and target in options:
            evt.preventDefault()
            index = options.index(target) + MOVES[evt.key]
            if index < 0:
                self.query.focus()
            elif index < len(options):
                options[index].focus()

    def _outside(self, evt: object) -> None:
        target = evt.target
        if self.is_open and not (self.panel.contains(target) or self.button.contains(target)):
            self.close()


def _load_recent() -> list:
    try:
        stored = window.JSON.parse(window.localStorage.getItem(RECENT_KEY) or "[]")
        return [str(e) for e in stored][:16]
    except Exception:
        return []


def insert_at_caret(field: object, text: str) -> None:
    """Put `text` where the caret is in `field` (replacing a selection), as typing would."""
    field.focus()
    field.setRangeText(text, field.selectionStart, field.selectionEnd, "end")
    field.dispatchEvent(window.Event.new("input"))
