"""How Porch's Socket.IO packets are encoded."""

from __future__ import annotations

from socketio.packet import Packet


class JsonPacket(Packet):
    """Our payloads are JSON objects, never bytes, so outgoing packets skip python-socketio's
    check for binary attachments: a recursive walk of every payload on every emit, a tenth
    of the message path's time in a profile (docs/performance.md). Incoming packets are
    decoded as before."""

    uses_binary_events = False
