"""Desktop notifications for SLA warnings and escalations (the Notification API, once the
operator has allowed it), besides the warning shown on the page."""

from browser import window

from porch_panel.dom import find, show


def supported() -> bool:
    return hasattr(window, "Notification")


def allowed() -> bool:
    return supported() and window.Notification.permission == "granted"


class DesktopAlerts:
    def __init__(self) -> None:
        self.button = find("ticket-notify-enable")
        if not supported():
            return
        show(self.button, window.Notification.permission == "default")
        self.button.bind("click", self._ask)

    def _ask(self, _event: object) -> None:
        def answered(permission: str) -> None:
            show(self.button, permission == "default")

        window.Notification.requestPermission().then(answered)

    def notify(self, title: str, body: str, tag: str) -> None:
        if allowed():
            window.Notification.new(title, {"body": body, "tag": tag})
