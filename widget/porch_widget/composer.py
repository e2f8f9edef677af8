"""The message box: Enter sends (`porch_ui.composer`), a counter near the limit, and a
throttled typing preview (at most one draft per interval, trailing edge included)."""

from browser import document, window

from porch_ui.composer import enter_sends
from porch_ui.limits import MESSAGE_MAX

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

COUNTER_FROM = 3500
DRAFT_INTERVAL_MS = 300


class Composer:
    def __init__(self, on_send: "Callable[[str], None]", on_draft: "Callable[[str], None]") -> None:
        self.input = document["porch-input"]
        self.counter = document["porch-counter"]
        self.on_send = on_send
        self.on_draft = on_draft
        self._last_draft_at = 0
        self._draft_timer: int | None = None
        self._sent_draft = ""
        self.files = None  # the upload tray (`porch_ui.attachments.Uploads`), once armed
        document["porch-composer"].bind("submit", self._submit)
        enter_sends(self.input, self._send)
        self.input.bind("input", self._changed)

    def focus(self) -> None:
        self.input.focus()

    def resend_draft(self) -> None:
        """After a (re)connect: drafts are never queued, so share what is in the box now."""
        self._sent_draft = ""
        self._cancel_draft_timer()
        if self.input.value:
            self._flush_draft()

    def _submit(self, evt: object) -> None:
        evt.preventDefault()
        self._send()

    def _send(self) -> None:
        body = self.input.value.strip()
        files = self.files.ready() if self.files is not None else []
        if (not body and not files) or len(body) > MESSAGE_MAX:
            return
        if self.files is not None and self.files.busy():
            return  # the send button says so: it waits for the uploads
        self.input.value = ""
        self._changed()
        self.on_send(body)

    def _changed(self, _evt: object = None) -> None:
        length = len(self.input.value)
        self.counter.hidden = length < COUNTER_FROM
        self.counter.textContent = f"{length} / {MESSAGE_MAX}"
        self.counter.classList.toggle("over", length >= MESSAGE_MAX)
        self.input.style.height = "auto"
        self.input.style.height = f"{self.input.scrollHeight + 2}px"
        self._schedule_draft()

    def _schedule_draft(self) -> None:
        if not self.input.value:
            self._cancel_draft_timer()
            self._flush_draft()  # cleared: tell the operator right away
            return
        wait = self._last_draft_at + DRAFT_INTERVAL_MS - window.Date.now()
        if wait <= 0:
            self._cancel_draft_timer()
            self._flush_draft()
        elif self._draft_timer is None:
            self._draft_timer = window.setTimeout(self._flush_draft, wait)

    def _cancel_draft_timer(self) -> None:
        if self._draft_timer is not None:
            window.clearTimeout(self._draft_timer)
            self._draft_timer = None

    def _flush_draft(self) -> None:
        self._draft_timer = None
        draft = self.input.value
        if draft != self._sent_draft:
            self._sent_draft = draft
            self._last_draft_at = window.Date.now()
            self.on_draft(draft)
