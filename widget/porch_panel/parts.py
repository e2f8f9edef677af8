"""The panel's message-part renderers (see `porch_ui.parts`); features register theirs on
`PARTS` when their module is imported."""

from porch_ui.parts import Parts

PARTS = Parts()
