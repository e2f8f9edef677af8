"""Files in chat, shared by the widget and the panel: the upload tray (button, drag and
drop, paste; progress; one request per file), the `attachments` part renderer (image
thumbnails that open a viewer: `porch_media.viewer`, file links) and the batching of
`attachments.links`.

Messages carry attachment ids, never URLs: signed URLs expire, so a page asks the server
for fresh links (`attachments.links`) when it shows a message. File names are text.
"""

from browser import window

from porch_sio import jsontext
from porch_ui.dom import el

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

MAX_FILES = 10


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} B"


class Linker:
    """Asks for the links of every attachment shown in one go, then fills each in."""

    def __init__(self) -> None:
        self.emit = None  # (event, data, callback) once connected
        self._waiting: dict = {}
        self._timer = None

    def use(self, emit: "Callable") -> None:
        self.emit = emit
        self._schedule()

    def want(self, attachment_id: str, fill: "Callable[[dict], None]") -> None:
        self._waiting.setdefault(attachment_id, []).append(fill)
        self._schedule()

    def _schedule(self) -> None:
        if self._timer is None and self._waiting and self.emit is not None:
            self._timer = window.setTimeout(self._flush, 0)

    def _flush(self) -> None:
        self._timer = None
        ids = list(self._waiting)[:50]
        asked = {i: self._waiting.pop(i) for i in ids}

        def on_ack(ack: object) -> None:
            found = ack.get("attachments") if isinstance(ack, dict) else None
            for link in found or []:
                for fill in asked.get(link.get("id"), []):
                    fill(link)

        self.emit("attachments.links", {"ids": ids}, on_ack)
        self._schedule()


def renderer(linker: Linker, viewer: object, prefix: str) -> "Callable":
    """The `attachments` part renderer; test ids are `<prefix>attachment` (a file link)
    and `<prefix>attachment-image` (a thumbnail button, whose click calls
    `viewer.open(url, name, button)`)."""

    def render(_message: dict, files: object) -> object:
        if not isinstance(files, list):
            return None
        box = el("div", None, "files")
        for item in files[:MAX_FILES]:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                box.appendChild(_file_node(linker, viewer, prefix, item))
        return box

    return render


def _file_node(linker: Linker, viewer: object, prefix: str, item: dict) -> object:
    name = str(item.get("name") or "file")
    if item.get("image"):
        button = el("button", None, "thumb", type="button", aria_label=f"Open image {name}")
        button.setAttribute("data-testid", f"{prefix}attachment-image")
        image = el("img", None, alt=name)
        if item.get("width") and item.get("height"):
            ratio = int(item["height"]) / max(1, int(item["width"]))
            image.style.aspectRatio = f"1 / {ratio:.4f}"
        button.appendChild(image)

        def fill(link: dict) -> None:
            image.src = link.get("thumbnail_url") or link.get("url") or ""
            button.bind("click", lambda _e: viewer.open(link.get("url"), name, button))

        linker.want(item["id"], fill)
        return button
    label = f"{name} ({size_text(int(item.get('size') or 0))})"
    link_node = el("a", label, "file", download=name, rel="noopener")
    link_node.setAttribute("data-testid", f"{prefix}attachment")

    def fill_link(link: dict) -> None:
        link_node.href = link.get("url") or ""

    linker.want(item["id"], fill_link)
    return link_node


