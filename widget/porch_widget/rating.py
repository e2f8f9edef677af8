"""The `rating_request` part in the widget: "How did we do?" after a conversation closed
or a ticket from it was resolved (the part then names the ticket: `ticket_id`). Its box
(`[data-testid=porch-rating]`) shows at once; the form in it is `porch_lazy.rating`,
loaded the first time a rating is asked for."""

from porch_ui.dom import el
from porch_widget import lazy
from porch_widget.parts import PARTS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

_emit: list = []  # [emit(event, data, callback)] set by the widget's entry point


def use(emit: "Callable[[str, dict, object], None]") -> None:
    _emit[:] = [emit]


def _render(message: dict, value: object) -> "object | None":
    if not isinstance(value, dict):
        return None
    box = el("div", None, "rating", data_testid="porch-rating")
    lazy.load("porch_lazy.rating", lambda module: module.fill(box, message, value, _emit))
    return box


PARTS.register("rating_request", _render)
