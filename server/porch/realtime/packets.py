"""How Porch's Socket.IO packets are encoded, and which ones a client may send."""

from __future__ import annotations

from json import JSONDecodeError
from typing import Any

from socketio import packet as sio
from socketio.packet import Packet


class MalformedPacket(ValueError):
    """A client's packet that is not Socket.IO as Porch speaks it: the client is dropped."""


class JsonPacket(Packet):
    """Our payloads are JSON objects, never bytes, so outgoing packets skip python-socketio's
    check for binary attachments: a recursive walk of every payload on every emit, a tenth
    of the message path's time in a profile (docs/performance.md).

    Incoming packets are decoded as before, then checked: anything python-socketio would
    choke on (bad JSON, an event without a name, binary or unknown types) raises
    `MalformedPacket` instead of an exception deep inside the library."""

    uses_binary_events = False

    def __init__(self, *args: Any, encoded_packet: Any = None, **kwargs: Any) -> None:
        if encoded_packet is not None and not encoded_packet:
            # python-socketio skips decoding an empty packet and takes it for an event.
            raise MalformedPacket("empty Socket.IO packet")
        super().__init__(*args, encoded_packet=encoded_packet, **kwargs)

    def decode(self, encoded_packet: Any) -> int:
        if not isinstance(encoded_packet, str):
            raise MalformedPacket("binary frame (Porch speaks JSON text only)")
        if not encoded_packet[:1].isdigit():
            raise MalformedPacket(f"not a Socket.IO packet: {encoded_packet[:20]!r}")
        try:
            attachments: int = super().decode(encoded_packet)
        except JSONDecodeError as exc:
            raise MalformedPacket(f"payload is not JSON ({exc.msg})") from None
        except RecursionError:
            raise MalformedPacket("payload is nested too deeply") from None
        except ValueError as exc:  # ids or attachment counts out of range, huge numbers
            raise MalformedPacket(str(exc)) from None
        _check_shape(self)
        return attachments


def _check_shape(packet: Packet) -> None:
    kind, data = packet.packet_type, packet.data
    if kind == sio.EVENT:
        if not (isinstance(data, list) and data and isinstance(data[0], str)):
            raise MalformedPacket("an event must be a list starting with its name")
    elif kind == sio.ACK:
        if packet.id is None or not isinstance(data, list):
            raise MalformedPacket("an ack needs an id and a list")
    elif kind == sio.CONNECT:
        if data is not None and not isinstance(data, dict):
            raise MalformedPacket("a connect payload must be an object")
    elif kind != sio.DISCONNECT:
        # CONNECT_ERROR is the server's to send; binary events are not part of our protocol.
        raise MalformedPacket(f"Socket.IO packet type {kind} is not accepted from clients")
