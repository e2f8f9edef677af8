"""The image viewer, shared by the widget (loaded when a thumbnail is first opened:
`porch_lazy.viewer`) and the panel."""

from browser import document

from porch_ui.dom import el


class Viewer:
    """A full-size image over the page: Escape, the close button or a click closes it."""

    def __init__(self, testid: str) -> None:
        self.testid = testid
        self.node = None
        self.opener = None

    def open(self, url: str, name: str, opener: object) -> None:
        self.close()
        self.opener = opener
        node = el("div", None, "viewer", role="dialog", aria_modal="true", aria_label=name)
        node.setAttribute("data-testid", self.testid)
        image = el("img", None, alt=name)
        image.src = url
        close = el("button", "Close", "viewer-close", type="button")
        close.bind("click", lambda _e: self.close())
        node.bind("click", lambda e: self.close() if e.target is node else None)
        node.bind("keydown", self._keydown)
        node.appendChild(image)
        node.appendChild(close)
        document.body.appendChild(node)
        self.node = node
        close.focus()

    def _keydown(self, event: object) -> None:
        if event.key == "Escape":
            event.stopPropagation()
            event.preventDefault()
            self.close()

    def close(self) -> None:
        if self.node is not None:
            self.node.remove()
            self.node = None
            if self.opener is not None:
                self.opener.focus()
