"""The `choices` part in the panel, read-only: operators see what was offered
(`[data-testid=message-choice]`); the visitor's click is their next message, whose
`choice` part marks it as a click (`data-choice`)."""

from porch_panel.parts import PARTS
from porch_ui.dom import el


def _render(message: dict, value: object) -> "object | None":
    if not isinstance(value, list) or not value:
        return None
    box = el("div", None, cls="choices")
    for choice in value:
        if isinstance(choice, dict):
            label = str(choice.get("label") or choice.get("id") or "")
            box.appendChild(el("span", label, cls="choice", data_testid="message-choice"))
    return box


def _answer(message: dict, value: object) -> "object | None":
    if not isinstance(value, dict):
        return None
    choice_id = str(value.get("choice_id") or "")
    return el("div", "Clicked a button", cls="choice-note", data_choice=choice_id)


PARTS.register("choices", _render)
PARTS.register("choice", _answer)
