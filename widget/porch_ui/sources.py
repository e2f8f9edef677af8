"""The bot's cited sources under a message (the `sources` part), shared by the widget and
the panel: links for http(s) sources, others named without a link. Never HTML: titles
and URLs go in as text and attributes."""

from porch_ui.dom import el

SAFE_SCHEMES = ("http://", "https://")
MAX_SOURCES = 10


def source_links(sources: object, box_testid: str, link_testid: str) -> "object | None":
    if not isinstance(sources, list) or not sources:
        return None
    box = el("div", None, "sources", data_testid=box_testid)
    box.appendChild(el("span", "Sources:", "sources-label"))
    for source in sources[:MAX_SOURCES]:
        if not isinstance(source, dict):
            continue
        title = str(source.get("title") or source.get("url") or "Source")[:200]
        url = str(source.get("url") or "")
        if url.lower().startswith(SAFE_SCHEMES):
            link = el("a", title, "source", data_testid=link_testid, href=url)
            link.setAttribute("target", "_blank")
            link.setAttribute("rel", "noopener noreferrer")
            link.setAttribute("title", url)
        else:
            link = el("span", title, "source")
        box.appendChild(link)
    return box
