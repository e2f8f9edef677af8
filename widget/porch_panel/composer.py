"""The reply box: send with Enter, internal-note mode, typing signal, pending messages."""

from browser import timer, window

from porch_panel.dom import find, set_text, show
from porch_panel.typing_signal import TypingSignal

MAX_BODY = 4000


def new_client_id() -> str:
    """Random enough to never collide within a conversation (not a secret)."""
    chunks = [f"{int(window.Math.random() * 0xFFFFFFFF):08x}" for _ in range(3)]
    return "op-" + "".join(chunks)


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
        self.outbox: dict = {}  # client_id -> payload, until acknowledged
        self.typing = TypingSignal(self._emit_typing, timer.set_timeout, timer.clear_timeout)
        self.form.bind("submit", self._on_submit)
        self.input.bind("keydown", self._on_key)
        self.input.bind("input", self._on_input)
        self.toggle.bind("change", self._toggle_note)

    def reset(self) -> None:
        self.typing.stop()
        self.input.value = ""
        set_text(self.error, "")

    def resend_pending(self) -> None:
        """After a reconnect: the same client_id makes a resend a no-op on the server."""
        for payload in list(self.outbox.values()):
            self._emit(payload)

    def _on_submit(self, event: object) -> None:
        event.preventDefault()
        self.send()

    def _on_key(self, event: object) -> None:
        if event.key == "Enter" and not event.shiftKey and not event.isComposing:
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
        body = self.input.value
        conversation_id = self.view.conversation_id
        if conversation_id is None or not body.strip():
            return
        if len(body) > MAX_BODY:
            set_text(self.error, f"Messages can be at most {MAX_BODY} characters.")
            return
        payload = {
            "conversation_id": conversation_id,
            "client_id": new_client_id(),
            "body": body,
            "internal": self.note,
        }
        self.typing.stop()
        self.input.value = ""
        set_text(self.error, "")
        self.outbox[payload["client_id"]] = payload
        self.view.add_pending(payload)
        self._emit(payload)

    def _emit(self, payload: dict) -> None:
        client_id = payload["client_id"]

        def done(ack: dict) -> None:
            self.outbox.pop(client_id, None)
            if ack and ack.get("ok"):
                self.view.confirm(ack["message"])
            else:
                reason = ((ack or {}).get("error") or {}).get("message") or "unknown error"
                self.view.fail(client_id, reason)

        # Not queued while offline: `resend_pending` sends it once the conversation is
        # watched again after the reconnect (queueing too would send it twice).
        self.client.emit("message.send", payload, callback=done, queue=False)

    def _emit_typing(self, conversation_id: int, typing: bool) -> None:
        self.client.emit(
            "typing", {"conversation_id": conversation_id, "typing": typing}, queue=False
        )
