"""The bot in the panel: the sources a bot answer cited (the `sources` part), as links,
and the answer growing while it streams (`bot.stream`, sent to operators watching the
conversation), replaced by the stored message when it arrives."""

from porch_panel.dom import find
from porch_panel.parts import PARTS
from porch_ui.dom import el
from porch_ui.sources import source_links


def render_sources(_message: dict, sources: object) -> "object | None":
    return source_links(sources, "message-sources", "message-source")


PARTS.register("sources", render_sources)


class BotDrafts:
    """One bubble `[data-testid=bot-draft]` at the end of the open conversation whose
    text grows; text only (textContent), never HTML."""

    def __init__(self, client: object) -> None:
        self.node = None  # the draft bubble, while an answer streams
        self.conversation_id = None
        client.on("bot.stream", self.grow)
        client.on("message", self._stored)

    def grow(self, data: dict) -> None:
        text = str(data.get("text") or "")
        listing = find("message-list")
        if not text or listing is None:
            self.clear()
            return
        fresh = self.node is None or not listing.contains(self.node)
        if fresh or data.get("conversation_id") != self.conversation_id:
            self.clear()
            self.conversation_id = data.get("conversation_id")
            # Hidden from screen readers: the list is a live region, and a growing text would
            # be read out at every step; the stored message is read once.
            self.node = el(
                "li", None, "message", data_testid="bot-draft", data_author="bot",
                aria_hidden="true",
            )  # fmt: skip
            name = str(data.get("name") or "Bot")[:80]
            self.node.appendChild(el("div", f"{name} · writing…", "meta"))
            self.node.appendChild(el("div", "", "body"))
            listing.appendChild(self.node)
        self.node.select_one(".body").textContent = text
        listing.scrollTop = listing.scrollHeight

    def _stored(self, message: dict) -> None:
        same = message.get("conversation_id") == self.conversation_id
        if message.get("author") == "bot" and same:
            self.clear()

    def clear(self) -> None:
        if self.node is not None:
            self.node.remove()
        self.node = None
        self.conversation_id = None
