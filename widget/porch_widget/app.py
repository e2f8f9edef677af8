"""The widget controller: wires the host bridge, the socket and the views together."""

import _json

from browser import document, window

from porch_sio.client import SocketIOClient
from porch_widget.composer import Composer
from porch_widget.dom import now_iso, random_id
from porch_widget.host import Host
from porch_widget.messages import MessageList
from porch_widget.outbox import Outbox

ONLINE_TEXT = "We usually reply in a few minutes"
OFFLINE_TEXT = "Leave us a message and we'll email you"
TYPING_HIDE_MS = 8000
VISITOR_FIELDS = ("name", "email")
IDENTITY_KEYS = ("id", "hash")  # checked by the loader's session request, never attributes


class Widget:
    def __init__(self) -> None:
        config = _json.loads(document["porch-config"].text)
        self.site_key: str = config["site_key"]
        self.host = Host(self._on_host)
        self.messages = MessageList(self._retry)
        self.composer = Composer(self._send, self._draft)
        self.client: SocketIOClient | None = None
        self.outbox: Outbox | None = None
        self.visitor: dict = {}
        self.typing_preview = True
        self.is_open = False
        self.unread = 0
        self._typing_timer: int | None = None
        self._failed: dict = {}  # client id → (item, reason): kept until the visitor retries

    def start(self) -> None:
        document.bind("keydown", self._keydown)
        document["porch-close"].bind("click", lambda _evt: self.host.send({"porch": "close"}))
        document["porch-offline"].bind("submit", self._save_email)
        document.bind("visibilitychange", lambda _evt: self._maybe_read())
        self.host.ready()

    # -- host page -------------------------------------------------------------------

    def _on_host(self, message: dict) -> None:
        kind = message["porch"]
        if kind == "init":
            self._init(message)
        elif kind in ("open", "close"):
            self.is_open = kind == "open"
            if self.is_open:
                self.composer.focus()
                self._maybe_read()
        elif kind == "page" and isinstance(message.get("page"), dict):
            # Queued: an SPA can navigate before the socket is up (or while it reconnects).
            self._emit("page.view", _page(message["page"]))
        elif kind == "visitor" and isinstance(message.get("data"), dict):
            self._emit("visitor.update", _visitor_update(message["data"]), lambda _ack: None)

    def _init(self, message: dict) -> None:
        if self.client is not None:
            return
        self._apply_site(message.get("site") or {})
        self._set_presence(bool(message.get("operators_online")))
        token = message.get("token", "")
        # One outbox per site and visitor, so a shared browser never mixes identities.
        self.outbox = Outbox(f"porch:outbox:{self.site_key}:{token[-16:]}")
        for item in self.outbox.items:
            self.messages.show_pending(item, "You")
        self.client = SocketIOClient("", "/visitor", auth={"token": token})
        self.client.on("connect", lambda: self._status(""))
        self.client.on("disconnect", lambda _reason: self._status("Reconnecting…"))
        self.client.on("connect_error", lambda _data: self._status("Chat is unavailable"))
        self.client.on("hello", self._hello)
        self.client.on("message", self._message)
        self.client.on("presence", lambda d: self._set_presence(bool(d.get("operators_online"))))
        self.client.on("operator.typing", self._operator_typing)
        self.client.on("site", self._apply_site)  # settings changed in the panel
        self.client.connect()

    def _apply_site(self, site: dict) -> None:
        document["porch-title"].textContent = site.get("name") or "Chat"
        greeting = document["porch-greeting"]
        greeting.textContent = site.get("greeting") or ""
        greeting.hidden = not site.get("greeting")
        self.typing_preview = site.get("typing_preview", True) is not False
        color = site.get("color")
        if isinstance(color, str) and window.CSS.supports("color", color):
            document.documentElement.style.setProperty("--accent", color)

    # -- socket ----------------------------------------------------------------------

    def _hello(self, data: dict) -> None:
        self.visitor = data.get("visitor") or {}
        self.typing_preview = (data.get("settings") or {}).get("typing_preview", True) is not False
        self._set_presence(bool(data.get("operators_online")))
        self.messages.clear()
        for message in data.get("messages") or []:
            self.messages.show(message)
            if message.get("client_id"):
                self.outbox.remove(message["client_id"])  # stored before we saw the ack
        self._resend()
        self._show_failed()
        self.composer.resend_draft()
        # Replies that came while no widget was open (or this one was disconnected).
        self.unread = max(0, int(data.get("unread") or 0))
        self.host.send({"porch": "unread", "count": self.unread})
        self._maybe_read()

    def _resend(self) -> None:
        """Send every unacknowledged message again, oldest first; the server dedupes."""
        for item in self.outbox.items:
            self.messages.show_pending(item, "You")
            self._emit_message(item)

    def _show_failed(self) -> None:
        """Failed messages outlive a redraw: still shown, still retryable."""
        for client_id, (item, reason) in self._failed.items():
            self.messages.show_pending(item, "You")
            self.messages.mark_failed(client_id, reason)

    def _message(self, message: dict) -> None:
        if not self.messages.show(message):
            return
        if message.get("author") in ("operator", "bot"):
            self._hide_typing()
            self.host.send({"porch": "event", "name": "message", "data": message})
            if self.is_open and not document.hidden:
                self._emit("read", {}, queue=False)
            else:
                self.unread += 1
                self.host.send({"porch": "unread", "count": self.unread})

    def _operator_typing(self, data: dict) -> None:
        if not data.get("typing"):
            self._hide_typing()
            return
        typing = document["porch-typing"]
        typing.textContent = f"{data.get('name') or 'Someone'} is typing…"
        typing.hidden = False
        if self._typing_timer is not None:
            window.clearTimeout(self._typing_timer)
        # A lost "stopped typing" must not leave the indicator up forever.
        self._typing_timer = window.setTimeout(self._hide_typing, TYPING_HIDE_MS)

    def _hide_typing(self) -> None:
        document["porch-typing"].hidden = True

    # -- sending ---------------------------------------------------------------------

    def _send(self, body: str) -> None:
        item = {"client_id": random_id(), "body": body, "created_at": now_iso()}
        self.outbox.add(item)
        self.messages.show_pending(item, self.visitor.get("name") or "You")
        self._emit_message(item)  # the composer has already cleared the draft

    def _emit_message(self, item: dict) -> None:
        payload = {"client_id": item["client_id"], "body": item["body"]}

        def on_ack(ack: dict) -> None:
            if isinstance(ack, dict) and ack.get("ok"):
                self.outbox.remove(item["client_id"])
                self.messages.show(ack["message"])
                return
            error = (ack.get("error") if isinstance(ack, dict) else None) or {}
            self.outbox.remove(item["client_id"])  # not retried by itself: the visitor decides
            reason = error.get("message") or "Not sent"
            self._failed[item["client_id"]] = (item, reason)
            self.messages.mark_failed(item["client_id"], reason)

        # Not queued by the client: the outbox resends it after the next hello.
        self._emit("message.send", payload, on_ack, queue=False)

    def _retry(self, client_id: str) -> None:
        item, _reason = self._failed.pop(client_id, (None, ""))
        if item is not None:
            self.outbox.add(item)
            self._emit_message(item)

    def _draft(self, text: str) -> None:
        if self.typing_preview:
            self._emit("typing", {"draft": text}, queue=False)

    def _emit(self, event: str, data: dict, callback: object = None, queue: bool = True) -> None:
        if self.client is not None:
            self.client.emit(event, data, callback, queue)

    # -- presence, email, unread -----------------------------------------------------

    def _set_presence(self, online: bool) -> None:
        document["porch-presence"].classList.toggle("online", online)
        document["porch-presence-text"].textContent = ONLINE_TEXT if online else OFFLINE_TEXT
        document["porch-offline"].hidden = online or bool(self.visitor.get("email"))

    def _save_email(self, evt: object) -> None:
        evt.preventDefault()
        field = document["porch-email"]
        if not field.checkValidity():
            field.reportValidity()
            return
        email = field.value.strip()

        def on_ack(ack: dict) -> None:
            if isinstance(ack, dict) and ack.get("ok"):
                self.visitor["email"] = email
                document["porch-offline"].hidden = True
                self._status(f"Thanks! We'll reply to {email}.")

        self._emit("visitor.update", {"email": email}, on_ack)

    def _maybe_read(self) -> None:
        if self.is_open and not document.hidden and self.unread:
            self.unread = 0
            self.host.send({"porch": "unread", "count": 0})
            self._emit("read", {}, queue=False)

    def _status(self, text: str) -> None:
        status = document["porch-status"]
        status.textContent = text
        status.hidden = not text

    def _keydown(self, evt: object) -> None:
        if evt.key == "Escape":
            self.host.send({"porch": "close"})


def _page(page: dict) -> dict:
    return {key: str(page.get(key) or "")[:2000] for key in ("url", "title", "referrer")}


def _visitor_update(data: dict) -> dict:
    """`Porch.setVisitor({...})`: name/email are fields, anything else is an attribute."""
    update = {k: str(data[k]) for k in VISITOR_FIELDS if data.get(k)}
    attributes = {
        str(k): v
        for k, v in data.items()
        if k not in VISITOR_FIELDS + IDENTITY_KEYS and isinstance(v, (str, int, float, bool))
    }
    if attributes:
        update["attributes"] = attributes
    return update
