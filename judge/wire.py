"""The framing between the judge and the sandboxed child: length-prefixed frames.

A message is one JSON header frame followed by the `.npy` frames it announces.
Arrays travel as `.npy` bytes read with `allow_pickle=False`, so nothing either
side sends is ever unpickled. This module runs on both sides of the sandbox, so
it imports only the standard library and NumPy.
"""

from __future__ import annotations

import io
import json
import math
import os
import select
import struct
import time
from typing import Any

import numpy as np

_LENGTH = struct.Struct("<Q")
_NPY_HEADER_LIMIT = 10_000  # bytes of a .npy header; NumPy's own default


class WireError(Exception):
    """Bytes that do not form a valid frame: truncated, oversized or malformed."""


class WireTimeout(WireError):
    """The stream stalled before a whole message arrived."""


def _wait(fd: int, events: int, deadline: float | None) -> None:
    """Block until `fd` is ready for `events`, or raise WireTimeout at `deadline` (monotonic)."""
    if deadline is None:
        return
    poller = select.poll()
    poller.register(fd, events | select.POLLERR | select.POLLHUP)
    left = deadline - time.monotonic()
    if left <= 0 or not poller.poll(left * 1000):
        raise WireTimeout("the other side stopped reading" if events == select.POLLOUT else "the stream stalled")


def _write_all(fd: int, data: bytes, deadline: float | None = None) -> None:
    """Write everything; with a deadline `fd` must be non-blocking, so that a reader who stops cannot hang us."""
    view = memoryview(data)
    while view:
        _wait(fd, select.POLLOUT, deadline)
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            continue
        view = view[written:]


def _read_exact(fd: int, size: int, deadline: float | None = None) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        try:
            _wait(fd, select.POLLIN, deadline)
        except WireTimeout:
            raise WireTimeout(f"the stream stalled {remaining} bytes short of a frame") from None
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise WireError(f"the stream ended {remaining} bytes short of a frame")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def write_frame(fd: int, payload: bytes) -> None:
    _write_all(fd, _LENGTH.pack(len(payload)) + payload)


def read_frame(fd: int, limit: int, deadline: float | None = None) -> bytes:
    """One frame; a frame longer than `limit` bytes is refused before it is read."""
    (size,) = _LENGTH.unpack(_read_exact(fd, _LENGTH.size, deadline))
    if size > limit:
        raise WireError(f"a frame of {size} bytes is over the limit of {limit}")
    return _read_exact(fd, size, deadline)


def array_to_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _npy_header(stream: io.BytesIO) -> tuple[tuple[int, ...], bool, np.dtype[Any]]:
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(stream, max_header_size=_NPY_HEADER_LIMIT)
    if version in ((2, 0), (3, 0)):
        return np.lib.format.read_array_header_2_0(stream, max_header_size=_NPY_HEADER_LIMIT)
    raise WireError(f"unsupported .npy version {version}")


def plain_dtype(dtype: np.dtype[Any]) -> np.dtype[Any]:
    """`dtype` when it is a plain number type; WireError for objects, records, strings and the like."""
    if dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None or dtype.kind not in "biufc":
        raise WireError(f"an array of {dtype} is not an array of plain numbers")
    return dtype


def bytes_to_array(data: bytes) -> np.ndarray:
    """Decode `.npy` bytes of plain numbers; anything else (pickles, objects, records, a lying size) is refused.

    The header is checked against the bytes that follow before anything is
    allocated, so a header that claims 512 TiB costs nothing.
    """
    try:
        stream = io.BytesIO(data)
        shape, fortran, dtype = _npy_header(stream)
        plain_dtype(dtype)
        count = math.prod(shape)
        offset = stream.tell()
        if count * dtype.itemsize != len(data) - offset:
            raise WireError(f"the .npy header announces {count} x {dtype.itemsize} bytes, "
                            f"but {len(data) - offset} follow")
        flat = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
        return flat.reshape(shape, order="F" if fortran else "C").copy()
    except WireError:
        raise
    except Exception as exc:  # whatever the bytes provoke, it is their sender's fault
        raise WireError(f"not a valid .npy array: {type(exc).__name__}: {exc}"[:500]) from None


def send_message(fd: int, header: dict[str, Any], arrays: list[np.ndarray] | None = None,
                 deadline: float | None = None) -> None:
    """A JSON header (with the number of arrays that follow) and the arrays; WireTimeout past `deadline`."""
    arrays = arrays or []
    header = {**header, "arrays": len(arrays)}
    frames = [json.dumps(header).encode()] + [array_to_bytes(a) for a in arrays]
    _write_all(fd, b"".join(_LENGTH.pack(len(f)) + f for f in frames), deadline)


def receive_message(fd: int, header_limit: int, array_limit: int, deadline: float | None = None,
                    max_arrays: int = 64) -> tuple[dict[str, Any], list[np.ndarray]]:
    """Read one message; raise WireError on anything malformed, WireTimeout past `deadline` (monotonic).

    `array_limit` bounds the arrays' bytes all together, and is checked against
    each frame's announced length before the frame is read.
    """
    raw = read_frame(fd, header_limit, deadline)
    try:
        header = json.loads(raw)
    except Exception as exc:  # bad UTF-8, bad JSON, deep nesting, 5,000-digit numbers: all the sender's
        raise WireError(f"the header is not readable JSON: {type(exc).__name__}: {exc}"[:500]) from None
    if not isinstance(header, dict) or type(header.get("arrays")) is not int:
        raise WireError("the header is not a JSON object announcing its arrays")
    count = header["arrays"]
    if not 0 <= count <= max_arrays:
        raise WireError(f"the header announces {count} arrays (at most {max_arrays} expected)")
    arrays = []
    budget = array_limit
    for _ in range(count):
        frame = read_frame(fd, budget, deadline)
        budget -= len(frame)
        arrays.append(bytes_to_array(frame))
    return header, arrays
