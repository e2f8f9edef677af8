"""DOM helpers. Text always goes through textContent: Brython's `html.DIV("...")` would
parse a string argument as HTML, which must never happen with visitor or operator text."""

import _json

from browser import html, window


def el(tag: str, text: str | None = None, cls: str = "", **attrs: str) -> object:
    node = getattr(html, tag.upper())()
    if text is not None:
        node.textContent = text
    if cls:
        node.className = cls
    for name, value in attrs.items():
        node.setAttribute(name.replace("_", "-"), value)
    return node


def to_js(value: object) -> object:
    """A plain JS object for postMessage (structured clone rejects Brython wrappers)."""
    return window.JSON.parse(_json.dumps(value))


def to_py(value: object) -> object:
    """Plain Python dicts/lists from a JS value (e.g. a postMessage payload)."""
    return _json.loads(window.JSON.stringify(value))


def clock(iso: str) -> str:
    """Local hh:mm for an ISO timestamp."""
    options = to_js({"hour": "2-digit", "minute": "2-digit"})
    return window.Date.new(iso).toLocaleTimeString(window.navigator.language, options)


def now_iso() -> str:
    return window.Date.new().toISOString()


def random_id() -> str:
    crypto = window.crypto
    if hasattr(crypto, "randomUUID"):
        return "c-" + crypto.randomUUID()
    # Non-secure contexts (plain http) lack randomUUID.
    return "c-" + window.Date.now().toString(36) + window.Math.random().toString(36)[2:]
