"""The reply box: send with Enter, internal-note mode, typing signal, pending messages."""

from browser import timer, window

from porch_panel import attachments
from porch_panel.canned import CannedPicker
from porch_panel.dom import find, set_text, show
from porch_panel.typing_signal import TypingSignal
from porch_ui import acks
from porch_ui.composer import enter_sends
from porch_ui.ids import new_client_id
from porch_ui.limits import MESSAGE_MAX
from porch_ui.outbox import Outbox


class Composer:
    def __init__(self, client: object, view: object) -> None:
        self.client = client
        self.view = view  # ConversationView: conversation_id, add_pending, confirm, fail
        self.form = find("composer")
        self.input = find("reply-input")
        self.toggle = find("note-toggle")
        self.hint = find("note-hint")
        self.error = find("composer-error")
        self.note = False
        self.outbox = Outbox(self._emit, view.confirm, self._not_sent)
        self.typing = TypingSignal(self._emit_typing, timer.set_timeout, timer.clear_timeout)
        self.form.bind("submit", self._on_submit)
        enter_sends(self.input, self.send)
        self.input.bind("input", self._on_input)
        self.toggle.bind("change", self._toggle_note)
        self.canned = CannedPicker(client, self)  # `/shortcut` inserts a canned reply
        self.files = attachments.arm(client, view, self._files_changed)

    def reset(self) -> None:
        self.canned.close()
        self.files.take()  # files uploaded into another conversation stay there, unsent
        self.typing.stop()
        self.input.value = ""
        set_text(self.error, "")

    def resend_pending(self) -> None:
        """After a reconnect: the same client_id makes a resend a no-op on the server."""
        self.outbox.resend()

    def _on_submit(self, event: object) -> None:
        event.preventDefault()
        self.send()

    def _on_input(self, _event: object) -> None:
        conversation_id = self.view.conversation_id
        if conversation_id is None or self.note:
            return  # an internal note is not for the visitor, nor is the fact of writing it
        if self.input.value:
            self.typing.typed(conversation_id)
        else:
            self.typing.stop()

    def _toggle_note(self, _event: object) -> None:
        self.note = bool(self.toggle.checked)
        if self.note:
            self.typing.stop()  # the visitor's "typing…" ends as the reply turns into a note
        self.form.attrs["data-mode"] = "note" if self.note else "reply"
        show(self.hint, self.note)
        self.input.attrs["placeholder"] = (
            "Internal note… only operators see this"
            if self.note
            else "Reply… (Enter to send, Shift+Enter for a new line)"
        )
        self.input.focus()

    def send(self) -> None:
        body = self.input.value.strip()  # as the server stores it
        conversation_id = self.view.conversation_id
        files = self.files.ready()
        if conversation_id is None or not (body or files) or self.files.busy():
            return
        if len(body) > MESSAGE_MAX:
            set_text(self.error, f"Messages can be at most {MESSAGE_MAX} characters.")
            return
        payload = {
            "conversation_id": conversation_id,
            "client_id": new_client_id("op", window.Math.random),
            "body": body,
            "internal": self.note,
        }
        if files:
            payload["attachments"] = [f["id"] for f in files]
            payload["parts"] = {"attachments": files}  # shown on the pending bubble
        self.reset()
        self.view.add_pending(payload)
        self.outbox.add(payload)

    def _files_changed(self) -> None:
        find("reply-send").disabled = self.files.busy()

    def _emit(self, payload: dict, done: object) -> None:
        payload = {k: v for k, v in payload.items() if k != "parts"}
        # Not queued while offline: `resend_pending` sends it once the conversation is
        # watched again after the reconnect (queueing too would send it twice).
        self.client.emit("message.send", payload, callback=done, queue=False)

    def _not_sent(self, payload: dict, ack: object) -> None:
        self.view.fail(payload["client_id"], acks.error_message(ack, "unknown error"))

    def _emit_typing(self, conversation_id: int, typing: bool) -> None:
        self.client.emit(
            "typing", {"conversation_id": conversation_id, "typing": typing}, queue=False
        )
