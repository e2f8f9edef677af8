"""Engine.IO v4 and Socket.IO v5 text packets: pure encode/decode, no browser imports.

JSON is injected (`dumps`/`loads`) because the browser uses its own JSON
(`porch_sio.jsontext`) while CPython tests use `json`; importing `json` here would drag a
large part of the stdlib into the widget bundle.
"""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    Dumps = Callable[[object], str]
    Loads = Callable[[str], object]

# Engine.IO packet types (one leading digit).
EIO_OPEN = "0"
EIO_CLOSE = "1"
EIO_PING = "2"
EIO_PONG = "3"
EIO_MESSAGE = "4"
EIO_UPGRADE = "5"
EIO_NOOP = "6"
_EIO_TYPES = (EIO_OPEN, EIO_CLOSE, EIO_PING, EIO_PONG, EIO_MESSAGE, EIO_UPGRADE, EIO_NOOP)

# Socket.IO packet types.
CONNECT = 0
DISCONNECT = 1
EVENT = 2
ACK = 3
CONNECT_ERROR = 4
BINARY_EVENT = 5
BINARY_ACK = 6

MAX_ACK_ID = 2**53


class PacketError(ValueError):
    """A packet that does not follow the protocol."""


class Packet:
    """One Socket.IO packet; `data` is the decoded JSON payload (None when absent)."""

    def __init__(
        self, kind: int, namespace: str = "/", data: object = None, ack_id: int | None = None
    ) -> None:
        self.kind = kind
        self.namespace = namespace
        self.data = data
        self.ack_id = ack_id

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Packet) and (
            (self.kind, self.namespace, self.data, self.ack_id)
            == (other.kind, other.namespace, other.data, other.ack_id)
        )

    def __repr__(self) -> str:
        return f"Packet({self.kind}, {self.namespace!r}, {self.data!r}, {self.ack_id!r})"


def decode_eio(text: str) -> tuple[str, str]:
    """Split an Engine.IO text frame into (type, payload)."""
    if not isinstance(text, str) or not text:
        raise PacketError("empty Engine.IO packet")
    kind = text[0]
    if kind not in _EIO_TYPES:
        raise PacketError(f"unknown Engine.IO packet type {kind!r}")
    return kind, text[1:]


def encode_eio(kind: str, payload: str = "") -> str:
    if kind not in _EIO_TYPES:
        raise PacketError(f"unknown Engine.IO packet type {kind!r}")
    return kind + payload


def decode_open(payload: str, loads: "Loads") -> dict:
    """The OPEN handshake: sid, pingInterval and pingTimeout (ms) are required."""
    try:
        data = loads(payload)
    except Exception as exc:
        raise PacketError("OPEN payload is not JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("sid"), str):
        raise PacketError("OPEN payload lacks a sid")
    for key in ("pingInterval", "pingTimeout"):
        if not isinstance(data.get(key), int) or data[key] <= 0:
            raise PacketError(f"OPEN payload lacks a positive {key}")
    return data


def encode_sio(packet: Packet, dumps: "Dumps") -> str:
    """Socket.IO packet → Engine.IO MESSAGE payload (without the leading "4")."""
    if packet.kind in (BINARY_EVENT, BINARY_ACK):
        raise PacketError("binary packets are not supported")
    if packet.kind not in (CONNECT, DISCONNECT, EVENT, ACK, CONNECT_ERROR):
        raise PacketError(f"unknown Socket.IO packet type {packet.kind!r}")
    text = str(packet.kind)
    if packet.namespace and packet.namespace != "/":
        text += packet.namespace + ","
    if packet.ack_id is not None:
        text += str(packet.ack_id)
    if packet.data is not None:
        text += dumps(packet.data)
    return text


def decode_sio(text: str, loads: "Loads") -> Packet:
    """Engine.IO MESSAGE payload → validated Socket.IO packet."""
    if not isinstance(text, str) or not text or not text[0].isdigit():
        raise PacketError("missing Socket.IO packet type")
    kind = int(text[0])
    if kind in (BINARY_EVENT, BINARY_ACK):
        raise PacketError("binary packets are not supported")
    if kind > BINARY_ACK:
        raise PacketError(f"unknown Socket.IO packet type {kind}")
    namespace, pos = _read_namespace(text, 1)
    ack_id, pos = _read_ack_id(text, pos)
    data = _read_json(text[pos:], loads)
    packet = Packet(kind, namespace, data, ack_id)
    _validate(packet)
    return packet


def _read_namespace(text: str, pos: int) -> tuple[str, int]:
    if pos >= len(text) or text[pos] != "/":
        return "/", pos
    end = text.find(",", pos)
    if end < 0:
        # A namespace with nothing after it, e.g. "1/visitor".
        return text[pos:], len(text)
    return text[pos:end], end + 1


def _read_ack_id(text: str, pos: int) -> tuple[int | None, int]:
    end = pos
    while end < len(text) and text[end].isdigit():
        end += 1
    if end == pos:
        return None, pos
    ack_id = int(text[pos:end])
    if ack_id > MAX_ACK_ID:
        raise PacketError("ack id out of range")
    return ack_id, end


def _read_json(text: str, loads: "Loads") -> object:
    if not text:
        return None
    try:
        return loads(text)
    except Exception as exc:
        raise PacketError("payload is not JSON") from exc


def _validate(packet: Packet) -> None:
    kind, data = packet.kind, packet.data
    if kind == EVENT and not (isinstance(data, list) and data and isinstance(data[0], str)):
        raise PacketError("EVENT payload must be a list starting with the event name")
    if kind == ACK and (packet.ack_id is None or not isinstance(data, list)):
        raise PacketError("ACK needs an id and a list payload")
    if kind == CONNECT and data is not None and not isinstance(data, dict):
        raise PacketError("CONNECT payload must be an object")
    if kind == DISCONNECT and data is not None:
        raise PacketError("DISCONNECT carries no payload")
    if kind == CONNECT_ERROR and not isinstance(data, (dict, str)):
        raise PacketError("CONNECT_ERROR payload must be an object or a string")


def event(namespace: str, name: str, data: object, ack_id: int | None = None) -> Packet:
    """An EVENT packet for `name`; `data` None sends the event with no argument."""
    args = [name] if data is None else [name, data]
    return Packet(EVENT, namespace, args, ack_id)


def connect(namespace: str, auth: dict | None) -> Packet:
    return Packet(CONNECT, namespace, auth)


def ack(namespace: str, ack_id: int, args: list) -> Packet:
    return Packet(ACK, namespace, args, ack_id)
