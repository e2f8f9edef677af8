"""Tiny DOM helpers. User text only ever goes in through `.text` (textContent).

Never pass text as the first argument of a `browser.html` tag: Brython assigns that to
innerHTML.
"""

from browser import document, html


def el(tag: str, text: "str | None" = None, cls: str = "", **attrs: object) -> object:
    """A new element; keyword `data_testid="x"` becomes the attribute `data-testid="x"`."""
    node = getattr(html, tag.upper())()
    if cls:
        node.attrs["class"] = cls
    for name, value in attrs.items():
        node.attrs[name.replace("_", "-")] = str(value)
    if text is not None:
        node.text = text
    return node


def find(testid: str, root: object = None) -> object:
    return (root or document).select_one(f'[data-testid="{testid}"]')


def find_all(testid: str, root: object = None) -> list:
    return list((root or document).select(f'[data-testid="{testid}"]'))


def show(node: object, visible: bool) -> None:
    node.hidden = not visible


def set_text(node: object, text: str) -> None:
    node.text = text
    show(node, bool(text))


def add(parent: object, *children: object) -> object:
    """Append children in order; returns the parent (for building trees inline)."""
    for child in children:
        parent.appendChild(child)
    return parent
