"""The panel's files: the `attachments` part renderer (registered on import) and the
upload tray of the reply box; uploads go to the open conversation, with the session's
CSRF token (docs/widget.md, "Attachments")."""

from browser import document

from porch_media.viewer import Viewer
from porch_panel.dom import find
from porch_panel.parts import PARTS
from porch_ui.attachments import Linker, Uploads, renderer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

UPLOAD_PATH = "/panel/attachments"
LINKER = Linker()
VIEWER = Viewer("attachment-viewer")
PARTS.register("attachments", renderer(LINKER, VIEWER, ""))


def arm(client: object, view: object, on_change: "Callable[[], None]") -> Uploads:
    """Uploads into `view.conversation_id` (none open: nothing to attach to)."""
    LINKER.use(lambda event, data, done: client.emit(event, data, callback=done))
    token = document.select_one("input[name=csrf_token]")

    def target() -> "str | None":
        if view.conversation_id is None:
            return None
        return f"{UPLOAD_PATH}?conversation_id={view.conversation_id}"

    uploads = Uploads(
        find("upload-tray"),
        "",
        target,
        lambda: {"X-CSRF-Token": token.value if token is not None else ""},
        on_change,
    )
    uploads.arm(find("attach-button"), find("attach-input"), find("composer"), find("reply-input"))
    return uploads
