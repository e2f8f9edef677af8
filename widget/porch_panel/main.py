"""Entry point (`import porch_panel.main` in the panel pages): wires the socket to the page."""

from browser import document

from porch_panel import choices  # noqa: F401 (registers the choices part)
from porch_panel.alerts import Alerts
from porch_panel.bot_parts import BotDrafts
from porch_panel.inbox import InboxView
from porch_panel.shortcuts import Shortcuts
from porch_panel.tickets import TicketsView
from porch_panel.tickets_create import TicketAction
from porch_panel.topbar import TopBar
from porch_panel.transcript_action import TranscriptAction
from porch_panel.visitors import VisitorsView
from porch_sio.client import SocketIOClient


def start() -> None:
    root = document["main"]
    operator_id = int(root.attrs["data-operator-id"])
    # Same origin: the browser sends the HttpOnly session cookie with the socket handshake.
    client = SocketIOClient("", namespace="/operator", auth=None)
    TopBar(client, operator_id)
    Alerts(client, operator_id)
    view = root.attrs["data-view"]
    if view == "inbox":
        deep_link = root.attrs["data-conversation-id"]
        inbox = InboxView(client, operator_id, int(deep_link) if deep_link else None)
        TicketAction(client)
        TranscriptAction(client)
        Shortcuts(client, inbox)
        BotDrafts(client)  # the bot's answer growing in the open conversation
    else:
        Shortcuts(client)  # `/` to search and `?` on every page
    if view == "tickets":
        TicketsView(client, operator_id)
    elif view == "visitors":
        VisitorsView(client)
    elif view == "flows" and document.select_one('[data-testid="flow-builder"]') is not None:
        from porch_flow_builder.builder import Builder  # only the builder page runs it

        Builder(document.select_one('[data-testid="flow-builder"]'))
    client.connect()


start()

from porch_panel import ratings  # noqa: E402, F401 (registers the rating parts)
