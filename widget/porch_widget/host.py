"""postMessage bridge to the host page's loader (see docs/protocol.md)."""

from browser import window

from porch_sio import jsontext

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


# Brython cannot wrap a cross-origin WindowProxy (it probes its properties), so the two
# operations that touch `parent` run as plain JS functions.
_from_parent = window.Function.new("evt", "return evt.source === window.parent")
_post = window.Function.new("msg", "origin", "window.parent.postMessage(msg, origin)")


def to_js(value: object) -> object:
    """A plain JS object for postMessage (structured clone rejects Brython wrappers)."""
    return window.JSON.parse(jsontext.dumps(value))  # not `_json`, which garbles emoji


def to_py(value: object) -> object:
    """Plain Python dicts/lists from a JS value (e.g. a postMessage payload)."""
    return jsontext.loads(window.JSON.stringify(value))


class Host:
    """Accepts messages only from our parent window; replies to the origin it spoke from."""

    def __init__(self, on_message: "Callable[[dict], None]") -> None:
        self.origin: str | None = None
        self._on_message = on_message
        window.addEventListener("message", self._receive)

    def _receive(self, evt: object) -> None:
        if not _from_parent(evt):
            return
        data = to_py(evt.data)
        if not isinstance(data, dict) or not isinstance(data.get("porch"), str):
            return
        if data["porch"] == "init":
            self.origin = evt.origin
        elif self.origin is None or evt.origin != self.origin:
            return
        self._on_message(data)

    def ready(self) -> None:
        # Carries no data, so any origin may hear it; everything else waits for init.
        _post(to_js({"porch": "ready"}), "*")

    def send(self, message: dict) -> None:
        if self.origin is not None:
            _post(to_js(message), self.origin)
