"""Engine.IO v4 / Socket.IO v5 packet encoding shared by the widget and the panel."""

from __future__ import annotations

import json
import sys

import pytest

from porch.paths import widget_dir

sys.path.insert(0, str(widget_dir()))

from porch_sio import packets
from porch_sio.packets import Packet, PacketError


def encode(packet: Packet) -> str:
    return packets.encode_sio(packet, json.dumps)


def decode(text: str) -> Packet:
    return packets.decode_sio(text, json.loads)


@pytest.mark.parametrize(
    ("packet", "wire"),
    [
        (packets.connect("/", None), "0"),
        (packets.connect("/visitor", {"token": "t"}), '0/visitor,{"token": "t"}'),
        (Packet(packets.DISCONNECT, "/visitor"), "1/visitor,"),
        (packets.event("/", "hello", None), '2["hello"]'),
        (
            packets.event("/visitor", "typing", {"draft": "hi"}),
            '2/visitor,["typing", {"draft": "hi"}]',
        ),
        (packets.event("/visitor", "m", {"a": 1}, ack_id=12), '2/visitor,12["m", {"a": 1}]'),
        (packets.ack("/operator", 7, [{"ok": True}]), '3/operator,7[{"ok": true}]'),
    ],
)
def test_encode(packet: Packet, wire: str) -> None:
    assert encode(packet) == wire


@pytest.mark.parametrize(
    ("wire", "packet"),
    [
        ("0", Packet(packets.CONNECT, "/")),
        ('0/visitor,{"sid":"abc"}', Packet(packets.CONNECT, "/visitor", {"sid": "abc"})),
        ("1/visitor,", Packet(packets.DISCONNECT, "/visitor")),
        ("1/visitor", Packet(packets.DISCONNECT, "/visitor")),
        ('2["news",{"x":1}]', packets.event("/", "news", {"x": 1})),
        ('2/visitor,5["q",1]', Packet(packets.EVENT, "/visitor", ["q", 1], 5)),
        ('3/visitor,12[{"ok":true}]', packets.ack("/visitor", 12, [{"ok": True}])),
        ("3/visitor,12[]", packets.ack("/visitor", 12, [])),
        ('4/visitor,{"message":"bad token"}', Packet(4, "/visitor", {"message": "bad token"})),
    ],
)
def test_decode(wire: str, packet: Packet) -> None:
    assert decode(wire) == packet


def test_text_with_commas_and_slashes_survives_a_round_trip() -> None:
    packet = packets.event("/visitor", "message", {"body": '/a,b 12["x"] <img src=x>'}, 3)
    assert decode(encode(packet)) == packet


@pytest.mark.parametrize(
    "wire",
    [
        "",  # nothing
        "x",  # no type digit
        "9",  # unknown type
        '5-["a",{"_placeholder":true,"num":0}]',  # binary event
        "6-1[]",  # binary ack
        "2",  # event without payload
        "2[]",  # event without a name
        "2[1]",  # event name not a string
        '2{"a":1}',  # event payload not a list
        "2[not json",
        "3[]",  # ack without id
        '3/visitor,4{"ok":true}',  # ack payload not a list
        "0[1]",  # connect payload not an object
        '1{"a":1}',  # disconnect with a payload
        "4/visitor,",  # connect error without a reason
        "2" + "9" * 20 + '["x"]',  # ack id overflow
    ],
)
def test_decode_rejects_malformed_packets(wire: str) -> None:
    with pytest.raises(PacketError):
        decode(wire)


def test_encode_rejects_binary() -> None:
    with pytest.raises(PacketError):
        encode(Packet(packets.BINARY_EVENT, "/", ["a"]))


def test_engineio_frames() -> None:
    assert packets.decode_eio("2") == (packets.EIO_PING, "")
    assert packets.decode_eio('42["a"]') == (packets.EIO_MESSAGE, '2["a"]')
    assert packets.encode_eio(packets.EIO_PONG) == "3"
    for bad in ("", "7", "x1"):
        with pytest.raises(PacketError):
            packets.decode_eio(bad)


def test_open_handshake() -> None:
    payload = '{"sid":"s1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1}'
    assert packets.decode_open(payload, json.loads)["pingInterval"] == 25000
    for bad in ("nope", "[]", '{"sid":"s"}', '{"sid":"s","pingInterval":0,"pingTimeout":5}'):
        with pytest.raises(PacketError):
            packets.decode_open(bad, json.loads)
