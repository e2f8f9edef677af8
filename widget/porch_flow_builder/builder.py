"""The flow builder: the document being edited, its undo history, and what the mouse and
keyboard do (select, drag, connect, delete, move with arrows, Ctrl+Z / Ctrl+Y). Saving
and switching on go to the panel's JSON endpoints with the session's CSRF token; the
server checks the document against the JSON Schema again. A document that differs from
the one last saved shows "Unsaved changes", and leaving the page then asks first."""

from browser import document, window

from porch_flow_builder import model
from porch_flow_builder.canvas import Canvas
from porch_flow_builder.settings import Settings
from porch_flow_builder.trying import Trying
from porch_flow_builder.wire import request
from porch_sio import jsontext
from porch_ui.dom import el

MAX_HISTORY = 100
STEP = 20


def find(testid):
    return document.select_one('[data-testid="' + testid + '"]')


class Builder:
    def __init__(self, root):
        self.root = root
        self.flow_id = root.getAttribute("data-flow-id")
        self.base = "/panel/flows/" + self.flow_id
        self.doc = {"nodes": {}, "trigger": {"type": "page_open"}}
        self.enabled = False
        self.selected = None
        self.connecting = None
        self.history = []
        self.future = []
        self.last_key = None
        self.saved = None  # the document as last loaded or saved (JSON text)
        self.drag = None
        self.canvas = Canvas(self)
        self.settings = Settings(self)
        self.trying = Trying(self)
        self._palette()
        self._toolbar()
        self._keys()
        self._pointer()
        window.addEventListener("beforeunload", self._leaving)
        request("GET", self.base + "/document", None, self._loaded)

    # -- loading and state -----------------------------------------------------------------

    def _loaded(self, status, reply):
        if status != 200:
            self.error(reply.get("error") or "The flow could not be loaded.")
            return
        self.doc = reply["document"]
        self._state(reply)
        if any("x" not in node for node in self.doc["nodes"].values()):
            model.auto_layout(self.doc)
        self.saved = self.snapshot()
        self.changed(redraw_settings=True)
        self.root.setAttribute("data-ready", "true")

    def _state(self, reply):
        self.enabled = bool(reply.get("enabled"))
        status = find("builder-status")
        status.textContent = "On" if self.enabled else "Off"
        status.setAttribute("data-enabled", "true" if self.enabled else "false")
        find("builder-enable").textContent = "Switch off" if self.enabled else "Switch on"
        if reply.get("version"):
            find("builder-version").textContent = "v" + str(reply["version"])

    def snapshot(self):
        return jsontext.dumps(self.doc)

    @property
    def dirty(self):
        return self.saved is not None and self.snapshot() != self.saved

    def _unsaved(self):
        dirty = self.dirty
        find("builder-unsaved").hidden = not dirty
        self.root.setAttribute("data-unsaved", "true" if dirty else "false")

    def _leaving(self, event):
        """The browser's "Leave site? Changes you made may not be saved." when they are not."""
        if self.dirty:
            event.preventDefault()
            event.returnValue = ""

    def record(self, key=None):
        """Keep the document as it is before a change (typing in one field is one step)."""
        if key is not None and key == self.last_key:
            return
        self.last_key = key
        self.history.append(self.snapshot())
        del self.history[:-MAX_HISTORY]
        self.future = []

    def undo(self):
        if self.history:
            self.future.append(self.snapshot())
            self.doc = jsontext.loads(self.history.pop())
            self._restored("Undone.")

    def redo(self):
        if self.future:
            self.history.append(self.snapshot())
            self.doc = jsontext.loads(self.future.pop())
            self._restored("Redone.")

    def _restored(self, words):
        self.last_key = None
        gone = self.selected not in self.doc["nodes"]
        if self.selected is not None and self.selected != model.TRIGGER and gone:
            self.selected = None
        self.changed(redraw_settings=True)
        self.say(words)

    def changed(self, redraw_settings=False):
        """Redraw after any change; `redraw_settings` rebuilds the side form too (not while
        typing in it, which would lose the caret)."""
        self._unsaved()
        problems = model.problems(self.doc)
        self.canvas.draw(problems)
        if redraw_settings:
            self.settings.show(self.selected)
        else:
            self.settings.mark()
        self._problems(problems)
        self.trying.edited()
        name = find("builder-name")
        if name.value != self.doc.get("name", "") and document.activeElement != name:
            name.value = self.doc.get("name", "")

    def _problems(self, problems):
        listing = find("builder-problems")
        listing.textContent = ""
        for where, items in problems.items():
            for item in items:
                who = "Flow" if where == "flow" else "Trigger" if where == model.TRIGGER else where
                entry = el("li", who + ": " + item)
                entry.setAttribute("data-testid", "builder-problem")
                entry.setAttribute("data-node-id", where)
                listing.appendChild(entry)
        if not problems:
            listing.appendChild(el("li", "None: this flow can be switched on.", "muted"))

    # -- messages ----------------------------------------------------------------------------

    def say(self, words):
        find("builder-message").textContent = words
        find("builder-error").hidden = True

    def error(self, words):
        box = find("builder-error")
        box.textContent = words
        box.hidden = False

    # -- editing -----------------------------------------------------------------------------

    def select(self, node_id, focus=False):
        self.selected = node_id
        self.changed(redraw_settings=True)
        if focus:
            self.canvas.focus(node_id)

    def add(self, kind):
        self.record()
        x, y = model.free_spot(self.doc, *self._free_spot())
        node_id = model.add_node(self.doc, kind, x, y)
        if self.connecting is not None:
            owner, outlet = self.connecting
            model.connect(self.doc, owner, outlet, node_id)
            self._connecting(None)
        self.selected = node_id
        self.changed(redraw_settings=True)
        self.canvas.focus(node_id)
        self.say(model.LABELS[kind] + " " + node_id + " added.")

    def _free_spot(self):
        """Right of the selected box, else below the lowest one."""
        if self.connecting is not None:
            x, y = model.position(self.doc, self.connecting[0])
            return (x + model.NODE_WIDTH + 60, y)
        if self.selected is not None and (
            self.selected == model.TRIGGER or self.selected in self.doc["nodes"]
        ):
            x, y = model.position(self.doc, self.selected)
            return (x + model.NODE_WIDTH + 60, y)
        lowest = max([n.get("y", 40) for n in self.doc["nodes"].values()] + [40])
        return (320, lowest + 170)

    def delete(self, node_id):
        if node_id == model.TRIGGER or node_id not in self.doc["nodes"]:
            return
        self.record()
        model.delete_node(self.doc, node_id)
        self.selected = None
        self.changed(redraw_settings=True)
        self.say("Node " + node_id + " deleted (Ctrl+Z brings it back).")
        head = document.select_one(".flow-node-head")
        if head is not None:
            head.focus()

    def move(self, node_id, dx, dy):
        if node_id == model.TRIGGER:
            return
        self.record("move:" + node_id)
        node = self.doc["nodes"][node_id]
        node["x"] = max(0, node.get("x", 0) + dx)
        node["y"] = max(0, node.get("y", 0) + dy)
        self.changed()

    def _connecting(self, pending):
        self.connecting = pending
        hint = find("builder-connecting")
        if pending is None:
            hint.hidden = True
            hint.textContent = ""
        else:
            hint.hidden = False
            hint.textContent = (
                "Connecting " + pending[0] + " → choose a box, or add a node here (Esc cancels)."
            )

    def connect_to(self, node_id):
        owner, outlet = self.connecting
        self._connecting(None)
        if node_id == model.TRIGGER or node_id == owner:
            self.changed()
            return
        self.record()
        model.connect(self.doc, owner, outlet, node_id)
        self.changed()
        self.say("Connected " + owner + " to " + node_id + ".")

    # -- boxes and outlets -------------------------------------------------------------------

    def arm_box(self, box, head, node_id):
        def clicked(_event):
            if self.connecting is not None:
                self.connect_to(node_id)
            else:
                self.select(node_id, focus=True)

        head.bind("click", clicked)
        box.bind("mousedown", lambda event: self._grab(event, node_id))
        box.bind("mouseup", lambda event: self._dropped_on(event, node_id))

    def arm_outlet(self, button, node_id, outlet):
        def clicked(event):
            event.stopPropagation()
            if self.connecting == (node_id, outlet):
                self._connecting(None)
            else:
                self._connecting((node_id, outlet))
            self.changed()
            self.canvas.focus(node_id, outlet)

        button.bind("click", clicked)

        def pressed(event):
            event.stopPropagation()
            self.drag = {"outlet": (node_id, outlet), "x": event.clientX, "y": event.clientY}

        button.bind("mousedown", pressed)

    # -- pointer: drag boxes, drag outlets, pan ------------------------------------------------

    def _grab(self, event, node_id):
        if node_id == model.TRIGGER or event.button != 0:
            return
        node = self.doc["nodes"][node_id]
        self.drag = {
            "node": node_id,
            "x": event.clientX,
            "y": event.clientY,
            "from": (node.get("x", 0), node.get("y", 0)),
            "moved": False,
        }
        event.stopPropagation()

    def _dropped_on(self, event, node_id):
        drag = self.drag
        if drag is None or "outlet" not in drag:
            return
        if abs(event.clientX - drag["x"]) + abs(event.clientY - drag["y"]) < 6:
            return  # a click: the outlet's click handler takes it
        self.drag = None
        self.connecting = drag["outlet"]
        self.connect_to(node_id)
        event.stopPropagation()

    def _pointer(self):
        canvas = find("builder-canvas")

        def down(event):
            if event.button == 0 and self.drag is None:
                self.drag = {"pan": True, "x": event.clientX, "y": event.clientY}

        def moving(event):
            drag = self.drag
            if drag is None:
                return
            dx, dy = event.clientX - drag["x"], event.clientY - drag["y"]
            if "pan" in drag:
                drag["x"], drag["y"] = event.clientX, event.clientY
                self.canvas.pan_by(dx, dy)
            elif "node" in drag and (drag["moved"] or abs(dx) + abs(dy) > 4):
                if not drag["moved"]:
                    self.record()
                    drag["moved"] = True
                node = self.doc["nodes"][drag["node"]]
                node["x"] = max(0, round(drag["from"][0] + dx / self.canvas.scale))
                node["y"] = max(0, round(drag["from"][1] + dy / self.canvas.scale))
                self.canvas.move_box(drag["node"], node["x"], node["y"])

        def up(_event):
            drag = self.drag
            self.drag = None
            if drag is not None and drag.get("moved"):
                self.last_key = None
                self.changed()

        def wheel(event):
            if event.ctrlKey:
                event.preventDefault()
                self.canvas.zoom(0.9 if event.deltaY > 0 else 1.1)

        canvas.bind("mousedown", down)
        document.bind("mousemove", moving)
        document.bind("mouseup", up)
        canvas.bind("wheel", wheel)

    # -- keyboard ----------------------------------------------------------------------------

    def _keys(self):
        moves = {"ArrowLeft": (-STEP, 0), "ArrowRight": (STEP, 0), "ArrowUp": (0, -STEP),
                 "ArrowDown": (0, STEP)}  # fmt: skip

        def key(event):
            target = event.target
            typing = target.tagName in ("INPUT", "TEXTAREA", "SELECT")
            ctrl = event.ctrlKey or event.metaKey
            if ctrl and not typing and event.key.lower() in ("z", "y"):
                event.preventDefault()
                if event.key.lower() == "y" or event.shiftKey:
                    self.redo()
                else:
                    self.undo()
                return
            if event.key == "Escape" and self.connecting is not None:
                self._connecting(None)
                self.changed()
                return
            node_id = target.getAttribute("data-node-id") if not typing else None
            if not node_id or target.getAttribute("data-testid") != "flow-node-select":
                return
            if event.key in ("Delete", "Backspace"):
                event.preventDefault()
                self.delete(node_id)
            elif event.key in moves and not ctrl:
                event.preventDefault()
                dx, dy = moves[event.key]
                self.move(node_id, dx, dy)

        document.bind("keydown", key)

    # -- palette and toolbar -----------------------------------------------------------------

    def _palette(self):
        listing = find("palette-list")
        for kind in model.NODE_TYPES:
            button = el("button", model.LABELS[kind], "palette-item", type="button")
            button.setAttribute("data-testid", "palette-" + kind)
            button.setAttribute("aria-label", "Add a " + model.LABELS[kind] + " node")
            button.bind("click", lambda _e, kind=kind: self.add(kind))
            item = el("li")
            item.appendChild(button)
            listing.appendChild(item)

    def _toolbar(self):
        find("builder-undo").bind("click", lambda _e: self.undo())
        find("builder-redo").bind("click", lambda _e: self.redo())
        find("builder-zoom-in").bind("click", lambda _e: self.canvas.zoom(1.2))
        find("builder-zoom-out").bind("click", lambda _e: self.canvas.zoom(1 / 1.2))
        find("builder-zoom-reset").bind("click", lambda _e: self.canvas.zoom(None))
        find("builder-save").bind("click", lambda _e: self.save())
        find("builder-enable").bind("click", lambda _e: self.switch())
        find("builder-layout").bind("click", lambda _e: self._layout())
        name = find("builder-name")

        def renamed(_event):
            self.record("name")
            self.doc["name"] = name.value.strip()[:200]
            self.changed()

        name.bind("input", renamed)

    def _layout(self):
        self.record()
        model.auto_layout(self.doc)
        self.changed()
        self.say("Tidied up.")

    # -- saving and switching on ------------------------------------------------------------

    def save(self, then=None):
        problems = model.problems(self.doc)
        if problems:
            self.error("Not saved: " + model.summary(problems))
            return

        sent = self.snapshot()

        def saved(status, reply):
            if status != 200:
                self.error("Not saved: " + (reply.get("error") or "the server refused it."))
                return
            self.saved = sent
            self._unsaved()
            self._state(reply)
            self.say("Saved as version " + str(reply.get("version")) + ".")
            if then is not None:
                then()

        request("POST", self.base + "/document", {"document": self.doc}, saved)

    def switch(self):
        wanted = not self.enabled
        if wanted:
            problems = model.problems(self.doc)
            if problems:
                self.error("Can't switch on: " + model.summary(problems))
                return

        def switched(status, reply):
            if status != 200:
                self.error(reply.get("error") or "Not changed.")
                return
            self._state(reply)
            self.say("Switched on." if self.enabled else "Switched off.")

        def go():
            request("POST", self.base + "/switch", {"enabled": wanted}, switched)

        if wanted and self.dirty:
            self.save(then=go)  # what is switched on is what the canvas shows
        else:
            go()
