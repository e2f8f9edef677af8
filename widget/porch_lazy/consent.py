"""The privacy notice (site setting `consent_required`): shown above the message box
(`[data-testid=porch-consent]`, its policy link `porch-consent-link`), which stays hidden
until the visitor agrees (`porch-consent-accept`). The agreement is sent as
`consent.give` (stored with the visitor and the time) and remembered in this browser.
Loaded by `porch_widget.consent` only when the notice is to be shown."""

from browser import document, window

from porch_ui import acks
from porch_ui.dom import el
from porch_widget.i18n import _

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


def show(emit: "Callable[[str, dict, object], None]", notice: dict, key: str) -> None:
    """The notice above the (hidden) message box; `key` remembers the agreement."""
    composer = document["porch-composer"]
    composer.hidden = True
    box = el("div", None, "consent", role="region", aria_label=_("Privacy"))
    box.setAttribute("data-testid", "porch-consent")
    box.appendChild(el("p", str(notice.get("text") or ""), "consent-text"))
    link = str(notice.get("link") or "")
    if link.startswith("https://") or link.startswith("http://"):
        box.appendChild(
            el("a", _("Privacy policy"), "consent-link", href=link, target="_blank",
               rel="noopener noreferrer", data_testid="porch-consent-link")
        )  # fmt: skip
    accept = el("button", _("I agree"), "consent-accept", type="button",
                data_testid="porch-consent-accept")  # fmt: skip
    status = el("p", None, "consent-status", role="status")
    box.appendChild(accept)
    box.appendChild(status)
    composer.parentNode.insertBefore(box, composer)

    def on_ack(ack: object) -> None:
        if acks.ok(ack):
            window.localStorage.setItem(key, "yes")
            box.remove()
            composer.hidden = False
        else:
            accept.disabled = False
            status.textContent = acks.error_message(ack, _("Not sent"))

    def agree(_evt: object) -> None:
        accept.disabled = True
        emit("consent.give", {}, on_ack)

    accept.bind("click", agree)
