"""The visitor's earlier conversations: drawn by `porch_lazy.earlier` once there are any
(a first-time visitor has none, so the widget's first download carries only this
stand-in, which keeps what the view is told until it has loaded)."""

from porch_widget import lazy

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


class Earlier:
    """`load` and `on_back` as `porch_lazy.earlier.EarlierView` takes them."""

    def __init__(self, load: "Callable", on_back: "Callable[[], None]") -> None:
        self._load = load
        self._on_back = on_back
        self.view = None  # the `EarlierView`, once loaded
        self._conversations: list = []
        self._unread = 0
        self._loading = False

    @property
    def browsing(self) -> bool:
        return self.view is not None and self.view.browsing

    def update(self, conversations: list) -> None:
        self._conversations = conversations
        if self.view is not None:
            self.view.update(conversations)
        elif conversations and not self._loading:
            self._loading = True
            lazy.load("porch_lazy.earlier", self._loaded)

    def set_unread(self, count: int) -> None:
        self._unread = count
        if self.view is not None:
            self.view.set_unread(count)

    def _loaded(self, module: object) -> None:
        self.view = module.EarlierView(self._load, self._on_back)
        self.view.update(self._conversations)
        self.view.set_unread(self._unread)
