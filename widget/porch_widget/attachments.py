"""The widget's files: the `attachments` part renderer (registered on import) and the
upload tray under the message box (docs/widget.md, "Attachments")."""

from browser import document

from porch_ui.attachments import Linker, Uploads, renderer
from porch_widget import lazy
from porch_widget.parts import PARTS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

UPLOAD_PATH = "/widget/v1/attachments"
LINKER = Linker()


class LazyViewer:
    """Opens the image viewer, loading it (`porch_lazy.viewer`) the first time."""

    def open(self, url: str, name: str, opener: object) -> None:
        lazy.load("porch_lazy.viewer", lambda module: module.VIEWER.open(url, name, opener))


VIEWER = LazyViewer()
PARTS.register("attachments", renderer(LINKER, VIEWER, "porch-"))


def arm(token: str, on_change: "Callable[[], None]") -> Uploads:
    """Uploads authenticated by the visitor's widget token: by the paperclip button,
    by dropping files on the widget, by pasting into the message box."""
    uploads = Uploads(
        document["porch-tray"],
        "porch-",
        lambda: UPLOAD_PATH,
        lambda: {"Authorization": f"Bearer {token}"},
        on_change,
    )
    uploads.arm(
        document["porch-attach"], document["porch-file"], document["porch"], document["porch-input"]
    )
    return uploads
