"""Schemathesis explores every operation of /openapi.json in process: never a 500.

Each generated request is sent once without a token and once with one, so both the
authentication layer and the validation behind it meet the generated input.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Err

from dwelltime.api.deps import Services
from tests.api.conftest import new_user

MAX_EXAMPLES = 25


def _operations(app: FastAPI) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = []
    for result in schema.get_all_operations():
        # An operation schemathesis cannot read is a broken schema: fail, naming it.
        if isinstance(result, Err):
            raise result.err()
        operations.append(result.ok())
    return operations


def _check(case: Any, headers: dict[str, str]) -> None:
    response = case.call(headers=headers)
    assert response.status_code < 500, (case.method, case.path, response.text)
    if response.status_code >= 300:
        body = response.json()
        assert body["status"] == response.status_code
        assert {"message", "messages", "time"} <= set(body)


def test_no_operation_answers_500(app: FastAPI) -> None:
    services: Services = app.state.services
    token_headers = new_user(services, "fuzz").headers
    operations = _operations(app)
    assert {op.path for op in operations} >= {"/rest/export", "/rest/export/{exportId}"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def explore(case: Any) -> None:
            for headers in ({}, token_headers):
                _check(case, headers)

        try:
            explore()
        except AssertionError as error:
            pytest.fail(f"{operation.method.upper()} {operation.path}: {error}")
