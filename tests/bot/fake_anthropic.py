"""A local stand-in for Anthropic's Messages API, speaking its wire format: POST
/v1/messages with `stream: true` answers Server-Sent Events (message_start,
content_block_start/delta/stop with text_delta, citations_delta and input_json_delta,
message_delta, message_stop); errors are JSON error bodies with their HTTP status.

It runs in its own thread (so a live server in another thread or process can use it too)
and records every request body, so tests assert on what Porch sent.

Without a script it answers like a careful model: the first sentence of the first search
result, cited; "I don't know" with no search results. `script(...)` queues exact turns.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.live_server import free_port


@dataclass
class Text:
    text: str
    cite: list[int] = field(default_factory=list)
    """Indexes of the search results this text cites."""


@dataclass
class ToolUse:
    name: str
    input: dict[str, Any]


@dataclass
class Turn:
    blocks: list[Text | ToolUse]
    stop_reason: str = "end_turn"
    delay: float = 0.0
    """Seconds between streamed events (a slow stream)."""


@dataclass
class Fail:
    status: int
    kind: str = "api_error"


class FakeAnthropic:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.turns: deque[Turn | Fail] = deque()
        self.always: Fail | None = None
        """Fail every request (an outage), after the scripted turns."""
        self.first_token_delay = 0.0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._runner: web.AppRunner | None = None

    # -- control ----------------------------------------------------------------------

    def script(self, *turns: Turn | Fail) -> None:
        self.turns.extend(turns)

    def start(self) -> FakeAnthropic:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        async def close() -> None:
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    @property
    def last(self) -> dict[str, Any]:
        return self.requests[-1]

    # -- serving ----------------------------------------------------------------------

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/v1/messages", self._messages)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        self._loop.run_until_complete(site.start())
        self._ready.set()
        self._loop.run_forever()

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(body)
        self.headers.append({k.lower(): v for k, v in request.headers.items()})
        turn: Turn | Fail = self.turns.popleft() if self.turns else self.always or _default(body)
        if isinstance(turn, Fail):
            error = {"type": "error", "error": {"type": turn.kind, "message": "fake failure"}}
            return web.json_response(error, status=turn.status)
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await asyncio.sleep(self.first_token_delay)
        for name, data in _events(body, turn):
            await response.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
            if turn.delay:
                await asyncio.sleep(turn.delay)
        await response.write_eof()
        return response


def search_results(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Every search_result block of a request, in order (as the API counts them)."""
    found = []
    for message in body.get("messages", []):
        content = message.get("content")
        if isinstance(content, list):
            found += [b for b in content if b.get("type") == "search_result"]
    return found


def _default(body: dict[str, Any]) -> Turn:
    results = search_results(body)
    if not results:
        return Turn([Text("I'm sorry, I don't know that.")])
    asked = _words(_question(body))
    best = max(
        ((len(asked & _words(s)), i, s) for i, r in enumerate(results) for s in _sentences(r)),
        key=lambda found: (found[0], -found[1]),
    )
    return Turn([Text(best[2], cite=[best[1]])])


def _question(body: dict[str, Any]) -> str:
    content = body["messages"][-1]["content"]
    if isinstance(content, str):
        return content
    return " ".join(b.get("text", "") for b in content if b.get("type") == "text")


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 3}


def _sentences(result: dict[str, Any]) -> list[str]:
    text = result["content"][0]["text"]
    lines = text.splitlines()[1:] or lines_of(text)
    return [s.strip() for line in lines for s in re.split(r"(?<=[.!?])\s+", line) if s.strip()]


def lines_of(text: str) -> list[str]:
    return text.splitlines()


def _events(body: dict[str, Any], turn: Turn) -> list[tuple[str, dict[str, Any]]]:
    results = search_results(body)
    message = {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": body.get("model"),
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 100, "output_tokens": 1},
    }
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": message})
    ]
    for index, block in enumerate(turn.blocks):
        events += _block_events(index, block, results)
    stop = turn.stop_reason
    if any(isinstance(b, ToolUse) for b in turn.blocks) and stop == "end_turn":
        stop = "tool_use"
    events.append(
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop, "stop_sequence": None},
                "usage": {"output_tokens": 20},
            },
        )
    )
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def _block_events(
    index: int, block: Text | ToolUse, results: list[dict[str, Any]]
) -> list[tuple[str, dict[str, Any]]]:
    def delta(payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return "content_block_delta", {
            "type": "content_block_delta",
            "index": index,
            "delta": payload,
        }

    if isinstance(block, ToolUse):
        start = {"type": "tool_use", "id": f"toolu_{index}", "name": block.name, "input": {}}
        out = [
            (
                "content_block_start",
                {"type": "content_block_start", "index": index, "content_block": start},
            )
        ]
        out.append(delta({"type": "input_json_delta", "partial_json": json.dumps(block.input)}))
    else:
        start = {"type": "text", "text": "", "citations": None}
        out = [
            (
                "content_block_start",
                {"type": "content_block_start", "index": index, "content_block": start},
            )
        ]
        for cited in block.cite:
            result = results[cited]
            citation = {
                "type": "search_result_location",
                "cited_text": result["content"][0]["text"],
                "search_result_index": cited,
                "source": result["source"],
                "title": result["title"],
                "start_block_index": 0,
                "end_block_index": 1,
            }
            out.append(delta({"type": "citations_delta", "citation": citation}))
        words = block.text.split(" ")
        for i in range(0, len(words), 3):
            piece = " ".join(words[i : i + 3]) + (" " if i + 3 < len(words) else "")
            out.append(delta({"type": "text_delta", "text": piece}))
    out.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    return out
