""" "Try it": the flow on the canvas walked by the server for a pretend visitor (nothing
sent, saved or counted); the transcript shows what the visitor would see, its buttons and
question answer here, and the boxes it went through are highlighted on the canvas."""

from browser import document

from porch_flow_builder.wire import request
from porch_ui.dom import el


def find(testid):
    return document.select_one('[data-testid="' + testid + '"]')


class Trying:
    def __init__(self, builder):
        self.builder = builder
        self.panel = find("builder-try-panel")
        self.toggle = find("builder-try")
        self.answers = {}
        self.toggle.bind("click", lambda _e: self._open())
        find("try-form").bind("submit", self._restart)

    def _open(self):
        opening = self.panel.hidden
        self.panel.hidden = not opening
        self.toggle.setAttribute("aria-expanded", "true" if opening else "false")
        if opening:
            find("try-url").focus()
        else:
            self.builder.canvas.highlight([], None)

    def _restart(self, event):
        event.preventDefault()
        self.answers = {}
        self.run()

    def visitor(self):
        cart = find("try-cart").value.strip().replace(",", ".")
        try:
            value = max(0.0, float(cart or "0"))
        except ValueError:
            value = 0.0
        return {
            "url": find("try-url").value.strip()[:2048] or "https://example.com/",
            "returning": bool(find("try-returning").checked),
            "cart_value": value,
            "business_hours": bool(find("try-hours").checked),
            "operators_online": bool(find("try-online").checked),
        }

    def run(self):
        body = {"document": self.builder.doc, "visitor": self.visitor(), "answers": self.answers}
        request("POST", self.builder.base + "/try", body, self._shown)

    def _shown(self, status, reply):
        outcome = find("try-outcome")
        transcript = find("try-transcript")
        transcript.textContent = ""
        if status != 200:
            outcome.textContent = "Can't try it: " + (reply.get("error") or "refused.")
            self.builder.canvas.highlight([], None)
            return
        if not reply.get("triggered"):
            outcome.textContent = "Not triggered. " + reply.get("why", "")
            self.builder.canvas.highlight([], None)
            return
        waiting = reply.get("waiting")
        outcome.textContent = "Waiting for the visitor." if waiting else "The flow ran to its end."
        for step in reply.get("steps", []):
            transcript.appendChild(self._step(step, waiting))
        path = reply.get("path", [])
        self.builder.canvas.highlight(path, waiting or (path[-1] if path else None))

    def _step(self, step, waiting):
        item = el("li", None, "try-step")
        item.setAttribute("data-testid", "try-step")
        item.setAttribute("data-node-id", step["node"])
        if step.get("text"):
            item.appendChild(el("p", step["text"], "try-bot"))
        if step.get("note"):
            item.appendChild(el("p", step["note"], "muted"))
        if step.get("answer"):
            item.appendChild(el("p", step["answer"], "try-visitor"))
        if step.get("error"):
            item.appendChild(el("p", step["error"], "try-bot"))
        if step["node"] == waiting and step.get("choices"):
            for choice in step["choices"]:
                button = el("button", choice["label"], "try-choice", type="button")
                button.setAttribute("data-testid", "try-choice")
                button.bind("click", lambda _e, c=choice: self._answer(step["node"], c["id"]))
                item.appendChild(button)
        elif step["node"] == waiting and step.get("input"):
            field_id = "try-answer-" + step["node"]
            item.appendChild(el("label", "Answer as the visitor", **{"for": field_id}))
            box = el("input", None, id=field_id)
            box.setAttribute("data-testid", "try-answer")
            item.appendChild(box)
            send = el("button", "Send", type="button")
            send.setAttribute("data-testid", "try-send")
            send.bind("click", lambda _e: self._answer(step["node"], box.value))
            item.appendChild(send)
        return item

    def _answer(self, node_id, value):
        self.answers[node_id] = value
        self.run()
