"""The top bar's live parts: connection indicator and the operator's presence toggle."""

from browser import document, window

from porch_panel.dom import find
from porch_ui import acks

SIGNED_OUT = "not logged in"  # the /operator namespace's refusal for a missing/revoked session

LABELS = {
    "connecting": "Connecting…",
    "connected": "Connected",
    "reconnecting": "Reconnecting…",
    "offline": "Can't connect — reload or sign in again",
}


class TopBar:
    def __init__(self, client: object, operator_id: int) -> None:
        self.client = client
        self.operator_id = operator_id
        self.status_node = find("connection-status")
        self.presence_button = find("presence-toggle")
        self.presence = "online"
        self.signing_out = False
        self.presence_button.bind("click", self._toggle_presence)
        for form in document.select(".logout-form"):
            form.bind("submit", self._on_sign_out)
        client.on("connect", self._on_connect)
        client.on("disconnect", self._on_disconnect)
        client.on("connect_error", self._on_connect_error)
        client.on("presence", self._on_presence)

    def _set_state(self, state: str) -> None:
        self.status_node.attrs["data-state"] = state
        self.status_node.text = LABELS[state]

    def _on_connect(self, *_args: object) -> None:
        self._set_state("connected")
        self.presence_button.disabled = False

    def _on_disconnect(self, *_args: object) -> None:
        self._set_state("reconnecting")
        self.presence_button.disabled = True

    def _on_sign_out(self, _event: object) -> None:
        # This tab's socket is cut by its own sign-out: the form's reply leads to the
        # sign-in page, which must not come back here after signing in.
        self.signing_out = True

    def _on_connect_error(self, data: object = None) -> None:
        if self.signing_out:
            return
        if isinstance(data, dict) and data.get("message") == SIGNED_OUT:
            # Signed out elsewhere (or the session expired): sign in again, then come back.
            here = window.location.pathname + window.location.search
            window.location.assign("/panel/login?next=" + window.encodeURIComponent(here))
            return
        self._set_state("offline")
        self.presence_button.disabled = True

    def _on_presence(self, data: dict) -> None:
        for operator in data.get("operators") or []:
            if operator.get("id") == self.operator_id:
                self._show_presence(operator.get("status") or "online")

    def _show_presence(self, status: str) -> None:
        self.presence = status
        online = status == "online"
        button = self.presence_button
        button.attrs["data-status"] = status
        button.attrs["aria-pressed"] = "true" if online else "false"
        button.attrs["aria-label"] = (
            "Your status: online. Switch to away"
            if online
            else "Your status: away. Switch to online"
        )
        button.text = "Online" if online else "Away"

    def _toggle_presence(self, _event: object) -> None:
        wanted = "away" if self.presence == "online" else "online"

        def done(ack: dict) -> None:
            if acks.ok(ack):
                self._show_presence(wanted)

        self.client.emit("presence.set", {"status": wanted}, callback=done)
