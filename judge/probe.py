"""The real launch path, tried end to end: the sandbox, the harness, `import numpy` and `import torch`.

A probe that binds `/` proves little: a real grading binds the interpreter,
the allowed packages and the harness, under a leased uid, in a cgroup. So the
probe starts exactly what a grading starts and asks it to import what
submissions import. It runs under its own leased uid and cgroup, so a grading
that fills its own limits (a fork bomb) cannot make it fail. Its answer is one
line for `judge doctor`, the service's start and `/health`; a failing probe
never makes the judge grade without the sandbox.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from judge.problem import Limits
from judge.runner import Child
from judge.sandbox import Isolation, SandboxError, isolation

PROBE_SOURCE = """\
import numpy
import torch


def probe():
    return numpy.arange(3.0) + torch.ones(3).numpy()
"""
_LOAD_TIMEOUT_S = 120.0  # a cold `import torch` on a busy machine


@dataclass(frozen=True)
class ProbeResult:
    """Whether a submission can be graded here, in one line."""

    ok: bool
    line: str  # what works, or the first thing that fails
    isolation: Isolation
    seconds: float


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip() and not ln.startswith("...")]
    return lines[-1] if lines else ""


def probe(unsandboxed: bool = False, with_torch: bool = True) -> ProbeResult:
    """Start a real sandbox and import NumPy (and Torch) in it; never raises."""
    started = time.perf_counter()
    facts = isolation(unsandboxed)
    source = PROBE_SOURCE if with_torch else PROBE_SOURCE.replace("import torch\n", "").replace(
        " + torch.ones(3).numpy()", " + 1.0")

    def result(ok: bool, line: str) -> ProbeResult:
        return ProbeResult(ok, line, facts, time.perf_counter() - started)

    try:
        with Child(Limits(), threads=1, unsandboxed=unsandboxed) as child:
            ready = child.wait_ready()
            if ready.status != "ready":
                child.close()
                why = _last_line(child.stderr) or ready.message or ready.status
                return result(False, f"the sandbox does not start: {why}")
            loaded = child.request({"op": "load", "code": source, "entry_point": "probe"}, timeout=_LOAD_TIMEOUT_S)
            if loaded.status != "ok":
                return result(False, f"the sandbox cannot import what submissions use: {loaded.message}")
            reply = child.request({"op": "call", "args": []}, max_reply_bytes=4096)
            if reply.status != "ok" or len(reply.arrays) != 1 or reply.arrays[0].tolist() != [1.0, 2.0, 3.0]:
                return result(False, f"a call in the sandbox failed: {reply.message or reply.status}")
    except SandboxError as exc:
        return result(False, str(exc))
    except Exception as exc:  # the probe reports; it never takes its caller down
        return result(False, f"the sandbox cannot be started: {type(exc).__name__}: {exc}")
    imported = "NumPy and Torch" if with_torch else "NumPy"
    return result(True, f"{facts.level}: a sandbox started and imported {imported} "
                        f"in {time.perf_counter() - started:.1f} s")
