"""The API's worlds (tests/api/conftest.py), for tests of the webhooks' sending."""

from tests.api.conftest import open_world, world

__all__ = ["open_world", "world"]
