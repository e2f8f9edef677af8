"""Tiny DOM helpers of the panel's pages (elements are made with `porch_ui.dom.el`). User
text only ever goes in through `.text` (textContent).
"""

from browser import document


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
