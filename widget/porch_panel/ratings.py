"""The rating parts in the panel, read-only: the widget's question (`rating_request`,
`[data-testid=message-rating-request]`) and the visitor's answer, an internal note with
the `rating` part (`[data-testid=conversation-rating]`, `data-score`)."""

from porch_panel.parts import PARTS
from porch_ui.dom import el


def _request(message: dict, value: object) -> "object | None":
    return el("div", "Rating asked (1–5)", cls="rating-note", data_testid="message-rating-request")


def _rating(message: dict, value: object) -> "object | None":
    if not isinstance(value, dict):
        return None
    score = int(value.get("score") or 0)
    stars = "★" * score + "☆" * (5 - score)
    text = f"{stars} {score}/5"
    return el("div", text, cls="rating-note", data_testid="conversation-rating", data_score=score)


PARTS.register("rating_request", _request)
PARTS.register("rating", _rating)
