"""The panel's flow builder (Brython): a canvas of boxes and arrows that edits a flow
document (docs/flows.md, "Building flows in the panel")."""
