"""Loading `porch_lazy` modules when first needed: their bundle (the frame's
`data-lazy` URL) is added as a script once; Brython then imports from it."""

from browser import document

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

_waiting: list = []  # (module name, callback) until the bundle has loaded
_state = {"loading": False, "loaded": False}


def load(module: str, then: "Callable[[object], None]") -> None:
    """Call `then(module)` once `module` (a `porch_lazy.` name) can be imported."""
    if _state["loaded"]:
        then(_import(module))
        return
    _waiting.append((module, then))
    if not _state["loading"]:
        _state["loading"] = True
        script = document.createElement("script")
        script.src = document["porch"].getAttribute("data-lazy")
        script.bind("load", _loaded)
        document.head.appendChild(script)


def _loaded(_evt: object = None) -> None:
    _state["loaded"] = True
    while _waiting:
        module, then = _waiting.pop(0)
        then(_import(module))


def _import(name: str) -> object:
    # `__import__`, not an import statement: the widget's bundler must not pull it in.
    return __import__(name, fromlist=["_"])
