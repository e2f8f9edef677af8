"""Message parts: the structured pieces beside a message's text (`choices` a flow offers,
`sources` the bot cited, `attachments`…), keyed by kind on the wire (`message["parts"]`).

Each feature registers a renderer for its key with the widget's or the panel's `Parts`;
message bubbles call `render` and never need to know which features exist. A key with no
renderer is skipped, so an older page never breaks on a newer server's message.
"""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    Renderer = Callable[[dict, object], "object | None"]


class Parts:
    def __init__(self) -> None:
        self._renderers: dict = {}

    def register(self, kind: str, renderer: "Renderer") -> None:
        """`renderer(message, value)` returns the node to show under the text, or None."""
        self._renderers[kind] = renderer

    def render(self, node: object, message: dict) -> None:
        """Append each known part's node to a message's bubble, in registration order."""
        parts = message.get("parts") or {}
        for kind, renderer in self._renderers.items():
            if kind in parts:
                child = renderer(message, parts[kind])
                if child is not None:
                    node.appendChild(child)
