"""Calling Claude through the official SDK (`anthropic.AsyncAnthropic`): one streamed
answer with the passages as cited search results, tools the model may call, and every
API failure (timeout, 429, 5xx, 529, refusal) turned into `ModelFailed` for the handoff.

`ANTHROPIC_BASE_URL` is read by the SDK itself; the key is the site's own (sealed in the
database) or `ANTHROPIC_API_KEY`."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import anthropic

from porch.bot import prompt
from porch.db.bot_fulltext import Hit

MAX_TOKENS = 800
TIMEOUT_SECONDS = 30.0
MAX_RETRIES = 1
MAX_TOOL_ROUNDS = 3

OnText = Callable[[str], Awaitable[None]]
"""Called with the answer so far each time it grows."""
RunTool = Callable[[str, dict[str, Any]], Awaitable[str | None]]
"""Runs a tool the model called: its result for the model, or None when Porch takes over
(a handoff, a ticket): the answer stops there."""


class ModelFailed(Exception):
    """The model could not answer; `reason` is for the operator."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ToolCall:
    name: str
    input: dict[str, Any]


@dataclass
class Reply:
    text: str = ""
    sources: list[dict[str, str]] = field(default_factory=list)
    """Cited passages, each once, in order of first citation: {"title", "url"}."""
    tool: ToolCall | None = None
    """The tool that ended the answer (Porch acts on it)."""
    first_token_at: float | None = None


def make_client(api_key: str | None) -> anthropic.AsyncAnthropic:
    key = api_key or os.environ.get("ANTHROPIC_API_KEY") or ""
    if not key:
        raise ModelFailed("no Anthropic API key (ANTHROPIC_API_KEY or the bot settings)")
    return anthropic.AsyncAnthropic(api_key=key, timeout=TIMEOUT_SECONDS, max_retries=MAX_RETRIES)


async def answer(
    client: anthropic.AsyncAnthropic,
    *,
    model: str,
    system: list[dict[str, Any]],
    tools: list[dict[str, Any]],
    messages: list[dict[str, Any]],
    passages: Sequence[Hit],
    on_text: OnText,
    run_tool: RunTool,
) -> Reply:
    """Stream one answer; tool results go back to the model for at most a few rounds."""
    reply = Reply()
    conversation = list(messages)
    for _round in range(MAX_TOOL_ROUNDS):
        final = await _stream(client, model, system, tools, conversation, reply, on_text)
        if final.stop_reason == "refusal":
            raise ModelFailed("the model declined to answer")
        _collect_sources(final.content, passages, reply)
        calls = [block for block in final.content if block.type == "tool_use"]
        if final.stop_reason != "tool_use" or not calls:
            return reply
        results = []
        for call in calls:
            result = await run_tool(call.name, dict(call.input))
            if result is None:
                reply.tool = ToolCall(call.name, dict(call.input))
                return reply
            results.append({"type": "tool_result", "tool_use_id": call.id, "content": result})
        conversation += [
            {
                "role": "assistant",
                "content": [b.model_dump(exclude_none=True) for b in final.content],
            },
            {"role": "user", "content": results},
        ]
    return reply


async def _stream(
    client: anthropic.AsyncAnthropic,
    model: str,
    system: list[dict[str, Any]],
    tools: list[dict[str, Any]],
    messages: list[dict[str, Any]],
    reply: Reply,
    on_text: OnText,
) -> Any:
    before = reply.text
    try:
        async with client.messages.stream(
            model=model,
            max_tokens=MAX_TOKENS,
            system=system,  # type: ignore[arg-type]
            tools=tools,  # type: ignore[arg-type]
            messages=messages,  # type: ignore[arg-type]
        ) as stream:
            async for event in stream:
                if event.type == "text":
                    reply.text = before + event.snapshot
                    await on_text(reply.text)
            return await stream.get_final_message()
    except anthropic.APITimeoutError as error:
        raise ModelFailed("the AI service timed out") from error
    except anthropic.APIStatusError as error:
        raise ModelFailed(f"the AI service answered HTTP {error.status_code}") from error
    except anthropic.APIError as error:
        raise ModelFailed(f"the AI service failed: {type(error).__name__}") from error


def _collect_sources(content: Sequence[Any], passages: Sequence[Hit], reply: Reply) -> None:
    seen = {(s["title"], s["url"]) for s in reply.sources}
    for block in content:
        if block.type != "text":
            continue
        for citation in block.citations or ():
            if citation.type != "search_result_location":
                continue
            index = citation.search_result_index
            if not 0 <= index < len(passages):
                continue
            hit = passages[index]
            key = (hit.title, hit.url)
            if key not in seen:
                seen.add(key)
                reply.sources.append({"title": hit.title, "url": hit.url})


def system_and_tools(
    name: str, instructions: str, with_orders: bool
) -> tuple[list[Any], list[Any]]:
    return prompt.system(name, instructions), prompt.tools(with_orders)
