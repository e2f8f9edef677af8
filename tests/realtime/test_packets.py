"""`JsonPacket.decode`: what a client may send, and a `MalformedPacket` for the rest."""

from __future__ import annotations

import pytest
from socketio import packet as sio

from porch.realtime.packets import JsonPacket, MalformedPacket

ROCKET = {"draft": "🚀"}


@pytest.mark.parametrize(
    ("wire", "kind", "namespace", "data", "ack_id"),
    [
        ("0/visitor,", sio.CONNECT, "/visitor", None, None),
        ('0/visitor,{"token":"t"}', sio.CONNECT, "/visitor", {"token": "t"}, None),
        ("1/visitor,", sio.DISCONNECT, "/visitor", None, None),
        ('2/visitor,["read"]', sio.EVENT, "/visitor", ["read"], None),
        ('2/visitor,7["typing",{"draft":"🚀"}]', sio.EVENT, "/visitor", ["typing", ROCKET], 7),
        ('2["typing",{"draft":"\\ud83d\\ude80"}]', sio.EVENT, None, ["typing", ROCKET], None),
        ("3/visitor,4[]", sio.ACK, "/visitor", [], 4),
    ],
)
def test_good_packets_decode(
    wire: str, kind: int, namespace: str | None, data: object, ack_id: int | None
) -> None:
    packet = JsonPacket(encoded_packet=wire)
    assert (packet.packet_type, packet.namespace, packet.data, packet.id) == (
        kind,
        namespace,
        data,
        ack_id,
    )


@pytest.mark.parametrize(
    ("wire", "why"),
    [
        (b"\x00\x01", "binary frame"),
        ("", "empty Socket.IO packet"),
        (b"", "empty Socket.IO packet"),
        ("x", "not a Socket.IO packet"),
        ('2/visitor,["typing",{"draft":', "not JSON"),
        ('2/visitor,["typing",' + "[" * 100_000 + "]" * 100_000 + "]", "nested too deeply"),
        ("2/visitor,1" + "2" * 120 + '["read"]', "id field is too long"),
        ("2/visitor,[]", "list starting with its name"),
        ("2/visitor,[1]", "list starting with its name"),
        ('2/visitor,{"a":1}', "list starting with its name"),
        ("3/visitor,{}", "an ack needs an id and a list"),
        ("3/visitor,[]", "an ack needs an id and a list"),
        ('0/visitor,"token"', "a connect payload must be an object"),
        ('4/visitor,{"message":"x"}', "type 4 is not accepted"),
        ('51-/visitor,["x",{"_placeholder":true,"num":0}]', "type 5 is not accepted"),
        ('61-/visitor,0[{"_placeholder":true,"num":0}]', "type 6 is not accepted"),
        ("9/visitor,[]", "type 9 is not accepted"),
    ],
)
def test_malformed_packets_raise_one_exception(wire: str | bytes, why: str) -> None:
    with pytest.raises(MalformedPacket, match=why):
        JsonPacket(encoded_packet=wire)


def test_outgoing_packets_are_encoded_as_before() -> None:
    packet = JsonPacket(sio.EVENT, data=["message", {"body": "🚀"}], namespace="/visitor")
    assert packet.encode() == '2/visitor,["message",{"body":"\\ud83d\\ude80"}]'
