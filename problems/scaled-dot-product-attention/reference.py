"""Trusted: the exact answer (NumPy float64), the same arithmetic in float32, and the FLOP count."""

from typing import Any

import numpy as np

from reference import ops  # ops.attention, looked up at each call

__all__ = ["flops", "in_float32", "reference"]


def _attend(q: Any, k: Any, v: Any, mask: Any, dtype: type) -> Any:
    """softmax(q kᵀ / sqrt(d_k)) @ v over the keys, blocked scores set to -inf first, in `dtype`."""
    blocked = None if mask is None else np.asarray(mask, dtype=bool)  # (N, 1, T_q, T_k), broadcast over heads
    return ops.attention(np.asarray(q, dtype), np.asarray(k, dtype), np.asarray(v, dtype), blocked)  # (N, H, T_q, d_v)


def reference(q: Any, k: Any, v: Any, mask: Any = None) -> Any:
    return _attend(q, k, v, mask, np.float64)


def in_float32(q: Any, k: Any, v: Any, mask: Any = None) -> Any:
    return _attend(q, k, v, mask, np.float32)


def flops(dims: dict[str, int]) -> int:
    n, h, t_q, t_k = dims["N"], dims["H"], dims["T_q"], dims["T_k"]
    return 2 * n * h * t_q * t_k * dims["d_k"] + 2 * n * h * t_q * t_k * dims["d_v"]  # scores, then weights @ v
