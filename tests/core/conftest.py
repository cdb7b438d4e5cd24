"""Fixtures of the core tests."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest


@pytest.fixture
def hung_broker() -> Iterator[str]:
    """A Redis URL whose port accepts connections and never answers (a stopped or wedged
    Redis: ``kill -STOP``), for the tests of timeouts."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    finally:
        server.close()
