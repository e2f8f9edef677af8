"""The bot in the widget: its answer growing as it streams (`bot.stream`), and the
sources it cited under a message (the `sources` part), as links, text only."""

from browser import document

from porch_ui.dom import el
from porch_ui.sources import source_links
from porch_widget.parts import PARTS


def render_sources(_message: dict, sources: object) -> "object | None":
    """Links `[data-testid=porch-source]` (title, URL) under a bot answer."""
    return source_links(sources, "porch-sources", "porch-source")


PARTS.register("sources", render_sources)


class BotStream:
    """The bot's answer while it is being written: one bubble whose text grows, replaced
    by the stored message when it arrives."""

    def __init__(self) -> None:
        self.node: object | None = None

    def attach(self, client: object) -> None:
        client.on("bot.stream", self.grow)
        client.on("message", self._stored)

    def grow(self, data: dict) -> None:
        text = str(data.get("text") or "")
        if not text:
            self.clear()
            return
        document["porch-typing"].hidden = True
        if self.node is None:
            self.node = el("div", None, "msg", data_testid="porch-bot-draft", data_author="bot")
            self.node.appendChild(el("div", str(data.get("name") or ""), "meta"))
            self.node.appendChild(el("div", "", "body"))
            document["porch-log"].appendChild(self.node)
        self.node.select_one(".body").textContent = text
        log = document["porch-log"]
        log.scrollTop = log.scrollHeight

    def _stored(self, message: dict) -> None:
        if message.get("author") == "bot":
            self.clear()

    def clear(self) -> None:
        if self.node is not None:
            self.node.remove()
            self.node = None
