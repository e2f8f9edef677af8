"""The widget controller: wires the host bridge, the socket and the views together."""

from browser import document, window

from porch_sio import jsontext
from porch_sio.client import SocketIOClient
from porch_ui import acks
from porch_ui.clock import now_iso
from porch_ui.dom import el
from porch_ui.ids import new_client_id
from porch_ui.limits import DRAFT_MAX, PAGE_TITLE_MAX, PAGE_URL_MAX
from porch_ui.outbox import Outbox
from porch_widget import attachments, choices, lazy, threads
from porch_widget.bot import BotStream
from porch_widget.composer import Composer
from porch_widget.earlier import Earlier
from porch_widget.host import Host
from porch_widget.i18n import _
from porch_widget.messages import MessageList
from porch_widget.sound import chime
from porch_widget.threads import Threads

ONLINE_TEXT = _("We usually reply in a few minutes")
OFFLINE_TEXT = _("Leave us a message and we'll email you")
YOU = _("You")
TYPING_HIDE_MS = 8000
VISITOR_FIELDS = ("name", "email")
IDENTITY_KEYS = ("id", "hash")  # checked by the loader's session request, never attributes


class Widget:
    def __init__(self) -> None:
        config = jsontext.loads(document["porch-config"].text)
        self.site_key: str = config["site_key"]
        self.greeting: str = config.get("greeting") or ""
        self.away: str = config.get("away") or ""
        self.host = Host(self._on_host)
        self.messages = MessageList(self._retry)
        self.composer = Composer(self._send, self._draft)
        self.threads = Threads()
        self.earlier = Earlier(self._load_transcript, self._maybe_read)
        self.client: SocketIOClient | None = None
        self.uploads = None
        self.outbox: Outbox | None = None
        self.visitor: dict = {}
        self.typing_preview = True
        self.is_open = False
        self.unread = 0
        self._typing_timer: int | None = None
        self._failed: dict = {}  # client id → (item, reason): kept until the visitor retries
        self.online = False
        self.forms = None  # `porch_lazy.forms`, loaded only for sites that use forms or hours
        self.emoji = None  # `porch_lazy.emoji_picker`, loaded on the first click
        if _needs_forms(config):
            lazy.load("porch_lazy.forms", lambda module: self._forms_loaded(module, config))
        _show_logo(config.get("logo_url") or "")
        choices.on_choose(self._choose)

    def start(self) -> None:
        document.bind("keydown", self._keydown)
        document["porch-close"].bind("click", lambda _evt: self.host.send({"porch": "close"}))
        self.sound = window.localStorage.getItem("porch:sound") == "on"  # off by default
        self._show_sound()
        document["porch-sound"].bind("click", self._toggle_sound)
        document["porch-offline"].bind("submit", self._save_email)
        document["porch-email-transcript"].bind("click", self._email_transcript)
        document["porch-emoji"].bind("click", self._first_emoji_click)
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
        self.outbox = Outbox(
            self._emit_message,
            self._message,  # the ack's stored message, as if it came back on the socket
            self._not_sent,
            storage=lambda: window.localStorage,
            key=f"porch:outbox:{self.site_key}:{token[-16:]}",
            json=jsontext,  # not `_json`, which garbles emoji
        )
        for item in self.outbox.items:
            self.messages.show_pending(item, YOU)
        self.uploads = attachments.arm(token, self._files_changed)
        self.composer.files = self.uploads
        self.client = SocketIOClient("", "/visitor", auth={"token": token})
        self.client.on("connect", lambda: self._status(""))
        self.client.on("disconnect", lambda _reason: self._status(_("Reconnecting…")))
        self.client.on("connect_error", lambda _data: self._status(_("Chat is unavailable")))
        self.client.on("hello", self._hello)
        self.client.on("message", self._message)
        self.client.on("conversation", self._conversation)
        self.client.on("presence", lambda d: self._set_presence(bool(d.get("operators_online"))))
        self.client.on("operator.typing", self._operator_typing)
        self.client.on("site", self._apply_site)  # settings changed in the panel
        self.client.on("flow.open", lambda _data: self.host.send({"porch": "open"}))
        BotStream().attach(self.client)  # the bot's answer as it streams, its sources
        self.client.on("seen", self._seen_by_operator)
        self.client.connect()
        attachments.LINKER.use(lambda event, data, done: self._emit(event, data, done))

    def _apply_site(self, site: dict) -> None:
        document["porch-title"].textContent = site.get("name") or _("Chat")
        greeting = document["porch-greeting"]
        text = self.greeting or site.get("greeting") or ""  # the site's, in this language
        greeting.textContent = text
        greeting.hidden = not text
        self.typing_preview = site.get("typing_preview", True) is not False
        color = site.get("color")
        if isinstance(color, str) and window.CSS.supports("color", color):
            document.documentElement.style.setProperty("--accent", color)

    # -- socket ----------------------------------------------------------------------

    def _hello(self, data: dict) -> None:
        self.visitor = data.get("visitor") or {}
        self.typing_preview = (data.get("settings") or {}).get("typing_preview", True) is not False
        self._set_presence(bool(data.get("operators_online")))
        self.threads.reset(data.get("conversation"), data.get("earlier"))
        self.messages.clear()
        for message in data.get("messages") or []:
            self.threads.arrived(message)
            self.messages.show(message)
            if message.get("client_id"):
                self.outbox.remove(message["client_id"])  # stored before we saw the ack
        self.messages.set_closed(self.threads.closed)
        self.earlier.update(self.threads.earlier)
        self._show_forms()
        self._resend()
        self._show_failed()
        self.composer.resend_draft()
        # Replies that came while no widget was open (or this one was disconnected).
        self.unread = max(0, int(data.get("unread") or 0))
        self.host.send({"porch": "unread", "count": self.unread})
        self.earlier.set_unread(self.unread)
        self._maybe_read()

    def _resend(self) -> None:
        """Send every unacknowledged message again, oldest first; the server dedupes."""
        for item in self.outbox.items:
            self.messages.show_pending(item, YOU)
        self.outbox.resend()

    def _show_failed(self) -> None:
        """Failed messages outlive a redraw: still shown, still retryable."""
        for client_id, (item, reason) in self._failed.items():
            self.messages.show_pending(item, YOU)
            self.messages.mark_failed(client_id, reason)

    def _message(self, message: dict) -> None:
        verdict = self.threads.arrived(message)
        if verdict == threads.ELSEWHERE:
            self.earlier.update(self.threads.earlier)  # its preview changed
            return
        self._follow(verdict)
        if not self.messages.show(message):
            return
        if message.get("author") in ("operator", "bot"):
            self._hide_typing()
            self.host.send({"porch": "event", "name": "message", "data": message})
            if self._seen():
                self._emit("read", {}, queue=False)
            else:
                if self.sound and not self.is_open:
                    chime()
                self.unread += 1
                self.host.send({"porch": "unread", "count": self.unread})
                self.earlier.set_unread(self.unread)

    def _seen_by_operator(self, data: dict) -> None:
        if data.get("at"):
            self.messages.mark_seen(data.get("conversation_id"), str(data["at"]))

    def _conversation(self, data: dict) -> None:
        """A conversation opened, closed or reopened; a new id is a new thread."""
        self._follow(self.threads.follow(data, sending=self.messages.has_pending()))

    def _follow(self, verdict: "str | None") -> None:
        if verdict in (threads.SWITCH, threads.RESUME):
            current = self.threads.current
            self.messages.start_thread(current["id"])
            self.earlier.update(self.threads.earlier)
            if verdict == threads.RESUME:  # an earlier one is current again: its messages
                self._load_transcript(current["id"], self._show_resumed)
        self.messages.set_closed(self.threads.closed)
        self._show_forms()

    def _show_resumed(self, messages: "list | None") -> None:
        current = (self.threads.current or {}).get("id")
        mine = [m for m in messages or [] if m.get("conversation_id") == current]
        self.messages.show_earlier(mine)
        self.messages.set_closed(self.threads.closed)

    def _load_transcript(self, conversation_id: int, done: object) -> None:
        def on_ack(ack: object) -> None:
            done((ack.get("messages") or []) if acks.ok(ack) else None)

        self._emit("conversation.transcript", {"conversation_id": conversation_id}, on_ack)

    def _operator_typing(self, data: dict) -> None:
        if not data.get("typing"):
            self._hide_typing()
            return
        typing = document["porch-typing"]
        name = data.get("name") or _("Someone")
        typing.textContent = _("{name} is typing…").replace("{name}", name)
        typing.hidden = False
        if self._typing_timer is not None:
            window.clearTimeout(self._typing_timer)
        # A lost "stopped typing" must not leave the indicator up forever.
        self._typing_timer = window.setTimeout(self._hide_typing, TYPING_HIDE_MS)

    def _hide_typing(self) -> None:
        document["porch-typing"].hidden = True

    # -- sending ---------------------------------------------------------------------

    def _send(self, body: str) -> None:
        self._follow(self.threads.sending())  # a new conversation waiting to be shown
        item = {
            "client_id": new_client_id("c", window.Math.random),
            "body": body,
            "created_at": now_iso(),
        }
        files = self.uploads.take() if self.uploads is not None else []
        if files:
            item["attachments"] = [f["id"] for f in files]
            item["parts"] = {"attachments": files}
        self.messages.show_pending(item, self.visitor.get("name") or YOU)
        self.outbox.add(item)  # the composer has already cleared the draft

    def _choose(self, message: dict, choice: dict) -> None:
        """A button clicked: the visitor's message is its label, sent with the choice."""
        self._follow(self.threads.sending())
        item = {
            "client_id": new_client_id("c", window.Math.random),
            "body": str(choice.get("label") or choice.get("id")),
            "choice": {"message_id": message.get("id"), "choice_id": choice.get("id")},
            "created_at": now_iso(),
        }
        self.messages.show_pending(item, self.visitor.get("name") or YOU)
        self.outbox.add(item)

    def _emit_message(self, item: dict, done: object) -> None:
        payload = {"client_id": item["client_id"], "body": item["body"]}
        if item.get("choice"):
            payload["choice"] = item["choice"]
        if item.get("attachments"):
            payload["attachments"] = item["attachments"]
        # Not queued by the client: the outbox resends it after the next hello.
        self._emit("message.send", payload, done, queue=False)

    def _not_sent(self, item: dict, ack: object) -> None:
        """Not retried by itself: the visitor decides."""
        reason = acks.error_message(ack, _("Not sent"))
        self._failed[item["client_id"]] = (item, reason)
        self.messages.mark_failed(item["client_id"], reason)

    def _retry(self, client_id: str) -> None:
        item, _reason = self._failed.pop(client_id, (None, ""))
        if item is not None:
            self.outbox.add(item)

    def _toggle_sound(self, _evt: object = None) -> None:
        self.sound = not self.sound
        window.localStorage.setItem("porch:sound", "on" if self.sound else "off")
        self._show_sound()

    def _show_sound(self) -> None:
        button = document["porch-sound"]
        button.setAttribute("aria-pressed", "true" if self.sound else "false")
        button.textContent = "🔔" if self.sound else "🔕"

    def _files_changed(self) -> None:
        """Send waits while a file is uploading."""
        document["porch-send"].disabled = self.uploads is not None and self.uploads.busy()

    def _draft(self, text: str) -> None:
        if self.typing_preview:
            self._emit("typing", {"draft": text[:DRAFT_MAX]}, queue=False)

    def _emit(self, event: str, data: dict, callback: object = None, queue: bool = True) -> None:
        if self.client is not None:
            self.client.emit(event, data, callback, queue)

    # -- presence, email, unread -----------------------------------------------------

    def _first_emoji_click(self, _evt: object = None) -> None:
        if self.emoji is not None:
            return  # the picker handles its button itself

        def loaded(module: object) -> None:
            self.emoji = module.EmojiPicker(
                document["porch-emoji"].getAttribute("data-src"),
                lambda emoji: module.insert_at_caret(self.composer.input, emoji),
            )
            self.emoji.open()

        self.emoji = False  # loading: further clicks wait
        lazy.load("porch_lazy.emoji_picker", loaded)

    def _forms_loaded(self, module: object, config: dict) -> None:
        self.forms = module.Forms(config, self._emit, self._message, self._form_sent)
        self._set_presence(self.online)

    def _set_presence(self, online: bool) -> None:
        self.online = online
        forms = self.forms
        answering = online and (forms is None or forms.at_work())
        document["porch-presence"].classList.toggle("online", answering)
        away = self.away or OFFLINE_TEXT
        text = forms.presence_text(online, away) if forms else (ONLINE_TEXT if online else away)
        document["porch-presence-text"].textContent = text
        self._show_forms()

    def _show_forms(self) -> None:
        """The pre-chat form, the offline form, or the message box (`porch_lazy.forms`)."""
        has_conversation = self.threads.current is not None or bool(self.threads.earlier)
        forms = self.forms
        shown = forms.show(self.online, has_conversation) if forms else "composer"
        answering = self.online and (forms is None or forms.at_work())
        email = bool(self.visitor.get("email"))
        document["porch-offline"].hidden = answering or email or shown != "composer"
        document["porch-email-transcript"].hidden = not (email and has_conversation)

    def _form_sent(self, kind: str, data: dict) -> None:
        for key in ("name", "email"):
            if data.get(key):
                self.visitor[key] = data[key]
        if kind == "offline":
            thanks = _("Thanks! We'll reply to {email}.").replace("{email}", data["email"])
            self._status(thanks)
        self._show_forms()
        if document["porch-composer"].classList.contains("gone") is False:
            self.composer.focus()

    def _email_transcript(self, _evt: object = None) -> None:
        """ "Email me this conversation": mailed to the address the visitor left."""
        button = document["porch-email-transcript"]
        button.disabled = True

        def on_ack(ack: object) -> None:
            button.disabled = False
            if acks.ok(ack):
                sent = _("We've emailed this conversation to {email}.")
                self._status(sent.replace("{email}", str(ack.get("email") or "")))
            else:
                self._status(acks.error_message(ack, _("Not sent")))

        self._emit("transcript.request", {}, on_ack)

    def _save_email(self, evt: object) -> None:
        evt.preventDefault()
        field = document["porch-email"]
        if not field.checkValidity():
            field.reportValidity()
            return
        email = field.value.strip()

        def on_ack(ack: dict) -> None:
            if acks.ok(ack):
                self.visitor["email"] = email
                self._show_forms()
                self._status(_("Thanks! We'll reply to {email}.").replace("{email}", email))

        self._emit("visitor.update", {"email": email}, on_ack)

    def _seen(self) -> bool:
        """The current conversation is on screen (not hidden, nor behind an earlier one)."""
        return self.is_open and not document.hidden and not self.earlier.browsing

    def _maybe_read(self) -> None:
        if self._seen() and self.unread:
            self.unread = 0
            self.host.send({"porch": "unread", "count": 0})
            self.earlier.set_unread(0)
            self._emit("read", {}, queue=False)

    def _status(self, text: str) -> None:
        status = document["porch-status"]
        status.textContent = text
        status.hidden = not text

    def _keydown(self, evt: object) -> None:
        if evt.key == "Escape":
            self.host.send({"porch": "close"})


def _needs_forms(config: dict) -> bool:
    """Pre-chat or offline form on, or the team away by the clock."""
    hours = config.get("hours") or {}
    return bool(config.get("prechat_fields") or config.get("offline_form")) or (
        hours.get("open") is False
    )


def _show_logo(url: str) -> None:
    """The site's logo in the header: https only (the setting is checked server-side too)."""
    if url.startswith("https://"):
        logo = el("img", None, "logo", alt="", data_testid="porch-logo")
        logo.src = url
        header = document.querySelector("header")
        header.insertBefore(logo, header.firstChild)


def _page(page: dict) -> dict:
    """Cut to the server's limits: a page view longer than those would be refused."""
    fields = {"url": PAGE_URL_MAX, "title": PAGE_TITLE_MAX, "referrer": PAGE_URL_MAX}
    return {key: str(page.get(key) or "")[:limit] for key, limit in fields.items()}


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
