"""`require`: skip a test whose service is down, or fail it under CI (CI=true)."""

from __future__ import annotations

import os
import socket
from typing import NoReturn

import pytest


def unavailable(reason: str) -> NoReturn:
    """Skip with `reason`, except under CI, where the service must be there."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run these tests")
    pytest.skip(reason)


def require_port(name: str, host: str, port: int) -> None:
    """Skip (or fail under CI) unless something listens on host:port."""
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError as error:
        unavailable(f"no {name} on {host}:{port} ({error})")
