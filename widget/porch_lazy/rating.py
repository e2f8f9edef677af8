"""The `rating_request` part in the widget: "How did we do?" after a conversation closed
or a ticket from it was resolved (the part then names the ticket: `ticket_id`)
(`[data-testid=porch-rating]`): scores 1–5 (`porch-rating-score`), an optional comment
(`porch-rating-comment`) and a send button (`porch-rating-submit`). Sent as
`rating.submit`; once rated (or if the server says it already is) the form gives way to
a thank-you (`porch-rating-thanks`). Drawn into the part's box that
`porch_widget.rating` shows at once, when this module has loaded."""

from porch_ui import acks
from porch_ui.dom import el
from porch_widget.i18n import _

COMMENT_MAX = 1000  # the server's `ratings.MAX_COMMENT`
THANKS = _("Thanks for your feedback!")
_rated: set = set()  # what was rated in this page: "c<conversation id>" or "t<ticket id>"
_boxes: dict = {}  # the same key → its forms drawn (a redrawn thread draws it again)


def fill(box: object, message: dict, value: dict, emit: list) -> None:
    """The form (or the thanks) in `box`; `emit` holds the widget's
    `emit(event, data, callback)` once the entry point has set it."""
    conversation_id = value.get("conversation_id") or message.get("conversation_id")
    ticket_id = value.get("ticket_id")
    rated = {"conversation_id": conversation_id}
    if ticket_id:
        rated["ticket_id"] = ticket_id
    key = ("t" + str(ticket_id)) if ticket_id else ("c" + str(conversation_id))
    if key in _rated or value.get("rated"):
        box.appendChild(_thanks())
        return
    _boxes.setdefault(key, []).append(box)
    form = el("form", None, "rating-form")
    scores = el("div", None, "rating-scores", role="group", aria_label=_("Your rating, 1 to 5"))
    picked: list = [0]
    buttons: list = []
    send = el(
        "button", _("Send"), "rating-submit", type="submit", data_testid="porch-rating-submit"
    )
    send.disabled = True
    for score in range(1, 6):
        button = el(
            "button",
            str(score),
            "rating-score",
            type="button",
            data_testid="porch-rating-score",
            data_score=str(score),
            aria_pressed="false",
        )
        button.bind("click", lambda _evt, s=score: _pick(s, picked, buttons, send))
        buttons.append(button)
        scores.appendChild(button)
    comment = el(
        "textarea",
        None,
        "rating-comment",
        data_testid="porch-rating-comment",
        maxlength=str(COMMENT_MAX),
        rows="2",
        aria_label=_("Comment (optional)"),
        placeholder=_("Comment (optional)"),
    )
    status = el("p", None, "rating-status", role="status")
    for child in (scores, comment, send, status):
        form.appendChild(child)
    form.bind("submit", lambda evt: _submit(evt, emit, key, rated, picked, comment, box, status))
    box.appendChild(form)


def _pick(score: int, picked: list, buttons: list, send: object) -> None:
    picked[0] = score
    for button in buttons:
        pressed = button.getAttribute("data-score") == str(score)
        button.setAttribute("aria-pressed", "true" if pressed else "false")
        button.classList.toggle("picked", pressed)
    send.disabled = False


def _submit(
    evt: object,
    emit: list,
    key: str,
    rated: dict,
    picked: list,
    comment: object,
    box: object,
    status: object,
) -> None:
    evt.preventDefault()
    if not picked[0] or not emit:
        return
    data = dict(rated)
    data["score"] = picked[0]
    text = comment.value.strip()[:COMMENT_MAX]
    if text:
        data["comment"] = text

    def on_ack(ack: object) -> None:
        reason = acks.error_message(ack, _("Not sent"))
        if acks.ok(ack) or "already rated" in reason:
            _rated.add(key)
            for drawn in _boxes.pop(key, [box]):
                drawn.textContent = ""
                drawn.appendChild(_thanks())
        else:
            status.textContent = reason

    emit[0]("rating.submit", data, on_ack)


def _thanks() -> object:
    return el("p", THANKS, "rating-thanks", data_testid="porch-rating-thanks")
