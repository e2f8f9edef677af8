"""Socket.IO client managers: who is in which room, and how an emit reaches them.

- `LocalManager` (one process): python-socketio's in-memory manager.
- `RedisManager` (several processes, `--redis-url`): python-socketio's Redis manager, with
  emits routed by room. The stock `AsyncRedisManager` publishes every emit on one channel
  that every process subscribes to, so each process decodes every emit of the whole
  cluster, even those for rooms it has no socket in (docs/performance.md, "Scale-out").
  Here an emit to a room goes on that room's channel, `<prefix>socketio#<namespace>#<room>`,
  and a process subscribes to a room's channel while one of its sockets is in the room;
  emits to a whole namespace, and the library's own requests (remote disconnects,
  callbacks), stay on `<prefix>socketio`, which every process hears. An emit to one of
  this process's own sockets (`to=sid`) is not published at all. (A `to=sid` emit for a
  socket of another process would go unheard: Porch only ever emits to its own sockets by
  sid; rooms reach the others.)

Both add `disconnect_room(room, namespace)`: disconnect every socket in a room, on every
process (signing out closes that session's sockets wherever they are). python-socketio
propagates `disconnect(sid)` and `close_room` (which only empties the room), not this; with
Redis it travels as one more message kind on the room's channel, so only processes that
have sockets in the room hear it, in order with the emits.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import socketio

from porch.backplane import shared_client

log = logging.getLogger(__name__)

BROADCAST = "socketio"
"""The Socket.IO channel's name after the prefix: `porch:socketio`."""


async def disconnect_room(server: socketio.AsyncServer, room: str, namespace: str) -> None:
    """Disconnect every socket in `room`, whichever process holds it."""
    manager: LocalManager | RedisManager = server.manager
    await manager.disconnect_room(room, namespace)


async def _disconnect_local(manager: Any, room: str, namespace: str) -> None:
    for sid, _eio_sid in list(manager.get_participants(namespace, room)):
        await manager.server.disconnect(sid, namespace=namespace, ignore_queue=True)


class LocalManager(socketio.AsyncManager):
    async def disconnect_room(self, room: str, namespace: str) -> None:
        await _disconnect_local(self, room, namespace)

    async def close(self) -> None:
        pass


