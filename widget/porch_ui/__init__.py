"""The browser kit that the widget and the panel share (Brython): the element builder,
clock times, client ids, acks, text limits, Enter-to-send and pending messages.

Pure modules (no browser imports; unit-tested under CPython): `acks`, `composer`, `ids`,
`limits`, `outbox`. `clock` and `dom` need the browser. Both bundles ship every module
here, so it holds only what both use.
"""
