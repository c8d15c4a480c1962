"""`dwelltime worker`: a Celery worker running export jobs for the API servers (the celery
executor); any number of them, on any machines sharing the database and the storage."""

from __future__ import annotations

import os
import uuid
from typing import Annotated

import structlog
import typer

from dwelltime.cli.app import app
from dwelltime.config import get_settings
from dwelltime.db import upgrade
from dwelltime.errors import DwelltimeError
from dwelltime.exports.logs import configure_logging


@app.command()
def worker(
    concurrency: Annotated[
        int | None,
        typer.Option(min=1, max=256, help="Jobs run at once (processes); default: CPU count."),
    ] = None,
) -> None:
    """Run export jobs from DWELLTIME_BROKER_URL until stopped (SIGTERM finishes them)."""
    from dwelltime.exports.executors.celery import create_celery

    settings = get_settings()
    configure_logging()
    try:
        celery_app = create_celery(settings)
        upgrade(settings.resolved_database_url)  # idempotent: a worker may start first
    except DwelltimeError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from error
    from dwelltime.pipeline import sweep_staging

    sweep_staging(settings.staging_dir)  # what this host's killed jobs left behind
    if settings.resolved_storage_url.startswith("s3:"):
        # Imported once here, before the pool forks, instead of in every job.
        import dwelltime.exports.s3_storage  # noqa: F401
    from dwelltime.jql.parser import prepare_parser

    prepare_parser()  # likewise, built once for every pool process
    processes = concurrency or os.cpu_count() or 1
    structlog.get_logger("dwelltime.worker").info(
        "worker_started", queue=settings.queue, concurrency=processes, home=str(settings.home)
    )
    celery_app.worker_main(
        [
            "worker",
            f"--concurrency={processes}",
            f"--queues={settings.queue}",
            # Unique, so several workers on one host do not clash in broadcasts.
            f"--hostname=dwelltime-{uuid.uuid4().hex[:8]}@%h",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
        ]
    )
