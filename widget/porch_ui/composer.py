"""Enter-to-send in a message box: Enter sends, Shift+Enter breaks the line, and an Enter
that confirms an input method's composition (Japanese, Chinese…) does neither.

Pure (no browser imports): it works on the element it is handed.
"""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


def enter_sends(field: object, send: "Callable[[], None]") -> None:
    def keydown(event: object) -> None:
        if event.key == "Enter" and not (event.shiftKey or event.isComposing):
            event.preventDefault()
            send()

    field.bind("keydown", keydown)
