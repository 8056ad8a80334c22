"""GET /health: liveness, the queue, the workers and the sandbox level."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from api.deps import Pool, Sandbox, Settings, StoreDep
from api.schemas import Health

router = APIRouter(tags=["service"])


@router.get("/health", response_model=Health, summary="Liveness, queue depth, workers and sandbox level",
            description="Public. `accepting` is false when the service would answer 503 to submissions because "
                        "no sandbox is available and JUDGE_ALLOW_UNSANDBOXED is not set.")
async def health(settings: Settings, store: StoreDep, pool: Pool, sandbox: Sandbox) -> Health:
    counts = await run_in_threadpool(store.counts)
    level = "bubblewrap" if sandbox.level == "bubblewrap" else "none"
    return Health(queue_depth=counts["queued"] + counts["running"], queued=counts["queued"],
                  running=counts["running"], workers=pool.size, workers_ready=pool.ready, sandbox=level,
                  sandbox_reason=sandbox.reason, accepting=level == "bubblewrap" or settings.allow_unsandboxed)
