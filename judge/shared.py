"""A shared-memory region between the judge and one child, for the timed calls of the speed comparison.

At the benchmark shape a call carries about 10 MB of inputs. Through pipes and
`.npy` frames that costs some 45 ms a call on a 2-core VM (half the reference's
whole time, and most of its noise); copied into pages both sides have mapped it
costs about 2 ms. Both sides of a comparison use the same region layout and the
judge's clock covers the copies in and out, so nothing is subtracted.

The region is a sealed memfd, one per child: the child can write into it (that
only changes its own inputs and output) but can neither shrink nor grow it, so
the judge's mapping can never fault. The judge writes the inputs at offsets it
chooses, names them in the request, and reads the output from the offset it
chose, after checking the dtype and size the child claims.
"""

from __future__ import annotations

import fcntl
import math
import mmap
import os
from typing import Any

import numpy as np

from judge.wire import WireError, plain_dtype

ALIGN = 64  # every array starts on a cache line


def _aligned(size: int) -> int:
    return -(-size // ALIGN) * ALIGN


class SharedRegion:
    """The judge's end: `fd` goes to the child, which maps it; the judge fills inputs and reads outputs."""

    def __init__(self, input_bytes: int, output_bytes: int) -> None:
        self.output_offset = _aligned(input_bytes)
        self.output_capacity = _aligned(output_bytes)
        self.size = self.output_offset + self.output_capacity
        self.fd = os.memfd_create("attention-judge-io", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        try:
            os.ftruncate(self.fd, self.size)
            fcntl.fcntl(self.fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SEAL)
            self._map = mmap.mmap(self.fd, self.size)
        except BaseException:
            os.close(self.fd)
            raise
        self._map[: self.output_offset] = bytes(self.output_offset)  # fault the input pages in once, here

    def write_inputs(self, arrays: list[np.ndarray]) -> list[dict[str, Any]]:
        """Copy `arrays` into the input area; their descriptions, for the request."""
        slots: list[dict[str, Any]] = []
        offset = 0
        for array in arrays:
            if offset + array.nbytes > self.output_offset:
                raise ValueError("the inputs do not fit the shared region")
            view = np.ndarray(array.shape, array.dtype, buffer=self._map, offset=offset)
            np.copyto(view, array)
            slots.append({"offset": offset, "dtype": array.dtype.str, "shape": list(array.shape)})
            offset = _aligned(offset + array.nbytes)
        return slots

    def output_area(self) -> dict[str, int]:
        return {"offset": self.output_offset, "capacity": self.output_capacity}

    def read_output(self, claim: Any, max_bytes: int) -> np.ndarray:
        """A copy of the output the child says it wrote; WireError when the claim is not a plain array that fits."""
        if not isinstance(claim, dict):
            raise WireError("the reply describes no shared output")
        try:
            dtype = plain_dtype(np.dtype(str(claim.get("dtype"))))
        except WireError:
            raise
        except Exception as exc:  # whatever the string provokes, it is the child's fault
            raise WireError(f"the shared output's dtype is not readable: {exc}"[:300]) from None
        shape = claim.get("shape")
        if not isinstance(shape, list) or len(shape) > 32 or \
                not all(type(n) is int and 0 <= n <= self.output_capacity for n in shape):
            raise WireError("the shared output's shape is not a list of sizes")
        nbytes = math.prod(shape) * dtype.itemsize
        if nbytes > min(self.output_capacity, max_bytes):
            raise WireError(f"a shared output of {nbytes} bytes is over the limit of "
                            f"{min(self.output_capacity, max_bytes)}")
        view = np.ndarray(tuple(shape), dtype, buffer=self._map, offset=self.output_offset)
        return np.array(view, copy=True)

    def close(self) -> None:
        self._map.close()
        os.close(self.fd)

    def __enter__(self) -> SharedRegion:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
