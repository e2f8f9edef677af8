""" "Try it": a preview of the widget beside the canvas in which the flow being edited (the
draft, saved or not, switched on or not) runs for a test visitor. The visitor side plays
as a shopper would see it: nothing until the trigger fires (a button does what the
visitor would: stay 30 s, move to leave…), then the first message as a teaser by the
launcher (or the chat opening), "typing…", buttons to click and questions to answer in
the chat. Each box lights up on the canvas as the run passes it.

The server walks the document (`POST …/try`, porch.flows.trial) with the answers given so
far; nothing is sent, saved or counted there, and actions are described, not done. This
module plays the walk's new steps one at a time."""

from browser import document, timer

from porch_flow_builder import model
from porch_flow_builder.wire import request
from porch_ui.dom import el

PACE_MS = 450
"""Between two nodes, so the eye can follow the highlight along the canvas."""
MAX_TYPING_MS = 2000
SPEAKING = ("message", "buttons", "question")
SAYING = ("conversation_started", "message_received", "visitor_says")
OPENING_TRIGGERS = ("launcher_click", *SAYING)


def find(testid):
    return document.select_one('[data-testid="' + testid + '"]')


class Trying:
    def __init__(self, builder):
        self.builder = builder
        self.panel = find("builder-try-panel")
        self.toggle = find("builder-try")
        self.chat = find("try-chat")
        self.transcript = find("try-transcript")
        self.answer_box = find("try-answer")
        self.generation = 0
        self.chain = 0
        self.view = [0, 0]
        self.toggle.bind("click", lambda _e: self._open())
        find("try-form").bind("submit", self._restart)
        find("try-form").bind("change", lambda _e: self._reset())  # another test visitor
        find("try-fire").bind("click", lambda _e: self.fire())
        find("try-launcher").bind("click", lambda _e: self._launcher())
        find("try-teaser").bind("click", lambda _e: self.show_chat(True))
        find("try-close").bind("click", lambda _e: self.show_chat(False))
        find("try-composer").bind("submit", self._typed)
        self._reset()

    # -- opening and restarting --------------------------------------------------------------

    def _open(self):
        opening = self.panel.hidden
        self.panel.hidden = not opening
        self.builder.root.setAttribute("data-trying", "true" if opening else "false")
        self.toggle.setAttribute("aria-expanded", "true" if opening else "false")
        self._reset()
        canvas = self.builder.canvas
        if opening:
            self.view = list(canvas.pan)  # the canvas follows the run while the preview is open
            find("try-fire").focus()
        else:
            canvas.highlight([], None)
            canvas.pan = self.view  # and comes back to where it was when it closes
            canvas.apply_transform()

    def _restart(self, event):
        event.preventDefault()
        self._reset()
        find("try-fire").focus()

    def _reset(self):
        """A new test visitor on the page: nothing shown yet, the trigger armed."""
        self.generation += 1  # steps still being played for the last visitor stop
        self.answers = {}
        self.path = []
        self.played = 0
        self.waiting = None
        self.steps = []
        self.fired = False
        self.transcript.textContent = ""
        self._drop_quick_replies()
        self.show_chat(False)
        self._teaser("")
        self._typing(False)
        self._composer(None)
        trigger = self.builder.doc.get("trigger", {})
        fire = find("try-fire")
        fire.textContent = model.fire_label(trigger)
        fire.disabled = False
        url = find("try-url").value.strip() or "https://example.com/"
        find("try-address").textContent = url
        self._outcome("Waiting for the trigger: " + model.trigger_line(trigger) + ".")
        self.builder.canvas.highlight([model.TRIGGER], model.TRIGGER)

    def edited(self):
        """The canvas changed: before the trigger fires, say the trigger as it is now."""
        if self.fired or self.panel.hidden:
            return
        trigger = self.builder.doc.get("trigger", {})
        find("try-fire").textContent = model.fire_label(trigger)
        self._outcome("Waiting for the trigger: " + model.trigger_line(trigger) + ".")

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

    # -- what the test visitor does --------------------------------------------------------

    def fire(self):
        if self.fired:
            return
        self.fired = True
        find("try-fire").disabled = True
        if self.builder.doc.get("trigger", {}).get("type") in OPENING_TRIGGERS:
            self.show_chat(True)  # the visitor opened the chat to do it
        self._outcome("Running…")
        self.run()

    def _launcher(self):
        if not self.fired and self.builder.doc.get("trigger", {}).get("type") == "launcher_click":
            self.fire()
            return
        self.show_chat(self.chat.hidden)

    def _typed(self, event):
        event.preventDefault()
        text = self.answer_box.value.strip()
        if not text:
            return
        self.answer_box.value = ""
        self._say("visitor", text, self.waiting or "visitor")
        trigger = self.builder.doc.get("trigger", {})
        if not self.fired and trigger.get("type") in SAYING:
            if model.says_keyword(trigger, text):
                self.fire()
            else:
                self._note("None of the trigger's keywords: the flow does not start.", "visitor")
            return
        step = self._step_of(self.waiting)
        if step is not None and step.get("input"):
            self._answer(self.waiting, text)
        elif step is not None and step.get("choices") and self._drop_quick_replies():
            self._note("Typed instead of a quick reply: the flow ends.", self.waiting)
            self.waiting = None
            self.builder.canvas.highlight([model.TRIGGER, *self.path], None)
            self._outcome("The flow ended: the visitor typed instead.")
        elif step is not None and step.get("choices"):
            self._note("The buttons stay on offer; the message goes to your team.", self.waiting)
        else:
            self._note("The message goes to your team (not in a preview).", "visitor")

    def _choose(self, node_id, choice, buttons):
        self._drop_quick_replies()
        for button in buttons:
            button.disabled = True
        self._say("visitor", choice["label"], node_id)
        self._answer(node_id, choice["id"])

    def _answer(self, node_id, value):
        self.answers[node_id] = value
        self._composer(None)
        self.run()

    # -- the walk --------------------------------------------------------------------------

    def run(self):
        body = {"document": self.builder.doc, "visitor": self.visitor(), "answers": self.answers}
        generation = self.generation
        request(
            "POST",
            self.builder.base + "/try",
            body,
            lambda status, reply: self._walked(generation, status, reply),
        )

    def _walked(self, generation, status, reply):
        if generation != self.generation:
            return  # the visitor was reset meanwhile
        if status != 200:
            self._outcome("Can't try it: " + (reply.get("error") or "refused."))
            self.builder.canvas.highlight([], None)
            return
        if not reply.get("triggered"):
            self._outcome("Not triggered. " + reply.get("why", ""))
            self.builder.canvas.highlight([model.TRIGGER], None)
            return
        steps, path = reply.get("steps", []), reply.get("path", [])
        if path[: self.played] != self.path[: self.played]:
            self.played = 0  # the flow was edited meanwhile: show the walk from the start
            self.transcript.textContent = ""
        asked = self.played - 1
        if asked >= 0 and steps[asked].get("error"):
            self._say("bot", steps[asked]["error"], steps[asked]["node"])  # asks again
        self.steps, self.path = steps, path
        self.waiting = reply.get("waiting")
        self.chain += 1  # a walk still being played (an answer came quickly) stops
        self._typing(False)
        self._play((generation, self.chain), self.played)

    def _current(self, token):
        return token == (self.generation, self.chain)

    def _play(self, token, index):
        if not self._current(token):
            return
        if index >= len(self.steps):
            self._settled()
            return
        step = self.steps[index]
        self.builder.canvas.highlight([model.TRIGGER, *self.path[: index + 1]], step["node"])
        self.builder.canvas.reveal(step["node"])
        if step["type"] in SPEAKING:
            typing = self._typing_ms(step["node"])
            if typing:
                self._typing(True)
                timer.set_timeout(lambda: self._spoken(token, index), typing)
                return  # shown (and counted as played) once the pause is over
            self._show(step)
        else:
            self._note(step.get("note", ""), step["node"])
            if step["type"] == "open_widget":
                self.show_chat(True)
        self.played = max(self.played, index + 1)
        timer.set_timeout(lambda: self._play(token, index + 1), PACE_MS)

    def _spoken(self, token, index):
        if not self._current(token):
            return
        self._typing(False)
        self._show(self.steps[index])
        self.played = max(self.played, index + 1)
        timer.set_timeout(lambda: self._play(token, index + 1), PACE_MS)

    def _typing_ms(self, node_id):
        node = self.builder.doc.get("nodes", {}).get(node_id) or {}
        try:
            return min(MAX_TYPING_MS, max(0, int(node.get("typing_ms") or 0)))
        except (TypeError, ValueError):
            return 0

    def _settled(self):
        waiting = self.waiting
        current = waiting or (self.path[-1] if self.path else None)
        self.builder.canvas.highlight([model.TRIGGER, *self.path], current)
        step = self._step_of(waiting)
        if step is not None and step.get("input"):
            self._composer(step["node"])
        self._outcome("Waiting for the visitor." if waiting else "The flow ran to its end.")

    def _step_of(self, node_id):
        for step in self.steps:
            if step["node"] == node_id:
                return step
        return None

    # -- the widget's look ----------------------------------------------------------------

    def _show(self, step):
        """A message, buttons or a question as the visitor sees it: in the chat, and as the
        teaser by the launcher while the chat is closed."""
        item = self._say("bot", step.get("text", ""), step["node"])
        if self.chat.hidden:
            self._teaser(step.get("text", ""))
        if step.get("answer"):  # shown again after an edit: the answer given before
            self._say("visitor", step["answer"], step["node"])
        if step.get("choices") and step["node"] == self.waiting:
            buttons = []
            node = self.builder.doc.get("nodes", {}).get(step["node"]) or {}
            quick = bool(node.get("quick_replies"))
            row = el("div", None, "preview-quick-replies" if quick else "preview-choices")
            if quick:  # chips above the composer, gone once one is picked or the visitor types
                row.setAttribute("data-testid", "try-quick-replies")
            for choice in step["choices"]:
                button = el("button", choice["label"], "preview-choice", type="button")
                button.setAttribute("data-testid", "try-choice")
                button.setAttribute("data-choice-id", choice["id"])
                button.bind(
                    "click", lambda _e, c=choice, n=step["node"]: self._choose(n, c, buttons)
                )
                buttons.append(button)
                row.appendChild(button)
            if quick:
                composer = find("try-composer")
                composer.parentNode.insertBefore(row, composer)
            else:
                item.appendChild(row)

    def _say(self, author, text, node_id):
        item = el("li", None, "preview-message preview-" + author)
        item.setAttribute("data-testid", "try-step")
        item.setAttribute("data-author", author)
        item.setAttribute("data-node-id", node_id)
        item.appendChild(el("p", text))
        self.transcript.appendChild(item)
        self.transcript.scrollTop = self.transcript.scrollHeight
        return item

    def _note(self, text, node_id):
        """What happened behind the scenes (a condition, an action described): the real
        visitor sees none of it."""
        item = el("li", None, "preview-note")
        item.setAttribute("data-testid", "try-step")
        item.setAttribute("data-author", "note")
        item.setAttribute("data-node-id", node_id)
        item.appendChild(el("p", text))
        self.transcript.appendChild(item)
        self.transcript.scrollTop = self.transcript.scrollHeight

    def _drop_quick_replies(self):
        """Take the chips away; whether there were any."""
        chips = find("try-quick-replies")
        if chips is not None:
            chips.remove()
        return chips is not None

    def show_chat(self, opened):
        self.chat.hidden = not opened
        find("try-launcher").setAttribute("aria-expanded", "true" if opened else "false")
        if opened:
            self._teaser("")
            if self.waiting:
                self.answer_box.focus()

    def _teaser(self, text):
        teaser = find("try-teaser")
        teaser.textContent = text
        teaser.hidden = not text

    def _typing(self, shown):
        find("try-typing").hidden = not shown

    def _composer(self, node_id):
        """The composer is where a question is answered (and a trigger said, before it)."""
        self.answer_box.placeholder = "Answer as the visitor" if node_id else "Write a message"
        if node_id and not self.chat.hidden:
            self.answer_box.focus()

    def _outcome(self, words):
        find("try-outcome").textContent = words
