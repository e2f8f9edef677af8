"""The pre-chat and offline forms, and what the header promises (docs/widget.md, "Forms
and away state").

The frame's config says which pre-chat fields the site asks for (`prechat_fields`),
whether the offline form is on, and whether the team is at work (`hours`). The pre-chat
form stands in for the message box before a visitor's first conversation; the offline
form stands in for it while nobody can answer. Both are checked here (the browser's own
validation) and again by the server (`form.submit`, `porch.embed.forms`).
"""

from browser import document, window

from porch_ui import acks
from porch_ui.ids import new_client_id
from porch_widget.i18n import LANGUAGE, _

ONLINE_TEXT = _("We usually reply in a few minutes")
FIELDS = ("name", "email", "question")
_TIME = window.JSON.parse('{"hour": "numeric", "minute": "2-digit"}')
_DAY_TIME = window.JSON.parse('{"weekday": "long", "hour": "numeric", "minute": "2-digit"}')


def back_at(iso: "str | None") -> str:
    """ "We're back at 9:00" (today) or "We're back Monday 9:00" (local time)."""
    if not iso:
        return ""
    date = window.Date.new(iso)
    if date.getTime() != date.getTime():
        return ""
    same_day = date.toDateString() == window.Date.new().toDateString()
    when = date.toLocaleString(LANGUAGE, _TIME if same_day else _DAY_TIME)
    return _("We're back at {time}").replace("{time}", when)


class Forms:
    def __init__(self, config: dict, emit: object, on_message: object, on_status: object) -> None:
        self.fields = [f for f in config.get("prechat_fields") or [] if f.get("name") in FIELDS]
        self.offline_on = bool(config.get("offline_form"))
        self.hours = config.get("hours") or {"open": True}
        self.emit = emit  # (event, data, ack callback)
        self.on_message = on_message  # a message the server stored from a form
        self.on_status = on_status
        self.prechat = document["porch-prechat"]
        self.offline = document["porch-offline-form"]
        self.composer = document["porch-composer"]
        self.prechat_done = False
        self._arm_prechat()
        self.prechat.bind("submit", lambda evt: self._submit(evt, "prechat", self.prechat))
        self.offline.bind("submit", lambda evt: self._submit(evt, "offline", self.offline))

    # -- state ---------------------------------------------------------------------------

    def at_work(self) -> bool:
        """Inside business hours (or past the next opening the frame was drawn with)."""
        if self.hours.get("open", True):
            return True
        back = self.hours.get("next_opening")
        return bool(back) and window.Date.now() >= window.Date.new(back).getTime()

    def presence_text(self, online: bool, away: str) -> str:
        """`away`: the site's away message, or the built-in one."""
        if online and self.at_work():
            return ONLINE_TEXT
        if not self.at_work():
            return back_at(self.hours.get("next_opening")) or away
        return away

    def show(self, online: bool, has_conversation: bool) -> str:
        """Which of the forms or the message box shows now; returns its name."""
        answering = online and self.at_work()
        if self.offline_on and not answering:
            shown = "offline"
        elif self.fields and not has_conversation and not self.prechat_done:
            shown = "prechat"
        else:
            shown = "composer"
        self.offline.hidden = shown != "offline"
        self.prechat.hidden = shown != "prechat"
        self.composer.classList.toggle("gone", shown != "composer")
        document["porch"].setAttribute("data-form", shown)
        return shown

    # -- forms ---------------------------------------------------------------------------

    def _arm_prechat(self) -> None:
        wanted = {f["name"]: bool(f.get("required")) for f in self.fields}
        for name in FIELDS:
            row = document[f"porch-prechat-{name}-row"]
            field = document[f"porch-prechat-{name}"]
            row.hidden = name not in wanted
            field.required = wanted.get(name, False)
            field.disabled = name not in wanted
            if wanted.get(name) is False:
                label = row.querySelector("label")
                label.textContent = label.textContent + " " + _("(optional)")

    def _submit(self, evt: object, kind: str, form: object) -> None:
        evt.preventDefault()
        error = form.querySelector(".form-error")
        for field in form.querySelectorAll("input, textarea"):
            field.setAttribute("aria-invalid", "false" if field.checkValidity() else "true")
        if not form.checkValidity():
            error.textContent = _("Please fill in the highlighted fields.")
            error.hidden = False
            form.querySelector("[aria-invalid=true]").focus()
            return
        error.hidden = True
        data = {"kind": kind, "client_id": new_client_id("f", window.Math.random)}
        for field in form.querySelectorAll("input, textarea"):
            value = field.value.strip()
            if value and not field.disabled:
                data[field.name] = value
        button = form.querySelector("button[type=submit]")
        button.disabled = True

        def on_ack(ack: object) -> None:
            button.disabled = False
            if not acks.ok(ack):
                error.textContent = acks.error_message(ack, _("Not sent"))
                error.hidden = False
                return
            form.reset()
            if ack.get("message"):
                self.on_message(ack["message"])
            if kind == "prechat":
                self.prechat_done = True
            else:
                self.offline_on = False  # sent: the visitor may go on writing
            self.on_status(kind, data)

        self.emit("form.submit", data, on_ack)
