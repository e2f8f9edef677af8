"""Beside the conversation: the Shopify customer's recent orders.

Asked of `/panel/api/visitors/<id>/orders` when the operator opens a conversation (and
again if the visitor becomes verified). Shown only for visitors of a Shopify store; orders
only for customers the store vouched for. Text goes in through `.text`, never as HTML.
"""

from browser import window

from porch_panel.dom import add, find, set_text, show
from porch_sio import jsontext
from porch_ui.dom import el


def _words(status: "str | None") -> str:
    """`PARTIALLY_FULFILLED` → `Partially fulfilled`."""
    return (status or "").replace("_", " ").capitalize()


def _line(order: dict) -> str:
    parts = [
        f"{order.get('total')} {order.get('currency') or ''}".strip(),
        _words(order.get("financial_status")),
        _words(order.get("fulfillment_status")),
        (order.get("created_at") or "")[:10],
    ]
    return " · ".join(part for part in parts if part)


class OrdersPanel:
    def __init__(self) -> None:
        self.box = find("shopify-orders")
        self.list = find("shopify-order-list")
        self.note = find("shopify-orders-note")
        self.shown_for = None  # (visitor id, verified) of the last request

    def clear(self) -> None:
        self.shown_for = None
        self.list.clear()
        show(self.box, False)

    def show_for(self, visitor: dict) -> None:
        key = (visitor.get("id"), bool(visitor.get("verified")))
        if key[0] is None or key == self.shown_for:
            return
        self.shown_for = key
        url = f"/panel/api/visitors/{key[0]}/orders"
        request = window.fetch(url).then(lambda response: response.text())
        request.then(lambda text: self._render(key, jsontext.loads(text))).catch(
            lambda _error: self._failed(key)
        )

    def _render(self, key: tuple, answer: dict) -> None:
        if key != self.shown_for:
            return  # the operator moved on meanwhile
        self.list.clear()
        if answer.get("ok") and not answer.get("shop"):
            show(self.box, False)  # not a Shopify store's visitor
            return
        show(self.box, True)
        orders = answer.get("orders") or []
        if not answer.get("ok"):
            set_text(self.note, answer.get("error") or "Orders could not be loaded.")
        elif not answer.get("verified"):
            set_text(self.note, "Orders show for customers logged in to the store.")
        else:
            set_text(self.note, "" if orders else "No orders yet.")
        for order in orders:
            item = el("li", None, "order", data_testid="shopify-order")
            add(item, el("strong", order.get("number") or ""), el("span", _line(order)))
            add(self.list, item)

    def _failed(self, key: tuple) -> None:
        if key == self.shown_for:
            show(self.box, True)
            set_text(self.note, "Orders could not be loaded.")
