"""Operational endpoints: /healthz (the database answers) and /metrics (Prometheus)."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from dwelltime.api.deps import ServicesDep
from dwelltime.api.errors import envelope

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness: the database answers")
def healthz(services: ServicesDep) -> JSONResponse:
    try:
        with services.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        return envelope(503, "The database is not reachable.", [str(error)])
    return JSONResponse({"status": "ok"})


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(services: ServicesDep) -> Response:
    return Response(generate_latest(services.metrics), media_type=CONTENT_TYPE_LATEST)
