"""Reading WordPress pages as a browser would: elements with their attributes (whatever the
quote style), where they sit (head or body), script texts, and forms with the values a
browser would submit."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    index: int  # document order
    section: str  # "head" or "body"
    text: str = ""  # for <script>, <textarea>, <title>, <p>, <div>: the text inside
    end: int = 0  # index of the last element inside it (document order)


@dataclass
class Form:
    attrs: dict[str, str]
    page_url: str  # where the form was, for its (relative or missing) action
    fields: list[tuple[str, str]] = field(default_factory=list)  # what gets submitted

    def values(self) -> dict[str, str]:
        return dict(self.fields)

    @property
    def action(self) -> str:
        return urljoin(self.page_url, self.attrs.get("action", ""))


class Page(HTMLParser):
    def __init__(self, html: str, url: str = "") -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.elements: list[Element] = []
        self.forms: list[Form] = []
        self._open: list[Element] = []
        self._section = "head"
        self._form: Form | None = None
        self._textarea: tuple[Element, str] | None = None
        self.feed(html)
        self.close()

    # -- parsing ------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "body":
            self._section = "body"
        element = Element(tag, values, len(self.elements), self._section)
        self.elements.append(element)
        self._form_field(tag, values, element)
        if tag not in VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        if tag == "textarea" and self._textarea and self._form:
            element, name = self._textarea
            self._form.fields.append((name, element.text.removeprefix("\n")))
            self._textarea = None
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth].tag == tag:
                for element in self._open[depth:]:
                    element.end = len(self.elements) - 1
                del self._open[depth:]
                return

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data

    def _form_field(self, tag: str, attrs: dict[str, str], element: Element) -> None:
        if tag == "form":
            self._form = Form(attrs, self.url)
            self.forms.append(self._form)
            return
        if self._form is None or "name" not in attrs or "disabled" in attrs:
            return
        name = attrs["name"]
        kind = attrs.get("type", "text").lower()
        if tag == "textarea":
            self._textarea = (element, name)
        elif tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in attrs:  # an unchecked one is not submitted
                self._form.fields.append((name, attrs.get("value", "on")))
        elif tag == "input" and kind not in ("submit", "button", "image", "reset", "file"):
            self._form.fields.append((name, attrs.get("value", "")))

    # -- queries ------------------------------------------------------------------------

    def find_all(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag == tag and all(e.attrs.get(_attr(k)) == v for k, v in attrs.items())
        ]

    def find(self, tag: str, **attrs: str) -> Element | None:
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def form(self, **attrs: str) -> Form:
        for form in self.forms:
            if all(form.attrs.get(_attr(k)) == v for k, v in attrs.items()):
                return form
        raise LookupError(f"no form with {attrs} on the page")

    def form_with_field(self, name: str, value: str) -> Form:
        for form in self.forms:
            if (name, value) in form.fields:
                return form
        raise LookupError(f"no form with a field {name}={value!r} on the page")

    def scripts_from(self, src_prefix: str) -> list[Element]:
        return [e for e in self.find_all("script") if e.attrs.get("src", "").startswith(src_prefix)]

    def text_of(self, tag: str, **attrs: str) -> str:
        element = self.find(tag, **attrs)
        return " ".join(element.text.split()) if element else ""


def _attr(keyword: str) -> str:
    """`class_` → `class`, `data_plugin` → `data-plugin`."""
    return keyword.rstrip("_").replace("_", "-")
