"""The program that runs inside the sandbox: load a submission, call it, send back arrays.

This file and `wire.py` are the only judge files the sandbox sees (bound read-only
under /sandbox). It imports only the standard library and NumPy, and it holds no
secrets and no references: everything it sends is an untrusted claim that the
judge checks on its own side. A submission can tamper with this process freely;
the worst it can do is send wrong arrays, which the judge marks wrong.

Usage: python -I -S harness.py REQUEST_FD RESPONSE_FD SITE_DIR [SHARED_FD]

SHARED_FD, given for the speed comparison's timed calls, is a memfd the judge
also maps (`judge/shared.py`): a call that names `shared` slots finds its arrays
there, and one that names an `out` area gets its output written there.
"""

import sys
import time

# Bound before the submission is imported, so patching time.perf_counter later
# cannot change what the harness measures.
_clock = time.perf_counter

sys.path[:0] = [sys.argv[3], "/sandbox"]

import contextlib  # noqa: E402
import linecache  # noqa: E402 - the path must be set first
import mmap  # noqa: E402
import os  # noqa: E402
import traceback  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from wire import WireError, receive_message, send_message  # type: ignore[import-not-found]  # noqa: E402

SUBMISSION_FILE = "submission.py"
_HEADER_LIMIT = 1 << 20
_ARRAY_LIMIT = 1 << 30


def _submission_traceback(exc: BaseException) -> str:
    """The traceback restricted to the submission's own frames."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == SUBMISSION_FILE]
    lines = traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc)
    return "".join(lines)[-4000:]


def _failure(exc: BaseException, where: str) -> dict[str, Any]:
    if isinstance(exc, MemoryError):
        kind = "memory"
    elif isinstance(exc, SystemExit):
        kind = "exit"
    else:
        kind = "exception"
    message = f"{type(exc).__name__} {where}: {exc}" if str(exc) else f"{type(exc).__name__} {where}"
    if isinstance(exc, SystemExit):
        message = f"the submission called sys.exit({exc.code!r}) {where}"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == SUBMISSION_FILE]
    return {"status": "error", "kind": kind, "message": message[:2000], "traceback": _submission_traceback(exc),
            "exception": type(exc).__name__, "line": frames[-1].lineno if frames else None}


def _load(code: str, entry_point: str) -> tuple[dict[str, Any], Any]:
    linecache.cache[SUBMISSION_FILE] = (len(code), None, code.splitlines(True), SUBMISSION_FILE)
    namespace: dict[str, Any] = {"__name__": "submission", "__file__": SUBMISSION_FILE}
    try:
        compiled = compile(code, SUBMISSION_FILE, "exec")
    except (SyntaxError, ValueError) as exc:
        return {"status": "error", "kind": "compile", "message": f"{type(exc).__name__}: {exc}",
                "traceback": "".join(traceback.format_exception_only(type(exc), exc))}, None
    try:
        exec(compiled, namespace)  # noqa: S102 - running the submission is this sandbox's purpose
    except BaseException as exc:
        failure = _failure(exc, "while importing the submission")
        if failure["kind"] == "exception":  # sys.exit and MemoryError keep their own kinds
            failure["kind"] = "compile"
        return failure, None
    func = namespace.get(entry_point)
    if func is None:
        return {"status": "error", "kind": "compile",
                "message": f"the submission defines no function named {entry_point!r}"}, None
    if not callable(func):
        return {"status": "error", "kind": "compile",
                "message": f"{entry_point!r} is a {type(func).__name__}, not a function"}, None
    return {"status": "ok"}, func


def _as_plain_array(out: Any) -> tuple[np.ndarray | None, str | None]:
    """The returned value as a plain ndarray, or why it breaks the contract.

    Arrays and tensors of any rank, NumPy scalars and Python numbers (which become
    0-d arrays) are read; lists are not, so that a ragged or nested return is not
    guessed at.
    """
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(out, torch.Tensor):
        out = out.detach().cpu().numpy()
    if isinstance(out, np.generic) or (type(out) in (int, float) and not isinstance(out, bool)):
        out = np.asarray(out)
    if not isinstance(out, np.ndarray):
        return None, f"returned a {type(out).__name__}; return a NumPy array (or a torch tensor, or a number)"
    if out.dtype.hasobject:
        return None, "returned an array of Python objects; return an array of numbers"
    return np.array(out, subok=False, copy=True), None


def _as_outputs(out: Any, count: int) -> tuple[list[np.ndarray], str | None]:
    """The returned value as `count` plain arrays (a tuple when several), or why it breaks the contract."""
    values = [out]
    if count != 1:
        if not isinstance(out, tuple | list) or len(out) != count:
            return [], f"returned a {type(out).__name__}; return a tuple of {count} outputs"
        values = list(out)
    arrays = []
    for value in values:
        array, contract = _as_plain_array(value)
        if array is None:
            return [], contract
        arrays.append(array)
    return arrays, None


_shared: Any = None  # the mapped shared region, when the judge gave one


def _map_shared(fd: int) -> Any:
    return mmap.mmap(fd, os.fstat(fd).st_size)


def _shared_arrays(slots: list[dict[str, Any]]) -> list[np.ndarray]:
    """The call's arrays, in place in the shared region (the judge wrote them there for this call)."""
    return [np.ndarray(tuple(s["shape"]), np.dtype(s["dtype"]), buffer=_shared, offset=s["offset"]) for s in slots]


