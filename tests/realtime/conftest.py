"""Fixtures for the socket edges' tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.conftest import make_config
from tests.support.chat_clients import Client, open_session, operator_client, seed, visitor_client
from tests.support.live_server import LiveServer, start_live_server


@pytest.fixture
def server(tmp_path: Path, sqlite_url: str) -> Iterator[LiveServer]:
    """A live server on SQLite, for tests about the edges rather than storage."""
    running = start_live_server(make_config(tmp_path, sqlite_url))
    yield running
    running.stop()


@pytest.fixture
async def chat(live_server: LiveServer) -> AsyncIterator[tuple[Client, Client, int]]:
    """A visitor with one message in an open conversation, and an operator."""
    seeded = seed(live_server)
    session = await open_session(live_server, seeded.site.key)
    widget = await visitor_client(live_server, session["visitor_token"])
    ack = await widget.call("message.send", {"client_id": "c-1", "body": "Hi"})
    panel = await operator_client(live_server, seeded.operator.id)
    yield widget, panel, ack["message"]["conversation_id"]
    await widget.close()
    await panel.close()
