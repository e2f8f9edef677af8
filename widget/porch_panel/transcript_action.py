"""The conversation view's "Email transcript" action: mails the chat's transcript to the
visitor's known email (`email.transcript` on `/operator`, without an address); the
server refuses, and this says why, when no email is known. Added to the conversation's
actions from here, so the inbox's own modules need not know about email."""

from browser import document, window

from porch_panel.dom import add
from porch_ui import acks
from porch_ui.dom import el


def open_conversation_id() -> "int | None":
    """The conversation the inbox shows: it keeps it in the URL (`?c=<id>`)."""
    raw = window.URLSearchParams.new(window.location.search).get("c") or ""
    return int(raw) if raw.isdigit() else None


class TranscriptAction:
    def __init__(self, client: object) -> None:
        self.client = client
        actions = document.select_one(".conversation-actions")
        if actions is None:
            return
        self.button = el("button", "Email transcript", type="button",
                         data_testid="email-transcript")  # fmt: skip
        self.button.bind("click", self._send)
        self.result = el("span", "", cls="muted", role="status",
                         data_testid="email-transcript-result", hidden="")  # fmt: skip
        add(actions, self.button, self.result)
        self.shown_for = None
        window.setInterval(self._follow, 1000)

    def _follow(self) -> None:
        """A result belongs to its conversation: moving to another clears it."""
        conversation_id = open_conversation_id()
        if conversation_id != self.shown_for:
            self.shown_for = conversation_id
            self.result.hidden = True

    def _send(self, _event: object) -> None:
        conversation_id = open_conversation_id()
        if conversation_id is None:
            return
        self.shown_for = conversation_id
        self.button.disabled = True

        def done(ack: dict) -> None:
            self.button.disabled = False
            if acks.ok(ack):
                self.result.text = f"Transcript sent to {ack['email']}."
            else:
                self.result.text = acks.error_message(ack, "The transcript was not sent.")
            self.result.hidden = False

        payload = {"conversation_id": conversation_id}
        self.client.emit("email.transcript", payload, callback=done)