def _put_shared(array: np.ndarray, area: dict[str, int]) -> dict[str, Any]:
    """Write the output into the area the judge named; the reply's description of it."""
    if array.nbytes > area["capacity"]:
        return {"status": "error", "kind": "contract",
                "message": f"returned {array.nbytes} bytes, more than the {area['capacity']} the output can be"}
    np.copyto(np.ndarray(array.shape, array.dtype, buffer=_shared, offset=area["offset"]), array)
    return {"shared_out": {"dtype": array.dtype.str, "shape": list(array.shape)}}


def _arguments(header: dict[str, Any], arrays: list[np.ndarray]) -> list[Any]:
    """Rebuild the call's positional arguments: arrays in order, None and ints from the header."""
    args: list[Any] = []
    supply = iter(_shared_arrays(header["shared"]) if "shared" in header else arrays)
    for slot in header["args"]:
        if slot["kind"] == "array":
            args.append(next(supply))
        elif slot["kind"] == "none":
            args.append(None)
        elif slot["kind"] == "float":
            args.append(float(slot["value"]))
        elif slot["kind"] == "lists":
            args.append([[int(t) for t in row] for row in slot["value"]])
        else:
            args.append(int(slot["value"]))
    return args


def _on_cuda(args: list[Any]) -> list[Any]:
    """The arrays as CUDA tensors, copied before the call returns to the judge's clock (TF32 stays off)."""
    import torch

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    moved = [torch.from_numpy(a).cuda() if isinstance(a, np.ndarray) else a for a in args]
    torch.cuda.synchronize()
    return moved


def _flush_l2() -> dict[str, Any]:
    """Evict the GPU's L2 cache (every process shares it) by writing a buffer larger than it."""
    import torch

    if not torch.cuda.is_available():
        return {"status": "error", "kind": "exception", "message": "CUDA is not available in the sandbox"}
    size = max(getattr(torch.cuda.get_device_properties(0), "L2_cache_size", 0) * 2, 256 << 20)
    torch.empty(size, dtype=torch.uint8, device="cuda").zero_()
    torch.cuda.synchronize()
    return {"status": "ok"}


def _call(func: Any, header: dict[str, Any], arrays: list[np.ndarray]) -> tuple[dict[str, Any], list[np.ndarray]]:
    args = _arguments(header, arrays)
    if header.get("device") == "cuda":
        try:
            args = _on_cuda(args)
        except BaseException as exc:
            return {"status": "error", "kind": "exception", "message": f"CUDA is not usable here: {exc}"[:2000]}, []
    start = _clock()
    try:
        out = func(*args)
    except BaseException as exc:
        return _failure(exc, "in the entry point"), []
    seconds = _clock() - start
    try:
        arrays, contract = _as_outputs(out, int(header.get("outputs", 1)))
    except BaseException as exc:
        return {"status": "error", "kind": "contract", "message": f"the returned value cannot be read: {exc}"}, []
    if contract is not None:
        return {"status": "error", "kind": "contract", "message": contract}, []
    if "out" in header and len(arrays) == 1:
        placed = _put_shared(arrays[0], header["out"])
        return ({"status": "ok", "seconds": seconds, **placed} if "shared_out" in placed else placed), []
    return {"status": "ok", "seconds": seconds}, arrays


def _flush() -> None:
    """Push the submission's buffered output into its pipes before the reply, so the judge sees it in order."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):  # a submission that broke its own streams loses its output
            stream.flush()


def main() -> int:
    global _shared
    request_fd, response_fd = int(sys.argv[1]), int(sys.argv[2])
    if len(sys.argv) > 4:
        _shared = _map_shared(int(sys.argv[4]))
    send_message(response_fd, {"status": "ready"})
    func = None
    while True:
        try:
            header, arrays = receive_message(request_fd, _HEADER_LIMIT, _ARRAY_LIMIT)
        except WireError:
            return 0  # the judge closed the pipe: nothing more to do
        nonce = header.get("nonce")
        if header["op"] == "load":
            reply, func = _load(header["code"], header["entry_point"])
            _flush()
            send_message(response_fd, {**reply, "nonce": nonce})
        elif header["op"] == "call":
            reply, out = _call(func, header, arrays)
            _flush()
            send_message(response_fd, {**reply, "nonce": nonce}, out)
        elif header["op"] == "flush":  # asked of the trusted reference sandbox only, before each timed call
            try:
                reply = _flush_l2()
            except BaseException as exc:
                reply = {"status": "error", "kind": "exception", "message": str(exc)[:2000]}
            send_message(response_fd, {**reply, "nonce": nonce})
        else:
            return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # skip any atexit hooks the submission registered
