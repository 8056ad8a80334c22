"""The framing between the judge and the sandboxed child: length-prefixed frames.

A message is one JSON header frame followed by the `.npy` frames it announces.
Arrays travel as `.npy` bytes read with `allow_pickle=False`, so nothing either
side sends is ever unpickled. This module runs on both sides of the sandbox, so
it imports only the standard library and NumPy.
"""

from __future__ import annotations

import io
import json
import os
import select
import struct
import time
from typing import Any

import numpy as np

_LENGTH = struct.Struct("<Q")


class WireError(Exception):
    """Bytes that do not form a valid frame: truncated, oversized or malformed."""


class WireTimeout(WireError):
    """The stream stalled before a whole message arrived."""


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exact(fd: int, size: int, deadline: float | None = None) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        if deadline is not None:  # a sender that stalls mid-frame must not hang the reader
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise WireTimeout(f"the stream stalled {remaining} bytes short of a frame")
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


def bytes_to_array(data: bytes) -> np.ndarray:
    """Decode `.npy` bytes; object arrays and anything else needing pickle are refused."""
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise WireError(f"not a valid .npy array: {exc}") from exc
    if not isinstance(array, np.ndarray):
        raise WireError("not a single .npy array")
    return array


def send_message(fd: int, header: dict[str, Any], arrays: list[np.ndarray] | None = None) -> None:
    """A JSON header (with the number of arrays that follow) and the arrays."""
    arrays = arrays or []
    header = {**header, "arrays": len(arrays)}
    frames = [json.dumps(header).encode()] + [array_to_bytes(a) for a in arrays]
    _write_all(fd, b"".join(_LENGTH.pack(len(f)) + f for f in frames))


def receive_message(fd: int, header_limit: int, array_limit: int,
                    deadline: float | None = None) -> tuple[dict[str, Any], list[np.ndarray]]:
    """Read one message; raise WireError on anything malformed, WireTimeout past `deadline` (monotonic)."""
    try:
        header = json.loads(read_frame(fd, header_limit, deadline))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WireError(f"the header is not JSON: {exc}") from exc
    if not isinstance(header, dict) or not isinstance(header.get("arrays"), int):
        raise WireError("the header is not a JSON object announcing its arrays")
    count = header["arrays"]
    if not 0 <= count <= 64:
        raise WireError(f"the header announces {count} arrays")
    return header, [bytes_to_array(read_frame(fd, array_limit, deadline)) for _ in range(count)]
