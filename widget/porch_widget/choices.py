"""The `choices` part in the widget: buttons a flow or the bot offers
(`[data-testid=porch-choice]`). A click is sent as the visitor's message (its label) with
`choice: {message_id, choice_id}`; the answer's own `choice` part marks what it answered,
also when the thread is drawn again.

Two presentations, as in Tidio: **buttons** stay in their message, disabled once
answered; **quick replies** (the part `quick_replies: true` beside `choices`) are chips
above the composer (`[data-testid=porch-quick-replies]`), only while their message is the
newest, gone once one is picked or the visitor types."""

from browser import document, window

from porch_ui.dom import el
from porch_widget.parts import PARTS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

_groups: dict = {}  # message id → its buttons
_answered: set = set()  # message ids answered
_choose: list = []  # [callback(message, choice)] set by the widget
_quick: dict = {}  # the chips on offer: "bar", "marker" (in their message), "id"


def on_choose(callback: "Callable[[dict, dict], None]") -> None:
    _choose[:] = [callback]


def _buttons(message: dict, value: list, cls: str) -> "tuple[object, list]":
    box = el("div", None, cls, role="group")
    buttons = []
    for choice in value:
        if not isinstance(choice, dict) or not choice.get("id"):
            continue
        label = str(choice.get("label") or choice["id"])
        button = el(
            "button",
            label,
            "choice",
            type="button",
            data_testid="porch-choice",
            data_choice_id=str(choice["id"]),
        )
        button.bind("click", lambda _evt, c=choice: _clicked(message, c))
        buttons.append(button)
        box.appendChild(button)
    return box, buttons


def _render(message: dict, value: object) -> "object | None":
    if not isinstance(value, list) or not value:
        return None
    message_id = message.get("id")
    if (message.get("parts") or {}).get("quick_replies") is True:
        return None if message_id in _answered else _offer_quick(message, value)
    box, buttons = _buttons(message, value, "choices")
    _groups[message_id] = buttons
    if message_id in _answered:
        _disable(message_id, None)
    return box


def _offer_quick(message: dict, value: list) -> object:
    """Chips above the composer; the message keeps an invisible marker, so the chips can
    go when a newer message follows it."""
    _withdraw()
    bar, _chips = _buttons(message, value, "choices quick-replies")
    bar.setAttribute("data-testid", "porch-quick-replies")
    bar.setAttribute("aria-label", "Quick replies")
    bar.style.justifyContent = "flex-end"
    bar.style.margin = "0"
    bar.style.padding = "0 1rem .5rem"
    composer = document["porch-composer"]
    composer.parentNode.insertBefore(bar, composer)
    marker = el("span", None, "quick-replies-marker", hidden="")
    _quick.update(bar=bar, marker=marker, id=message.get("id"))
    _watch()
    return marker


def _withdraw(_evt: object = None) -> None:
    bar = _quick.pop("bar", None)
    _quick.clear()
    if bar is not None and bar.parentNode:
        bar.parentNode.removeChild(bar)


def _still_newest(_records: object = None, _observer: object = None) -> None:
    """The chips stay only while their message is the newest in the thread."""
    marker = _quick.get("marker")
    if marker is None:
        return
    shown = document["porch-log"].select("[data-testid=porch-message]")
    if not shown or not shown[-1].contains(marker):
        _withdraw()


_watching: list = []


def _watch() -> None:
    if _watching:
        return
    observer = window.MutationObserver.new(_still_newest)
    observer.observe(document["porch-log"], {"childList": True})
    document["porch-input"].bind("input", _withdraw)
    _watching.append(observer)


def _clicked(message: dict, choice: dict) -> None:
    _disable(message.get("id"), choice.get("id"))
    for callback in _choose:
        callback(message, choice)


def _disable(message_id: object, picked: object) -> None:
    _answered.add(message_id)
    if _quick.get("id") == message_id:
        _withdraw()
    for button in _groups.get(message_id, []):
        button.disabled = True
        if picked is not None and button.getAttribute("data-choice-id") == str(picked):
            button.classList.add("picked")


def _answer(message: dict, value: object) -> None:
    if isinstance(value, dict):
        _disable(value.get("message_id"), value.get("choice_id"))
    return None


PARTS.register("choices", _render)
PARTS.register("choice", _answer)
