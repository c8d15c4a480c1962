"""`create_app(settings)`: the FastAPI application with its services, scheduler and handlers."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from dwelltime import __version__
from dwelltime.api.deps import Services
from dwelltime.api.errors import register_error_handlers
from dwelltime.api.metrics import create_registry
from dwelltime.api.routes import calendars, catalog, exports, health, parameter_sets, reports
from dwelltime.api.routes.docs import mount_docs
from dwelltime.api.routes.web import mount_page
from dwelltime.config import Settings
from dwelltime.db import create_db_engine
from dwelltime.definitions.calendars import CalendarService
from dwelltime.definitions.param_sets import ParamSetService
from dwelltime.exports.executors.base import Executor
from dwelltime.exports.executors.configured import create_executor
from dwelltime.exports.executors.inline import InlineExecutor
from dwelltime.exports.records import ExportStore
from dwelltime.exports.scheduler import Scheduler
from dwelltime.exports.service import ExportService
from dwelltime.exports.storage import open_storage
from dwelltime.pipeline import sweep_staging
from dwelltime.reports.service import ReportService
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.param_context import StoreParamContext
from dwelltime.sources.store.source import LocalSource
from dwelltime.tokens import TokenService, load_secret

#: How long a request waits for a database lock before answering 503 with Retry-After.
REQUEST_BUSY_TIMEOUT_SECONDS = 2.0


def create_app(settings: Settings, executor: Executor | None = None) -> FastAPI:
    """The API over `settings`' store; `executor` defaults to the one settings name.

    With an InlineExecutor each export runs to its end inside POST (tests); otherwise a
    scheduler thread started with the app dispatches Queued exports to the executor.
    """
    IssueStore.open(settings).engine.dispose()  # brings the schema up to date
    sweep_staging(settings.staging_dir)  # what killed workers left behind
    # Requests wait briefly for a lock and then answer 503; the scheduler may wait longer.
    engine = create_db_engine(settings.resolved_database_url, REQUEST_BUSY_TIMEOUT_SECONDS)
    issue_store = IssueStore(engine)
    store = ExportStore(engine)
    storage = open_storage(settings)
    executor = executor or create_executor(settings)
    scheduler = Scheduler(
        ExportStore(create_db_engine(settings.resolved_database_url)), storage, executor, settings
    )
    inline = isinstance(executor, InlineExecutor)
    param_context = StoreParamContext(issue_store)
    secret = load_secret(settings)
    report_service = ReportService(issue_store, settings, secret)
    services = Services(
        settings=settings,
        engine=engine,
        exports=ExportService(
            store,
            storage,
            settings,
            param_context,
            on_queued=scheduler.tick if inline else scheduler.wake,
            cancel=scheduler.cancel,
        ),
        store=store,
        tokens=TokenService(engine, secret, settings.token_cache_seconds),
        metrics=create_registry(store, lambda: report_service.running),
        scheduler=scheduler,
        source=LocalSource(issue_store),
        calendars=CalendarService(issue_store.engine),
        param_sets=ParamSetService(issue_store),
        reports=report_service,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        thread = threading.Thread(target=scheduler.run, args=(stop,), name="scheduler")
        if not inline:
            thread.start()
        try:
            yield
        finally:
            stop.set()
            scheduler.wake()
            if thread.is_alive():
                thread.join()
            scheduler.shutdown()

    app = FastAPI(
        title="dwelltime",
        version=__version__,
        description="Time in status reports for Jira, exported asynchronously "
        "(Timepiece-compatible REST export API).",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = services
    register_error_handlers(app)
    app.include_router(exports.router)
    app.include_router(reports.router)
    app.include_router(catalog.router)
    app.include_router(calendars.router)
    for router in parameter_sets.routers:
        app.include_router(router)
    app.include_router(health.router)
    mount_docs(app)
    mount_page(app)
    return app
