"""`dwelltime serve`: the export API with its process pool, on uvicorn."""

from __future__ import annotations

import shlex
from datetime import timedelta
from typing import Annotated

import structlog
import typer
import uvicorn

from dwelltime.api.app import create_app
from dwelltime.api.deps import Services
from dwelltime.cli.app import app
from dwelltime.config import get_settings
from dwelltime.exports.logs import configure_logging

#: The user of the token printed at start-up, so the printed example works at once.
DEMO_USER = "demo"
DEMO_TOKEN_DAYS = 7


def _welcome(url: str, token: str) -> str:
    query = "filterType=project&projectKey=PAY&columnsBy=statusDuration&outputType=CSV"
    auth = shlex.quote(f"Authorization: TISJWT {token}")
    return "\n".join(
        [
            f"dwelltime is serving on {url} (API docs: {url}/docs)",
            f"A token for user {DEMO_USER!r} (valid {DEMO_TOKEN_DAYS} days): {token}",
            f"Open the page {url}/ and sign in with it, or start an export with:",
            f"  curl -s -X POST -H {auth} '{url}/rest/export?{query}'",
            "then poll the statusLink it returns and fetch its downloadLink, with the same header.",
            f"From a terminal: DWELLTIME_URL={url} DWELLTIME_TOKEN={token} \\",
            f"  dwelltime export start --query '{query}' --wait",
        ]
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="TCP port.")] = 8080,
    workers: Annotated[
        int | None, typer.Option(min=1, max=64, help="Worker processes (DWELLTIME_WORKERS).")
    ] = None,
) -> None:
    """Serve the export API (OpenAPI at /docs, /healthz, /metrics) with a local process pool."""
    settings = get_settings()
    if workers is not None:
        settings = settings.model_copy(update={"workers": workers})
    configure_logging()
    application = create_app(settings)
    services: Services = application.state.services
    token, _ = services.tokens.create(DEMO_USER, timedelta(days=DEMO_TOKEN_DAYS))
    url = settings.public_base_url or f"http://{host}:{port}"
    typer.echo(_welcome(url.rstrip("/"), token))
    structlog.get_logger("dwelltime.serve").info(
        "serve_started", url=url, workers=settings.workers, home=str(settings.home)
    )
    uvicorn.run(application, host=host, port=port, log_config=None, access_log=False)