class RedisManager(socketio.AsyncRedisManager):
    name = "porch-redis"

    def __init__(self, url: str, prefix: str, write_only: bool = False) -> None:
        super().__init__(url, channel=prefix + BROADCAST, write_only=write_only)
        self.channel: str = prefix + BROADCAST
        self._client = shared_client(url)
        self._subscriber: Any = None
        self._subscribed: set[str] = set()
        self._subscribing = asyncio.Lock()
        self._unfollowing: set[asyncio.Task[None]] = set()

    def room_channel(self, namespace: str, room: str) -> str:
        return f"{self.channel}#{namespace}#{room}"

    # -- sending ------------------------------------------------------------------------

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str | None = None,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        """As `AsyncPubSubManager.emit`, less its walk of every payload for binary parts:
        Porch's payloads are JSON (see `porch.realtime.packets.JsonPacket`)."""
        room = to or room
        if kwargs.get("ignore_queue"):
            await socketio.AsyncManager.emit(
                self, event, data, namespace=namespace, room=room, skip_sid=skip_sid
            )
            return
        namespace = namespace or "/"
        remote_callback = None
        if callback is not None:
            if room is None:
                raise ValueError("Cannot use callback without a room set.")
            remote_callback = (room, namespace, self._generate_ack_id(room, callback))
        message = {
            "method": "emit",
            "event": event,
            "data": list(data) if isinstance(data, tuple) else [data],
            "binary": False,
            "namespace": namespace,
            "room": room,
            "skip_sid": skip_sid,
            "callback": remote_callback,
            "host_id": self.host_id,
        }
        await self._handle_emit(message)
        await self._publish(message)

    def _channel_for(self, message: dict[str, Any]) -> str | None:
        """Where a message goes: a room's channel, the broadcast channel, or nowhere (an
        emit to one of this process's own sockets)."""
        method, room = message.get("method"), message.get("room")
        namespace = message.get("namespace") or "/"
        if method not in ("emit", "close_room", "disconnect_room") or not isinstance(room, str):
            return self.channel
        if self.is_sid_room(namespace, room):
            return None if method == "emit" else self.channel
        return self.room_channel(namespace, room)

    async def _publish(self, data: dict[str, Any]) -> None:
        channel = self._channel_for(data)
        if channel is None:
            return
        try:
            await self._client.publish(channel, self.json.dumps(data))
        except Exception as exc:  # like python-socketio: log, and the emit is lost
            log.error("cannot publish to Redis: %s", exc)

    async def disconnect_room(self, room: str, namespace: str) -> None:
        await _disconnect_local(self, room, namespace)
        message = {
            "method": "disconnect_room",
            "room": room,
            "namespace": namespace,
            "host_id": self.host_id,
        }
        await self._publish(message)

    # -- rooms and subscriptions --------------------------------------------------------

    async def enter_room(
        self, sid: str, namespace: str, room: Any, eio_sid: str | None = None
    ) -> None:
        await super().enter_room(sid, namespace, room, eio_sid=eio_sid)
        if self._routed(namespace, room):
            await self._follow(namespace, room)

    def basic_leave_room(self, sid: str, namespace: str, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)
        if self._routed(namespace, room) and room not in self.rooms.get(namespace, {}):
            # The last local socket left: stop hearing the room. `_follow` looks again under
            # its lock, so a socket entering meanwhile keeps the subscription.
            task = asyncio.get_running_loop().create_task(self._follow(namespace, room))
            self._unfollowing.add(task)
            task.add_done_callback(self._unfollowing.discard)

    def _routed(self, namespace: str, room: Any) -> bool:
        return isinstance(room, str) and room not in self.rooms.get(namespace, {}).get(None, ())

    async def _follow(self, namespace: str, room: str) -> None:
        """Subscribe to the room's channel if a local socket is in it, else unsubscribe."""
        if self.write_only:
            return
        channel = self.room_channel(namespace, room)
        async with self._subscribing:
            wanted = room in self.rooms.get(namespace, {})
            if wanted == (channel in self._subscribed):
                return
            try:
                pubsub = await self._pubsub()
                if wanted:
                    await pubsub.subscribe(channel)  # redis-py renews it after a reconnect
                    self._subscribed.add(channel)
                else:
                    self._subscribed.discard(channel)
                    await pubsub.unsubscribe(channel)
            except Exception as exc:  # Redis away: the next socket to enter tries again
                log.error("cannot (un)subscribe %s on Redis: %s", channel, exc)

    async def _pubsub(self) -> Any:
        if self._subscriber is None:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            await pubsub.subscribe(self.channel)
            self._subscriber = pubsub
        return self._subscriber

    # -- receiving ----------------------------------------------------------------------

    async def _listen(self) -> AsyncIterator[dict[str, Any]]:
        """Every message on the channels this process follows, decoded once; the ones
        python-socketio knows go on to its dispatcher (`_thread`)."""
        wait = 1.0
        while True:
            try:
                async with self._subscribing:
                    pubsub = await self._pubsub()
                async for message in pubsub.listen():
                    wait = 1.0
                    if message.get("type") != "message":
                        continue
                    data = json.loads(message["data"])
                    if data.get("method") != "disconnect_room":
                        yield data
                    elif data.get("host_id") != self.host_id:
                        await _disconnect_local(self, data["room"], data["namespace"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.error("cannot receive from Redis (%s); retrying in %.0f s", exc, wait)
                await asyncio.sleep(wait)
                wait = min(wait * 2, 30.0)

    async def close(self) -> None:
        thread = getattr(self, "thread", None)
        if thread is not None:
            thread.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await thread
        if self._subscriber is not None:
            with contextlib.suppress(Exception):
                await self._subscriber.aclose()
        await self._client.aclose()
