"""The canvas: the trigger and the nodes as boxes (HTML, so text goes in as textContent
and every box is a button reachable with Tab), the arrows as SVG paths from each outlet to
the box it leads to. Drawn again from the document after every change; pan and zoom are a
CSS transform of the viewport."""

from browser import document

from porch_flow_builder import model
from porch_ui.dom import el

SVG = "http://www.w3.org/2000/svg"


def find(testid):
    return document.select_one('[data-testid="' + testid + '"]')


def svg_el(tag, **attrs):
    node = document.createElementNS(SVG, tag)
    for name, value in attrs.items():
        node.setAttribute(name.replace("_", "-"), str(value))
    return node


class Canvas:
    def __init__(self, builder):
        self.builder = builder
        self.root = find("builder-canvas")
        self.viewport = find("builder-viewport")
        self.edges = find("builder-edges")
        self.nodes = find("builder-nodes")
        self.scale = 1.0
        self.pan = [0, 0]
        self.boxes = {}

    # -- drawing -----------------------------------------------------------------------

    def draw(self, problems):
        doc = self.builder.doc
        focused = document.activeElement
        refocus = None
        if focused is not None and focused.getAttribute("data-node-id"):
            refocus = (focused.getAttribute("data-node-id"), focused.getAttribute("data-outlet"))
        self.nodes.textContent = ""
        self.boxes = {}
        self._box(model.TRIGGER, {"type": "trigger"}, problems.get(model.TRIGGER, []))
        for node_id, node in doc["nodes"].items():
            self._box(node_id, node, problems.get(node_id, []))
        self.draw_edges()
        self.apply_transform()
        self.highlight(*self.lit)  # a redraw (selecting a box) keeps "Try it"'s marks
        if refocus is not None:
            self.focus(refocus[0], refocus[1])

    def _box(self, node_id, node, problems):
        doc = self.builder.doc
        x, y = model.position(doc, node_id)
        trigger = node_id == model.TRIGGER
        kind_label = "Trigger" if trigger else model.LABELS.get(node["type"], node["type"])
        box = el("div", None, "flow-node")
        box.setAttribute("data-testid", "flow-node")
        box.setAttribute("data-node-id", node_id)
        box.setAttribute("data-type", "trigger" if trigger else node["type"])
        box.setAttribute("data-invalid", "true" if problems else "false")
        box.setAttribute("data-selected", "true" if self.builder.selected == node_id else "false")
        if not trigger and doc.get("start") == node_id:
            box.setAttribute("data-start", "true")
        box.style.left = str(x) + "px"
        box.style.top = str(y) + "px"
        line = model.trigger_line(doc["trigger"]) if trigger else model.describe(node)
        words = kind_label + " " + ("" if trigger else node_id)
        label = words + (": " + line if line else "")
        if problems:
            label += ". Problem: " + " ".join(problems)
        head = el("button", None, "flow-node-head", type="button", aria_label=label)
        head.setAttribute("data-testid", "flow-node-select")
        head.setAttribute("data-node-id", node_id)
        head.setAttribute("aria-pressed", "true" if self.builder.selected == node_id else "false")
        head.appendChild(el("strong", kind_label))
        if not trigger:
            head.appendChild(el("span", node_id, "flow-node-id"))
        box.appendChild(head)
        if line:
            box.appendChild(el("p", line, "flow-node-line"))
        if problems:
            warn = el("p", "⚠ " + problems[0], "flow-node-problem")
            warn.setAttribute("data-testid", "flow-node-problem")
            box.appendChild(warn)
        pairs = [("start", "Start")] if trigger else model.outlets(node)
        if pairs:
            row = el("div", None, "flow-outlets")
            for outlet, outlet_label in pairs:
                row.appendChild(self._outlet(node_id, outlet, outlet_label))
            box.appendChild(row)
        self.nodes.appendChild(box)
        self.boxes[node_id] = box
        self.builder.arm_box(box, head, node_id)

    def _outlet(self, node_id, outlet, label):
        to = model.target(self.builder.doc, node_id, outlet)
        pending = self.builder.connecting == (node_id, outlet)
        spoken = "Connect " + label + " from " + node_id + (" (now to " + to + ")" if to else "")
        button = el("button", label + " →", "flow-outlet", type="button", aria_label=spoken)
        button.setAttribute("data-testid", "flow-outlet")
        button.setAttribute("data-node-id", node_id)
        button.setAttribute("data-outlet", outlet)
        button.setAttribute("data-connected", "true" if to else "false")
        button.setAttribute("aria-pressed", "true" if pending else "false")
        self.builder.arm_outlet(button, node_id, outlet)
        return button

    def draw_edges(self):
        self.edges.textContent = ""
        defs = svg_el("defs")
        marker = svg_el(
            "marker", id="flow-arrow", viewBox="0 0 10 10", refX=9, refY=5,
            markerWidth=7, markerHeight=7, orient="auto-start-reverse",
        )  # fmt: skip
        marker.appendChild(svg_el("path", d="M 0 0 L 10 5 L 0 10 z", fill="currentColor"))
        defs.appendChild(marker)
        self.edges.appendChild(defs)
        doc = self.builder.doc
        for owner, box in self.boxes.items():
            for button in box.select(".flow-outlet"):
                outlet = button.getAttribute("data-outlet")
                to = model.target(doc, owner, outlet)
                if to is None or to not in self.boxes:
                    continue
                self._edge(box, button, self.boxes[to], owner, outlet, to)

    def _edge(self, box, button, target_box, owner, outlet, to):
        x1 = box.offsetLeft + button.offsetLeft + button.offsetWidth
        y1 = box.offsetTop + button.offsetTop + button.offsetHeight / 2
        x2 = target_box.offsetLeft
        y2 = target_box.offsetTop + 18
        bend = max(40, abs(x2 - x1) / 2)
        d = f"M {x1} {y1} C {x1 + bend} {y1}, {x2 - bend} {y2}, {x2} {y2}"
        path = svg_el("path", d=d, fill="none", stroke="currentColor", stroke_width=2)
        path.setAttribute("marker-end", "url(#flow-arrow)")
        path.setAttribute("class", "flow-edge")
        path.setAttribute("data-testid", "flow-edge")
        path.setAttribute("data-from", owner)
        path.setAttribute("data-outlet", outlet)
        path.setAttribute("data-to", to)
        self.edges.appendChild(path)

    def highlight(self, path_nodes, current):
        """Mark the boxes a "Try it" walk went through, and the one it is at."""
        self.lit = (list(path_nodes), current)
        for node_id, box in self.boxes.items():
            box.setAttribute("data-ran", "true" if node_id in path_nodes else "false")
            box.setAttribute("data-running", "true" if node_id == current else "false")

    # -- moving and zooming --------------------------------------------------------------

    def move_box(self, node_id, x, y):
        box = self.boxes.get(node_id)
        if box is not None:
            box.style.left = str(x) + "px"
            box.style.top = str(y) + "px"
            self.draw_edges()

    def zoom(self, factor):
        self.scale = 1.0 if factor is None else min(2.0, max(0.3, self.scale * factor))
        if factor is None:
            self.pan = [0, 0]
        self.apply_transform()

    def pan_by(self, dx, dy):
        self.pan = [self.pan[0] + dx, self.pan[1] + dy]
        self.apply_transform()

    def reveal(self, node_id, margin=24):
        """Pan just enough for the box to be in view ("Try it" follows the run)."""
        box = self.boxes.get(node_id)
        if box is None:
            return
        x, y = model.position(self.builder.doc, node_id)
        left, top = x * self.scale + self.pan[0], y * self.scale + self.pan[1]
        right = left + box.offsetWidth * self.scale
        bottom = top + box.offsetHeight * self.scale
        width, height = self.root.clientWidth, self.root.clientHeight
        dx = (width - margin - right) if right > width - margin else 0
        dy = (height - margin - bottom) if bottom > height - margin else 0
        dx = (margin - left) if left + dx < margin else dx
        dy = (margin - top) if top + dy < margin else dy
        if dx or dy:
            self.pan_by(dx, dy)

    def apply_transform(self):
        transform = f"translate({self.pan[0]}px, {self.pan[1]}px) scale({self.scale})"
        self.viewport.style.transform = transform
        find("builder-zoom-reset").textContent = str(round(self.scale * 100)) + "%"

    def focus(self, node_id, outlet=None):
        box = self.boxes.get(node_id)
        if box is None:
            return
        if outlet:
            for button in box.select(".flow-outlet"):
                if button.getAttribute("data-outlet") == outlet:
                    button.focus()
                    return
        box.select_one(".flow-node-head").focus()
