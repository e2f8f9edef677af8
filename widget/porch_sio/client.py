"""A Socket.IO v5 client over Engine.IO v4 on the browser's WebSocket (Brython only).

Reconnects by itself: after a transport loss or a missed ping it retries with exponential
backoff and jitter; after the server refuses the namespace (bad auth) it retries slowly.
Emits made while disconnected are queued and sent after the next namespace connect.
"""

from browser import window

from porch_sio import jsontext, packets

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    Handler = Callable[..., object]

MIN_DELAY_MS = 500
MAX_DELAY_MS = 10_000
REFUSED_DELAY_MS = 30_000
JITTER = 0.25


def _report(exc: Exception) -> None:
    """Re-raise a handler's exception on its own tick so Brython prints its traceback."""

    def throw() -> None:
        raise exc

    window.setTimeout(throw, 0)


def websocket_url(base_url: str, path: str) -> str:
    if base_url:
        origin = base_url.rstrip("/")
        origin = "ws" + origin[4:] if origin.startswith("http") else origin
    else:
        scheme = "wss:" if window.location.protocol == "https:" else "ws:"
        origin = scheme + "//" + window.location.host
    return f"{origin}/{path.strip('/')}/?EIO=4&transport=websocket"


class SocketIOClient:
    def __init__(
        self,
        base_url: str = "",
        namespace: str = "/",
        auth: dict | None = None,
        path: str = "socket.io",
    ) -> None:
        self.url = websocket_url(base_url, path)
        self.namespace = namespace
        self.auth = auth
        self.connected = False
        self._handlers: dict[str, list] = {}
        self._ws = None
        self._generation = 0
        self._wanted = False
        self._attempts = 0
        self._refused = False
        self._retry_timer: int | None = None
        self._ping_timer: int | None = None
        self._ping_window_ms = 0
        self._acks: dict = {}
        self._next_ack = 0
        self._queue: list = []
        window.addEventListener("online", self._on_browser_online)

    # -- public API ------------------------------------------------------------------

    def on(self, event: str, handler: "Handler") -> None:
        self._handlers.setdefault(event, []).append(handler)

    def emit(
        self,
        event: str,
        data: object = None,
        callback: "Handler | None" = None,
        queue: bool = True,
    ) -> bool:
        """Send `event`; returns False when it was dropped (disconnected and queue=False)."""
        if not self.connected:
            if queue:
                self._queue.append((event, data, callback))
            return queue
        ack_id = None
        if callback is not None:
            ack_id = self._next_ack
            self._next_ack += 1
            self._acks[ack_id] = callback
        self._send(packets.event(self.namespace, event, data, ack_id))
        return True

    def connect(self) -> None:
        self._wanted = True
        if self._ws is None and self._retry_timer is None:
            self._open()

    def disconnect(self) -> None:
        self._wanted = False
        self._cancel_retry()
        if self.connected:
            self._send(packets.Packet(packets.DISCONNECT, self.namespace))
        self._drop_transport("io client disconnect")

    # -- transport -------------------------------------------------------------------

    def _open(self) -> None:
        self._retry_timer = None
        self._generation += 1
        generation = self._generation
        ws = window.WebSocket.new(self.url)

        def on_message(evt: object) -> None:
            if generation == self._generation:
                self._on_frame(evt.data)

        def on_close(_evt: object) -> None:
            if generation == self._generation:
                self._drop_transport("transport close")
                self._schedule_retry()

        ws.onmessage = on_message
        ws.onclose = on_close
        self._ws = ws

    def _send_raw(self, text: str) -> None:
        if self._ws is not None and self._ws.readyState == 1:
            self._ws.send(text)

    def _send(self, packet: packets.Packet) -> None:
        self._send_raw(packets.EIO_MESSAGE + packets.encode_sio(packet, jsontext.dumps))

    def _drop_transport(self, reason: str) -> None:
        """Forget the current WebSocket (closing it) and tell handlers if we were connected."""
        self._generation += 1
        self._clear_ping_timer()
        ws, self._ws = self._ws, None
        if ws is not None and ws.readyState < 2:
            ws.close()
        self._acks.clear()
        if self.connected:
            self.connected = False
            self._fire("disconnect", reason)

    # -- reconnection ----------------------------------------------------------------

    def _schedule_retry(self) -> None:
        if not self._wanted or self._retry_timer is not None:
            return
        if self._refused:
            delay = REFUSED_DELAY_MS
        else:
            delay = min(MAX_DELAY_MS, MIN_DELAY_MS * 2**self._attempts)
            self._attempts += 1
        delay *= 1 + JITTER * (2 * window.Math.random() - 1)
        self._retry_timer = window.setTimeout(self._open, int(delay))

    def _cancel_retry(self) -> None:
        if self._retry_timer is not None:
            window.clearTimeout(self._retry_timer)
            self._retry_timer = None

    def _on_browser_online(self, _evt: object = None) -> None:
        # The network is back: don't wait out the backoff.
        if self._wanted and self._ws is None and not self._refused:
            self._cancel_retry()
            self._open()

    def _arm_ping_timer(self) -> None:
        self._clear_ping_timer()
        self._ping_timer = window.setTimeout(self._on_ping_timeout, self._ping_window_ms)

    def _clear_ping_timer(self) -> None:
        if self._ping_timer is not None:
            window.clearTimeout(self._ping_timer)
            self._ping_timer = None

    def _on_ping_timeout(self) -> None:
        self._drop_transport("ping timeout")
        self._schedule_retry()

    # -- Engine.IO -------------------------------------------------------------------

    def _on_frame(self, text: object) -> None:
        if not isinstance(text, str):
            return  # binary frames are not part of our protocol
        try:
            kind, payload = packets.decode_eio(text)
        except packets.PacketError as exc:
            window.console.warn(f"porch_sio: {exc}")
            return
        if kind == packets.EIO_OPEN:
            self._on_open(payload)
        elif kind == packets.EIO_PING:
            self._send_raw(packets.EIO_PONG + payload)
            self._arm_ping_timer()
        elif kind == packets.EIO_CLOSE:
            self._drop_transport("transport close")
            self._schedule_retry()
        elif kind == packets.EIO_MESSAGE:
            self._on_message(payload)

    def _on_open(self, payload: str) -> None:
        try:
            handshake = packets.decode_open(payload, jsontext.loads)
        except packets.PacketError as exc:
            window.console.warn(f"porch_sio: {exc}")
            self._drop_transport("transport error")
            self._schedule_retry()
            return
        self._ping_window_ms = handshake["pingInterval"] + handshake["pingTimeout"]
        self._arm_ping_timer()
        self._send(packets.connect(self.namespace, self.auth))

    # -- Socket.IO -------------------------------------------------------------------

    def _on_message(self, payload: str) -> None:
        try:
            packet = packets.decode_sio(payload, jsontext.loads)
        except packets.PacketError as exc:
            window.console.warn(f"porch_sio: {exc}")
            return
        if packet.namespace != self.namespace:
            return
        if packet.kind == packets.CONNECT:
            self._on_namespace_connect()
        elif packet.kind == packets.CONNECT_ERROR:
            self._on_connect_error(packet.data)
        elif packet.kind == packets.DISCONNECT:
            # The server closed our namespace (e.g. kicked the session): start afresh.
            self._drop_transport("io server disconnect")
            self._schedule_retry()
        elif packet.kind == packets.EVENT:
            self._on_event(packet)
        elif packet.kind == packets.ACK:
            callback = self._acks.pop(packet.ack_id, None)
            if callback is not None:
                self._call(callback, packet.data[0] if packet.data else None)

    def _on_namespace_connect(self) -> None:
        self.connected = True
        self._attempts = 0
        self._refused = False
        self._fire("connect")
        queued, self._queue = self._queue, []
        for event, data, callback in queued:
            self.emit(event, data, callback)

    def _on_connect_error(self, data: object) -> None:
        self._refused = True
        self._drop_transport("connect error")
        self._fire("connect_error", data)
        self._schedule_retry()

    def _on_event(self, packet: packets.Packet) -> None:
        name, args = packet.data[0], packet.data[1:]
        results = self._fire(name, *args[:1])
        if packet.ack_id is not None:
            reply = [r for r in results if r is not None][:1]
            self._send(packets.ack(self.namespace, packet.ack_id, reply))

    def _fire(self, event: str, *args: object) -> list:
        return [self._call(handler, *args) for handler in self._handlers.get(event, [])]

    def _call(self, handler: "Handler", *args: object) -> object:
        try:
            return handler(*args)
        except Exception as exc:
            _report(exc)
            return None
