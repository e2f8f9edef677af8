"""The privacy notice (site setting `consent_required`), before the first message: the
message box stays hidden until the visitor agrees. The notice itself is
`porch_lazy.consent`, loaded only for a visitor who has not agreed yet in this browser."""

from browser import document, window

from porch_sio import jsontext
from porch_widget import lazy

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


def arm(emit: "Callable[[str, dict, object], None]") -> None:
    config = jsontext.loads(document["porch-config"].text)
    notice = config.get("consent")
    if not isinstance(notice, dict):
        return
    key = "porch:consent:" + str(config.get("site_key") or "")
    if window.localStorage.getItem(key) == "yes":
        return
    document["porch-composer"].hidden = True  # at once: no typing before the notice shows
    lazy.load("porch_lazy.consent", lambda module: module.show(emit, notice, key))
