"""The baseline for bench/messages.py: a bare python-socketio server under uvicorn that does
the same round trip as Porch (a visitor's `message.send` reaches the operator watching its
conversation as a `message` event, and the visitor gets an ack) with nothing else: no
validation, no storage, no rate limits, no inbox updates.

    .venv/bin/python -m bench.echo_server --port 8790
"""

from __future__ import annotations

import argparse
from typing import Any

import socketio
import uvicorn


def build() -> socketio.ASGIApp:
    sio = socketio.AsyncServer(async_mode="asgi", transports=["websocket"])
    conversation_of: dict[str, int] = {}

    @sio.on("connect", namespace="/visitor")
    async def visitor_connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        # The load generator's "token" for this server is the conversation number.
        conversation_of[sid] = int(auth["token"])

    @sio.on("disconnect", namespace="/visitor")
    async def visitor_disconnect(sid: str, reason: Any = None) -> None:
        conversation_of.pop(sid, None)

    @sio.on("message.send", namespace="/visitor")
    async def send(sid: str, data: dict[str, Any]) -> dict[str, Any]:
        conversation_id = conversation_of[sid]
        message = {"conversation_id": conversation_id, **data}
        await sio.emit("message", message, room=f"c:{conversation_id}", namespace="/operator")
        return {"ok": True, "message": message}

    @sio.on("connect", namespace="/operator")
    async def operator_connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        pass

    @sio.on("conversation.watch", namespace="/operator")
    async def watch(sid: str, data: dict[str, Any]) -> dict[str, Any]:
        await sio.enter_room(sid, f"c:{data['conversation_id']}", namespace="/operator")
        return {"ok": True}

    return socketio.ASGIApp(sio, socketio_path="socket.io")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(build(), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
