"""Entry point (`import porch_panel.main` in the panel pages): wires the socket to the page."""

from browser import document

from porch_panel.inbox import InboxView
from porch_panel.topbar import TopBar
from porch_panel.visitors import VisitorsView
from porch_sio.client import SocketIOClient


def start() -> None:
    root = document["main"]
    operator_id = int(root.attrs["data-operator-id"])
    # Same origin: the browser sends the HttpOnly session cookie with the socket handshake.
    client = SocketIOClient("", namespace="/operator", auth=None)
    TopBar(client, operator_id)
    view = root.attrs["data-view"]
    if view == "inbox":
        deep_link = root.attrs["data-conversation-id"]
        InboxView(client, operator_id, int(deep_link) if deep_link else None)
    elif view == "visitors":
        VisitorsView(client)
    client.connect()


start()