class Uploads:
    """The files being attached to the next message: each uploads at once (raw body,
    progress shown), and is sent with the message by id once uploaded."""

    def __init__(
        self,
        tray: object,
        prefix: str,
        target: "Callable[[], str | None]",
        headers: "Callable[[], dict]",
        on_change: "Callable[[], None]",
    ) -> None:
        self.tray = tray
        self.prefix = prefix
        self.target = target  # the upload URL now (None: nowhere to upload yet)
        self.headers = headers
        self.on_change = on_change
        self._items: list = []  # {"node", "file", "done", "error", "xhr"}

    def arm(self, button: object, field: object, drop_zone: object, paste_into: object) -> None:
        """Button opens the file picker; files dropped on `drop_zone` or pasted into
        `paste_into` are attached too."""
        button.bind("click", lambda _e: field.click())
        field.bind("change", lambda _e: self._take(field.files, field))
        drop_zone.bind("dragover", self._dragover)
        drop_zone.bind("dragleave", lambda _e: drop_zone.classList.remove("dropping"))
        drop_zone.bind("drop", lambda e: self._drop(e, drop_zone))
        paste_into.bind("paste", self._paste)

    def _dragover(self, event: object) -> None:
        if event.dataTransfer and "Files" in list(event.dataTransfer.types):
            event.preventDefault()
            event.currentTarget.classList.add("dropping")

    def _drop(self, event: object, zone: object) -> None:
        zone.classList.remove("dropping")
        if event.dataTransfer and event.dataTransfer.files.length:
            event.preventDefault()
            self._take(event.dataTransfer.files)

    def _paste(self, event: object) -> None:
        files = event.clipboardData.files if event.clipboardData else None
        if files and files.length:
            event.preventDefault()
            self._take(files)

    def _take(self, files: object, field: object = None) -> None:
        for index in range(files.length):
            if len(self._items) < MAX_FILES:
                self._start(files.item(index))
        if field is not None:
            field.value = ""

    def _start(self, file: object) -> None:
        url = self.target()
        if not url:
            return
        name = str(file.name or "pasted")
        node = el("div", None, "upload", role="group", aria_label=name)
        node.setAttribute("data-testid", f"{self.prefix}upload")
        node.setAttribute("data-state", "uploading")
        node.appendChild(el("span", name, "upload-name"))
        progress = el("progress", None, max="100", value="0", aria_label=f"Uploading {name}")
        node.appendChild(progress)
        problem = el("span", None, "upload-problem", role="alert")
        node.appendChild(problem)
        remove = el("button", "×", "upload-remove", type="button", aria_label=f"Remove {name}")
        node.appendChild(remove)
        self.tray.appendChild(node)
        self.tray.hidden = False
        item = {"node": node, "done": None, "error": "", "xhr": None}
        self._items.append(item)
        remove.bind("click", lambda _e: self._remove(item))
        xhr = window.XMLHttpRequest.new()
        item["xhr"] = xhr
        sep = "&" if "?" in url else "?"
        xhr.open("POST", f"{url}{sep}name={window.encodeURIComponent(name)}")
        for key, value in self.headers().items():
            xhr.setRequestHeader(key, value)

        def progressed(event: object) -> None:
            if event.lengthComputable:
                progress.value = int(100 * event.loaded / max(1, event.total))

        def loaded(_event: object) -> None:
            self._finished(item, xhr.status, xhr.responseText, progress, problem)

        def failed(_event: object) -> None:
            self._finished(item, 0, "", progress, problem)

        xhr.upload.onprogress = progressed
        xhr.onload = loaded
        xhr.onerror = failed
        xhr.send(file)
        self.on_change()

    def _finished(
        self, item: dict, status: int, text: str, progress: object, problem: object
    ) -> None:
        try:
            reply = jsontext.loads(text) if text else {}
        except Exception:
            reply = {}
        if status == 200 and isinstance(reply, dict) and reply.get("ok"):
            item["done"] = reply["attachment"]
            progress.value = 100
            item["node"].setAttribute("data-state", "done")
        else:
            error = reply.get("error") if isinstance(reply, dict) else None
            message = error.get("message") if isinstance(error, dict) else None
            item["error"] = message or "Upload failed"
            problem.textContent = item["error"]
            progress.remove()
            item["node"].setAttribute("data-state", "failed")
        self.on_change()

    def _remove(self, item: dict) -> None:
        if item["xhr"] is not None and item["done"] is None and not item["error"]:
            item["xhr"].abort()
        item["node"].remove()
        self._items = [i for i in self._items if i is not item]
        self.tray.hidden = not self._items
        self.on_change()

    def busy(self) -> bool:
        return any(i["done"] is None and not i["error"] for i in self._items)

    def ready(self) -> list:
        """The uploaded files' parts (`id`, `name`, `type`, `size`…)."""
        return [
            {k: v for k, v in i["done"].items() if k not in ("url", "thumbnail_url")}
            for i in self._items
            if i["done"] is not None
        ]

    def take(self) -> list:
        """The uploaded files for the message being sent; the tray empties."""
        files = self.ready()
        for item in list(self._items):
            item["node"].remove()
        self._items = []
        self.tray.hidden = True
        self.on_change()
        return files
