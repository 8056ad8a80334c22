"""The FastAPI application: routers assembled, the store opened, the workers started."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import routes_meta, routes_submissions
from api.settings import ServiceSettings
from api.store import Store
from api.workers import WorkerConfig, WorkerPool


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """The service: state lives on `app.state`, nothing at module level."""
    settings = settings or ServiceSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = Store(settings.database)
        store.recover()  # whatever a killed server left running is graded again
        config = WorkerConfig(database=settings.database, problems_dir=str(settings.problems_dir),
                              secret=settings.grading_secret(), threads=settings.threads,
                              timing_budget_s=settings.timing_budget_s, max_attempts=settings.max_attempts)
        pool = WorkerPool(settings.workers, config)
        app.state.settings, app.state.store, app.state.pool = settings, store, pool
        app.state.rate_windows = {}
        pool.start()
        try:
            yield
        finally:
            pool.stop()

    app = FastAPI(
        title="attention-judge",
        summary="Grades Transformer-block exercises in a bubblewrap sandbox.",
        description="Submit code for a problem; get a verdict per case, the likely mistake, and a speed comparison "
                    "with a Torch reference. Every /submissions route needs `Authorization: Bearer <token>` "
                    "(`judge token create`).",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.include_router(routes_meta.router)
    app.include_router(routes_submissions.router)
    return app
