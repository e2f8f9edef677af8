"""Pending messages: ours, kept until acknowledged and sent again after a reconnect (their
client ids make that a no-op for any the server stored already). Pure (no browser
imports): sending, storage and JSON are passed in."""

from porch_ui import acks

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    Send = Callable[[dict, Callable[[object], None]], None]


class Outbox:
    """Messages (dicts with a `client_id` and a `body`) not acknowledged yet, oldest first.

    `send(item, done)` emits one, bypassing the socket client's offline queue (`resend` is
    the queue here: both would send it twice), and has `done(ack)` called with the ack.
    Each leaves with its ack: `on_sent(stored message)` or `on_failed(item, ack)`.

    With `storage` (`lambda: window.localStorage`: merely reaching it throws where storage
    is blocked), `key` and `json` (`porch_sio.jsontext`), the outbox outlives a reload;
    blocked, full or corrupted storage is no error, the outbox then lives in memory only.
    """

    def __init__(
        self,
        send: "Send",
        on_sent: "Callable[[dict], None]",
        on_failed: "Callable[[dict, object], None]",
        storage: "Callable[[], object] | None" = None,
        key: str = "",
        json: object = None,
    ) -> None:
        self._send = send
        self._on_sent = on_sent
        self._on_failed = on_failed
        self._storage = storage
        self._key = key
        self._json = json
        self.items: list = []
        if storage is not None:
            try:
                items = json.loads(storage().getItem(key) or "[]")
                self.items = [
                    i for i in items if isinstance(i, dict) and "client_id" in i and "body" in i
                ]
            except Exception:
                pass  # storage blocked or corrupted: start empty

    def add(self, item: dict) -> None:
        """Keep a new message (or one to try again) and send it."""
        self.items.append(item)
        self._save()
        self._deliver(item)

    def resend(self) -> None:
        """After a (re)connect: send every unacknowledged message again, oldest first."""
        for item in list(self.items):
            self._deliver(item)

    def remove(self, client_id: str) -> None:
        kept = [i for i in self.items if i["client_id"] != client_id]
        if len(kept) < len(self.items):  # most stored messages were never pending: no write
            self.items = kept
            self._save()

    def _deliver(self, item: dict) -> None:
        def done(ack: object) -> None:
            self.remove(item["client_id"])  # a refused message is not retried by itself
            if acks.ok(ack):
                self._on_sent(ack["message"])
            else:
                self._on_failed(item, ack)

        self._send(item, done)

    def _save(self) -> None:
        if self._storage is None:
            return
        try:
            if self.items:
                self._storage().setItem(self._key, self._json.dumps(self.items))
            else:
                self._storage().removeItem(self._key)
        except Exception:
            pass  # storage blocked: the in-memory copy still survives reconnects
