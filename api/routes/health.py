"""GET /health: liveness, the queue, the workers and the sandbox's last probe."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from api.deps import Pool, Sandbox, StoreDep
from api.schemas import Health

router = APIRouter(tags=["service"])


@router.get("/health", response_model=Health, summary="Liveness, queue depth, workers and the sandbox's probe",
            description="Public. `probe` is the last end-to-end start of a real sandbox (bubblewrap, the harness, "
                        "`import numpy` and `import torch`); `accepting` is false, and POST /submissions answers "
                        "503, while it fails. `limits` says whether memory, processes and CPU are capped per "
                        "sandbox (a cgroup) or only per process.")
async def health(store: StoreDep, pool: Pool, sandbox: Sandbox) -> Health:
    counts = await run_in_threadpool(store.counts)
    probe, facts = sandbox.result, sandbox.result.isolation
    return Health(status="ok" if probe.ok else "degraded", queue_depth=counts["queued"] + counts["running"],
                  queued=counts["queued"], running=counts["running"], workers=pool.size, workers_ready=pool.ready,
                  sandbox="bubblewrap" if facts.level == "bubblewrap" else "none", sandbox_reason=facts.reason,
                  probe=probe.line, probe_age_s=round(sandbox.age_s, 1), limits=facts.limits,
                  limits_per_sandbox=facts.whole, accepting=probe.ok)
