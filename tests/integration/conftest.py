"""Fixtures shared by the integration tests."""

from __future__ import annotations

import pytest

from tests.support.chat_clients import Seeded, seed
from tests.support.live_server import LiveServer


@pytest.fixture
def seeded(live_server: LiveServer) -> Seeded:
    """A site for https://shop.example and an operator, on the live server."""
    return seed(live_server)
