"""Process tuning for a long-running server, applied once start-up has finished.

CPython's cyclic garbage collector walks every tracked object on a full collection. A
server holding thousands of connections has millions of long-lived objects (modules,
compiled SQL, sockets' state), so full collections under load took tens to hundreds of
milliseconds, a pause every in-flight message waited out (see docs/performance.md).
Freezing what start-up allocated moves it out of the collector's sight for good, and a
higher first threshold makes the young collections that remain rarer.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 50_000
"""Allocations between young collections (CPython's default is 700)."""


def tune_gc() -> None:
    """Collect once, freeze the survivors (start-up state), raise the young threshold."""
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
