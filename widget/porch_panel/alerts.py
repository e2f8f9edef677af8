"""New chat and new message alerts for an operator whose panel is in a background tab (or
unfocused): a sound, a desktop notification (once permitted), a count in the tab title
and a badge on the favicon. Each operator chooses which, per browser (localStorage).

A visitor's message alerts once (by message id), and not while the operator is looking
at the panel; coming back to the tab clears the count. The element
`[data-testid=alert-status]` (hidden) says what the last alert did, for tests and for
screen readers (a polite live region).
"""

from browser import document, window

from porch_ui.dom import el

DEFAULTS = {"sound": True, "desktop": False, "title": True}
STATUS = "alert-status"


class Alerts:
    def __init__(self, client: object, operator_id: int) -> None:
        self.key = f"porch:alerts:{operator_id}"
        self.settings = dict(DEFAULTS)
        self.settings.update(_load(self.key))
        self.alerted: set = set()
        self.known: set = set()  # conversations with a visitor message seen here
        self.count = 0
        self.title = document.title
        self.icon = _icon_link()
        self.plain_icon = self.icon.href
        self.status = el("p", None, "visually-hidden", role="status", aria_live="polite")
        self.status.setAttribute("data-testid", STATUS)
        document.body.appendChild(self.status)
        client.on("conversation.updated", self._summary)
        document.bind("visibilitychange", lambda _e: self._maybe_clear())
        window.addEventListener("focus", lambda _e: self._maybe_clear())
        self._bind_settings()

    # -- settings --------------------------------------------------------------------

    def _bind_settings(self) -> None:
        for name in DEFAULTS:
            box = document.select_one(f'[data-testid="alert-{name}"]')
            if box is None:
                continue
            box.checked = bool(self.settings[name])
            box.bind("change", lambda e, name=name: self._set(name, bool(e.target.checked)))

    def _set(self, name: str, on: bool) -> None:
        self.settings[name] = on
        window.localStorage.setItem(self.key, window.JSON.stringify(window.Object(self.settings)))
        if name == "desktop" and on and hasattr(window, "Notification"):
            window.Notification.requestPermission()

    # -- alerting --------------------------------------------------------------------

    def _summary(self, summary: dict) -> None:
        last = summary.get("last_message") or {}
        conversation_id = summary.get("id")
        if last.get("author") != "visitor" or last.get("internal"):
            return
        new_chat = conversation_id not in self.known and int(summary.get("unread") or 0) <= 1
        self.known.add(conversation_id)
        if last.get("id") in self.alerted:
            return
        self.alerted.add(last.get("id"))
        if not self._away():
            return
        self.count += 1
        who = summary.get("visitor_name") or "A visitor"
        text = f"New chat from {who}" if new_chat else f"New message from {who}"
        done = []
        if self.settings["title"]:
            document.title = f"({self.count}) {self.title}"
            self.icon.href = _badge(self.count)
            done.append("title")
        if self.settings["sound"]:
            _beep()
            done.append("sound")
        if self.settings["desktop"] and _may_notify():
            body = str(last.get("body") or "")[:140]
            options = {"body": body, "tag": f"porch-{conversation_id}"}
            window.Notification.new(text, window.Object(options))
            done.append("desktop")
        self.status.textContent = text
        self.status.setAttribute("data-alerts", str(self.count))
        self.status.setAttribute("data-done", " ".join(done))

    def _away(self) -> bool:
        return bool(document.hidden) or not document.hasFocus()

    def _maybe_clear(self) -> None:
        if not self._away() and self.count:
            self.count = 0
            document.title = self.title
            self.icon.href = self.plain_icon
            self.status.setAttribute("data-alerts", "0")


def _load(key: str) -> dict:
    try:
        raw = window.localStorage.getItem(key)
        data = window.JSON.parse(raw) if raw else None
    except Exception:
        return {}
    if data is None:
        return {}
    return {name: bool(data[name]) for name in DEFAULTS if hasattr(data, name)}


def _may_notify() -> bool:
    return hasattr(window, "Notification") and window.Notification.permission == "granted"


def _icon_link() -> object:
    link = document.select_one("link[rel=icon]")
    if link is None:
        link = el("link", rel="icon", href="data:,")
        document.head.appendChild(link)
    link.setAttribute("data-testid", "favicon")
    return link


def _badge(count: int) -> str:
    """A 32 px favicon: a red disc with the count."""
    canvas = document.createElement("canvas")
    canvas.width = canvas.height = 32
    ctx = canvas.getContext("2d")
    ctx.fillStyle = "#c92a2a"
    ctx.beginPath()
    ctx.arc(16, 16, 16, 0, 2 * window.Math.PI)
    ctx.fill()
    ctx.fillStyle = "#fff"
    ctx.font = "bold 20px sans-serif"
    ctx.textAlign = "center"
    ctx.textBaseline = "middle"
    ctx.fillText("9+" if count > 9 else str(count), 16, 17)
    return canvas.toDataURL("image/png")


def _beep() -> None:
    """A short two-tone chime made with Web Audio (no sound file to download)."""
    try:
        context = window.AudioContext.new()
        for index, frequency in enumerate((880, 1320)):
            tone = context.createOscillator()
            gain = context.createGain()
            tone.frequency.value = frequency
            start = context.currentTime + index * 0.12
            gain.gain.setValueAtTime(0.15, start)
            gain.gain.exponentialRampToValueAtTime(0.001, start + 0.25)
            tone.connect(gain)
            gain.connect(context.destination)
            tone.start(start)
            tone.stop(start + 0.3)
    except Exception:
        pass  # autoplay rules may refuse before the first click: the other alerts remain
