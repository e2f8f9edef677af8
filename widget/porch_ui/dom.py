"""The element builder. Text always goes in through textContent: Brython's
`html.DIV("...")` would parse a string argument as HTML, which must never happen with
visitor or operator text."""

from browser import html


def el(tag: str, text: "str | None" = None, cls: str = "", **attrs: object) -> object:
    """A new element; keyword `data_testid="x"` becomes the attribute `data-testid="x"`."""
    node = getattr(html, tag.upper())()
    if text is not None:
        node.textContent = text
    if cls:
        node.className = cls
    for name, value in attrs.items():
        node.setAttribute(name.replace("_", "-"), str(value))
    return node
