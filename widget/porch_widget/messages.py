"""The conversation log: renders messages as text, dedupes them, shows send states."""

from browser import document

from porch_widget.dom import clock, el

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

AUTHORS = ("visitor", "operator", "bot", "system")


class MessageList:
    def __init__(self, on_retry: "Callable[[str], None]") -> None:
        self.log = document["porch-log"]
        self.on_retry = on_retry
        self._by_id: dict = {}
        self._by_client_id: dict = {}

    def clear(self) -> None:
        for node in list(self._by_id.values()) + list(self._by_client_id.values()):
            node.remove()
        self._by_id.clear()
        self._by_client_id.clear()

    def show(self, message: dict) -> bool:
        """Render a stored message. True only when it is new here: False for a duplicate,
        and for our own pending message, which is confirmed in place."""
        if message.get("id") in self._by_id:
            return False
        node = self._render(message, "sent")
        old = self._by_client_id.get(message.get("client_id"))
        if old is not None:
            old.replaceWith(node)  # our own message coming back: confirm it in place
        else:
            self._append(node)
        self._by_id[message.get("id")] = node
        if message.get("client_id"):
            self._by_client_id[message["client_id"]] = node
        return old is None

    def show_pending(self, item: dict, name: str) -> None:
        if item["client_id"] in self._by_client_id:
            return
        message = {"author": "visitor", "author_name": name, **item}
        node = self._render(message, "pending")
        self._by_client_id[item["client_id"]] = node
        self._append(node)

    def mark_failed(self, client_id: str, reason: str) -> None:
        node = self._by_client_id.get(client_id)
        if node is None:
            return
        node.setAttribute("data-state", "failed")
        problem = el("div", None, "problem", role="alert")
        problem.appendChild(el("span", reason))
        retry = el("button", "Retry", type="button")
        retry.bind("click", lambda _evt: self._retry(client_id))
        problem.appendChild(retry)
        node.appendChild(problem)

    def _retry(self, client_id: str) -> None:
        node = self._by_client_id.get(client_id)
        if node is not None:
            node.setAttribute("data-state", "pending")
            for problem in node.select(".problem"):
                problem.remove()
        self.on_retry(client_id)

    def _render(self, message: dict, state: str) -> object:
        author = message.get("author") if message.get("author") in AUTHORS else "system"
        node = el("div", None, "msg", data_testid="porch-message", data_author=author)
        node.setAttribute("data-state", state)
        when = message.get("created_at")
        meta = message.get("author_name") or ("You" if author == "visitor" else "")
        if when:
            meta = f"{meta} · {clock(when)}" if meta else clock(when)
        node.appendChild(el("div", meta, "meta"))
        node.appendChild(el("div", message.get("body", ""), "body"))
        return node

    def _append(self, node: object) -> None:
        near_bottom = self.log.scrollHeight - self.log.scrollTop - self.log.clientHeight < 80
        self.log.appendChild(node)
        if near_bottom or node.getAttribute("data-author") == "visitor":
            self.log.scrollTop = self.log.scrollHeight
