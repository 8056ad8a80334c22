"""The FastAPI application: routers assembled; the store and this host's grading in its lifespan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from api.check_watch import CheckWatcher
from api.host import GradingHost
from api.notify import DoneBoard
from api.routes import admin, health, problems, submissions
from api.sandbox_monitor import SandboxMonitor
from api.settings import ServiceSettings
from api.store import Store
from api.web import install as install_web
from judge.problem import ProblemError

log = logging.getLogger(__name__)

DESCRIPTION = """\
Grades students' Python functions for Transformer blocks against trusted references, each submission in a
bubblewrap sandbox: a verdict per case, the likely mistake behind a Wrong Answer, and a speed comparison with a
Torch reference.

Problems are public. Every `/submissions` route needs `Authorization: Bearer <token>` (an operator creates
tokens with `judge token create --name NAME`). Errors answer `{"detail": ...}`.
"""


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """The service. Its state lives on `app.state` and is reached through `api.deps`, never module globals."""
    settings = settings or ServiceSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)  # the SQLite file and the generated secret
        store = Store(settings.database)  # nothing is requeued here: leases say what a dead host held
        board = DoneBoard()
        host = GradingHost(settings, store, on_done=board.done)
        app.state.settings, app.state.store, app.state.board = settings, store, board
        app.state.host, app.state.pool = host, host.pool
        if not settings.workers:
            log.warning("no grading workers on this host (JUDGE_WORKERS=0): `judge work` hosts sharing %s grade",
                        "the database" if settings.database_url else "its SQLite file")
        started = asyncio.ensure_future(run_in_threadpool(host.start))  # the workers warm while the probe runs
        monitor = await run_in_threadpool(SandboxMonitor, settings.unsandboxed, settings.probe_interval_s)
        monitor.start()
        app.state.monitor = monitor
        watcher = CheckWatcher(settings.problems_dir, settings.check_cache_dir, settings.check_interval_s)
        if settings.require_check:
            watcher.start()  # new and edited problem folders are served once they pass judge check
        app.state.watcher = watcher
        if not monitor.state.result.ok:
            log.error("submissions will be refused (503) until the sandbox works: %s", monitor.state.result.line)
        if not await started:
            log.warning("not every worker is warm yet; serving anyway")
        try:
            yield
        finally:
            monitor.stop()
            await run_in_threadpool(watcher.stop)
            await run_in_threadpool(host.stop)
            store.close()

    app = FastAPI(title="attention-judge", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                  summary="Grades Transformer-block exercises in a bubblewrap sandbox.",
                  docs_url=None, redoc_url=None)  # /docs is served from local files by api.web
    app.state.settings = settings  # readable before start-up too (the OpenAPI schema needs no state)

    @app.exception_handler(OperationalError)
    async def database_busy(request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database error on %s %s: %s", request.method, request.url.path, exc)
        return JSONResponse({"detail": "the database is busy or unreachable; try again shortly"},
                            status_code=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "5"})

    @app.exception_handler(ProblemError)
    async def malformed_problem(request: Request, exc: ProblemError) -> JSONResponse:
        log.error("malformed problem: %s", exc)
        return JSONResponse({"detail": f"a problem on this server is malformed: {exc}"},
                            status_code=status.HTTP_500_INTERNAL_SERVER_ERROR)

    for module in (health, problems, submissions, admin):
        app.include_router(module.router)
    install_web(app)
    return app
